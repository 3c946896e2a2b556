"""Eval: the conversations runner on a dev-set file, scored as the dev set is scored.

A file in the dev-set format (`../shared/eval/dev_questions.yml`, `tests/eval/*.yml`) is read by
bot/trainers/files.py and run by bot/trainers/conversations.py like any test conversation – the
asking and checking are theirs. What eval adds is the scoring: single questions (accuracy per
expected kind) apart from dialogues (a dialogue passes when every turn does), how often "Meinten
Sie …?" was offered, and the reply latency.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.trainers.conversations import BotReply, RunResult, TurnResult, ask, run_conversations
from bot.trainers.files import Conversation, load_file

# BotReply and ask are the runner's; named here too for the code that asks the bot through eval
__all__ = ["BotReply", "Report", "ask", "run_eval", "run_eval_on"]


def _kinds(result: TurnResult) -> list[object]:
    kinds = result.turn.expect.get("kind")
    return kinds if isinstance(kinds, list) else [kinds]


@dataclass
class Report:
    singles: list[TurnResult]
    dialogues: list[tuple[str, list[TurnResult]]]

    @classmethod
    def of(cls, run: RunResult) -> Report:
        """Single questions apart, every other conversation a dialogue."""
        singles = [r for r in run.results if r.conversation.single]
        turns: dict[int, list[TurnResult]] = defaultdict(list)
        for result in run.results:
            if not result.conversation.single:
                turns[id(result.conversation)].append(result)
        dialogues = [(c.name, turns[id(c)]) for c in run.conversations if not c.single]
        return cls(singles, dialogues)

    def _all(self) -> list[TurnResult]:
        return self.singles + [r for _, turns in self.dialogues for r in turns]

    def single_accuracy(self) -> float:
        return sum(r.passed for r in self.singles) / len(self.singles) if self.singles else 1.0

    def dialogue_accuracy(self) -> float:
        if not self.dialogues:
            return 1.0
        return sum(all(r.passed for r in turns) for _, turns in self.dialogues) / len(self.dialogues)

    def latencies(self) -> list[float]:
        return sorted(r.reply.seconds for r in self._all() if r.reply)

    def offers(self) -> list[str]:
        """How often the reply was "Meinten Sie …?" (bot/answering/did_you_mean.py); how often off-topic."""
        offered = [r for r in self._all() if r.answer.get("asks") == "topic"]
        if not offered:
            return []
        off_topic = [r for r in offered if "out_of_scope" in _kinds(r)]
        lines = [
            f"'Meinten Sie' offers: {len(offered)}, {len(off_topic)} of them where out_of_scope was expected"
        ]
        lines += [f"  offered for an off-topic question: {r.turn.message}" for r in off_topic]
        return lines

    def format(self) -> str:
        lines = []
        by_kind: dict[str, list[bool]] = defaultdict(list)
        for result in self.singles:
            kinds = result.turn.expect.get("kind", "any")
            by_kind["/".join(kinds) if isinstance(kinds, list) else str(kinds)].append(result.passed)
        lines.append("accuracy per expected kind (single questions):")
        for kind, results in sorted(by_kind.items()):
            lines.append(
                f"  {kind:<28} {sum(results):>3}/{len(results):<3} {sum(results) / len(results):.2f}"
            )
        lines.append(
            f"single questions: {sum(r.passed for r in self.singles)}/{len(self.singles)}"
            f" = {self.single_accuracy():.3f}"
        )
        passed = sum(all(r.passed for r in turns) for _, turns in self.dialogues)
        lines.append(f"dialogues: {passed}/{len(self.dialogues)} = {self.dialogue_accuracy():.3f}")
        lines += self.offers()
        times = self.latencies()
        if times:
            p50 = times[len(times) // 2] * 1000
            p95 = times[min(len(times) - 1, int(len(times) * 0.95))] * 1000
            lines.append(f"reply latency over {len(times)} messages: p50 {p50:.0f} ms, p95 {p95:.0f} ms")
        failures = [r for r in self._all() if not r.passed]
        if failures:
            lines.append("failures:")
        for result in failures:
            answer = result.answer
            text = result.reply.text if result.reply else ""
            first_line = text.splitlines()[0] if text else "(no text)"
            lines.append(f"  [{result.conversation.name}] {result.turn.message}")
            lines.append(
                f"      got kind={answer.get('kind')} unit={answer.get('unit')} "
                f"topic={answer.get('topic')} lang={answer.get('lang')}: {first_line[:100]}"
            )
            lines.append(f"      {'; '.join(result.problems)}")
        return "\n".join(lines)


def run_eval_on(conversations: Sequence[Conversation], rasa_url: str) -> Report:
    """Ask the single questions first, then the dialogues (as eval always has), and score them."""
    ordered = [c for c in conversations if c.single] + [c for c in conversations if not c.single]
    return Report.of(run_conversations(ordered, rasa_url, purpose="eval"))


def run_eval(path: Path, rasa_url: str) -> Report:
    """Eval of one file; a file that breaks the schema raises ConversationError before anything is asked."""
    return run_eval_on(load_file(path), rasa_url)
