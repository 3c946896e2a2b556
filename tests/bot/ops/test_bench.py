"""The bench's own parts: conversations from the dev set, percentiles, errors, memory, the table
with its three runs (Lotse, Lotse without speed-ups, stock)."""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from bot.ops.bench import (
    DEFAULT_CONFIG,
    LOTSE,
    PLAIN,
    STOCK,
    bench_bot_config,
    column_model,
    lotse_config,
)
from bot.ops.bench_load import (
    LoadResult,
    conversations,
    cpu_seconds,
    failed_reply,
    fault_texts,
    peak_rss_mib,
    percentile,
    run_load,
)
from bot.ops.bench_report import FIGURES, NOT_TRAINED, SAME_MODEL, PeerFigures, format_table, table_rows
from bot.ops.processes import MODEL_FILE, child_env
from bot.paths import DEV_QUESTIONS
from bot.serving.channels import BUSY_REPLY, ERROR_REPLY, unavailable_reply
from bot.serving.rate_limit import DEFAULT_PER_ADDRESS, PER_ADDRESS_ENV
from bot.settings import Settings, env_name

DEV_SET = """
single:
  - q: "Wer bearbeitet Terminabsagen?"
    expect: {kind: routing}
  - q: "Who handles appointment cancellations?"
    expect: {kind: routing}
dialogues:
  - name: clarified
    turns:
      - q: "Telefonische ASU - wer?"
      - q: "Ja"
"""


def test_each_question_gets_a_follow_up_in_its_language_and_dialogues_stay_whole(tmp_path: Path) -> None:
    path = tmp_path / "dev.yml"
    path.write_text(DEV_SET, encoding="utf-8")
    assert conversations(path) == [
        ["Wer bearbeitet Terminabsagen?", "Wo steht das?"],
        ["Who handles appointment cancellations?", "since when does that apply?"],
        ["Telefonische ASU - wer?", "Ja"],
    ]


def test_the_dev_set_gives_one_conversation_per_question_and_dialogue() -> None:
    import yaml

    data = yaml.safe_load(DEV_QUESTIONS.read_text(encoding="utf-8"))
    found = conversations()
    assert len(found) == len(data["single"]) + len(data["dialogues"])
    assert all(len(turns) >= 2 and all(turns) for turns in found)


def test_an_empty_dev_set_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "dev.yml"
    path.write_text("single: []\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no questions"):
        conversations(path)


@pytest.mark.parametrize(
    ("values", "share", "expected"),
    [
        ([5.0], 0.5, 5.0),
        ([1.0, 2.0, 3.0, 4.0], 0.5, 2.0),
        ([4.0, 3.0, 2.0, 1.0], 0.5, 2.0),  # order does not matter
        (list(range(1, 101)), 0.95, 95),
        (list(range(1, 101)), 0.99, 99),
        (list(range(1, 21)), 0.95, 19),
        ([10.0, 20.0], 0.99, 20.0),
    ],
)
def test_percentile_is_the_nearest_rank(values: list[float], share: float, expected: float) -> None:
    assert percentile(values, share) == expected


def test_percentile_of_nothing_is_not_a_number() -> None:
    assert math.isnan(percentile([], 0.5))


FAULTS = fault_texts()
REPLIES = [
    ("answer", 200, [{"text": "EZ – Terminabsagen …"}, {"custom": {"answer": {"kind": "routing"}}}], False),
    ("greeting", 200, [{"text": "Hallo!"}], False),
    ("server error", 500, [{"text": "EZ"}], True),
    ("rate limited", 429, {"error": "too many messages"}, True),
    ("silence", 200, [], True),
    ("not a list", 200, {"text": "EZ"}, True),
    ("action server down (de)", 200, [{"text": unavailable_reply()["de"]}], True),
    ("action server down (en)", 200, [{"text": unavailable_reply()["en"]}], True),
    ("queued behind the previous turn", 200, [{"text": BUSY_REPLY["de"]}], True),
    ("turn failed", 200, [{"text": ERROR_REPLY}], True),
]


@pytest.mark.parametrize(("status", "body", "failed"), [r[1:] for r in REPLIES], ids=[r[0] for r in REPLIES])
def test_a_reply_counts_as_an_error_when_a_user_would_not_accept_it(
    status: int, body: Any, failed: bool
) -> None:
    assert failed_reply(status, body, FAULTS) is failed


def _unused_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_bot_that_does_not_answer_gives_errors_not_replies() -> None:
    pool = [["Wer bearbeitet Terminabsagen?", "Wo steht das?"]]
    result = asyncio.run(run_load(f"http://127.0.0.1:{_unused_port()}", pool, users=3, total=5, tag="t"))
    assert result.errors == 5  # one per conversation: it stops at its first failed turn
    assert result.replies == 0 and math.isnan(result.p(0.5))


def test_peak_memory_covers_the_process_tree() -> None:
    """A child that allocated ~200 MiB raises the tree's peak by that much, even after it freed them."""
    grab = "import time; b = bytearray(200 * 1024 * 1024); del b; print('ok', flush=True); time.sleep(30)"
    alone = peak_rss_mib(os.getpid())
    child = subprocess.Popen([sys.executable, "-c", grab], stdout=subprocess.PIPE)
    try:
        assert child.stdout is not None and child.stdout.readline() == b"ok\n"
        time.sleep(0.1)
        with_child = peak_rss_mib(os.getpid())
    finally:
        child.kill()
        child.wait()
    assert with_child - alone >= 190
    assert peak_rss_mib(child.pid) == 0  # a process that is gone has no memory to report


def test_cpu_time_counts_what_a_process_computed_not_how_long_it_lived() -> None:
    spin = "import time\nend = time.process_time() + 0.5\nwhile time.process_time() < end: pass\n"
    child = subprocess.Popen(
        [sys.executable, "-c", spin + "print('ok', flush=True); time.sleep(30)"], stdout=subprocess.PIPE
    )
    try:
        assert child.stdout is not None and child.stdout.readline() == b"ok\n"
        first = cpu_seconds(child.pid)
        time.sleep(0.3)  # sleeping costs no CPU
        assert cpu_seconds(child.pid) - first < 0.05
    finally:
        child.kill()
        child.wait()
    assert 0.45 <= first < 2.0


def _figures(
    name: str, scale: float, trained: bool = True, singles: int = 34, same_model: bool = False
) -> PeerFigures:
    def load(users: int, per_second: float) -> LoadResult:
        latencies = [scale * 10.0 * (i + 1) for i in range(100)]  # p50 = 500·scale, p95 = 950·scale
        return LoadResult(users=users, seconds=100 / per_second, latencies_ms=latencies)

    return PeerFigures(
        name=name,
        model=Path(f"/models/{name}.tar.gz"),
        train_seconds=40.0 * scale if trained else None,
        start_seconds=15.0 * scale,
        single=load(1, 50.0 / scale),
        users_20=load(20, 50.0 / scale),
        users_50=load(50, 60.0 / scale),
        rss_rasa_mib=800.0 * scale,
        rss_actions_mib=50.0,
        singles=(singles, 34),
        dialogues=(4, 4),
        same_model=same_model,
    )


def _row(rows: list[list[str]], label: str) -> list[str]:
    return next(row for row in rows if row[0] == label)


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("training from scratch (s)", ["20.0", SAME_MODEL, "40.0", "–", "0.50", "≤ 120", "yes"]),
        ("start to first answer (s)", ["7.5", "11.2", "15.0", "0.67", "0.50", "≤ 20", "yes"]),
        ("latency, 1 user: p50 (ms)", ["250.0", "375.0", "500.0", "0.67", "0.50", "≤ 25", "NO"]),
        ("latency, 20 users: p95 (ms)", ["475", "712", "950", "0.67", "0.50", "≤ 500", "yes"]),
        ("throughput, 20 users (replies/s)", ["100.0", "66.7", "50.0", "1.50", "2.00", "≥ 40", "yes"]),
        ("errors, 20 users", ["0", "0", "0", "–", "–", "0", "yes"]),
        ("peak RSS, Rasa server (MiB)", ["400", "600", "800", "0.67", "0.50", "≤ 1229 (1.2 GiB)", "yes"]),
        ("peak RSS, action server (MiB)", ["50", "50", "50", "1.00", "1.00", "–", "–"]),
        ("dev set: single questions passed", ["33/34", "33/34", "34/34", "1.00", "0.97", "≥ stock", "NO"]),
    ],
)
def test_table_row_holds_every_run_both_ratios_and_the_target(label: str, expected: list[str]) -> None:
    plain = _figures("no speed-ups", 0.75, trained=False, singles=33, same_model=True)
    rows = table_rows(_figures("Lotse", 0.5, singles=33), plain, _figures("stock", 1.0))
    assert [row[0] for row in rows] == [figure.label for figure in FIGURES]
    assert _row(rows, label)[1:] == expected


def test_the_header_names_the_speed_ups_share() -> None:
    header = format_table([], "stock").splitlines()[0]
    assert header == (
        "| figure | Lotse | no speed-ups | stock | Lotse / no speed-ups | Lotse / stock | target | met? |"
    )


def test_a_model_not_trained_in_this_run_says_so_instead_of_a_time() -> None:
    untrained = _figures("Lotse", 1.0, trained=False)
    rows = table_rows(
        untrained, _figures("no speed-ups", 1.0, trained=False), _figures("peer", 1.0, trained=False)
    )
    assert _row(rows, "training from scratch (s)")[1:6] == [NOT_TRAINED, NOT_TRAINED, NOT_TRAINED, "–", "–"]
    assert _row(rows, "training from scratch (s)")[7] == "–"


def test_the_runs_listen_on_ports_of_their_own_and_only_lotse_has_the_speed_ups() -> None:
    ports = [port for column in (LOTSE, PLAIN, STOCK) for port in column.offsets]
    assert len(set(ports)) == len(ports)
    assert [column.speedups for column in (LOTSE, PLAIN, STOCK)] == [True, False, False]


@pytest.mark.parametrize(
    ("smoke", "no_train", "column", "expected"),
    [
        (True, False, "lotse", MODEL_FILE),
        (True, False, "stock", MODEL_FILE),  # a smoke run's peer is a second Lotse
        (False, True, "lotse", MODEL_FILE),
        (False, True, "stock", Path("stock") / "stock.tar.gz"),  # under the work folder
    ],
)
def test_a_run_without_training_uses_models_trained_before(
    tmp_path: Path, smoke: bool, no_train: bool, column: str, expected: Path
) -> None:
    (tmp_path / "stock").mkdir()
    (tmp_path / "stock" / "stock.tar.gz").write_bytes(b"model")
    args = argparse.Namespace(smoke=smoke, no_train=no_train)
    model, seconds = column_model(args, tmp_path, column, Path("unused.yml"))
    assert seconds is None
    assert model == (expected if expected.is_absolute() else tmp_path / expected)


def test_a_run_without_training_says_when_there_is_no_stock_model(tmp_path: Path) -> None:
    args = argparse.Namespace(smoke=False, no_train=True)
    with pytest.raises(
        RuntimeError, match=r"no model at .*stock\.tar\.gz; run the bench once without --no-train"
    ):
        column_model(args, tmp_path, "stock", Path("unused.yml"))


def test_the_benchs_bots_measure_the_bot_not_the_address_limit(tmp_path: Path) -> None:
    """Every bench user asks from 127.0.0.1, together up to ~90 replies/s: over the staff's 30 a second."""
    env = child_env(bench_bot_config(MODEL_FILE, (16005, 16055), tmp_path))
    assert int(env[PER_ADDRESS_ENV]) >= 100 * DEFAULT_PER_ADDRESS
    assert env["LOTSE_CORS_ORIGINS"] == ""  # and no browser page may ask it


@pytest.mark.parametrize(("speedups", "value"), [(True, "1"), (False, "0")])
def test_a_runs_speed_ups_reach_its_rasa_server(tmp_path: Path, speedups: bool, value: str) -> None:
    env = child_env(bench_bot_config(MODEL_FILE, (16005, 16055), tmp_path, speedups))
    assert env[env_name("speedups")] == value
    assert Settings.from_environ(env).speedups is speedups


@pytest.mark.parametrize(
    ("given", "environ", "expected"),
    [
        (None, {}, DEFAULT_CONFIG),
        (None, {"LOTSE_CONFIG": "/tmp/variant.yml"}, Path("/tmp/variant.yml")),
        ("other.yml", {"LOTSE_CONFIG": "/tmp/variant.yml"}, Path("other.yml")),
    ],
    ids=["default", "LOTSE_CONFIG", "--config wins"],
)
def test_lotses_pipeline_comes_from_the_option_then_the_settings(
    monkeypatch: pytest.MonkeyPatch, given: str | None, environ: dict[str, str], expected: Path
) -> None:
    monkeypatch.delenv("LOTSE_CONFIG", raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    assert lotse_config(argparse.Namespace(config=given)) == expected
