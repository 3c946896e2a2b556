"""Processes as Linux's /proc shows them: who started whom, which group, still running or gone.

The supervision tests find what a launcher started without asking the launcher (which they kill).
"""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path


def _stat(pid: int) -> tuple[str, int, int] | None:
    """(state, parent, process group), or None once the process is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8", errors="replace")
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = text.rsplit(")", 1)[1].split()  # the name in (…) may hold spaces
    return fields[0], int(fields[1]), int(fields[2])


def running(pid: int) -> bool:
    """Alive: neither gone nor a zombie (a dead child nobody has waited for yet).

    Every thread counts: a killed process's main thread can be a zombie while its other
    threads still exit, holding its files and sockets.
    """
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except (FileNotFoundError, ProcessLookupError):
        return False
    for task in tasks:
        try:
            text = Path(f"/proc/{pid}/task/{task}/stat").read_text(encoding="utf-8", errors="replace")
        except (FileNotFoundError, ProcessLookupError):
            continue
        if text.rsplit(")", 1)[1].split()[0] not in ("Z", "X"):
            return True
    return False


def _all_pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def children(parent: int) -> list[int]:
    """The running processes whose parent is `parent`."""
    return [pid for pid in _all_pids() if (stat := _stat(pid)) and stat[1] == parent and running(pid)]


def in_groups(groups: set[int]) -> set[int]:
    """The running processes in any of these process groups (a server and what it forked)."""
    return {pid for pid in _all_pids() if (stat := _stat(pid)) and stat[2] in groups and running(pid)}


def command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
    except (FileNotFoundError, ProcessLookupError):
        return ""


def descendants(root: int) -> set[int]:
    """Everything `root` started, their children, and whatever shares their process groups."""
    found: set[int] = set()
    todo = [root]
    while todo:
        for child in children(todo.pop()):
            if child not in found:
                found.add(child)
                todo.append(child)
    groups = {stat[2] for pid in found if (stat := _stat(pid))}
    return found | in_groups(groups)


def wait_gone(pids: set[int], timeout: float) -> tuple[set[int], float]:
    """Wait until none of `pids` runs; (those still running, seconds waited)."""
    started = time.monotonic()
    left = {pid for pid in pids if running(pid)}
    while left and time.monotonic() - started < timeout:
        time.sleep(0.05)
        left = {pid for pid in left if running(pid)}
    return left, time.monotonic() - started


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    """Something listens on the port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0


def free_port() -> int:
    """A port nothing listens on now (the kernel's pick), for a throw-away test server."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
