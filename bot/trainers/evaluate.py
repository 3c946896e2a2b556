"""Ask every question of an eval file through the REST webhook and score the answers.

File format: `../shared/eval/dev_questions.yml` (single questions and dialogues,
each with an `expect` of kind / unit / text regexes / lang).
"""

from __future__ import annotations

import json
import re
import time
import urllib.request
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


@dataclass
class BotReply:
    """Everything the bot sent back for one message."""

    texts: list[str]
    answer: dict[str, Any] | None
    seconds: float

    @property
    def text(self) -> str:
        return "\n".join(self.texts)


@dataclass
class Outcome:
    case: str
    question: str
    expect: dict[str, Any]
    reply: BotReply
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems


def ask(rasa_url: str, sender: str, message: str, timeout: float = 10.0) -> BotReply:
    body = json.dumps({"sender": sender, "message": message}).encode()
    request = urllib.request.Request(
        f"{rasa_url}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=timeout) as response:
        messages = json.loads(response.read() or b"[]")
    seconds = time.perf_counter() - started
    texts = [m["text"] for m in messages if m.get("text")]
    answers = [
        m["custom"]["answer"]
        for m in messages
        if isinstance(m.get("custom"), dict) and "answer" in m["custom"]
    ]
    return BotReply(texts=texts, answer=answers[0] if answers else None, seconds=seconds)


def _kinds(expect: dict[str, Any]) -> list[Any]:
    kinds = expect.get("kind")
    return kinds if isinstance(kinds, list) else [kinds]


def check(expect: dict[str, Any], reply: BotReply) -> list[str]:
    """What in `reply` does not hold up to `expect` (empty: it passed)."""
    problems = []
    answer = reply.answer or {}
    if "kind" in expect:
        kinds = expect["kind"] if isinstance(expect["kind"], list) else [expect["kind"]]
        if answer.get("kind") not in kinds:
            problems.append(f"kind {answer.get('kind')!r}, expected {kinds}")
    if "unit" in expect and answer.get("unit") != expect["unit"]:
        problems.append(f"unit {answer.get('unit')!r}, expected {expect['unit']!r}")
    if "lang" in expect and answer.get("lang") != expect["lang"]:
        problems.append(f"lang {answer.get('lang')!r}, expected {expect['lang']!r}")
    for pattern in expect.get("text") or []:
        if not re.search(pattern, reply.text, re.IGNORECASE):
            problems.append(f"text does not match /{pattern}/")
    return problems


@dataclass
class Report:
    singles: list[Outcome]
    dialogues: list[tuple[str, list[Outcome]]]

    def single_accuracy(self) -> float:
        return sum(o.passed for o in self.singles) / len(self.singles) if self.singles else 1.0

    def dialogue_accuracy(self) -> float:
        if not self.dialogues:
            return 1.0
        return sum(all(o.passed for o in turns) for _, turns in self.dialogues) / len(self.dialogues)

    def latencies(self) -> list[float]:
        outcomes = self.singles + [o for _, turns in self.dialogues for o in turns]
        return sorted(o.reply.seconds for o in outcomes)

    def offers(self) -> list[str]:
        """How often the reply was "Meinten Sie …?" (bot/answering/did_you_mean.py); how often off-topic."""
        outcomes = self.singles + [o for _, turns in self.dialogues for o in turns]
        offered = [o for o in outcomes if (o.reply.answer or {}).get("asks") == "topic"]
        if not offered:
            return []
        off_topic = [o for o in offered if "out_of_scope" in _kinds(o.expect)]
        lines = [
            f"'Meinten Sie' offers: {len(offered)}, {len(off_topic)} of them where out_of_scope was expected"
        ]
        lines += [f"  offered for an off-topic question: {o.question}" for o in off_topic]
        return lines

    def format(self) -> str:
        lines = []
        by_kind: dict[str, list[bool]] = defaultdict(list)
        for outcome in self.singles:
            kinds = outcome.expect.get("kind", "any")
            by_kind["/".join(kinds) if isinstance(kinds, list) else str(kinds)].append(outcome.passed)
        lines.append("accuracy per expected kind (single questions):")
        for kind, results in sorted(by_kind.items()):
            lines.append(
                f"  {kind:<28} {sum(results):>3}/{len(results):<3} {sum(results) / len(results):.2f}"
            )
        lines.append(
            f"single questions: {sum(o.passed for o in self.singles)}/{len(self.singles)}"
            f" = {self.single_accuracy():.3f}"
        )
        passed = sum(all(o.passed for o in turns) for _, turns in self.dialogues)
        lines.append(f"dialogues: {passed}/{len(self.dialogues)} = {self.dialogue_accuracy():.3f}")
        lines += self.offers()
        times = self.latencies()
        if times:
            p50 = times[len(times) // 2] * 1000
            p95 = times[min(len(times) - 1, int(len(times) * 0.95))] * 1000
            lines.append(f"reply latency over {len(times)} messages: p50 {p50:.0f} ms, p95 {p95:.0f} ms")
        failures = [o for o in self.singles if not o.passed]
        failures += [o for _, turns in self.dialogues for o in turns if not o.passed]
        if failures:
            lines.append("failures:")
        for outcome in failures:
            answer = outcome.reply.answer or {}
            first_line = outcome.reply.text.splitlines()[0] if outcome.reply.text else "(no text)"
            lines.append(f"  [{outcome.case}] {outcome.question}")
            lines.append(
                f"      got kind={answer.get('kind')} unit={answer.get('unit')} "
                f"topic={answer.get('topic')} lang={answer.get('lang')}: {first_line[:100]}"
            )
            lines.append(f"      {'; '.join(outcome.problems)}")
        return "\n".join(lines)


def run_eval(path: Path, rasa_url: str) -> Report:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    run_id = uuid.uuid4().hex[:8]
    singles = []
    for index, item in enumerate(data.get("single") or []):
        reply = ask(rasa_url, f"eval-{run_id}-s{index}", item["q"])
        expect = item.get("expect") or {}
        singles.append(Outcome(f"single {index + 1}", item["q"], expect, reply, check(expect, reply)))
    dialogues = []
    for index, dialogue in enumerate(data.get("dialogues") or []):
        sender = f"eval-{run_id}-d{index}"
        outcomes = []
        for turn in dialogue.get("turns") or []:
            reply = ask(rasa_url, sender, turn["q"])
            expect = turn.get("expect") or {}
            outcomes.append(
                Outcome(
                    dialogue.get("name", f"dialogue {index + 1}"),
                    turn["q"],
                    expect,
                    reply,
                    check(expect, reply),
                )
            )
        dialogues.append((dialogue.get("name", f"dialogue {index + 1}"), outcomes))
    return Report(singles, dialogues)
