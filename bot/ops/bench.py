"""`make bench`: how fast Lotse answers on this machine, with and without its speed-ups, next to stock Rasa.

One run measures three columns: Lotse (config.yml, or LOTSE_CONFIG / --config), the same Lotse
with bot/serving/speedups.py off (LOTSE_SPEEDUPS=0: what the speed-ups gain), and a peer – Rasa's
stock configuration (bench/stock_config.yml) trained on Lotse's own data and domain and served with
the same action server and REST channel, without the speed-ups. For each: training time from
scratch, start to first answer, REST reply latency (p50/p95/p99) with 1 and with 20 concurrent
users, throughput and errors with 20 and 50 users, the Rasa server's CPU time per reply, peak
memory of the Rasa server and the action server, and accuracy on the dev set. The table
(bot/ops/bench_report.py) goes to stdout and to bench/results.md, with the core count, the date and
the load average (other work on the machine moves the latencies; the CPU time per reply is what a
cut in the code changes). The load itself is bot/ops/bench_load.py.

After the three columns the web server's type-ahead endpoint is measured on its own
(bot/ops/bench_suggest.py: the dev set typed keystroke by keystroke; target ≤ 20 ms p95), a line
below the table.

`--smoke` is the check `make test` runs: a handful of requests, the already trained
models/lotse.tar.gz for every column instead of training (so the training row says so).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from bot.ops.bench_load import FULL, SMOKE, Workload, conversations, cpu_seconds, peak_rss_mib, run_load
from bot.ops.bench_report import PeerFigures, report, shown
from bot.ops.bench_suggest import measure_suggest
from bot.ops.processes import MODEL_FILE, Bot, BotConfig
from bot.paths import DEV_QUESTIONS, PROJECT_ROOT
from bot.settings import settings

BENCH_DIR = PROJECT_ROOT / "bench"
WORK_DIR = PROJECT_ROOT / "build" / "bench"
DEFAULT_CONFIG = PROJECT_ROOT / "config.yml"  # Lotse's pipeline unless LOTSE_CONFIG or --config names another
STOCK_CONFIG = BENCH_DIR / "stock_config.yml"
RESULTS_FILE = BENCH_DIR / "results.md"
DEFAULT_PORT_BASE = 16000  # clear of make run and the tests; each column on its own ports (Column)
# Every bench user asks from 127.0.0.1, up to ~90 replies/s together: far over the per-address
# limit staff get (30/s). The bench measures the bot, not the limiter, so its bots count per
# address above anything it can send (the per-sender limit stays: each user is a sender).
BENCH_MESSAGES_PER_ADDRESS = 100_000


@dataclass(frozen=True)
class Column:
    """One run of the table: its name, its Rasa and action server ports (the base plus these), speed-ups."""

    name: str
    folder: str
    offsets: tuple[int, int]
    speedups: bool


SUGGEST_OFFSET = 190  # the web server of the type-ahead figure
SUGGEST_TYPISTS = (1, 10)  # one agent typing, and ten typing at once without a pause
LOTSE = Column("Lotse", "run-lotse", (5, 55), speedups=True)
PLAIN = Column("no speed-ups", "run-plain", (30, 80), speedups=False)
STOCK = Column("stock", "run-peer", (105, 155), speedups=False)


# --- processes: training, the servers' pids ------------------------------------------------


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


def _process_pid(bot: Bot, marker: str) -> int:
    """The pid of the started process whose command line names `marker`."""
    for process in bot.processes:
        args = process.args if isinstance(process.args, (list, tuple)) else [process.args]
        if any(marker in str(arg) for arg in args):
            return process.pid
    raise RuntimeError(f"no process of {marker} among {[p.args for p in bot.processes]}")


def bench_bot_config(model: Path, ports: tuple[int, int], folder: Path, speedups: bool = True) -> BotConfig:
    """One column's bot: own ports and tracker database, no browser origin, the address limit out of reach."""
    return BotConfig(
        rasa_port=ports[0],
        actions_port=ports[1],
        tracker_db=folder / "trackers.db",
        log_dir=folder / "log",
        model=model,
        cors_origins=[],
        messages_per_address=BENCH_MESSAGES_PER_ADDRESS,
        speedups=speedups,
    )


# --- one column -----------------------------------------------------------------------------


def measure(
    name: str,
    model: Path,
    train_seconds: float | None,
    ports: tuple[int, int],
    folder: Path,
    work: Workload,
    speedups: bool = True,
) -> PeerFigures:
    """Start the servers on `model`, ask the dev set, load them with 1, 20 and 50 users, stop them."""
    from bot.trainers.evaluate import run_eval

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "trackers.db").unlink(missing_ok=True)
    config = bench_bot_config(model, ports, folder, speedups)
    pool = conversations()
    tag = uuid.uuid4().hex[:6]
    print(
        f"[{name}] starting {model} on {config.rasa_url} (speed-ups {'on' if speedups else 'off'}) …",
        flush=True,
    )
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
        speedups=speedups,
    )


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
    print(f"training {name} ({shown(config)}) from scratch …", flush=True)
    return train(config, work_dir / name, name)


def lotse_config(args: argparse.Namespace) -> Path:
    """Lotse's pipeline: --config, else LOTSE_CONFIG, else config.yml."""
    if args.config:
        return Path(args.config)
    return settings().config or DEFAULT_CONFIG


def run(args: argparse.Namespace) -> int:
    """The bench as `python -m bot.cli bench` runs it; 0 when it ran (targets missed are in the table)."""
    work_dir = Path(args.work_dir)
    out = Path(args.out) if args.out else (work_dir / "results-smoke.md" if args.smoke else RESULTS_FILE)
    base, workload = args.port_base, SMOKE if args.smoke else FULL
    ours, peer_config = lotse_config(args), Path(args.peer_config)
    # in a smoke run the peer column is another Lotse on the trained model: every figure, no training
    peer_name = "peer" if args.smoke else STOCK.name
    load_before = _load_average()

    def measured(column: Column, name: str, model: Path, seconds: float | None) -> PeerFigures:
        ports = (base + column.offsets[0], base + column.offsets[1])
        return measure(name, model, seconds, ports, work_dir / column.folder, workload, column.speedups)

    try:
        lotse_model, lotse_train = column_model(args, work_dir, "lotse", ours)
        peer_model, peer_train = column_model(args, work_dir, "stock", peer_config)
        lotse = measured(LOTSE, LOTSE.name, lotse_model, lotse_train)
        plain = measured(PLAIN, PLAIN.name, lotse_model, None)
        peer = measured(STOCK, peer_name, peer_model, peer_train)
        print("[type-ahead] the dev set typed keystroke by keystroke …", flush=True)
        limit = 60 if args.smoke else None
        typing = [measure_suggest(base + SUGGEST_OFFSET, typists, limit) for typists in SUGGEST_TYPISTS]
    except RuntimeError as error:
        print(f"bench failed: {error}", file=sys.stderr)
        return 1
    lotse.config = ours if lotse_train is not None else None
    plain.same_model = True
    peer.config = peer_config if peer_train is not None else None
    text = report(lotse, plain, peer, args.smoke, (load_before, _load_average()), [t.line() for t in typing])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print()
    print(text)
    print(f"written to {shown(out)}")
    return 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The bench's options, for bot/cli.py."""
    parser.add_argument("--smoke", action="store_true", help="a few requests, no training (make test)")
    parser.add_argument(
        "--no-train", action="store_true", help="use models/lotse.tar.gz and the last bench's stock model"
    )
    parser.add_argument(
        "--config", default=None, help="Lotse's pipeline (try a variant; default LOTSE_CONFIG or config.yml)"
    )
    parser.add_argument("--peer-config", default=str(STOCK_CONFIG), help="the stock peer's pipeline")
    parser.add_argument(
        "--port-base",
        type=int,
        default=DEFAULT_PORT_BASE,
        help="Lotse +5/+55, Lotse without speed-ups +30/+80, the peer +105/+155",
    )
    parser.add_argument("--work-dir", default=str(WORK_DIR), help="models, tracker stores and logs")
    parser.add_argument("--out", default=None, help=f"results file (default {shown(RESULTS_FILE)})")
