"""`make bench`: how fast Lotse answers on this machine, next to stock Rasa on the same data.

One run measures, for Lotse (config.yml) and for a peer – Rasa's stock configuration
(bench/stock_config.yml) trained on Lotse's own data and domain and served with the same
action server and REST channel – training time from scratch, start to first answer, REST
reply latency (p50/p95/p99) with 1 and with 20 concurrent users, throughput and errors with
20 and 50 users, the Rasa server's CPU time per reply, peak memory of the Rasa server and the
action server, and accuracy on the dev set. The table goes to stdout and to bench/results.md,
with the core count, the date and the load average (other work on the machine moves the
latencies; the CPU time per reply is what a cut in the code changes).

The users hold realistic conversations, each on a sender of its own: every dev-set question
followed by a follow-up about its answer ("Wo steht das?"), and the dev set's dialogues.

`--smoke` is the check `make test` runs: a handful of requests, the already trained
models/lotse.tar.gz for both columns instead of training (so the training row says so).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import math
import os
import platform
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.ops.processes import MODEL_FILE, Bot, BotConfig
from bot.paths import DEV_QUESTIONS, PROJECT_ROOT

BENCH_DIR = PROJECT_ROOT / "bench"
WORK_DIR = PROJECT_ROOT / "build" / "bench"
LOTSE_CONFIG = PROJECT_ROOT / "config.yml"
STOCK_CONFIG = BENCH_DIR / "stock_config.yml"
RESULTS_FILE = BENCH_DIR / "results.md"
DEFAULT_PORT_BASE = 16000  # Lotse on +5/+55, the peer on +105/+155: clear of make run and the tests
REQUEST_TIMEOUT_S = 30.0
# Every bench user asks from 127.0.0.1, up to ~90 replies/s together: far over the per-address
# limit staff get (30/s). The bench measures the bot, not the limiter, so its bots count per
# address above anything it can send (the per-sender limit stays: each user is a sender).
BENCH_MESSAGES_PER_ADDRESS = 100_000
NOT_TRAINED = "not trained in this run"

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
    from bot.serving.channels import ASK_AGAIN_REPLIES, ERROR_REPLY

    return frozenset({ERROR_REPLY, *ASK_AGAIN_REPLIES})


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


# --- processes: training, memory ------------------------------------------------------------


def train(config: Path, out_dir: Path, name: str) -> tuple[Path, float]:
    """Train from scratch (an empty Rasa cache) into out_dir/name.tar.gz; the model and the seconds."""
    cache = out_dir / "rasa-cache"
    shutil.rmtree(cache, ignore_errors=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", RASA_CACHE_DIRECTORY=str(cache))
    env.update(TF_CPP_MIN_LOG_LEVEL="2", SQLALCHEMY_SILENCE_UBER_WARNING="1")
    args = [str(Path(sys.executable).parent / "rasa"), "train", "--config", str(config)]
    args += ["--domain", str(PROJECT_ROOT / "domain.yml"), "--data", str(PROJECT_ROOT / "data")]
    args += ["--out", str(out_dir), "--fixed-model-name", name, "--force", "--quiet"]
    log = out_dir / f"train-{name}.log"
    started = time.perf_counter()
    with log.open("wb") as output:  # cwd: config.yml names the spaCy pipeline relative to the project
        done = subprocess.run(args, cwd=PROJECT_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    seconds = time.perf_counter() - started
    shutil.rmtree(cache, ignore_errors=True)
    model = out_dir / f"{name}.tar.gz"
    if done.returncode != 0 or not model.exists():
        raise RuntimeError(f"training {name} with {config} failed; see {log}")
    return model, seconds


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


# --- one peer -------------------------------------------------------------------------------


@dataclass
class PeerFigures:
    """Every figure of one column of the table."""

    name: str
    model: Path
    train_seconds: float | None
    start_seconds: float
    single: LoadResult
    users_20: LoadResult
    users_50: LoadResult
    rss_rasa_mib: float
    rss_actions_mib: float
    singles: tuple[int, int]  # passed, asked
    dialogues: tuple[int, int]
    config: Path | None = None  # the pipeline it was trained from in this run


def _process_pid(bot: Bot, marker: str) -> int:
    """The pid of the started process whose command line names `marker`."""
    for process in bot.processes:
        args = process.args if isinstance(process.args, (list, tuple)) else [process.args]
        if any(marker in str(arg) for arg in args):
            return process.pid
    raise RuntimeError(f"no process of {marker} among {[p.args for p in bot.processes]}")


def bench_bot_config(model: Path, ports: tuple[int, int], folder: Path) -> BotConfig:
    """One column's bot: own ports and tracker database, no browser origin, the address limit out of reach."""
    return BotConfig(
        rasa_port=ports[0],
        actions_port=ports[1],
        tracker_db=folder / "trackers.db",
        log_dir=folder / "log",
        model=model,
        cors_origins=[],
        messages_per_address=BENCH_MESSAGES_PER_ADDRESS,
    )


def measure(
    name: str, model: Path, train_seconds: float | None, ports: tuple[int, int], folder: Path, work: Workload
) -> PeerFigures:
    """Start the servers on `model`, ask the dev set, load them with 1, 20 and 50 users, stop them."""
    from bot.trainers.evaluate import run_eval

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "trackers.db").unlink(missing_ok=True)
    config = bench_bot_config(model, ports, folder)
    pool = conversations()
    tag = uuid.uuid4().hex[:6]
    print(f"[{name}] starting {model} on {config.rasa_url} …", flush=True)
    started = time.perf_counter()
    with Bot(config) as bot:
        start_seconds = time.perf_counter() - started
        print(f"[{name}] first answer after {start_seconds:.1f} s; dev set …", flush=True)
        report = run_eval(DEV_QUESTIONS, config.rasa_url)  # also warms every code path up
        loads = []
        rasa = _process_pid(bot, "--model")
        for users, total in ((1, work.single_user), (20, work.users_20), (50, work.users_50)):
            print(f"[{name}] {users} user(s), {total} conversations …", flush=True)
            cpu_before = cpu_seconds(rasa)
            loads.append(asyncio.run(run_load(config.rasa_url, pool, users, total, f"{tag}-{users}")))
            loads[-1].rasa_cpu_seconds = cpu_seconds(rasa) - cpu_before
        rss_rasa = peak_rss_mib(rasa)
        rss_actions = peak_rss_mib(_process_pid(bot, "bot.serving.action_server"))
    passed_dialogues = sum(all(o.passed for o in turns) for _, turns in report.dialogues)
    return PeerFigures(
        name=name,
        model=model,
        train_seconds=train_seconds,
        start_seconds=start_seconds,
        single=loads[0],
        users_20=loads[1],
        users_50=loads[2],
        rss_rasa_mib=rss_rasa,
        rss_actions_mib=rss_actions,
        singles=(sum(o.passed for o in report.singles), len(report.singles)),
        dialogues=(passed_dialogues, len(report.dialogues)),
    )


# --- the table ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One row: how to read the value from a column, its unit, and the target if there is one."""

    label: str
    value: Callable[[PeerFigures], float | None]
    digits: int
    target: str = "–"
    met: Callable[[float, float | None], bool] | None = None  # (Lotse's value, peer's value)


def _at_most(limit: float) -> Callable[[float, float | None], bool]:
    return lambda value, _: value <= limit


def _at_least(limit: float) -> Callable[[float, float | None], bool]:
    return lambda value, _: value >= limit


def _as_good_as_peer(value: float, peer: float | None) -> bool:
    return peer is not None and value >= peer


GIB_IN_MIB = 1024
FIGURES = [
    Figure("training from scratch (s)", lambda f: f.train_seconds, 1, "≤ 120", _at_most(120)),
    Figure("start to first answer (s)", lambda f: f.start_seconds, 1, "≤ 20", _at_most(20)),
    Figure("latency, 1 user: p50 (ms)", lambda f: f.single.p(0.50), 1, "≤ 25", _at_most(25)),
    Figure("latency, 1 user: p95 (ms)", lambda f: f.single.p(0.95), 1, "≤ 60", _at_most(60)),
    Figure("latency, 1 user: p99 (ms)", lambda f: f.single.p(0.99), 1),
    Figure("Rasa server CPU per reply, 1 user (ms)", lambda f: f.single.rasa_cpu_ms_per_reply, 1),
    Figure("latency, 20 users: p50 (ms)", lambda f: f.users_20.p(0.50), 0),
    Figure("latency, 20 users: p95 (ms)", lambda f: f.users_20.p(0.95), 0, "≤ 500", _at_most(500)),
    Figure("latency, 20 users: p99 (ms)", lambda f: f.users_20.p(0.99), 0),
    Figure("throughput, 20 users (replies/s)", lambda f: f.users_20.per_second, 1, "≥ 40", _at_least(40)),
    Figure("errors, 20 users", lambda f: f.users_20.errors, 0, "0", _at_most(0)),
    Figure("throughput, 50 users (replies/s)", lambda f: f.users_50.per_second, 1),
    Figure("errors, 50 users", lambda f: f.users_50.errors, 0, "0", _at_most(0)),
    Figure("peak RSS, Rasa server (MiB)", lambda f: f.rss_rasa_mib, 0, "≤ 1229 (1.2 GiB)", _at_most(1229)),
    Figure("peak RSS, action server (MiB)", lambda f: f.rss_actions_mib, 0),
    Figure("dev set: single questions passed", lambda f: f.singles[0], 0, "≥ stock", _as_good_as_peer),
    Figure("dev set: dialogues passed", lambda f: f.dialogues[0], 0, "≥ stock", _as_good_as_peer),
]


def _cell(value: float | None, digits: int) -> str:
    if value is None:
        return NOT_TRAINED
    return f"{value:.{digits}f}"


def table_rows(lotse: PeerFigures, peer: PeerFigures) -> list[list[str]]:
    """figure, Lotse, peer, ratio Lotse/peer, target, met? – one list per figure."""
    rows = []
    for figure in FIGURES:
        mine, theirs = figure.value(lotse), figure.value(peer)
        ratio = "–"
        if mine is not None and theirs is not None and theirs != 0:
            ratio = f"{mine / theirs:.2f}"
        met = "–"
        if figure.met is not None and mine is not None:
            met = "yes" if figure.met(mine, theirs) else "NO"
        lotse_cell, peer_cell = _cell(mine, figure.digits), _cell(theirs, figure.digits)
        if figure.label.startswith("dev set"):
            total = lotse.singles[1] if "single" in figure.label else lotse.dialogues[1]
            lotse_cell, peer_cell = f"{lotse_cell}/{total}", f"{peer_cell}/{total}"
        rows.append([figure.label, lotse_cell, peer_cell, ratio, figure.target, met])
    return rows


def format_table(rows: list[list[str]], peer_name: str) -> str:
    header = ["figure", "Lotse", peer_name, f"Lotse / {peer_name}", "target", "met?"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _shown(path: Path) -> str:
    return str(path.relative_to(PROJECT_ROOT)) if path.is_relative_to(PROJECT_ROOT) else str(path)


def _origin(figures: PeerFigures) -> str:
    trained = f"trained here from {_shown(figures.config)}" if figures.config else "trained before this run"
    return f"{figures.name}: {_shown(figures.model)} ({trained})"


def report(lotse: PeerFigures, peer: PeerFigures, smoke: bool, load: tuple[str, str]) -> str:
    """bench/results.md: the table and what it was measured on."""
    import rasa

    when = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    lines = [
        "# Lotse benchmark" + (" (smoke run: tiny numbers, not a measurement)" if smoke else ""),
        "",
        f"- date: {when}; machine: {os.cpu_count()} cores, {platform.machine()}, "
        f"Python {platform.python_version()}, Rasa {rasa.__version__}",
        f"- load average (1/5/15 min) before: {load[0]}; after: {load[1]} "
        "(other work on the machine makes the latencies noisy)",
        f"- {_origin(lotse)}; {_origin(peer)}",
        "- stock = bench/stock_config.yml, Rasa's default configuration (what `rasa init` trains), "
        "trained on Lotse's data and domain and served with Lotse's action server and REST channel",
        f"- replies measured (Lotse): 1 user {lotse.single.replies}, 20 users {lotse.users_20.replies}, "
        f"50 users {lotse.users_50.replies}; each user has its own sender and waits for a reply before "
        "the next message (dev-set questions with a follow-up, and the dev-set dialogues)",
        "",
        format_table(table_rows(lotse, peer), peer.name),
        "",
    ]
    return "\n".join(lines)


def _load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def column_model(
    args: argparse.Namespace, work_dir: Path, name: str, config: Path
) -> tuple[Path, float | None]:
    """The model of one column: trained now from `config`, or (smoke, --no-train) one trained before."""
    if args.smoke:
        return MODEL_FILE, None
    if args.no_train:
        model = MODEL_FILE if name == "lotse" else work_dir / name / f"{name}.tar.gz"
        if not model.exists():
            raise RuntimeError(f"no model at {model}; run the bench once without --no-train")
        return model, None
    print(f"training {name} ({_shown(config)}) from scratch …", flush=True)
    return train(config, work_dir / name, name)


def run(args: argparse.Namespace) -> int:
    """The bench as `python -m bot.cli bench` runs it; 0 when it ran (targets missed are in the table)."""
    work_dir = Path(args.work_dir)
    out = Path(args.out) if args.out else (work_dir / "results-smoke.md" if args.smoke else RESULTS_FILE)
    base, workload = args.port_base, SMOKE if args.smoke else FULL
    lotse_config, peer_config = Path(args.config), Path(args.peer_config)
    # in a smoke run the peer column is a second Lotse on the trained model: every figure, no training
    peer_name = "peer" if args.smoke else "stock"
    load_before = _load_average()
    try:
        lotse_model, lotse_train = column_model(args, work_dir, "lotse", lotse_config)
        peer_model, peer_train = column_model(args, work_dir, "stock", peer_config)
        lotse = measure(
            "Lotse", lotse_model, lotse_train, (base + 5, base + 55), work_dir / "run-lotse", workload
        )
        peer = measure(
            peer_name, peer_model, peer_train, (base + 105, base + 155), work_dir / "run-peer", workload
        )
    except RuntimeError as error:
        print(f"bench failed: {error}", file=sys.stderr)
        return 1
    lotse.config = lotse_config if lotse_train is not None else None
    peer.config = peer_config if peer_train is not None else None
    text = report(lotse, peer, args.smoke, (load_before, _load_average()))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print()
    print(text)
    print(f"written to {_shown(out)}")
    return 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The bench's options, for bot/cli.py."""
    parser.add_argument("--smoke", action="store_true", help="a few requests, no training (make test)")
    parser.add_argument(
        "--no-train", action="store_true", help="use models/lotse.tar.gz and the last bench's stock model"
    )
    parser.add_argument("--config", default=str(LOTSE_CONFIG), help="Lotse's pipeline (try a variant)")
    parser.add_argument("--peer-config", default=str(STOCK_CONFIG), help="the stock peer's pipeline")
    parser.add_argument(
        "--port-base", type=int, default=DEFAULT_PORT_BASE, help="Lotse +5/+55, peer +105/+155"
    )
    parser.add_argument("--work-dir", default=str(WORK_DIR), help="models, tracker stores and logs")
    parser.add_argument("--out", default=None, help=f"results file (default {_shown(RESULTS_FILE)})")
