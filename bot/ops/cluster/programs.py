"""The Debian programs the cluster runs: PostgreSQL, Redis and nginx, found or named as missing."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from bot.ops.cluster.config import ClusterError
from bot.settings import env_name, settings


@dataclass(frozen=True)
class Programs:
    """The servers' executables (Debian's packages; `make cluster-deps` installs them)."""

    initdb: Path
    postgres: Path
    redis_server: Path
    nginx: Path


def postgres_bindir() -> Path | None:
    """LOTSE_PG_BINDIR, else the newest of Debian's /usr/lib/postgresql/*/bin, else `postgres` on the PATH."""
    configured = settings().pg_bindir
    if configured:
        return configured
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/postgres"),
        key=lambda path: int(path.parent.parent.name) if path.parent.parent.name.isdigit() else 0,
    )
    if versions:
        return versions[-1].parent
    found = shutil.which("postgres")
    return Path(found).parent if found else None


def find_programs() -> Programs:
    """Locate initdb, postgres, redis-server and nginx, or say how to install them."""
    bindir = postgres_bindir()
    candidates = {
        "initdb": bindir / "initdb" if bindir else None,
        "postgres": bindir / "postgres" if bindir else None,
        "redis-server": Path(shutil.which("redis-server") or "/usr/bin/redis-server"),
        "nginx": Path(shutil.which("nginx") or "/usr/sbin/nginx"),
    }
    missing = [name for name, path in candidates.items() if path is None or not os.access(path, os.X_OK)]
    if missing:
        raise ClusterError(
            f"not installed: {', '.join(missing)}. `make cluster-deps` installs Debian's postgresql, "
            f"redis-server and nginx (as root), or set {env_name('pg_bindir')} for another PostgreSQL"
        )
    found = {name: path for name, path in candidates.items() if path is not None}
    return Programs(found["initdb"], found["postgres"], found["redis-server"], found["nginx"])


def search_path() -> dict[str, str]:
    """The only variable a Debian server gets from the launcher's environment: where programs are."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
