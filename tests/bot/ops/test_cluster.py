"""The cluster's settings and generated files (bot/ops/cluster.py), read back by the programs that use them.

Starting the real cluster is tests/cluster/ (`make test-cluster`); here: ports, passwords and the
endpoints file as Rasa itself reads it.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from rasa.core.lock_store import LockStore
from rasa.utils.endpoints import read_endpoint_config
from sqlalchemy.engine import make_url

from bot.ops.cluster import (
    CLUSTER_SECRET_NAMES,
    PG_PASSWORD_ENV,
    REDIS_PASSWORD_ENV,
    ClusterConfig,
    ClusterError,
    _private_folder,
    database_url,
    endpoints_yaml,
    load_cluster_secrets,
    nginx_conf,
    redis_conf,
)
from bot.serving.lock_store import AtomicRedisLockStore


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
    _private_folder(folder)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    _private_folder(folder)  # our own from an earlier start: accepted


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
        _private_folder(folder)
