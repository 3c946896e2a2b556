"""What one reply says and what it keeps, decided before a word is written (actions/writing.py).

A `Say` names the reply and what it is about; bot/answering/answers.py writes its text and payload.
An `Outcome` is that reply with the slots it sets: the case under discussion, the pending
clarifying question, the day and the entry follow-ups are about.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from bot.answering.did_you_mean import Suggestion
from bot.answering.engine import Answer, Clarify, NotCovered, Resolution, resolve_as_of
from bot.answering.guides import Entry, FollowUpAttribute, Guides
from bot.answering.slots import SLOT_AS_OF, SLOT_CLARIFY_TRIES, SLOT_LAST_TOPIC, SLOT_PENDING


@dataclass(frozen=True)
class Canned:
    """A reply from domain.yml only; with `kind`, it carries an answer payload."""

    response: str
    kind: str | None = None
    understood: bool = True  # False: Lotse could not place the message (not: it is off-topic)


@dataclass(frozen=True)
class Found:
    """What the engine found for a case on `day`: the entry's answer, a clarifying question, or not
    covered (naming `subject`). "Stand …" opens the verdict where `day` is not `today`."""

    found: Resolution
    day: dt.date
    today: dt.date
    subject: str | None


@dataclass(frozen=True)
class WholeEntry:
    """An entry's answer, whole (verdict, detail, validity, source); "Stand …" as for `Found`."""

    entry: Entry
    day: dt.date
    today: dt.date

    @property
    def topic(self) -> str | None:
        return self.entry.id


@dataclass(frozen=True)
class TopicChoice:
    """'Meinten Sie …?': one button per likely guide subject."""

    suggestions: tuple[Suggestion, ...]
    asks_matter: bool = False  # "Wer ist zuständig?": the words named no matter, so Lotse asks which


@dataclass(frozen=True)
class PerValue:
    """ "Für welche Postfächer …?": the entries Lotse would ask between, one line per value of `key`."""

    key: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class SectionContents:
    """ "Was steht in Abschnitt 4?": what the entries of that section of the instruction settle on `day`."""

    section: str
    day: dt.date


@dataclass(frozen=True)
class Source:
    """'Wo steht das?': the entry's source, or (None) the one the vocabulary names without context."""

    entry: Entry | None


@dataclass(frozen=True)
class Validity:
    """'Seit wann gilt das?': the entry's validity; in a question of its own, with its detail."""

    entry: Entry
    with_detail: bool = False
    # from the day the verdict states ("zum 01.07.2025 gesperrt"); False: the entry's own first day, as
    # for "ab wann gilt die Weisung?" asked with nothing before it
    of_statement: bool = True

    @property
    def topic(self) -> str | None:
        return self.entry.id


@dataclass(frozen=True)
class Why:
    """'Warum diese Antwort?': the conditions of the case and the entry they matched."""

    entry: Entry
    stated: Mapping[str, str]
    day: dt.date


@dataclass(frozen=True)
class Detail:
    """One detail of an answer ("bis wann?") from the entry that holds it."""

    entry: Entry
    attribute: FollowUpAttribute

    @property
    def topic(self) -> str | None:
        return self.entry.id


@dataclass(frozen=True)
class DetailUnsettled:
    """A detail the guides do not name ("welche Frist?"), with what `entry` does settle; about no entry."""

    entry: Entry
    attribute: FollowUpAttribute

    @property
    def topic(self) -> str | None:
        return None


# a reply that answers a detail: its `topic` is the entry the next follow-up is about
DetailSay = WholeEntry | Validity | Detail | DetailUnsettled
Say = Canned | Found | TopicChoice | PerValue | SectionContents | Source | Why | DetailSay

Slots = tuple[tuple[str, object], ...]  # (slot, value), in the order they are set

# an unrelated question instead of an answer drops a pending clarifying question
DROPPED: Slots = ((SLOT_PENDING, None), (SLOT_CLARIFY_TRIES, 0))


@dataclass(frozen=True)
class Outcome:
    """The reply to one message and the slots it sets; `forget` clears every slot ("neue Frage")."""

    say: Say
    slots: Slots = ()
    forget: bool = False


def settled(topic: str | None) -> Slots:
    """The slots of an answer given instead of a clarifying question: follow-ups are about `topic`."""
    return (*DROPPED, (SLOT_LAST_TOPIC, topic))


def resolve_case(
    guides: Guides, query: Mapping[str, str], tries: int, day: dt.date | None, today: dt.date
) -> tuple[Resolution, Outcome]:
    """The reply for a case's conditions on a day (None: today), with what the engine found, and the
    slots that keep the case for follow-ups: its conditions, the question asked back (and how often),
    the day when not today, and the entry the next "wo steht das?" is about."""
    found, named = resolve_as_of(guides, query, day, today)
    slots: Slots = (
        *case_slots(guides, query),
        (SLOT_PENDING, found.key if isinstance(found, Clarify) else None),
        (SLOT_CLARIFY_TRIES, tries if isinstance(found, Clarify) else 0),
        (SLOT_AS_OF, named.isoformat() if named else None),
        (SLOT_LAST_TOPIC, _topic_of(found)),
    )
    return found, Outcome(Found(found, named or today, today, query.get("subject")), slots)


def case_slots(guides: Guides, query: Mapping[str, str]) -> Slots:
    """The slots that keep a case for follow-ups: each condition's value in it, None where it has none."""
    return tuple((key, query.get(key)) for key in guides.vocabulary.conditions)


def _topic_of(found: Resolution) -> str | None:
    """The entry the next "wo steht das?" / "und vorher?" is about: the answer's, or the rule that began
    after the day asked about ("galt da schon …?" – "und wer war vorher zuständig?")."""
    if isinstance(found, Answer):
        return found.entry.id
    if isinstance(found, NotCovered) and found.began_later is not None:
        return found.began_later.id
    return None


def no_rule_before(
    found: Resolution, outcome: Outcome, day: dt.date, today: dt.date, subject: str | None
) -> Outcome:
    """Asked who did it before the rule began ("und vorher?", "wie war das vor der Weisung?"): that is
    not in the guides — not covered for that day, with the rule from its first day below it (not "galt
    da noch nicht", which answers whether the rule applied then)."""
    if not isinstance(found, NotCovered) or found.began_later is None:
        return outcome
    instead = NotCovered(related=(found.began_later,), outside_dates=True)
    return Outcome(Found(instead, day, today, subject), outcome.slots, outcome.forget)


def case_outcome(
    guides: Guides, query: Mapping[str, str], tries: int, day: dt.date | None, today: dt.date
) -> Outcome:
    """`resolve_case`, where only the reply matters."""
    return resolve_case(guides, query, tries, day, today)[1]


def answer_instead(outcome: Outcome, say: DetailSay | None) -> Outcome:
    """The case's outcome with `say` as its reply where a detail was asked ("… und in welchem System?"):
    the case and its slots stay those of the entry found."""
    return outcome if say is None else Outcome(say, outcome.slots, outcome.forget)


def unassigned(guides: Guides, today: dt.date) -> Outcome:
    """Who handles a matter the instruction assigns to no unit: not covered, with what it does assign."""
    assigned = [entry for entry in guides.entries if entry.kind == "routing" and entry.valid_on(today)]
    return Outcome(Found(NotCovered(related=assigned), today, today, None), settled(None))
