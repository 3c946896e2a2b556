"""The helper both launchers start their servers with (bot/ops/launch.py), on tiny real servers:
started with their log and environment, waited for, restarted the same way, stopped together."""

from __future__ import annotations

import functools
import signal
import sys
import time
from pathlib import Path

import pytest

from bot.ops.launch import Launch, Servers, reachable
from tests.bot.ops.test_supervisor import SERVER
from tests.proc import free_port

ECHO_ENV = (
    "import os; print('CHOSEN=' + os.environ.get('CHOSEN', '-'), flush=True); import time; time.sleep(30)"
)


def _tiny(
    tmp_path: Path, name: str, mode: str = "serves", stop_signal: int = signal.SIGTERM
) -> tuple[Launch, str]:
    """A tiny http.server (tests/bot/ops/test_supervisor.py's) as a launcher describes it."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    args = [sys.executable, "-c", SERVER, str(port), "0", mode]
    alive = functools.partial(reachable, url, 0.5)
    return Launch(name, args, {}, tmp_path / f"{name}.log", alive, url, stop_signal=stop_signal), url


def test_a_server_is_started_waited_for_restarted_and_stopped(tmp_path: Path) -> None:
    servers = Servers()
    launch, url = _tiny(tmp_path, "tiny")
    service = servers.start(launch)
    try:
        servers.wait_until(service, launch.alive, 10.0, "tiny server", url)
        first = service.process.pid
        assert servers.find("tiny") is service and servers.find("other") is None
        service.process.kill()
        service.process.wait()
        service.restart()  # as the supervisor does: the same command, log and environment
        servers.wait_until(service, launch.alive, 10.0, "tiny server", url)
        assert service.process.pid != first
    finally:
        servers.stop(timeout=5)
    assert service.process.poll() is not None and not reachable(url, 0.5)
    assert servers.services == []


def test_a_server_that_exits_at_start_is_named_with_the_end_of_its_log(tmp_path: Path) -> None:
    servers = Servers()
    launch, url = _tiny(tmp_path, "broken", mode="exits")
    service = servers.start(launch)
    try:
        with pytest.raises(ValueError, match=r"the broken exited with code 3; see .*broken\.log") as error:
            servers.wait_until(service, launch.alive, 10.0, "broken", url, ValueError)
    finally:
        servers.stop(timeout=5)
    assert "cannot start: the configuration is broken" in str(error.value)
    assert str(error.value).endswith(f"(at {url})")


def test_the_environment_is_exactly_the_one_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing of the launcher's environment leaks into a server that is given its own."""
    monkeypatch.setenv("CHOSEN", "the launcher's")
    servers = Servers()
    log = tmp_path / "env.log"
    service = servers.start(Launch("env", [sys.executable, "-c", ECHO_ENV], {}, log, lambda: True, "-"))
    try:
        deadline = time.monotonic() + 10
        while "CHOSEN=" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        servers.stop(timeout=5)
    assert log.read_text().strip() == "CHOSEN=-"
    assert service.process.poll() is not None


@pytest.mark.parametrize("in_turn", [False, True], ids=["all at once", "last started first"])
def test_stop_ends_every_server_with_its_own_signal(tmp_path: Path, in_turn: bool) -> None:
    servers = Servers(stop_in_turn=in_turn)
    first, _ = _tiny(tmp_path, "first", stop_signal=signal.SIGINT)
    second, _ = _tiny(tmp_path, "second")
    started = [servers.start(first), servers.start(second)]
    for service, launch in zip(started, (first, second), strict=True):
        servers.wait_until(service, launch.alive, 10.0, launch.name, launch.where)
    servers.stop(timeout=5)
    assert [service.process.returncode for service in started] == [-signal.SIGINT, -signal.SIGTERM]
