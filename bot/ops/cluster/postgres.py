"""PostgreSQL for the cluster: the tracker store and the feedback store, on loopback, password only.

As root it runs as Debian's `postgres` account (PostgreSQL refuses root); when that account cannot
enter the checkout, its data goes to a private folder under /var/tmp instead.
"""

from __future__ import annotations

import os
import pwd
import signal
import subprocess
from pathlib import Path

from bot.ops.cluster.config import (
    FEEDBACK_DB,
    PG_PASSWORD_ENV,
    PG_USER,
    TRACKER_DB,
    ClusterError,
    database_url,
    private_folder,
)
from bot.ops.cluster.parts import Part, Site
from bot.ops.cluster.programs import Programs, search_path
from bot.paths import PROJECT_ROOT


def postgres_account() -> pwd.struct_passwd | None:
    """The account PostgreSQL runs as: ourselves, or `postgres` when we are root (it refuses root)."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        raise ClusterError(
            "running as root, PostgreSQL needs the 'postgres' system account (Debian's postgresql "
            "package creates it; `make cluster-deps`)"
        ) from None


def can_reach(account: pwd.struct_passwd, path: Path) -> bool:
    """Whether `account` may enter `path` (every folder above it must let it through)."""
    probe = subprocess.run(["test", "-x", str(path)], user=account.pw_uid, group=account.pw_gid, check=False)
    return probe.returncode == 0


class Postgres(Part):
    """The database server; `SELECT 1` is its health check."""

    name = "postgres"
    stop_signal = signal.SIGINT  # "fast" shutdown: SIGTERM would wait for Rasa's pooled connections

    def __init__(self, site: Site, programs: Programs) -> None:
        super().__init__(site)
        self.programs = programs
        self.account = postgres_account()
        self.pg_dir = self.config.state_dir / "pg"

    @property
    def where(self) -> str:
        return f"SELECT 1 on {self.config.host}:{self.config.postgres_port}"

    def command(self) -> list[str]:
        return [
            str(self.programs.postgres),
            "-D",
            str(self.pg_dir),
            "-c",
            f"listen_addresses={self.config.host}",
            "-c",
            f"port={self.config.postgres_port}",
            "-c",
            "unix_socket_directories=",  # TCP on loopback only; no socket in a system folder
            "-c",
            "max_connections=100",
        ]

    def env(self) -> dict[str, str]:
        return {**search_path(), "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}

    def alive(self) -> bool:
        return self.answers("postgres")

    def prepare(self) -> None:
        """The data folder (ours alone), created with initdb on the first start."""
        config, account = self.config, self.account
        if account is not None and not can_reach(account, config.state_dir):
            self.pg_dir = config.fallback_pg_dir
            self.site.say(
                f"the 'postgres' account cannot enter {config.state_dir} (a folder above it is private): "
                f"PostgreSQL's data goes to {self.pg_dir} instead"
            )
        if self.pg_dir == config.fallback_pg_dir:
            private_folder(self.pg_dir.parent)  # /var/tmp is shared: refuse a folder someone prepared
        self.pg_dir.mkdir(parents=True, exist_ok=True)
        if account is not None:
            os.chown(self.pg_dir, account.pw_uid, account.pw_gid)
        os.chmod(self.pg_dir, 0o700)
        if not (self.pg_dir / "PG_VERSION").exists():
            self._initdb()

    def _initdb(self) -> None:
        account = self.account
        password_file = self.pg_dir.parent / f".{self.pg_dir.name}-init-password"
        password_file.unlink(missing_ok=True)  # never write through a link left in its place
        descriptor = os.open(password_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(self.site.secrets.postgres_password + "\n")
        if account is not None:
            os.chown(password_file, account.pw_uid, account.pw_gid)
        args = [str(self.programs.initdb), "-D", str(self.pg_dir), "--username", PG_USER]
        args += [
            "--pwfile",
            str(password_file),
            "--auth",
            "scram-sha-256",
            "--encoding",
            "UTF8",
            "--locale",
            "C",
        ]
        log = self.config.log_dir / "initdb.log"
        try:
            with log.open("ab") as output:
                result = subprocess.run(
                    args,
                    env=self.env(),
                    cwd=PROJECT_ROOT if account is None else "/",
                    stdout=output,
                    stderr=subprocess.STDOUT,
                    user=account.pw_uid if account else None,
                    group=account.pw_gid if account else None,
                    check=False,
                )
        finally:
            password_file.unlink(missing_ok=True)
        if result.returncode != 0:
            raise ClusterError(f"initdb failed (code {result.returncode}); see {log}")

    def answers(self, database: str) -> bool:
        """Whether `database` answers `SELECT 1`; a refused password is an error, not a wait."""
        from sqlalchemy import create_engine, text
        from sqlalchemy.exc import OperationalError

        engine = create_engine(
            database_url(self.config, self.site.secrets.postgres_password, database),
            connect_args={"connect_timeout": 2},
        )
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except OperationalError as error:
            if "password authentication failed" in str(error):
                raise ClusterError(
                    f"PostgreSQL in {self.pg_dir} refused the password of {self.config.secrets_file} "
                    f"(or {PG_PASSWORD_ENV}); it was created with another one. Remove {self.pg_dir} "
                    "for a fresh database"
                ) from None
            return False
        finally:
            engine.dispose()

    def create_databases(self) -> None:
        """The tracker store's and the feedback store's databases, created on first start."""
        from sqlalchemy import create_engine, text

        engine = create_engine(
            database_url(self.config, self.site.secrets.postgres_password, "postgres"),
            isolation_level="AUTOCOMMIT",  # CREATE DATABASE cannot run in a transaction
        )
        try:
            with engine.connect() as connection:
                for database in (TRACKER_DB, FEEDBACK_DB):
                    exists = connection.execute(
                        text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": database}
                    ).first()
                    if not exists:  # the names are constants of this module, not input
                        connection.execute(text(f'CREATE DATABASE "{database}"'))
        finally:
            engine.dispose()
