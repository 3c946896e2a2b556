"""Details of an answer a question asks for: its deadline, its form, where the form is.

Declared once in guides/vocabulary.yml (`follow_up_attributes`); an entry holds them in its
answer, or names `related` entries that do. Asked in a question of its own ("gibt es eine
Bearbeitungsfrist für Terminanfragen?"), a detail the guides do not name is said to be
unsettled — never the routing answer instead of what was asked.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping, Sequence

from actions.outcome import Detail, DetailSay, DetailUnsettled, Validity, WholeEntry
from bot.answering.engine import matches, normalise, resolve
from bot.answering.guides import Bilingual, Entry, FollowUpAttribute, Guides, related_entries

# a word asked about is looked for by its first letters: "Kontaktformulare" in "Kontaktformularen"
ASKED_STEM = 5
ASKED_MIN = 4
ASKED_LONG = 7  # from this length a word is found by all but its last two letters
ASKED_GROUP = "asked"
NAMED_MIN = 5  # a word the last answer names, for a short question about it ("pilot", "Frist")
ASKED_CONNECTORS = frozenset({"of", "von", "der", "des", "an", "ueber"})
ASKED_CLAUSES = frozenset({"which", "what", "who", "whom", "welche", "welchen", "welcher", "welchem", "wem"})


def holder(
    by_id: Mapping[str, Entry],
    last: Entry,
    attribute: FollowUpAttribute,
    stated: Mapping[str, str] | None = None,
) -> Entry | None:
    """The entry, else the first of its related ones, whose answer holds the asked detail — first a
    related one for a condition the question states and the entry leaves open ("wer muss die Funktion
    bei den EZ-Postfächern aktivieren?": the EZ postboxes' rule names who, not the function's)."""
    if attribute.field == "valid_from":
        return last  # every entry has one
    related = related_entries(by_id, last)
    for_stated = [
        entry
        for entry in related
        if any(
            key not in last.when and value in entry.when.get(key, ()) for key, value in (stated or {}).items()
        )
    ]
    for entry in [*for_stated, last, *related]:
        if attribute.field and getattr(entry.answer, attribute.field, None):
            return entry
    if attribute.one_for_all:  # "what notice did he get back?" after the complaints entry
        holding = (entry for entry in by_id.values() if getattr(entry.answer, attribute.field or "", None))
        return next(holding, None)
    return None


def naming(
    guides: Guides, attribute: FollowUpAttribute, asked: Sequence[str], first: Entry | None
) -> Entry | None:
    """The entry whose field names a word asked about: `first` where it does, else the first entry of the
    guides that does (what "KUSOS" stands for is the instruction's, whatever the last answer was); with
    nothing captured as asked, `first`."""
    if not asked:
        return first
    for entry in [*([first] if first is not None else []), *guides.entries]:
        value = getattr(entry.answer, attribute.field or "", None)
        if isinstance(value, Bilingual) and _names_one(normalise(f"{value.de} {value.en}"), asked):
            return entry
    return None


def entry_words(guides: Guides, entry: Entry) -> str:
    """Everything an entry says, in both languages, with the labels of the details it names ("Frist"
    for an entry with a deadline): what `held_when` looks for a value in. Normalised once per guides
    version, not on every question."""
    return _said(guides)[0][entry.id]


# by guides version (the one in service): every entry's words, and every word any entry uses
_SAID: dict[str, tuple[dict[str, str], frozenset[str]]] = {}


def names_entry(guides: Guides, entry: Entry, text: str) -> bool:
    """Whether the text names a thing `entry` says and few other entries do ("what's the pilot
    called?" after the measures catalogue's answer, which names the pilot): a word of at least
    `NAMED_MIN` letters found by `_names_one`, said by at most half of the entries, or an abbreviation
    typed in capitals that it uses as a word ("BB?", "AV too?" after the contact forms' answer)."""
    said = entry_words(guides, entry)
    asked = [word for word in re.findall(r"\w+", normalise(text)) if len(word) >= NAMED_MIN]
    if any(_names_one(said, [word]) and not _common_to_entries(guides, word) for word in asked):
        return True
    typed = [normalise(word) for word in re.findall(r"\w+", text) if len(word) >= 2 and word.isupper()]
    return any(
        re.search(rf"\b{re.escape(word)}\b", said) and not _common_to_entries(guides, word) for word in typed
    )


def holds(guides: Guides, last: Entry, attribute: FollowUpAttribute) -> bool:
    """Whether the last answer (or a related entry) holds the detail in a field of its own: not its
    validity, which every entry has."""
    return attribute.field not in (None, "valid_from") and holder(guides.by_id, last, attribute) is not None


def entries_using(guides: Guides, word: str) -> list[Entry]:
    """The entries whose words use `word` ("RIM", "KUSOS"; a long one by all but its last two letters,
    also as a part of a compound: "Liegenschaftspostfach" in "Liegenschaftspostfächer"), none
    where more than half of them do: such a word narrows nothing down. Never the other way round:
    "Personalrat" is not "Personal"."""
    # a long one also as the last part of a compound ("Personalrat" in "Hauptpersonalrat"); a short word
    # or an abbreviation only as it is
    used = re.compile(re.escape(word[:-2]) if len(word) >= ASKED_LONG else rf"\b{re.escape(word)}\b")
    using = [entry for entry in guides.entries if used.search(entry_words(guides, entry))]
    return [] if len(using) * 2 > len(guides.entries) else using


def _common_to_entries(guides: Guides, word: str) -> bool:
    by_entry = _said(guides)[0]
    return sum(_names_one(words, [word]) for words in by_entry.values()) * 2 > len(by_entry)


def _words_of_entries(guides: Guides) -> frozenset[str]:
    """Every word the entries say, in both languages."""
    return _said(guides)[1]


def _said(guides: Guides) -> tuple[dict[str, str], frozenset[str]]:
    if guides.version not in _SAID:
        by_entry = {entry.id: _words_of(guides, entry) for entry in guides.entries}
        _SAID.clear()  # only the guides in service are asked about
        _SAID[guides.version] = (by_entry, frozenset(re.findall(r"\w+", " ".join(by_entry.values()))))
    return _SAID[guides.version]


def _words_of(guides: Guides, entry: Entry) -> str:
    said: list[str] = [
        entry.text.de.verdict,
        entry.text.de.detail,
        entry.text.en.verdict,
        entry.text.en.detail,
    ]
    for attribute in guides.vocabulary.follow_up_attributes.values():
        value = getattr(entry.answer, attribute.field, None) if attribute.field else None
        if value and attribute.field != "valid_from":
            said += [attribute.label.de, attribute.label.en]
            said += [value.de, value.en] if isinstance(value, Bilingual) else [str(value)]
    return normalise(" ".join(said))


def held(guides: Guides, entry: Entry, name: str, text: str) -> bool:
    """Whether `entry` (or a related one) holds the unsettled detail `name` after all: its words name a
    value of the kind asked (the vocabulary's `held_when`), with the word the question asks about."""
    return held_by(guides, entry, name, text) is not None


def held_by(guides: Guides, entry: Entry, name: str, text: str) -> Entry | None:
    """The entry (`entry` first, then its related ones) whose words hold the detail `name` (`held`)."""
    patterns = guides.attribute_held_cues.get(name, ())
    if not patterns:
        return None
    asked = asked_about(guides, name, text)
    for candidate in [entry, *related_entries(guides.by_id, entry)]:
        words = entry_words(guides, candidate)
        for pattern in patterns:
            if any(not asked or _names_one(value, asked) for value in _every_match(pattern, words)):
                return candidate
    return None


def _names_one(said: str, asked: Sequence[str]) -> bool:
    """Whether the words `said` name one of the words asked about: a short word as it is ("neue" is not
    "neuen"), a long one by its first letters ("Kontaktformular" for "Kontaktformulare"), a compound by
    its first part ("Haushalt" for "Haushaltsmittel", "outlook" of "VCC-Outlook-Postfächer")."""
    words = set(re.findall(r"\w+", said))
    parts = [word for word in words if len(word) >= ASKED_STEM]
    return any(
        word in words
        or (len(word) >= ASKED_LONG and re.search(rf"\b{re.escape(word[:-2])}", said))
        or any(word.startswith(part) for part in parts)
        for word in asked
    )


def _about_the_guides(guides: Guides, name: str, text: str) -> bool:
    """With no entry to look in, a detail that one may hold is unsettled where it asks about nothing in
    particular ("um wie viel Uhr greift die Sperre?"), about a word the entries use (the head of the
    phrase: "how many additional staff …?"), or names a unit of the guides ("wie viele Mitarbeiter
    bekommt das SC?") — not "how many leave days do I have left?"."""
    asked = asked_about(guides, name, text)
    plain = normalise(text)
    return (
        not asked
        or asked[-1] in _words_of_entries(guides)
        or any(re.search(rf"\b{re.escape(unit.lower())}\b", plain) for unit in guides.vocabulary.units)
    )


def _every_match(pattern: re.Pattern[str], text: str) -> Iterator[str]:
    """Each match from each place it starts, overlapping: "eine Frist von zwei Wochen" holds both
    "eine Frist …" and "zwei Wochen"."""
    match = pattern.search(text)
    while match is not None:
        yield match.group(0)
        match = pattern.search(text, match.start() + 1)


def asked_about(guides: Guides, name: str, text: str) -> list[str]:
    """The words the cues of `name` capture as asked about (their group `asked`), without short ones
    before the last (articles, prepositions): "how many appointment contact forms …?" asks about
    "appointment", "contact", "forms"; none where no cue captures any."""
    plain = normalise(text)
    asked: list[str] = []
    for pattern in (*guides.attribute_question_cues.get(name, ()), *guides.attribute_cues.get(name, ())):
        if ASKED_GROUP not in pattern.groupindex:
            continue
        for match in pattern.finditer(plain):
            words = re.findall(r"\w+", match.group(ASKED_GROUP) or "")
            # "a list of which team postboxes have …" asks about a list, "eine Sammlung an Maßnahmen" not
            # only about a collection: a clause after "of" / "der" is not what is asked about
            cut = next(
                (
                    i
                    for i, word in enumerate(words[:-1])
                    if i and word in ASKED_CONNECTORS and words[i + 1] in ASKED_CLAUSES
                ),
                len(words),
            )
            words = words[:cut]
            # the head of the phrase whatever its length ("wie viele MA …?"), the others without the short
            asked += [word for word in words[:-1] if len(word) >= ASKED_MIN] + words[-1:]
    return asked


def detail_say(
    guides: Guides,
    entry: Entry,
    asked: list[str],
    day: dt.date,
    *,
    in_question: bool,
    text: str,
    stated: Mapping[str, str] | None = None,
) -> DetailSay | None:
    """The reply to the details `asked` (attribute names, in the vocabulary's order) about `entry`.

    The first detail an entry holds is answered ("bis wann?" is the request's deadline where there
    is one, else how long the rule applies); where none holds any, the first asked is said to be
    unsettled. None: the entry's own answer is the reply (it is the detail), or a follow-up goes on
    as the question the NLU found.
    """
    attributes = guides.vocabulary.follow_up_attributes
    subject = entry.when.get("subject", ())
    # a detail asked only about some subjects' answers ("wer leitet die weiter?" after contact forms)
    asked = [
        name
        for name in asked
        if not attributes[name].after_subjects or set(subject) & set(attributes[name].after_subjects)
    ]
    # "wie lange dauert …?" where the entry names a duration: its own answer says it
    asked = [name for name in asked if not held(guides, entry, name, text)]
    if not asked:
        return None
    overruling = next((attributes[name] for name in asked if attributes[name].overrules), None)
    if overruling is not None:  # "was passiert, wenn wir die Frist verpassen?": not the deadline
        return DetailUnsettled(entry, overruling)
    for name in asked:
        attribute = attributes[name]
        if attribute.unsettled:
            continue
        if any(answering in subject for answering in attribute.answered_by):
            return None
        if attribute.subject:  # "… im Jobcenter?": the scope, whatever entry the rest got
            found_entry = getattr(resolve(guides, {"subject": attribute.subject}, day), "entry", None)
            return WholeEntry(found_entry, day, day) if found_entry else None
        if attribute.field == "valid_from":  # "seit wann macht das SC …?": the validity, and the detail
            return Validity(entry, with_detail=in_question)
        found = holder(guides.by_id, entry, attribute, stated)
        if attribute.anywhere:  # "und was heißt KUSOS überhaupt?" after any answer
            found = naming(guides, attribute, asked_about(guides, name, text), found)
        if found is not None:
            return Detail(found, attribute)
    first = attributes[asked[0]]
    if first.question_falls_through if in_question else first.follow_up_falls_through:
        return None
    return DetailUnsettled(entry, first)


def asked_detail(
    guides: Guides, text: str, entry: Entry, day: dt.date, stated: Mapping[str, str] | None = None
) -> DetailSay | None:
    """The reply to a question that asks for one detail of the entry it got, or None.

    A question that also asks who handles the case ("SC oder EZ, und in welchem System?") gets the
    routing answer for a detail it holds (where, by whom): it names the unit, and the detail is in it.
    The conditions it `stated` pick the related entry that holds the detail for them."""
    asked = asked_details(guides.attribute_question_cues, text)
    if entry.kind == "routing" and matches(guides.who_cues, text):
        attributes = guides.vocabulary.follow_up_attributes
        # "wer, und seit wann?": the routing answer names the unit and says since when it applies
        asked = [
            name
            for name in asked
            if not attributes[name].follow_up_falls_through and attributes[name].field != "valid_from"
        ]
    return (
        detail_say(guides, entry, asked, day, in_question=True, text=text, stated=stated) if asked else None
    )


def where_to_find(guides: Guides, text: str, entry: Entry, day: dt.date) -> Detail | None:
    """Where the details are (a `form_location` detail the question asks for) rather than the section:
    "wo steht, wie die Funktion im IM-Webshop genau funktioniert?" is the intranet page the entry names."""
    attributes = guides.vocabulary.follow_up_attributes
    asked = [
        name
        for name in asked_details(guides.attribute_question_cues, text)
        if attributes[name].field == "form_location"
    ]
    found = detail_say(guides, entry, asked, day, in_question=True, text=text) if asked else None
    return found if isinstance(found, Detail) else None


def asked_details(cues: Mapping[str, Sequence[re.Pattern[str]]], text: str) -> list[str]:
    """The details (attribute names, in the vocabulary's order) the text asks for by these cues:
    `attribute_cues` for a follow-up, `attribute_question_cues` for a question of its own.

    One reply may ask this of the same text several times (context, thread, detail, unsettled; one to
    four times in the probes): the answer is kept for the cues in service and the last texts, so the
    ~600 cues run once per text."""
    kept = _ASKED.get(id(cues))
    if kept is None or kept[0] is not cues:  # other guides in service: what was kept is theirs
        kept = _ASKED[id(cues)] = (cues, {})
        while len(_ASKED) > ASKED_CUE_SETS:
            del _ASKED[next(iter(_ASKED))]
    by_text = kept[1]
    if text not in by_text:
        if len(by_text) >= ASKED_TEXTS:
            by_text.clear()
        by_text[text] = tuple(name for name, patterns in cues.items() if matches(patterns, text))
    return list(by_text[text])


# the cue sets in service (follow-up and question cues of the guides loaded) and, per set, the last texts
# asked about: each entry holds its cue set, so its id is never another's while it is kept
ASKED_CUE_SETS = 4
ASKED_TEXTS = 256
_ASKED: dict[int, tuple[Mapping[str, Sequence[re.Pattern[str]]], dict[str, tuple[str, ...]]]] = {}


def shared_detail(
    guides: Guides, text: str, candidates: Sequence[Entry], *, follow_up: bool = False
) -> Detail | None:
    """A detail asked about a case Lotse would ask back on, where every candidate entry has the same.

    "Was passiert, wenn ein Kunde an ein gesperrtes Postfach schreibt?" leaves the kind of postbox
    open, but the sender gets the same notice from each: asking back would change nothing. Asked as a
    `follow_up` ("deadline?" right after a "Meinten Sie" between the rule set and its request), the
    detail is read by the follow-up cues.
    """
    attributes = guides.vocabulary.follow_up_attributes
    asked = asked_details(guides.attribute_cues if follow_up else guides.attribute_question_cues, text)
    held: list[tuple[Entry, str]] = []
    for entry in candidates:
        found = next(
            (
                (holding, name)
                for name in asked
                if attributes[name].field and attributes[name].field != "valid_from"
                for holding in [holder(guides.by_id, entry, attributes[name])]
                if holding is not None
            ),
            None,
        )
        if found is None:
            return None
        held.append(found)
    # the same detail, the same value: "Warum werden die Postfächer gesperrt?" has one reason for all
    values = {(name, repr(getattr(holding.answer, attributes[name].field or ""))) for holding, name in held}
    if not held or len(values) != 1:
        return None
    holding, name = held[0]
    return Detail(holding, attributes[name])


def unsettled_asked(guides: Guides, text: str, candidates: Sequence[Entry] = ()) -> FollowUpAttribute | None:
    """A detail the instruction never gives that the question asks for ("wie viele E-Mails …?"), and
    none of the `candidates` holds after all; one that an entry may hold (`held_when`), with no
    candidates to look in, only about words of the guides ("how many leave days …?" is off-topic)."""
    attributes = guides.vocabulary.follow_up_attributes
    asked = asked_details(guides.attribute_question_cues, text)
    return next(
        (
            attributes[name]
            for name in asked
            if attributes[name].unsettled
            and (
                candidates or name not in guides.attribute_held_cues or _about_the_guides(guides, name, text)
            )
            and not any(held(guides, entry, name, text) for entry in candidates)
        ),
        None,
    )


def held_by_none(guides: Guides, text: str, candidates: Sequence[Entry]) -> FollowUpAttribute | None:
    """A detail of the entries' own (a `field`) that a question of its own asks for and none of the
    `candidates` Lotse would ask back between holds, nor their related entries: unsettled whatever the
    answer to that question ("Wie lange hat ein Kunde nach der Kündigung Zeit, sich arbeitsuchend zu
    melden?" – no registration rule names a deadline). Never a detail a question of its own is only
    answered by the case (`question_falls_through`: "wo landen …?")."""
    attributes = guides.vocabulary.follow_up_attributes
    return next(
        (
            attributes[name]
            for name in asked_details(guides.attribute_question_cues, text)
            if attributes[name].field not in (None, "valid_from")
            and not attributes[name].question_falls_through
            and candidates
            and all(holder(guides.by_id, entry, attributes[name]) is None for entry in candidates)
        ),
        None,
    )
