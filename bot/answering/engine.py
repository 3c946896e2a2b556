"""Find the guide entry that settles a question, or say why none does.

A question is a set of conditions (from the intent and from the user's clicks)
and a day. The engine never guesses: when the conditions leave an entry's
condition open, it asks for it; when no entry fits, it says so.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from bot.answering.guides import Entry, Guides
from bot.answering.spelling import plain_text

OTHER = "other"  # the option "none of these" of a clarifying question
LABEL_STEM = 6  # "Kontaktformularen" names the subject labelled "Kontaktformular"
TITLE_MIN = 5  # a section title this long names the section ("Info" does not)
# a subject ranked behind the first is taken where the stated conditions fit it alone: this sure, and
# this share of the first's confidence (bot/answering/engine.py, fitting_subject)
FIT_MIN = 0.15
FIT_SHARE = 0.25
# … or at any rank where it names the subject, states this many of its conditions and asks who
FIT_NAMED_KEYS = 2


@dataclass(frozen=True)
class Answer:
    """The entry that settles the question, and what a change of instruction means for it.

    `upcoming`: the next different answer to the same question, beginning after today ("Ab
    01.01.2027: …" below today's rule). `replaced_by`: for an answer on a day it no longer holds today,
    the entries that took its place (their `replaces` names it) and already apply.
    """

    entry: Entry
    upcoming: Entry | None = None
    replaced_by: tuple[Entry, ...] = ()


@dataclass(frozen=True)
class Clarify:
    key: str
    values: Sequence[str]
    candidates: Sequence[Entry]


@dataclass(frozen=True)
class NotCovered:
    """No entry settles the question. `related`: what the guides do settle nearby."""

    related: Sequence[Entry] = field(default_factory=tuple)
    outside_dates: bool = False
    # outside_dates, told apart: a rule for the case begins only after today ("noch nicht gültig") …
    not_yet: Entry | None = None
    # … or the case's last rule ended before the day asked about and none follows ("nicht mehr gültig")
    no_longer: Entry | None = None
    # … or, for a past day, the rule that applies today began only after it ("galt da schon …?": no, from …)
    began_later: Entry | None = None


Resolution = Answer | Clarify | NotCovered


def _compatible(entry: Entry, query: Mapping[str, str]) -> bool:
    return all(key not in query or query[key] in values for key, values in entry.when.items())


def _open_keys(entry: Entry, query: Mapping[str, str]) -> list[str]:
    return [key for key in entry.when if key not in query]


def resolve(guides: Guides, query: Mapping[str, str], day: dt.date) -> Resolution:
    """The entry for `query` on `day`, a clarifying question, or not covered."""
    subject = query.get("subject")
    same_subject = [e for e in guides.entries if subject in e.when.get("subject", ())]
    compatible = [e for e in guides.entries if _compatible(e, query)]
    if not compatible:
        return NotCovered(related=[e for e in same_subject if e.valid_on(day) and e.kind != "not_covered"])
    on_day = [e for e in compatible if e.valid_on(day)]
    if not on_day:
        return NotCovered(related=compatible, outside_dates=True)
    settled = [e for e in on_day if not _open_keys(e, query)]
    if settled:
        # the loader forbids two entries that one question could match on one day
        return Answer(settled[0])
    return _clarify(guides, query, on_day)


def resolve_as_of(
    guides: Guides, query: Mapping[str, str], day: dt.date | None, today: dt.date
) -> tuple[Resolution, dt.date | None]:
    """`resolve` on the day asked about (None: today), and the day the reply must name ("Stand …"):
    None for today, and for another day whose answer is today's (the entry's validity says since when).
    """
    asked = day or today
    found = resolve(guides, query, asked)
    named = None if day is None or day == today or _same_answer(found, resolve(guides, query, today)) else day
    return _in_time(guides, query, found, asked if named else today, today), named


def _in_time(
    guides: Guides, query: Mapping[str, str], found: Resolution, day: dt.date, today: dt.date
) -> Resolution:
    """`found` on `day` with what the validity of the entries adds: a coming change, a replacement,
    a rule not valid yet or no longer. Only changes the guides' dates name, so an answer whose case
    no instruction changes reads as it always did."""
    if isinstance(found, Answer):
        upcoming = None
        for change in (d for d in guides.change_dates if d > max(day, today)):
            later = resolve(guides, query, change)
            if not _same_answer(later, found):
                upcoming = later.entry if isinstance(later, Answer) else None
                break
        replaced_by = tuple(
            e for e in guides.replaced_by(found.entry) if e.valid_from is not None and e.valid_from <= today
        )
        return Answer(found.entry, upcoming, replaced_by if day < today else ())
    if isinstance(found, NotCovered) and found.outside_dates:
        rules = [e for e in found.related if e.kind != "not_covered"]
        coming = [e for e in rules if e.valid_from is not None and e.valid_from > max(day, today)]
        ended = [e for e in rules if e.valid_to is not None and e.valid_to < day]
        following = [e for e in rules if e.valid_from is not None and e.valid_from > day]
        not_yet = min(coming, key=lambda e: e.valid_from or day) if coming else None
        no_longer = max(ended, key=lambda e: e.valid_to or day) if ended and not following else None
        # only where the next rule after that day is today's: not over a rule that came between
        first = min(following, key=lambda e: e.valid_from or day) if following else None
        began_later = (
            first if first is not None and day < today and not coming and first.valid_on(today) else None
        )
        return NotCovered(found.related, True, not_yet, no_longer, began_later)
    return found


def _same_answer(one: Resolution, other: Resolution) -> bool:
    return isinstance(one, Answer) and isinstance(other, Answer) and one.entry.id == other.entry.id


def _clarify(guides: Guides, query: Mapping[str, str], candidates: Sequence[Entry]) -> Clarify:
    """Ask for the first open condition, in the vocabulary's order of keys."""
    open_keys = {key for entry in candidates for key in _open_keys(entry, query)}
    key = next(k for k in guides.vocabulary.conditions if k in open_keys)
    offered = {value for entry in candidates for value in entry.when.get(key, ())}
    values = [v for v in guides.vocabulary.conditions[key].values if v in offered]
    if len(values) < 2:
        values.append(OTHER)
    return Clarify(key=key, values=values, candidates=candidates)


# the VCC postboxes' names ("_BA-Zentrale-VCC-SGB3_SC-Region") are one thing, not their words: "Region"
# in the name asks nothing about regions
_VCC_POSTBOX_NAME = re.compile(r"_?ba-zentrale-vcc-[\w-]*")


def normalise(text: str) -> str:
    """Lower case with umlauts written out, so one cue matches "früher" and "frueher"."""
    return _VCC_POSTBOX_NAME.sub("vcc-postfach", plain_text(text))


def stated_in_text(guides: Guides, text: str) -> dict[str, str]:
    """Condition values the text states by the vocabulary's cues.

    A key whose cues point to two values ("never had a status before") is left out: the
    question stays open rather than being guessed — unless one of them is declared more precise
    (`overrides`). A negated cue ("kein Terminthema") states the value the vocabulary declares for
    its negation (`negated`), else "none of these" (OTHER): "nicht übers Kontaktformular" overrules
    the contact form an appointment intent states, so the rule for that very way is never given.
    A key the words say is not known (`unknown_cues`) stays open.
    """
    plain = guides.spelling.correct(normalise(text))  # "Kontakformular", "telefonish"
    stated: dict[str, str] = {}
    for key, values in guides.cues.items():
        if any(cue.search(plain) for cue in guides.unknown_cues.get(key, ())):
            continue  # "weiß nicht, ob sie schon mal gemeldet war": open, never guessed
        found: set[str] = set()
        negated: set[str] = set()
        for value, patterns in values.items():
            affirmed, denied = _cue_matches(guides, plain, patterns)
            if affirmed:
                found.add(value)
            elif denied:
                negated.add(value)
        specs = guides.vocabulary.conditions[key].values
        found -= {other for value in found for other in specs[value].overrides}
        if not found and negated:
            declared = {n for value in negated if (n := specs[value].negated) is not None}
            # a denied subject ("nicht die Liegenschaftspostfächer") says nothing about what it is
            found = declared or ({OTHER} if key != "subject" else set())
        if len(found) == 1:
            stated[key] = found.pop()
    return stated


def _cue_matches(guides: Guides, plain: str, patterns: Sequence[re.Pattern[str]]) -> tuple[bool, bool]:
    """(a cue matches and is not negated, a cue matches only negated): "kein Kontaktformular", and
    a negation inside a cue of several words: "ruft also nicht an" (its first word may be the
    negation the cue is about: "kein Status").

    Only the few words before a match, and its words between the first and the last, are looked at
    (negation_cues end with `$`), so the check stays linear in the message length.
    """
    negated = False
    for pattern in patterns:
        for match in pattern.finditer(plain):
            before = plain[max(0, match.start() - 40) : match.start()]
            inside = _inside(match)
            if any(negation.search(before) or negation.search(inside) for negation in guides.negation_cues):
                negated = True
            else:
                return True, False
    return False, negated


def _inside(match: re.Match[str]) -> str:
    """The words of a match between its first and its last ("ruft also nicht an": " also nicht ")."""
    words = list(re.finditer(r"\w+", match.group(0)))
    return match.group(0)[words[0].end() : words[-1].start()] if len(words) > 2 else ""


def is_follow_up(guides: Guides, text: str) -> bool:
    """'Und Terminabsagen?' continues the case under discussion (vocabulary's follow_up_cues)."""
    return matches(guides.follow_up_cues, text)


def asks_who_for_unassigned(guides: Guides, text: str) -> bool:
    """Who handles a front-line matter the instruction assigns to no unit (vocabulary's
    `unassigned_matters` with `who_cues`): "wer bearbeitet Insolvenzgeldanträge?"."""
    return matches(guides.unassigned_matters, text) and matches(guides.who_cues, text)


def asks_who_for_unassigned_request(guides: Guides, text: str) -> bool:
    """Who handles a request the instruction assigns to no unit whatever way it comes
    (`unassigned_requests`): "wer bearbeitet eine Arbeitslosmeldung, die online eingeht?"."""
    return matches(guides.unassigned_requests, text) and matches(guides.who_cues, text)


def believed(guides: Guides, intent: str, text: str) -> bool:
    """Whether the message says what its intent asks, where the vocabulary's `intent_cues` require it
    ("mit welchem Formular?" read as a contact form question is not believed). A click always is."""
    cues = guides.intent_cues.get(intent)
    return not text or cues is None or matches(cues, text)


def matches(cues: Iterable[re.Pattern[str]], text: str) -> bool:
    """Whether one of the cues matches the text, as cues are matched: lower case, umlauts written out."""
    plain = normalise(text)
    return any(cue.search(plain) for cue in cues)


def after_return(guides: Guides, text: str) -> str | None:
    """The words after a return to the thread ("back to work: does that also go through the eAkte?" →
    "does that also go through the eAkte?"; the vocabulary's `return_cues`), or None without one."""
    plain = normalise(text)
    match = next((m for cue in guides.return_cues if (m := cue.match(plain)) is not None), None)
    if match is None:
        return None
    said = len(plain[: match.end()].split())  # the cue ends at a word's end: as many words of the text
    return " ".join(text.split()[said:]) or None


def requested_language(guides: Guides, text: str) -> str | None:
    """'auf Deutsch bitte', 'in English please': the language asked for (vocabulary's language_requests)."""
    return next((lang for lang, cues in guides.language_requests.items() if matches(cues, text)), None)


def asks_about_now(guides: Guides, text: str) -> bool:
    """'Und heute?': the case under discussion, for today (vocabulary's now_cues)."""
    return matches(guides.now_cues, text)


def asks_about_before(guides: Guides, text: str) -> bool:
    """'Und vorher?': the case under discussion, before its rule began (vocabulary's before_cues)."""
    return matches(guides.before_cues, text)


def conditions_for(guides: Guides, intent: str, stated: Mapping[str, str | None]) -> dict[str, str] | None:
    """The question's conditions: the intent's, overruled by what the user stated.

    The intent is the classifier's reading of the whole sentence; a stated value
    (a clicked button, or a cue word such as "ehemaliger Alo-Kunde") is more
    precise about its one condition, so it wins where the two disagree.
    """
    base = guides.intent_conditions(intent)
    if base is None:
        return None
    query = dict(base)
    for key, value in stated.items():
        if value and key in guides.vocabulary.conditions:
            query[key] = value
    return query


def subject_keys(guides: Guides, subject: str | None) -> set[str]:
    """The condition keys the entries of a subject depend on (besides the subject)."""
    return {
        key for entry in guides.entries if subject in entry.when.get("subject", ()) for key in entry.when
    } - {"subject"}


def keys_used(guides: Guides, intent: str) -> set[str]:
    """The condition keys the entries of the intent's subject depend on (besides the subject)."""
    return subject_keys(guides, (guides.intent_conditions(intent) or {}).get("subject"))


def fitting_subject(
    guides: Guides, intent: str, ranking: Sequence[tuple[str, float]], said: Mapping[str, str], text: str = ""
) -> str:
    """The intent, or the guide subject ranked close behind it whose rules depend on the conditions the
    words state where the intent's do not: "Online-ASU von nem Reaktivierungskunden – SC oder EZ?" is
    about the registration (by way and customer), not the term the NLU ranked first; "customer rings
    the SC to change his address" about the change (by way), not the SC's duties.

    Stated conditions are evidence the NLU does not weigh; the runner-up must still be a reading the
    NLU holds possible (`FIT_MIN`, and at least `FIT_SHARE` of the first's confidence) — unless the
    words also name it, state `FIT_NAMED_KEYS` of its conditions and ask who handles the case
    ("reactivation client calls in for ASU — do I pass it to the reception zone?" is the registration,
    however low the NLU ranks it)."""
    stated = {key for key in said if key != "subject"}
    if not stated or keys_used(guides, intent) & stated:
        return intent
    if text and (matches(guides.who_cues, text) or units_named(guides, text)):
        named = [
            name
            for name, _ in ranking
            if name != intent
            and name in guides.vocabulary.intents
            and len(keys_used(guides, name) & stated) >= FIT_NAMED_KEYS
            and label_named(guides, name, text)
        ]
        if len(named) == 1:
            return named[0]
    top = next((confidence for name, confidence in ranking if name == intent), 0.0)
    for name, confidence in ranking:
        if name == intent or name not in guides.vocabulary.intents:
            continue
        if confidence < FIT_MIN or confidence < FIT_SHARE * top:
            return intent
        if keys_used(guides, name) & stated:
            return name
    return intent


def units_named(guides: Guides, text: str) -> set[str]:
    """The units the vocabulary declares that the text names, by code ("EZ"), by the first words of
    their name ("Eingangszone", "Service Center") or by what else staff call them ("reception zone"):
    "muss ich das an die EZ übergeben?"."""
    plain = normalise(text)
    named = set()
    for code, name in guides.vocabulary.units.items():
        labels = (name.de, name.en)
        names = {code.lower(), *(normalise(" ".join(label.split()[:2])) for label in labels)}
        names |= {normalise(alias) for alias in name.also_called}
        if any(re.search(rf"\b{re.escape(word)}\b", plain) for word in names):
            named.add(code)
    return named


def label_named(guides: Guides, intent: str, text: str, stem: int = LABEL_STEM) -> bool:
    """Whether the text uses a word of the intent's subject label, either language: a long word by its
    first `stem` letters (also inside a German compound: "Liegenschaftspostfächer" names "Postfächer"),
    an abbreviation ("ASU", "AV") whole. Of the German label only its nouns: "telefonische" says
    how, "Arbeitsuchendmeldung" what."""
    subject = (guides.intent_conditions(intent) or {}).get("subject")
    label = guides.vocabulary.conditions["subject"].values.get(subject or "")
    if label is None:
        return False
    label_words = [w for w in re.findall(r"\w+", label.de) if w[0].isupper()] + re.findall(r"\w+", label.en)
    stems = {normalise(w)[:stem] for w in label_words if len(normalise(w)) >= stem}
    acronyms = {normalise(w) for w in label_words if len(w) >= 2 and w.isupper()}
    words = re.findall(r"\w+", normalise(text))
    return any(
        word[:stem] in stems or word in acronyms or any(s in word[1:] for s in stems) for word in words
    )


def section_named(guides: Guides, text: str, day: dt.date) -> str | None:
    """The section of the instruction valid on `day` that the question names: by number ("was steht in
    Abschnitt 4?", the vocabulary's `section_cues`) or, in a question about sections, by its title
    ("in welchem Abschnitt stehen die Einzelaufträge?")."""
    plain = normalise(text)
    sections = guides.current_instruction(day).sections
    numbered = {
        number
        for cue in guides.section_cues
        for match in cue.finditer(plain)
        for number in (match.groupdict().get("section"), match.groupdict().get("other"))
        if number in sections
    }
    if numbered:  # "in 2.1 oder 2.2?" names two: which of them, the question asks
        return numbered.pop() if len(numbered) == 1 else None
    if not (matches(guides.source_cues, text) or any(cue.search(plain) for cue in guides.section_cues)):
        return None
    named = [
        key
        for key, title in sections.items()
        if any(_title_in(words, plain) for words in (title.de, title.en, *title.also))
    ]
    return named[0] if len(named) == 1 else None


def _title_in(title: str, plain: str) -> bool:
    """Whether a section title of at least `TITLE_MIN` letters stands in the text as words of its own."""
    words = normalise(title)
    return len(words) >= TITLE_MIN and re.search(rf"\b{re.escape(words)}\b", plain) is not None
