"""The cluster is supervised as `make run` is (bot/ops/supervisor.py): a hung and a crashed Rasa instance
are stopped and started again while the other answers; the times are printed, not asserted.
"""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from bot.ops.cluster import Cluster
from bot.ops.processes import readiness_probe
from bot.ops.supervisor import Service
from tests.cluster.conftest import post

BACK_TIMEOUT_S = 240.0  # only to notice a hang; a model load takes 10–40 s


def test_a_hung_and_a_crashed_rasa_instance_are_started_again(
    cluster: Cluster, capsys: pytest.CaptureFixture[str]
) -> None:
    config = cluster.config
    assert all(isinstance(service, Service) for service in cluster.services)  # the one supervisor's kind
    lines: list[str] = []
    times: dict[str, float] = {}
    problems: list[str] = []
    stop = threading.Event()

    def faults() -> None:
        """Hang rasa-2, then crash rasa-1; each time wait for the new process's real reply."""
        try:
            for index, sig, what in (
                (1, signal.SIGSTOP, "hung (SIGSTOP)"),
                (0, signal.SIGKILL, "crashed (SIGKILL)"),
            ):
                name, url = cluster.rasa_name(index), config.rasa_url(index)
                greets = readiness_probe(url, f"cluster-supervision-{index}")
                old, after = cluster.process(name).pid, len(lines)
                os.kill(old, sig)
                started = time.monotonic()
                while not (
                    any(line.startswith(f"{name} answers again") for line in lines[after:])
                    and cluster.process(name).pid != old
                    and greets()
                ):
                    if time.monotonic() - started > BACK_TIMEOUT_S:
                        problems.append(f"{name} not back within {BACK_TIMEOUT_S:.0f} s: {lines[after:]}")
                        return
                    time.sleep(0.2)
                times[f"{name} {what}"] = time.monotonic() - started
                if post(config.nginx_url, f"cluster-supervision-after-{index}", "/greet").status != 200:
                    problems.append(f"nginx did not answer after {name} was back")
        except Exception as error:  # reported below; the supervisor must stop either way
            problems.append(repr(error))
        finally:
            stop.set()

    helper = threading.Thread(target=faults, daemon=True)
    helper.start()
    try:
        cluster.supervise(stop, say=lines.append)  # in this thread: the one that started the cluster
    finally:
        stop.set()
        helper.join(timeout=BACK_TIMEOUT_S)
    with capsys.disabled():
        print(
            "\n[cluster supervision] seconds from the fault to the instance's real reply: "
            + "; ".join(f"{what}: {took:.1f} s" for what, took in times.items())
            + "\n"
            + "\n".join(lines)
        )
    assert not problems, problems
    hung = next(line for line in lines if line.startswith("rasa-2 has not answered"))
    assert f"{config.rasa_url(1)}/ for " in hung
    assert any(line.startswith("rasa-1 exited with code -9") for line in lines), lines
    # only the two instances were restarted: PostgreSQL, Redis, nginx, the others answered throughout
    assert all(line.startswith(("rasa-1 ", "rasa-2 ")) for line in lines), lines
