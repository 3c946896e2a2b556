"""The cluster's settings and generated files (bot/ops/cluster/), read back by the programs that use them.

Starting the real cluster is tests/cluster/ (`make test-cluster`); here: ports, passwords and the
endpoints file as Rasa itself reads it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from rasa.core.lock_store import LockStore
from rasa.utils.endpoints import read_endpoint_config
from sqlalchemy.engine import make_url

from bot.ops.cluster import (
    CLUSTER_SECRET_NAMES,
    ClusterConfig,
    ClusterError,
    ClusterSecrets,
    Programs,
    database_url,
    endpoints_yaml,
    find_programs,
    load_cluster_secrets,
    nginx_conf,
    private_folder,
    redis_conf,
)
from bot.ops.cluster.bot_servers import ActionServer, BotSide, RasaInstance, WebServer
from bot.ops.cluster.nginx import Nginx
from bot.ops.cluster.parts import Site
from bot.ops.cluster.postgres import Postgres
from bot.ops.cluster.programs import postgres_bindir
from bot.ops.cluster.redis_store import Redis
from bot.ops.launch import Servers
from bot.ops.processes import MODEL_FILE, action_server_command, rasa_command, web_command
from bot.serving.lock_store import AtomicRedisLockStore
from bot.settings import env_name

PG_PASSWORD_ENV, REDIS_PASSWORD_ENV = env_name("pg_password"), env_name("redis_password")


@pytest.mark.parametrize(
    "base,instances,rasa,actions,nginx,redis,postgres",
    [
        (7000, 2, [7005, 7006], 7055, 7080, 7379, 7432),
        (19500, 3, [19505, 19506, 19507], 19555, 19580, 19879, 19932),
    ],
)
def test_ports_follow_the_base(
    base: int, instances: int, rasa: list[int], actions: int, nginx: int, redis: int, postgres: int
) -> None:
    config = ClusterConfig(port_base=base, instances=instances)
    assert (config.rasa_ports, config.actions_port, config.nginx_port) == (rasa, actions, nginx)
    assert (config.redis_port, config.postgres_port) == (redis, postgres)
    assert config.nginx_url == f"http://127.0.0.1:{nginx}"


@pytest.mark.parametrize(
    "settings,message",
    [({"instances": 0}, "instances"), ({"instances": 21}, "instances"), ({"port_base": 80}, "port base")],
)
def test_impossible_settings_are_refused(settings: dict[str, int], message: str) -> None:
    with pytest.raises(ClusterError, match=message):
        ClusterConfig(**settings)  # type: ignore[arg-type]


def test_first_start_writes_random_passwords_private_and_keeps_them(tmp_path: Path) -> None:
    path = tmp_path / "cluster" / "secrets.env"
    first, generated = load_cluster_secrets(path, environ={})
    assert generated and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len({first.postgres_password, first.redis_password, first.action_token}) == 3
    assert all(len(value) >= 24 for value in (first.postgres_password, first.redis_password))
    again, generated_again = load_cluster_secrets(path, environ={})
    assert (again, generated_again) == (first, False)


def test_the_environment_wins_over_the_file(tmp_path: Path) -> None:
    path = tmp_path / "secrets.env"
    load_cluster_secrets(path, environ={})
    chosen = "from-the-environment-1234"
    found, _ = load_cluster_secrets(path, environ={PG_PASSWORD_ENV: chosen})
    assert found.postgres_password == chosen
    assert chosen not in path.read_text(encoding="utf-8")  # not written down


@pytest.mark.parametrize(
    "value", ["short", "has space in it 12345", "quote'in-it-1234567", "dollar$in-it-1234567"]
)
def test_a_password_that_would_break_a_config_file_is_refused(tmp_path: Path, value: str) -> None:
    with pytest.raises(ClusterError, match=REDIS_PASSWORD_ENV):
        load_cluster_secrets(tmp_path / "secrets.env", environ={REDIS_PASSWORD_ENV: value})


def test_an_unknown_line_in_the_secrets_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "secrets.env"
    path.write_text("# comment\nLOTSE_PG_PASSWORD=abcdefghijklmnopqrstuvwxyz\nOTHER=1\n", encoding="utf-8")
    with pytest.raises(ClusterError, match=f"{path}:3: expected one of"):
        load_cluster_secrets(path, environ={})


def test_rasa_reads_the_endpoints_with_the_secrets_from_its_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = ClusterConfig(port_base=19500)
    path = tmp_path / "endpoints.yml"
    path.write_text(endpoints_yaml(config), encoding="utf-8")
    assert "pg-secret" not in path.read_text(encoding="utf-8")
    for name, value in zip(CLUSTER_SECRET_NAMES, ["pg-secret", "redis-secret", "action-secret"], strict=True):
        monkeypatch.setenv(name, value)

    tracker = read_endpoint_config(str(path), "tracker_store")
    assert (tracker.type, tracker.url) == ("bot.serving.tracker_store.RedactingSQLTrackerStore", "127.0.0.1")
    assert tracker.kwargs == {
        "dialect": "postgresql",
        "port": 19932,
        "db": "lotse_tracker",
        "username": "lotse",
        "password": "pg-secret",
    }
    actions = read_endpoint_config(str(path), "action_endpoint")
    assert (actions.url, actions.token) == ("http://127.0.0.1:19555/webhook", "action-secret")

    lock_store = LockStore.create(read_endpoint_config(str(path), "lock_store"))
    assert isinstance(lock_store, AtomicRedisLockStore)
    connection = lock_store.red.connection_pool.connection_kwargs
    assert (connection["host"], connection["port"], connection["db"]) == ("127.0.0.1", 19879, 1)
    assert connection["password"] == "redis-secret"
    assert lock_store.key_prefix.startswith("lotse:")


def test_database_url_survives_any_allowed_password() -> None:
    password = "a/b+c=d~e.f-g_h12345"
    url = make_url(database_url(ClusterConfig(port_base=19500), password, "lotse_feedback"))
    assert (url.password, url.host, url.port, url.database) == (
        password,
        "127.0.0.1",
        19932,
        "lotse_feedback",
    )


def test_nginx_sends_a_dead_instances_requests_to_the_others() -> None:
    config = ClusterConfig(port_base=19500, instances=3)
    conf = nginx_conf(config, as_root=False)
    for port in config.rasa_ports:
        assert f"server 127.0.0.1:{port} max_fails=1" in conf
    assert "proxy_next_upstream error timeout http_502 http_503 non_idempotent;" in conf
    assert "proxy_next_upstream_tries 3;" in conf
    assert "listen 127.0.0.1:19580;" in conf
    assert "user " not in conf
    assert "user nobody nogroup;" in nginx_conf(config, as_root=True)  # workers never run as root


def test_redis_listens_on_loopback_behind_the_password() -> None:
    conf = redis_conf(ClusterConfig(port_base=19500), "redis-secret-123456")
    lines = set(conf.splitlines())
    assert {"bind 127.0.0.1", "port 19879", "requirepass redis-secret-123456", 'save ""'} <= lines


def test_the_fallback_folder_in_var_tmp_is_created_private(tmp_path: Path) -> None:
    folder = tmp_path / "lotse-cluster-x"
    private_folder(folder)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    private_folder(folder)  # our own from an earlier start: accepted


@pytest.mark.parametrize("prepared", ["open folder", "link"])
def test_a_fallback_folder_someone_prepared_is_refused(tmp_path: Path, prepared: str) -> None:
    """/var/tmp is writable by every user: a folder or link made there first must not be used."""
    folder = tmp_path / "lotse-cluster-x"
    if prepared == "link":
        target = tmp_path / "elsewhere"
        target.mkdir(mode=0o700)
        folder.symlink_to(target)
    else:
        folder.mkdir()
        folder.chmod(0o777)
    with pytest.raises(ClusterError, match="not a private folder"):
        private_folder(folder)


def test_the_secrets_come_from_this_processs_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chosen = "from-the-settings-12345678"
    monkeypatch.setenv(REDIS_PASSWORD_ENV, chosen)
    found, _ = load_cluster_secrets(tmp_path / "secrets.env")
    assert found.redis_password == chosen


def test_lotse_pg_bindir_names_another_postgresql(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(env_name("pg_bindir"), str(tmp_path))
    assert postgres_bindir() == tmp_path
    with pytest.raises(ClusterError, match=r"not installed: initdb, postgres\b.*LOTSE_PG_BINDIR"):
        find_programs()


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Site:
    """A cluster's site as start() builds it, nothing started; the launcher's environment holds a secret."""
    for name in list(os.environ):
        if name.startswith("LOTSE_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv(env_name("secrets_file"), str(tmp_path / "lotse-secrets.env"))
    monkeypatch.setenv(PG_PASSWORD_ENV, "launcher-pg-password-123")
    config = ClusterConfig(port_base=19500, state_dir=tmp_path / "cluster")
    secrets = ClusterSecrets("pg-password-1234567890", "redis-password-1234567", "action-token-123456789")
    return Site(config, secrets, Servers(stop_in_turn=True), say=lambda line: None)


def test_each_part_gets_only_the_secrets_it_uses(site: Site) -> None:
    programs = Programs(
        Path("/bin/initdb"), Path("/bin/postgres"), Path("/bin/redis-server"), Path("/bin/nginx")
    )
    bot = BotSide(site)
    feedback = "postgresql://lotse:pg-password-1234567890@127.0.0.1:19932/lotse_feedback"
    tracker = "postgresql://lotse:pg-password-1234567890@127.0.0.1:19932/lotse_tracker"
    parts = {
        "postgres": Postgres(site, programs),
        "redis": Redis(site, programs),
        "nginx": Nginx(site, programs),
        "actions": ActionServer(site, bot),
        "rasa-1": RasaInstance(site, bot, 0),
        "web": WebServer(site, bot, feedback, tracker),
    }
    envs = {name: part.env() for name, part in parts.items()}
    assert set(envs["postgres"]) == {"PATH", "LC_ALL", "LANG"}
    assert set(envs["redis"]) == set(envs["nginx"]) == {"PATH"}
    secrets = {
        PG_PASSWORD_ENV,
        REDIS_PASSWORD_ENV,
        env_name("feedback_db_url"),
        env_name("tracker_db_url"),
        env_name("action_token"),
    }
    given = {name: {key for key in env if key in secrets} for name, env in envs.items()}
    assert given["actions"] == {env_name("action_token")}
    assert given["rasa-1"] == {PG_PASSWORD_ENV, REDIS_PASSWORD_ENV, env_name("action_token")}
    assert given["web"] == {env_name("feedback_db_url"), env_name("tracker_db_url"), env_name("action_token")}
    assert envs["rasa-1"][PG_PASSWORD_ENV] == "pg-password-1234567890"  # the cluster's, not the launcher's
    assert envs["rasa-1"][env_name("rate_limit_redis_url")] == "redis://127.0.0.1:19879/2"
    assert envs["web"][env_name("feedback_db_url")] == feedback
    assert (
        envs["web"][env_name("tracker_db_url")] == tracker
    )  # the workbench reviews PostgreSQL's conversations


def test_the_cluster_starts_lotses_servers_with_the_commands_of_make_run(site: Site) -> None:
    """One place builds each command line (bot/ops/processes.py): the single bot's and the cluster's."""
    bot = BotSide(site)
    rasa = RasaInstance(site, bot, 1)
    config = site.config
    cors = bot.bot_config.cors_origins
    assert config.nginx_url in cors and config.web_url in cors
    assert rasa.command() == rasa_command(
        MODEL_FILE, config.state_dir / "endpoints.yml", "127.0.0.1", 19506, cors
    )
    assert (rasa.name, rasa.where) == ("rasa-2", "http://127.0.0.1:19506/")
    assert ActionServer(site, bot).command() == action_server_command()
    assert WebServer(site, bot, "unused").command() == web_command("127.0.0.1", 19590, config.nginx_url)
