"""Questions the trained model is unsure about, found at test time: a "Meinten Sie" offer to click.

Whether the NLU is unsure of a question depends on the model: new training data makes some of
these sure (they are then answered at once). The e2e and browser tests of the offer take the
first candidate that the running model answers with an offer whose option names an entry, so a
retrained model does not break them; when none does, they fail asking for new candidates.
"""

from __future__ import annotations

import uuid
from typing import Any

from bot.trainers.evaluate import ask

CANDIDATES = [
    "regelwerk",
    "Wie viele VCC-Postfaecher gibt es fuer die Kontaktformulare?",
    "number of VCC mailboxes for contact forms",
    "antrag im webshop",
    "the reactivation thing",
    "Kontaktformular weitergeben",
    "Reaktivierung",
    # since 2026-12-01 an unsure reading the words name ("Reaktivierung") is answered, not offered
    "wer kuemmert sich um die mails",
    "the forwarding thing",
    "mails und formulare",
    "termin oder aenderung?",
]


def first_offer(rasa_url: str) -> tuple[str, dict[str, Any]]:
    """(question, its first option that names the entry a click answers with), for the running model."""
    seen = []
    for question in CANDIDATES:
        answer = ask(rasa_url, f"offer-probe-{uuid.uuid4().hex}", question).answer or {}
        options = [o for o in answer.get("options") or [] if o.get("topic")]
        if answer.get("asks") == "topic" and options:
            return question, options[0]
        seen.append((question, answer.get("kind"), answer.get("topic")))
    raise AssertionError(f"no candidate gets a 'Meinten Sie' with an entry any more; add new ones: {seen}")


# fragments about the phone registration, whose customer history an offer leaves open
OPEN_CONDITION_CANDIDATES = [
    "tel asu",
    "asu melden",
    "phone registration",
    "the reactivation thing",
    "Reaktivierung",
    "job-seeker registration",
    "ASU",
    "Arbeitsuchendmeldung",
    "registration by phone",
]


def offer_with_open_condition(rasa_url: str, entry: str) -> tuple[str, dict[str, Any]]:
    """(question, its option for `entry` that still leaves a condition open), for the running model."""
    seen = []
    for question in OPEN_CONDITION_CANDIDATES:
        answer = ask(rasa_url, f"offer-probe-{uuid.uuid4().hex}", question).answer or {}
        options = [
            o for o in answer.get("options") or [] if entry in (o.get("topics") or []) and not o.get("topic")
        ]
        if answer.get("asks") == "topic" and options:
            return question, options[0]
        seen.append((question, answer.get("kind"), answer.get("topic")))
    raise AssertionError(f"no candidate gets a 'Meinten Sie' with {entry} still open; add new ones: {seen}")
