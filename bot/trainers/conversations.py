"""The trainers' runner: send every turn of the conversations to the bot and check each answer.

One code path for the test conversations (`make conversations`) and eval (`make eval`,
bot/trainers/evaluate.py is its scoring): the files come from bot/trainers/files.py, each
conversation runs on a fresh sender through the REST webhook, turn by turn, and every turn is
checked by `check_turn`. The table, the Markdown report and the topic confusion plot are made
from the results by bot/trainers/conversation_report.py.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.trainers.files import Conversation, Turn


@dataclass
class BotReply:
    """Everything the bot sent back for one message."""

    texts: list[str]
    answer: dict[str, Any] | None
    seconds: float

    @property
    def text(self) -> str:
        return "\n".join(self.texts)


# a bot refuses more than its per-address limit a second (429 with Retry-After): the runner, which asks
# faster than any member of staff, waits as told and asks again, this often at most
TOO_MANY_RETRIES = 5


def ask(rasa_url: str, sender: str, message: str, timeout: float = 10.0) -> BotReply:
    """One message through the REST webhook: the texts and the answer payload that came back."""
    body = json.dumps({"sender": sender, "message": message}).encode()
    for attempt in range(TOO_MANY_RETRIES + 1):
        request = urllib.request.Request(
            f"{rasa_url}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
        )
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                messages = json.loads(response.read() or b"[]")
            break
        except urllib.error.HTTPError as error:
            if error.code != 429 or attempt == TOO_MANY_RETRIES:
                raise
            time.sleep(_retry_after(error.headers.get("Retry-After")))
    seconds = time.perf_counter() - started
    texts = [m["text"] for m in messages if m.get("text")]
    answers = [
        m["custom"]["answer"]
        for m in messages
        if isinstance(m.get("custom"), dict) and "answer" in m["custom"]
    ]
    return BotReply(texts=texts, answer=answers[0] if answers else None, seconds=seconds)


def _retry_after(header: str | None) -> float:
    """The seconds a 429 asks to wait (Retry-After), one where it names none or no number."""
    try:
        return max(0.0, float(header)) if header else 1.0
    except ValueError:
        return 1.0


@dataclass
class TurnResult:
    """What happened in one turn: what was sent, what came back, what did not hold."""

    conversation: Conversation
    number: int  # 1-based
    turn: Turn
    sent: str | None  # the message or the clicked button's payload; None when nothing was sent
    reply: BotReply | None
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems

    @property
    def answer(self) -> dict[str, Any]:
        return (self.reply.answer if self.reply else None) or {}


@dataclass
class RunResult:
    results: list[TurnResult]
    seconds: float
    rasa_url: str = ""
    started: dt.datetime = field(default_factory=lambda: dt.datetime.now().replace(microsecond=0))

    @property
    def failures(self) -> list[TurnResult]:
        return [r for r in self.results if not r.passed]

    @property
    def conversations(self) -> list[Conversation]:
        seen: dict[int, Conversation] = {}
        for result in self.results:
            seen.setdefault(id(result.conversation), result.conversation)
        return list(seen.values())


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def check_turn(expect: dict[str, Any], reply: BotReply) -> list[str]:
    """What in `reply` does not hold up to `expect` (empty: it passed); the only check there is."""
    problems = []
    answer = reply.answer or {}
    if "kind" in expect and answer.get("kind") not in _listed(expect["kind"]):
        problems.append(f"kind {answer.get('kind')!r}, expected {_listed(expect['kind'])}")
    for key in ("unit", "lang"):
        if key in expect and answer.get(key) != expect[key]:
            problems.append(f"{key} {answer.get(key)!r}, expected {expect[key]!r}")
    for pattern in expect.get("text") or []:
        if not re.search(pattern, reply.text, re.IGNORECASE):
            problems.append(f"text does not match /{pattern}/")
    if "topic" in expect:
        topics = _listed(expect["topic"])
        if answer.get("topic") not in topics:
            wanted = topics[0] if len(topics) == 1 else topics
            problems.append(f"topic {answer.get('topic')!r}, expected {wanted!r}")
    text = reply.text.casefold()
    for word in expect.get("contains") or []:
        if word.casefold() not in text:
            problems.append(f"text does not contain {word!r}")
    offered = [o for o in answer.get("options") or [] if isinstance(o, dict)]
    for topic in expect.get("options") or []:
        if not any(topic in (o.get("topics") or [o.get("topic")]) for o in offered):
            titles = ", ".join(f"{o.get('title')!r} ({'/'.join(o.get('topics') or [])})" for o in offered)
            problems.append(f"option {topic!r} not offered (options: {titles or 'none'})")
    return problems


def buttons_of(reply: BotReply | None) -> list[dict[str, str]]:
    """The buttons of a reply, as the answer payload lists them (`options`)."""
    options = ((reply.answer if reply else None) or {}).get("options") or []
    return [o for o in options if isinstance(o, dict) and "title" in o and "payload" in o]


def button_payload(previous: BotReply | None, title: str) -> tuple[str | None, str | None]:
    """(payload, None) for the button with this title, or (None, the problem)."""
    buttons = buttons_of(previous)
    wanted = title.strip().casefold()
    for button in buttons:
        if button["title"].strip().casefold() == wanted:
            return button["payload"], None
    offered = ", ".join(repr(b["title"]) for b in buttons) or "none"
    return None, f"no button {title!r} in the previous reply (buttons: {offered})"


def run_conversation(conversation: Conversation, rasa_url: str, sender: str) -> list[TurnResult]:
    """Every turn of one conversation on `sender`; a click sends the payload of the button it names."""
    results: list[TurnResult] = []
    previous: BotReply | None = None
    for number, turn in enumerate(conversation.turns, start=1):
        message: str | None = turn.message
        if turn.click:
            message, problem = button_payload(previous, turn.message)
            if message is None:
                results.append(TurnResult(conversation, number, turn, None, None, [problem or "no button"]))
                previous = None
                continue
        assert message is not None
        try:
            reply = ask(rasa_url, sender, message)
        except (urllib.error.URLError, OSError, ValueError) as error:
            results.append(TurnResult(conversation, number, turn, message, None, [f"no reply: {error}"]))
            previous = None
            continue
        results.append(TurnResult(conversation, number, turn, message, reply, check_turn(turn.expect, reply)))
        previous = reply
    return results


def run_conversations(
    conversations: Sequence[Conversation],
    rasa_url: str,
    purpose: str = "conversations",
    progress: Callable[[int, int], None] | None = None,
) -> RunResult:
    """Every conversation on a fresh sender (named after `purpose` and the run), in order;
    `progress(done, total)` after each (the workbench's progress bar)."""
    run_id = uuid.uuid4().hex[:8]
    started = time.perf_counter()
    results: list[TurnResult] = []
    for index, conversation in enumerate(conversations):
        results += run_conversation(conversation, rasa_url, f"{purpose}-{run_id}-{index}")
        if progress is not None:
            progress(index + 1, len(conversations))
    return RunResult(results, time.perf_counter() - started, rasa_url)
