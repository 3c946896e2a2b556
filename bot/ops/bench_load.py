"""The bench's load: realistic conversations from the dev set, concurrent users, and what they cost.

Each user holds conversations on a sender of its own (every dev-set question with a follow-up
about its answer, and the dev set's dialogues) and sends the next message when the reply is in;
the Rasa server's CPU time and the servers' peak memory are read from /proc.
"""

from __future__ import annotations

import asyncio
import math
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.paths import DEV_QUESTIONS

REQUEST_TIMEOUT_S = 30.0

FOLLOW_UPS = {
    "de": ("Wo steht das?", "Seit wann gilt das?", "Warum?"),
    "en": ("where is that written?", "since when does that apply?", "why?"),
}


@dataclass(frozen=True)
class Workload:
    """How many conversations each measurement runs (conversations have 2–3 turns)."""

    single_user: int
    users_20: int
    users_50: int


FULL = Workload(single_user=114, users_20=300, users_50=300)
SMOKE = Workload(single_user=4, users_20=20, users_50=50)


# --- conversations and load ---------------------------------------------------------------


def conversations(dev_set: Path = DEV_QUESTIONS) -> list[list[str]]:
    """The dev set as conversations: each question with a follow-up, then the dialogues."""
    from bot.answering.language import detect_language

    data = yaml.safe_load(dev_set.read_text(encoding="utf-8")) or {}
    result = []
    for index, item in enumerate(data.get("single") or []):
        question = str(item["q"])
        follow_ups = FOLLOW_UPS[detect_language(question) or "de"]
        result.append([question, follow_ups[index % len(follow_ups)]])
    for dialogue in data.get("dialogues") or []:
        result.append([str(turn["q"]) for turn in dialogue.get("turns") or []])
    if not result:
        raise ValueError(f"{dev_set} holds no questions")
    return result


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (share 0.95 = p95); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


@dataclass
class LoadResult:
    """What one load level produced: every reply's latency and the failures."""

    users: int
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    rasa_cpu_seconds: float = math.nan  # CPU time the Rasa server spent meanwhile

    @property
    def rasa_cpu_ms_per_reply(self) -> float:
        """Unlike latency, barely moved by other work on the machine: what a cut saved."""
        return self.rasa_cpu_seconds * 1000 / self.replies if self.replies else math.nan

    @property
    def replies(self) -> int:
        return len(self.latencies_ms)

    @property
    def per_second(self) -> float:
        return self.replies / self.seconds if self.seconds > 0 else math.nan

    def p(self, share: float) -> float:
        return percentile(self.latencies_ms, share)


def fault_texts() -> frozenset[str]:
    """The texts the REST channel sends instead of an answer when something failed."""
    from bot.serving.channels import ERROR_REPLY, ask_again_replies

    return frozenset({ERROR_REPLY, *ask_again_replies()})


def failed_reply(status: int, body: Any, faults: frozenset[str]) -> bool:
    """A reply a user would not accept: not 200, not a list of messages, or one of the fault texts."""
    if status != 200 or not isinstance(body, list) or not body:
        return True
    return any(isinstance(m, dict) and m.get("text") in faults for m in body)


async def run_load(
    rasa_url: str, pool: Sequence[Sequence[str]], users: int, total: int, tag: str
) -> LoadResult:
    """`users` concurrent users work through `total` conversations taken round-robin from `pool`.

    Each user waits for a reply before sending the next message (no think time), so the
    latency includes any queueing in the server: the numbers are those of a busy morning.
    """
    import aiohttp

    result = LoadResult(users=users)
    faults = fault_texts()
    queue: asyncio.Queue[tuple[int, Sequence[str]]] = asyncio.Queue()
    for index in range(total):
        queue.put_nowait((index, pool[index % len(pool)]))
    url = f"{rasa_url}/webhooks/rest/webhook"
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)

    async def user(session: aiohttp.ClientSession) -> None:
        while not queue.empty():
            index, turns = queue.get_nowait()
            sender = f"bench-{tag}-{index}"
            for message in turns:
                started = time.perf_counter()
                try:
                    async with session.post(url, json={"sender": sender, "message": message}) as reply:
                        body = await reply.json(content_type=None)
                        status = reply.status
                except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
                    result.errors += 1
                    break  # the conversation is broken; the next one starts afresh
                result.latencies_ms.append((time.perf_counter() - started) * 1000)
                if failed_reply(status, body, faults):
                    result.errors += 1

    connector = aiohttp.TCPConnector(limit=users)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        started = time.perf_counter()
        await asyncio.gather(*(user(session) for _ in range(users)))
        result.seconds = time.perf_counter() - started
    return result


# --- what the servers used ------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mib(pid: int) -> float:
    """Peak resident memory (VmHWM) of a process and all its descendants, in MiB."""
    total_kib = 0
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                total_kib += int(line.split()[1])
        todo += _children(current)
    return total_kib / 1024
