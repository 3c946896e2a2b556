"""nginx in front of the Rasa instances: the one address of the REST webhook, failing over between them."""

from __future__ import annotations

import os
import subprocess

from bot.ops.cluster.config import ClusterError
from bot.ops.cluster.files import nginx_conf
from bot.ops.cluster.parts import HttpPart, Site
from bot.ops.cluster.programs import Programs
from bot.ops.launch import reachable


class Nginx(HttpPart):
    """nginx with the generated configuration, checked with `nginx -t` before each first start."""

    name = "nginx"

    def __init__(self, site: Site, programs: Programs) -> None:
        super().__init__(site)
        self.programs = programs

    @property
    def where(self) -> str:
        return f"{self.config.nginx_url}/nginx/health"

    def command(self) -> list[str]:
        prefix = self.config.nginx_prefix
        return [
            str(self.programs.nginx),
            "-p",
            f"{prefix}/",
            "-c",
            str(self.config.nginx_conf),
            "-e",
            "logs/error.log",
        ]

    def prepare(self) -> None:
        """Its folders and configuration; a configuration nginx rejects stops the start, naming the log."""
        config = self.config
        for folder in ("logs", "tmp"):
            (config.nginx_prefix / folder).mkdir(parents=True, exist_ok=True)
        config.nginx_conf.write_text(nginx_conf(config, os.geteuid() == 0), encoding="utf-8")
        log = config.log_dir / "nginx-check.log"
        with log.open("ab") as output:
            checked = subprocess.run(
                [*self.command(), "-t", "-q"], stdout=output, stderr=subprocess.STDOUT, check=False
            )
        if checked.returncode != 0:
            raise ClusterError(f"nginx rejected {config.nginx_conf}; see {log}")

    def wait(self) -> None:
        """Ready once a request gets through nginx to an instance's REST channel."""
        url = f"{self.config.nginx_url}/webhooks/rest/"
        self.site.servers.wait_until(
            self.service, lambda: reachable(url), self.ready_timeout_s, self.name, url, ClusterError
        )
