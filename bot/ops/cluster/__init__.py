"""Lotse scaled out on one machine: PostgreSQL, Redis, one action server, two Rasa instances, nginx.

One Rasa process answers with one core and is a single point of failure. Behind nginx, two
instances share the load, and when one dies nginx sends its requests to the other. They can share
a conversation because its tracker lives in PostgreSQL, not in a process, and they never work on
two messages of one conversation at once because the lock store is Redis, which both use (with
atomic ticket changes: bot/serving/lock_store.py). The widget's web server asks through nginx and
keeps its feedback in PostgreSQL too. deploy/ describes the same topology for containers; this
package runs it with Debian's packages as plain processes, with data, configuration, logs and
generated passwords under var/cluster/ and every port on 127.0.0.1, so that `make run-cluster`
and `make test-cluster` use the real parts.

    python -m bot.ops.cluster [--port-base 7000]   # nginx on base+80, Rasa on base+5 and base+6, …

config.py    ports, folders, passwords          files.py      endpoints, redis.conf, nginx.conf
programs.py  Debian's programs                  parts.py      what every part shares (one process each)
postgres.py, redis_store.py, nginx.py, bot_servers.py (actions, Rasa, web): one small class per part
launcher.py  the Cluster: start, supervise, stop   __main__.py   the command line
"""

from __future__ import annotations

from bot.ops.cluster.config import (
    CLUSTER_SECRET_NAMES,
    PG_PASSWORD_ENV,
    REDIS_PASSWORD_ENV,
    ClusterConfig,
    ClusterError,
    ClusterSecrets,
    database_url,
    load_cluster_secrets,
    private_folder,
    remove_state,
)
from bot.ops.cluster.files import endpoints_yaml, nginx_conf, redis_conf
from bot.ops.cluster.launcher import Cluster
from bot.ops.cluster.programs import Programs, find_programs

__all__ = [
    "CLUSTER_SECRET_NAMES",
    "PG_PASSWORD_ENV",
    "REDIS_PASSWORD_ENV",
    "Cluster",
    "ClusterConfig",
    "ClusterError",
    "ClusterSecrets",
    "Programs",
    "database_url",
    "endpoints_yaml",
    "find_programs",
    "load_cluster_secrets",
    "nginx_conf",
    "private_folder",
    "redis_conf",
    "remove_state",
]
