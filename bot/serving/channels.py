"""The REST channel, with the checks Rasa's own leaves out.

Rasa's RestInput answers an empty message with silence (`[]`) and a JSON body
that is not an object with a 500. Staff and the widget must always get a clear
answer, so this channel (same URL: /webhooks/rest/webhook) checks the request
first: a malformed request gets a 400 that says what is wrong, an empty
question gets a reply asking for one, control characters are dropped. A body
not sent as application/json gets a 415 and a browser's foreign Origin a 403
(bot/serving/security.py: another page could otherwise post without a CORS preflight);
too many messages from one sender or one client address get a 429.

Personal data never gets past this channel: a message over 2,000 characters is
answered without being processed, and every other message is redacted
(bot/serving/redaction/) before NLU, the tracker store or a log sees it. Request
metadata is not passed on, since nothing checks what it holds.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import re
from collections.abc import Awaitable, Callable
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import yaml
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.shared.core.constants import USER_INTENT_BACK, USER_INTENT_RESTART, USER_INTENT_SESSION_START
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.answering import language
from bot.answering.guides import GuideError, load_sources
from bot.answering.language import detect_language
from bot.paths import DOMAIN_FILE, guides_dir
from bot.serving import rate_limit, security, speedups
from bot.serving.health import health_report
from bot.serving.lexicon import warm_up
from bot.serving.redaction import redact
from bot.settings import SettingsError, settings

logger = logging.getLogger(__name__)

MAX_SENDER_CHARS = 128
# C0/C1 control characters except tab and newline, and lone surrogates
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")

MAX_MESSAGE_CHARS = 2000
MAX_BODY_BYTES = 64 * 1024  # a question plus JSON; anything bigger is not a staff question
RATE_ENV = "LOTSE_MAX_MESSAGES_PER_SECOND"  # per sender; more are refused with 429
DEFAULT_RATE = 10
TOO_MANY = {
    "sender": "too many messages from this sender; please wait a second",
    "address": "too many messages from this address; please wait a second",
}
EMPTY_REPLY = "Bitte stellen Sie eine Frage. / Please type a question."
TOO_LONG_REPLY = {
    "de": f"Bitte stellen Sie eine kürzere Frage (höchstens {MAX_MESSAGE_CHARS} Zeichen).",
    "en": f"Please ask a shorter question (at most {MAX_MESSAGE_CHARS} characters).",
}
REDACTED_NOTICE = {
    "de": "Hinweis: Personenbezogene Daten wurden entfernt und nicht gespeichert – Lotse braucht sie nicht.",
    "en": "Note: personal data was removed and not stored – Lotse does not need it.",
}
ONLY_PERSONAL_REPLY = {
    "de": "Ihre Nachricht enthielt nur personenbezogene Daten; sie wurde nicht gespeichert. "
    "Bitte stellen Sie Ihre Frage ohne Kundendaten.",
    "en": "Your message held only personal data; it was not stored. "
    "Please ask your question without customer data.",
}
REPLY_TIMEOUT_S = 3.0


def unavailable_reply(folder: Path | None = None) -> dict[str, str]:
    """What staff read when the action server does not answer: where to look instead.

    The instruction is the one in force in guides/sources.yml (read here, since the action server
    that knows the guides is what is down); where even that file cannot be read, the reply still
    points to "the instruction" rather than failing.
    """
    try:
        number = " " + load_sources(folder or guides_dir()).current(dt.date.today()).number
    except (GuideError, SettingsError):  # a bad LOTSE_GUIDES_DIR is reported where the guides load
        number = ""
    return {
        "de": f"Die Routing-Tabellen sind gerade nicht erreichbar. Bitte in der Weisung{number} nachsehen "
        "(Abschnitt 2.2: wer was bearbeitet; 2.1: E-Mail-Sperre) oder gleich noch einmal fragen.",
        "en": f"The routing tables are unavailable right now. Please look in instruction{number} "
        "(section 2.2: who handles what; 2.1: the e-mail block) or ask again in a moment.",
    }


# a timed-out message that had to wait for the same sender's previous one (Rasa handles one
# conversation's messages in turn): the tables are fine, the question is just queued
BUSY_REPLY = {
    "de": "Lotse beantwortet noch Ihre vorige Frage – bitte diese gleich noch einmal stellen.",
    "en": "Lotse is still answering your previous question – please ask this one again in a moment.",
}


def ask_again_replies(folder: Path | None = None) -> frozenset[str]:
    """The replies that answer nothing and ask to try again: the bench counts them as errors, the
    cluster tests as retryable, never as answered."""
    return frozenset({*unavailable_reply(folder).values(), *BUSY_REPLY.values()})


ERROR_REPLY = (
    "Lotse konnte die Frage gerade nicht beantworten – bitte noch einmal versuchen. "
    "/ Lotse could not answer just now – please try again."
)


def _bad_request(problem: str) -> HTTPResponse:
    return response.json({"error": problem}, status=400)


# Rasa's own control intents: typed as "/restart", "/back" or "/session_start" they run Rasa's
# built-in actions, which answer nothing in a fresh conversation (silence). Staff cannot mean
# them, so they go to NLU as plain words (found by tests/e2e/test_fuzz.py).
_RASA_CONTROL_INTENTS = (USER_INTENT_RESTART, USER_INTENT_BACK, USER_INTENT_SESSION_START)


# a button's payload, as Rasa reads "/intent@confidence{entities}" (the widget's buttons send these)
_PAYLOAD = re.compile(r"/(?P<intent>[A-Za-z_][\w-]*)(?:@[0-9.]+)?(?P<entities>\{.*\})?", re.DOTALL)


@cache
def _domain_names() -> tuple[frozenset[str], frozenset[str]]:
    """The domain's intents and entities: what a button payload may name (read once, at first use)."""
    domain = yaml.safe_load(DOMAIN_FILE.read_text(encoding="utf-8"))
    return frozenset(domain.get("intents") or ()), frozenset(domain.get("entities") or ())


def is_payload(text: str) -> bool:
    """A well-formed payload of our domain: a known intent, optionally known entities with text values."""
    match = _PAYLOAD.fullmatch(text)
    intents, entities = _domain_names()
    if match is None or match["intent"] not in intents or match["intent"] in _RASA_CONTROL_INTENTS:
        return False
    if match["entities"] is None:
        return True
    try:
        values = json.loads(match["entities"])
    except ValueError:
        return False
    return isinstance(values, dict) and all(k in entities and isinstance(v, str) for k, v in values.items())


def clean_message(text: str) -> str:
    """Control characters out; a "/…" that is not one of our button payloads is plain words.

    Rasa reads any message beginning with "/" as an intent and logs the whole line, in clear,
    when the intent or its entities are not the domain's ("/restart" also ran Rasa's built-in
    action and answered with silence): staff cannot mean those, so they go to NLU as words.
    """
    text = _CONTROL.sub("", text).strip()
    if text.startswith("/") and not is_payload(text):
        text = text.lstrip("/").strip()
    return text


class JsonRequest(Protocol):
    """What parse_request reads of a request: its body as JSON (sanic's Request has it)."""

    @property
    def json(self) -> Any: ...


def parse_request(request: JsonRequest) -> tuple[dict[str, Any] | None, str | None]:
    """The request body as a dict, or the reason it is not acceptable."""
    try:
        body = request.json
    except Exception:  # sanic raises InvalidUsage for a body that is not JSON
        return None, "the body must be JSON"
    if not isinstance(body, dict):
        return None, 'the body must be a JSON object {"sender": "...", "message": "..."}'
    sender, message = body.get("sender"), body.get("message")
    if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS:
        return None, f'"sender" must be a non-empty string of at most {MAX_SENDER_CHARS} characters'
    # the sender id is stored as is: a lone surrogate makes the SQL tracker store raise a
    # ValueError, which Rasa treats as a missing schema and exits on (found by tests/e2e/test_fuzz.py)
    if _CONTROL.search(sender):
        return None, '"sender" must not contain control characters or lone surrogates'
    if not isinstance(message, str):
        return None, '"message" must be a string'
    metadata = body.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        return None, '"metadata" must be a JSON object'
    return body, None


def _log_failure(turn: asyncio.Future[Any]) -> None:
    if not turn.cancelled() and turn.exception() is not None:
        logger.error("message could not be handled", exc_info=turn.exception())


class LotseRestInput(RestInput):
    """REST input at /webhooks/rest/webhook that never answers with silence or a 500."""

    def __init__(self) -> None:
        # counted per sender and per client address, in Redis when the instances share one
        self.limiter = rate_limit.from_environment()
        config = settings()
        self.per_sender = config.max_messages_per_second
        self.per_address = config.max_messages_per_second_per_address
        # the origins Rasa's CORS allows (bot/ops/processes.py hands Rasa the same list as --cors)
        self.allowed_origins = frozenset(security.cors_origins())
        self.in_flight: dict[str, int] = {}  # sender -> turns not finished yet
        self.unavailable = unavailable_reply()  # read when Rasa starts, not at import nor per failure
        warm_up()  # the allow-list of the redaction, read now rather than during the first message
        language.warm_up()  # and the language detector's models

    @classmethod
    def name(cls) -> str:
        return "rest"

    def _count_in_flight(self, sender: str, turn: asyncio.Future[Any]) -> None:
        """Count the sender's unfinished turns, so a queued message that times out is told so."""
        self.in_flight[sender] = self.in_flight.get(sender, 0) + 1

        def finished(_: asyncio.Future[Any]) -> None:
            left = self.in_flight.pop(sender, 1) - 1
            if left:
                self.in_flight[sender] = left

        turn.add_done_callback(finished)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("lotse_rest_webhook", __name__)
        webhook.listener("after_server_start")(speedups.freeze_after_start)  # model loaded by then

        @webhook.route("/", methods=["GET"])
        async def alive(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/health", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            report, status = await health_report(getattr(request.app.ctx, "agent", None))
            return response.json(report, status=status)

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            refused = security.refuse_post(
                request.headers.get("content-type"), request.headers.get("origin"), self.allowed_origins
            )
            if refused is not None:
                return response.json({"error": refused[1]}, status=refused[0])
            if len(request.body or b"") > MAX_BODY_BYTES:
                return response.json({"error": f"the body is over {MAX_BODY_BYTES} bytes"}, status=413)
            body, problem = parse_request(request)
            if body is None:
                return _bad_request(problem or "bad request")
            sender = body["sender"]
            address = security.client_address(
                request.ip, request.headers.getall("x-forwarded-for", []), request.headers.get("x-real-ip")
            )
            limits = {f"sender:{sender}": self.per_sender, f"address:{address}": self.per_address}
            full = self.limiter.refused_by(limits)
            if full is not None:
                reason = TOO_MANY[full.split(":", 1)[0]]
                return response.json({"error": reason}, status=429, headers={"Retry-After": "1"})
            text = clean_message(body["message"])
            if not text:
                return response.json([{"recipient_id": sender, "text": EMPTY_REPLY}])
            if len(text) > MAX_MESSAGE_CHARS:  # nothing of it is processed or stored
                lang = detect_language(text[:MAX_MESSAGE_CHARS]) or "de"
                return response.json([{"recipient_id": sender, "text": TOO_LONG_REPLY[lang]}])
            redacted = redact(text)  # personal data out of what NLU reads; stored only allow-listed
            lang = detect_language(redacted.text) or detect_language(redacted.stored) or "de"
            if redacted.changed and not redacted.substance:  # only personal data: nothing to answer or keep
                return response.json([{"recipient_id": sender, "text": ONLY_PERSONAL_REPLY[lang]}])
            collector = CollectingOutputChannel()
            message = UserMessage(redacted.text, collector, sender, input_channel=self.name(), metadata=None)
            queued = self.in_flight.get(sender, 0) > 0  # behind this sender's previous turn
            turn = asyncio.ensure_future(on_new_message(message))
            turn.add_done_callback(_log_failure)
            self._count_in_flight(sender, turn)
            try:  # shielded: a slow turn still finishes and is saved, the user is not kept waiting
                await asyncio.wait_for(asyncio.shield(turn), REPLY_TIMEOUT_S)
            except asyncio.TimeoutError:
                logger.error("no reply within %.1f s (action server slow?)", REPLY_TIMEOUT_S)
                collector = CollectingOutputChannel()  # what the late turn sends is not this reply
            except Exception:
                logger.exception("message could not be handled")
                return response.json([{"recipient_id": sender, "text": ERROR_REPLY}])
            if not collector.messages:  # queued, or the action server is down or too slow: never silence
                fallback = BUSY_REPLY if queued else self.unavailable
                collector.messages.append({"recipient_id": sender, "text": fallback[lang]})
            # the notice comes last: the first line an agent sees stays the verdict
            notice = [{"recipient_id": sender, "text": REDACTED_NOTICE[lang]}] if redacted.changed else []
            return response.json(collector.messages + notice)

        return webhook
