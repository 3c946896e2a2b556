"""`python -m bot.ops.cluster [--port-base 7000] [--instances 2]`: `make run-cluster` in the foreground."""

from __future__ import annotations

import argparse
import sys

from bot.ops.cluster.config import (
    ACTIONS_OFFSET,
    DEFAULT_PORT_BASE,
    FEEDBACK_DB,
    NGINX_OFFSET,
    POSTGRES_OFFSET,
    RASA_OFFSET,
    REDIS_OFFSET,
    TRACKER_DB,
    ClusterConfig,
    ClusterError,
)
from bot.ops.cluster.launcher import Cluster
from bot.serving.security import SettingsError

DESCRIPTION = (
    "Lotse scaled out on one machine: PostgreSQL, Redis, one action server, two Rasa instances, nginx."
)


def _ready_text(cluster: Cluster) -> str:
    """Where each part listens, as printed once everything answers."""
    config = cluster.config
    rasa = ", ".join(config.rasa_url(index) for index in range(config.instances))
    return (
        "The Lotse cluster is ready.\n"
        f'  REST:       POST {config.nginx_url}/webhooks/rest/webhook  {{"sender": "me", "message": "…"}}\n'
        f"  widget:     {config.web_url}/ (its questions go through nginx)\n"
        f"  workbench:  {config.workbench_url} (trainers; on every web server: "
        f"{', '.join(str(port) for port in config.web_ports)})\n"
        f"  nginx:      {config.nginx_url} → Rasa {rasa}\n"
        f"  actions:    http://{config.host}:{config.actions_port}/webhook\n"
        f"  PostgreSQL: {config.host}:{config.postgres_port} (tracker store {TRACKER_DB}, "
        f"feedback {FEEDBACK_DB}; data in {cluster.pg_dir})\n"
        f"  Redis:      {config.host}:{config.redis_port} (lock store)\n"
        f"  passwords:  {config.secrets_file}\n"
        f"  logs:       {config.log_dir}, {config.nginx_prefix / 'logs'}\n"
        "  watched:    a part that stops answering (5 s) or exits is restarted; each restart is noted here\n"
        "Ctrl-C stops everything."
    )


def main(argv: list[str] | None = None) -> int:
    """Start the cluster, print where each part listens, keep it answering until Ctrl-C."""
    parser = argparse.ArgumentParser(prog="python -m bot.ops.cluster", description=DESCRIPTION)
    parser.add_argument(
        "--port-base",
        type=int,
        default=DEFAULT_PORT_BASE,
        help=f"ports: nginx base+{NGINX_OFFSET}, Rasa base+{RASA_OFFSET}…, actions base+{ACTIONS_OFFSET}, "
        f"Redis base+{REDIS_OFFSET}, PostgreSQL base+{POSTGRES_OFFSET} (default {DEFAULT_PORT_BASE})",
    )
    parser.add_argument("--instances", type=int, default=2, help="Rasa instances behind nginx (default 2)")
    args = parser.parse_args(argv)
    try:
        config = ClusterConfig(port_base=args.port_base, instances=args.instances)
    except ClusterError as error:
        print(f"the cluster did not start: {error}", file=sys.stderr)
        return 2
    print(
        f"Starting the Lotse cluster ({config.instances} Rasa instances; model loads take a while) …",
        flush=True,
    )
    cluster = Cluster(config, say=lambda line: print(line, flush=True))
    try:
        cluster.start()
    except (ClusterError, SettingsError, RuntimeError) as error:
        print(f"the cluster did not start: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # start() has stopped what it started
        return 130
    print(_ready_text(cluster), flush=True)
    return cluster.wait()


if __name__ == "__main__":
    sys.exit(main())
