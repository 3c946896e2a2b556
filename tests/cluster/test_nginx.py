"""nginx as the cluster generates it, checked by nginx itself and run against Rasa instances that are down."""

from __future__ import annotations

import json
import os
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.ops.cluster import Cluster, ClusterConfig, find_programs, nginx_conf
from bot.ops.processes import reachable, wait_ready
from bot.paths import PROJECT_ROOT
from tests.bots import PORT_BASE
from tests.cluster.conftest import post

LONE_PORT_BASE = PORT_BASE + 700  # nothing listens on its Rasa ports


@pytest.fixture
def lone_nginx(tmp_path: Path) -> Iterator[ClusterConfig]:
    """nginx alone, in front of two Rasa ports where nothing listens."""
    config = ClusterConfig(port_base=LONE_PORT_BASE, state_dir=tmp_path)
    (config.nginx_prefix / "logs").mkdir(parents=True)
    (config.nginx_prefix / "tmp").mkdir()
    config.nginx_conf.write_text(nginx_conf(config, as_root=os.geteuid() == 0), encoding="utf-8")
    nginx = str(find_programs().nginx)
    args = [nginx, "-p", f"{config.nginx_prefix}/", "-c", str(config.nginx_conf), "-e", "logs/error.log"]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        health = f"{config.nginx_url}/nginx/health"
        problem = wait_ready(
            process, lambda: reachable(health), 10.0, "nginx", config.nginx_prefix / "logs/error.log"
        )
        assert problem is None, problem
        yield config
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_every_instance_down_gives_a_json_503_with_retry_after_at_once(lone_nginx: ClusterConfig) -> None:
    request = urllib.request.Request(
        f"{lone_nginx.nginx_url}/webhooks/rest/webhook",
        data=json.dumps({"sender": "nginx-test", "message": "Wer bearbeitet Terminabsagen?"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(request, timeout=5)
    assert raised.value.code == 503
    assert raised.value.headers["Retry-After"] == "2"
    assert "ask again" in json.loads(raised.value.read())["error"]


def test_the_generated_configuration_passes_nginx_t(cluster: Cluster) -> None:
    nginx = str(find_programs().nginx)
    config = cluster.config
    checked = subprocess.run(
        [nginx, "-t", "-p", f"{config.nginx_prefix}/", "-c", str(config.nginx_conf), "-e", "logs/error.log"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
    assert "syntax is ok" in checked.stderr


@pytest.mark.parametrize(
    "path,status",
    [("/", 404), ("/nginx/health", 200), ("/webhooks/rest/", 200), ("/webhooks/rest/health", 200)],
)
def test_nginx_paths(cluster: Cluster, path: str, status: int) -> None:
    try:
        with urllib.request.urlopen(f"{cluster.config.nginx_url}{path}", timeout=5) as reply:
            code = reply.status
    except urllib.error.HTTPError as error:
        code = error.code
    assert code == status


def test_questions_through_nginx_reach_both_instances(cluster: Cluster) -> None:
    config = cluster.config
    before = config.nginx_access_log.read_text(encoding="utf-8").count("\n")
    for index in range(6):
        reply = post(config.nginx_url, f"nginx-spread-{index}", "Wer bearbeitet Terminabsagen?")
        assert reply.answer is not None and reply.answer["topic"] == "kontaktformular_termine"
    lines = config.nginx_access_log.read_text(encoding="utf-8").splitlines()[before:]
    for port in config.rasa_ports:
        assert any(f"upstream={config.host}:{port} " in line for line in lines), port


def test_the_containers_nginx_template_passes_nginx_t(tmp_path: Path) -> None:
    """deploy/'s template as the nginx image fills it in; `resolve` needs nginx ≥ 1.27.3 (Debian has 1.22),
    so only that one parameter is left out here."""
    template = (PROJECT_ROOT / "deploy" / "nginx" / "templates" / "lotse.conf.template").read_text(
        encoding="utf-8"
    )
    filled = (
        template.replace("${LOTSE_RESOLVER}", "127.0.0.1")
        .replace("${LOTSE_RASA_1}", "127.0.0.1:5005")
        .replace("${LOTSE_RASA_2}", "127.0.0.1:5006")
        .replace("${LOTSE_WEB}", "127.0.0.1:8080")
        .replace(" resolve;", ";")
    )
    assert "${" not in filled
    conf = tmp_path / "nginx.conf"
    conf.write_text(f"pid nginx.pid;\nevents {{}}\nhttp {{\n{filled}\n}}\n", encoding="utf-8")
    (tmp_path / "logs").mkdir()
    checked = subprocess.run(
        [str(find_programs().nginx), "-t", "-p", f"{tmp_path}/", "-c", str(conf), "-e", "logs/error.log"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
