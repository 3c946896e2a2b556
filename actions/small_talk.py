"""Greetings, thanks, help, and questions from elsewhere: short, polite, never a guess.

A question the NLU was unsure about, or put out of scope while guide subjects ranked close
behind, gets "Meinten Sie …?" with those subjects as buttons instead (bot/answering/did_you_mean.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from actions.details import (
    NAMED_MIN,
    asked_detail,
    asked_details,
    entries_using,
    holds,
    names_entry,
    shared_detail,
    unsettled_asked,
)
from actions.outcome import (
    DROPPED,
    Canned,
    Detail,
    DetailUnsettled,
    Found,
    Outcome,
    Source,
    TopicChoice,
    WholeEntry,
    answer_instead,
    resolve_case,
    settled,
    unassigned,
)
from bot.answering.did_you_mean import Suggestion, leads_nowhere, suggestions, unsure_off_topic
from bot.answering.domain import names_the_guides
from bot.answering.engine import (
    Answer,
    Clarify,
    NotCovered,
    Resolution,
    asks_who_for_unassigned,
    asks_who_for_unassigned_request,
    believed,
    conditions_for,
    is_follow_up,
    label_named,
    matches,
    normalise,
    resolve,
    subject_keys,
)
from bot.answering.guides import Entry, Guides
from bot.answering.markdown import MARKUP
from bot.answering.question import Question
from bot.answering.slots import INTENT_GOODBYE, INTENT_GREET, INTENT_HELP, INTENT_THANK

COURTESY_AND_QUESTION_WORDS = 5  # "danke. was gibt's in der Kantine?"; "danke, alles klar?" is thanks
NAMED_STEM = 8  # "Liegenschaftspostfächer" names "Postfächer"; "address" does not name "addresses"
CORROBORATING_KEYS = 2  # stated conditions that single out one unsure reading (way and matter)
WEAK_OFFER = 0.3  # a reading this unsure, whose subject the words do not name, yields to the last answer
BARE_SUBJECT_WORDS = 2  # "ASU", "phone registration": a subject typed as a keyword, nothing else
MAX_KEYWORD_SUBJECTS = 3  # a keyword used by more subjects ("Postfach", "EZ") narrows nothing down
KEYWORD_CONFIDENCE = 0.5  # the subjects a keyword names are offered as equally likely
THREAD_FOLLOW_UP_WORDS = 8  # "wie viele sind das?", "with which tool?": short, about the last answer
# one that points back or asks for a detail the last answer holds may be a little longer
THREAD_DETAIL_WORDS = 12  # "what does a customer get if he writes anyway?"

SMALL_TALK_RESPONSES = {
    INTENT_GREET: "utter_greet",
    INTENT_GOODBYE: "utter_goodbye",
    INTENT_THANK: "utter_thank",
    INTENT_HELP: "utter_help",
}


def small_talk(question: Question, guides: Guides) -> Outcome:
    """Greetings, thanks, goodbyes and 'what can you do?': the bot's own sentence — unless a question
    follows the courtesy ("danke. was gibt's heute in der Kantine?"): then that question is what counts."""
    courtesy = question.intent in (INTENT_GREET, INTENT_THANK, INTENT_GOODBYE)
    if courtesy and "?" in question.text and len(question.text.split()) >= COURTESY_AND_QUESTION_WORDS:
        return unsure(question, guides)
    if not believed(guides, question.intent, question.text):  # "what was its title?" read as help
        return unsure(question, guides)
    return Outcome(Canned(SMALL_TALK_RESPONSES.get(question.intent, "utter_help")))


def unsure(question: Question, guides: Guides) -> Outcome:
    """A message the NLU could not place: "Meinten Sie …?" with the likely guide subjects, or with
    the last answer's entries for a short question about it, else the out-of-scope answer.

    Rasa runs action_answer_out_of_scope for `out_of_scope` and `nlu_fallback`; the other actions
    come here for an intent the message's words do not bear out.
    """
    text, today = question.text, question.today
    stated = dict(question.said)
    markup = MARKUP.search(text) is not None  # staff do not type HTML: never offered a guide topic
    named = None if markup else _subject_stated(question, guides, stated)
    if named is not None:  # "which instruction introduced the personalisation requirement?"
        return named
    own = None if markup else _instruction_named(question, guides)
    if own is not None:  # "Is there an expiry date for 202505010?": the NLU sees no digits
        return own
    bare = None if markup else keyword(question, guides, stated)
    if bare is not None:  # "ASU", "phone registration": a keyword, as staff type into a search box
        return bare
    # offered none of the guides' topics, however the NLU ranks them: "What is 17 times 23?"
    foreign = nothing_of_the_guides(question, guides)
    likely = [] if markup or foreign else suggestions(guides, question.nlu_ranking, stated, today)
    entry = _entry_of(likely[0].resolution) if likely else None
    unsettled = None if markup else unsettled_asked(guides, text, [entry] if entry else [])
    if unsettled is not None and entry is not None:  # "wie viele E-Mails kamen …?": never in the guides
        return Outcome(DetailUnsettled(entry, unsettled), DROPPED)
    if unsettled is not None and not likely and unsure_off_topic(question.nlu_ranking):
        # "Telefonnummer vom RIM?", "wie viele Mitarbeiter bekommt die EZ?": never in the guides, so not
        # covered — never "kein Thema der Gesprächsleitfäden"; but "my printer isn't working, who do I
        # call?", which the NLU is sure is off-topic, is off-topic
        return Outcome(Canned("utter_not_covered", kind="not_covered"), DROPPED)
    # not where the NLU is sure it is off-topic ("Muss der Jobcenter-Kunde seine Nebenkosten…?")
    wide = (
        None if markup or not unsure_off_topic(question.nlu_ranking) else subject_wide_asked(question, guides)
    )
    if wide is not None:  # "Kunde vom Jobcenter ruft an – SC?": the scope, whatever else the NLU saw
        return wide
    offered = [suggestion for suggestion in likely if not leads_nowhere(suggestion)]
    if not markup and (
        asks_who_for_unassigned_request(guides, text)  # "Online-Antrag auf Arbeitslosengeld – wer?"
        or (
            asks_who_for_unassigned(guides, text)
            and not any(label_named(guides, s.intent, text) for s in offered)
        )
    ):  # "wer bearbeitet Widersprüche gegen Alg-Bescheide?": no subject of the guides is named in it
        return unassigned(guides, today)
    first = offered[0].topic if offered else None
    agreed = len(offered) > 1 and first is not None and {s.topic for s in offered} == {first}
    # the readings agree on the entry ("Termin per Kontaktformular" as a request or as a cancellation):
    # a choice would change nothing, so that is the answer; so is the one reading the words' own
    # conditions bear out. Any other unsure reading alone is still offered, never answered
    chosen = offered[0] if agreed else _corroborated(offered, likely, stated, guides, text)
    if chosen is not None:
        query = conditions_for(guides, chosen.intent, chosen.entities) or {}
        found, outcome = resolve_case(guides, query, 0, None, today)
        # a detail asked of it ("how fast must the EZ answer …?"): that detail, or that it is unsettled
        detail = asked_detail(guides, text, found.entry, today) if isinstance(found, Answer) else None
        return answer_instead(outcome, detail)
    written = _one_section(guides, offered) if matches(guides.source_cues, text) else None
    if written is not None:  # "wo steht, wer das eAkte-Regelwerk umsetzt?": every reading, one section
        return Outcome(Source(written), settled(written.id))
    shared = _shared_by_readings(guides, text, offered)
    if shared is not None:  # "welches Formular fürs eAkte-Regelwerk?": every reading, the same form
        return Outcome(shared, settled(shared.topic))
    thread = None if markup or not _only_weak(guides, text, offered) else _in_thread(question, guides)
    if thread is not None:  # "fully, or only part of it?" right after an answer, read weakly as the
        # scope: about that answer, whose words name no other subject
        day = question.as_of or today
        return answer_instead(
            Outcome(WholeEntry(thread, day, today), DROPPED), asked_detail(guides, text, thread, day)
        )
    if offered:
        return Outcome(TopicChoice(tuple(offered)), DROPPED)
    if likely:  # about the guides, but what it asks they do not settle: say so, with what they do
        best = likely[0]
        return Outcome(Found(best.resolution, today, today, best.subject), DROPPED)
    in_thread = None if markup else _in_thread(question, guides)
    if in_thread is not None:  # a short question right after an answer: about it ("wie viele sind das?"),
        # or about a detail of it the guides may not give ("und wie viele neue Kollegen kriegen wir?")
        day = question.as_of or today
        return answer_instead(
            Outcome(WholeEntry(in_thread, day, today), DROPPED), asked_detail(guides, text, in_thread, day)
        )
    # not placed, and not off-topic for sure: no verdict on the topic
    if not markup and question.ranking and unsure_off_topic(question.nlu_ranking):
        return Outcome(Canned("utter_not_understood", kind="out_of_scope", understood=False), DROPPED)
    return Outcome(Canned("utter_out_of_scope", kind="out_of_scope"), DROPPED)


def nothing_of_the_guides(question: Question, guides: Guides) -> bool:
    """A question of its own (nothing answered before it) whose words state no condition, ask no
    detail the guides know and name nothing of the guides (bot/answering/domain.py)."""
    text = question.text
    return (
        question.last is None
        and not question.said
        and not names_the_guides(guides, text)
        and not asked_details(guides.attribute_question_cues, text)
    )


def _corroborated(
    offered: list[Suggestion], likely: Sequence[Suggestion], stated: dict[str, str], guides: Guides, text: str
) -> Suggestion | None:
    """The one likely reading the words bear out: whose rules depend on every condition they state,
    where they state at least `CORROBORATING_KEYS` ("meeting with the job placement team, sent through
    the online form": way and matter, which only the appointment subjects decide on; "online-ASU von
    nem Reaktivierungskunden": way and customer, which only the registration decides on, even where
    its answer is that the guides do not cover it) or one that no other likely reading decides by ("is
    activating it optional for the EZ?": the postboxes, which the block decides by and the IM-Webshop
    function does not), else the one offered reading whose subject they name."""
    keys = {key for key in stated if key != "subject"}
    fitting = _one_per_topic([s for s in likely if keys and keys <= subject_keys(guides, s.subject)])
    if (
        len(keys) >= CORROBORATING_KEYS
        and len(fitting) == 1
        and isinstance(fitting[0].resolution, NotCovered)
    ):
        # "Terminverschiebung, die der Kunde persönlich am Empfang abgibt": way and matter are the
        # appointments', and for that way the guides have no rule: that is the answer
        return fitting[0]
    if len(keys) < CORROBORATING_KEYS and len(fitting) != 1:
        fitting = []  # one condition bears out a reading only where no other offered one decides by it
    if not fitting:  # "ab wann sind die Liegenschaftspostfächer zu?": the one reading whose subject it names
        fitting = _one_per_topic([s for s in offered if label_named(guides, s.intent, text, NAMED_STEM)])
    if len(fitting) != 1 or fitting[0].topic is None:  # "how many VCC postboxes exist?": the one reading
        # whose entry alone says a word of it, where every postbox entry names "postboxes"
        alone = _named_alone(guides, offered, text)
        fitting = [s for s in offered if s.topic == alone][:1] if alone else fitting
    return fitting[0] if len(fitting) == 1 and fitting[0].topic is not None else None


def _named_alone(guides: Guides, offered: Sequence[Suggestion], text: str) -> str | None:
    """The one offered entry that alone among them says an abbreviation of the text (`names_entry`:
    "VCC" of the contact forms' postboxes, where all of them say "postboxes"), if exactly one does."""
    entries = {
        s.topic: guides.by_id[s.topic] for s in offered if s.topic is not None and s.topic in guides.by_id
    }
    if len(offered) < 2:  # one unsure reading alone is offered, never answered
        return None
    alone: set[str] = set()
    # an abbreviation typed in capitals ("VCC", "RIM") names a thing exactly; a plain word may be loose
    for word in (w for w in re.findall(r"[\w-]+", text) if len(w) >= 2 and w.isupper()):
        naming = {topic for topic, entry in entries.items() if names_entry(guides, entry, word)}
        if len(naming) == 1:
            alone |= naming
    return alone.pop() if len(alone) == 1 else None


def _one_per_topic(readings: list[Suggestion]) -> list[Suggestion]:
    """The readings, one for each entry they lead to: a request and a cancellation by contact form are
    one answer ("Bearbeitet dann das SC die Terminanfragen aus dem Kontaktformular?")."""
    seen: dict[str | None, Suggestion] = {}
    for reading in readings:
        seen.setdefault(reading.topic, reading)
    return list(seen.values())


def keyword(question: Question, guides: Guides, stated: Mapping[str, str]) -> Outcome | None:
    """A message of at most `BARE_SUBJECT_WORDS` words, typed while nothing is under discussion, as into
    a search box ("ASU", "Sperre", "eAkte", "RIM"): the subject whose label names it, else the subjects
    of the entries whose words use it (and few others do). One subject: its answer, or the question
    Lotse asks back for it; two or three: "Meinten Sie" with them — never "nicht verstanden"."""
    text = question.text
    if question.last is not None or not text or len(text.split()) > BARE_SUBJECT_WORDS:
        return None
    by_label = {
        str(conditions["subject"]): intent
        for intent, conditions in guides.vocabulary.intents.items()
        if "subject" in conditions and label_named(guides, intent, text, NAMED_STEM)
    }
    # a label's own word first, then the entries' words ("Personalrat" is not "personal" data), then a
    # label's stem or abbreviation ("ASU"): the first that narrows it down to a few subjects
    readings = (_label_word_subjects(guides, text), _entry_subjects(guides, text), list(by_label))
    subjects = next((found for found in readings if 0 < len(found) <= MAX_KEYWORD_SUBJECTS), [])
    intents = [intent for subject in subjects if (intent := _intent_of(guides, subject)) is not None]
    if len(intents) == 1:
        query = conditions_for(guides, intents[0], stated)
        return None if query is None else resolve_case(guides, query, 0, None, question.today)[1]
    if not 1 < len(intents) <= MAX_KEYWORD_SUBJECTS:
        return None
    even = [{"name": intent, "confidence": KEYWORD_CONFIDENCE} for intent in intents]
    offered = [s for s in suggestions(guides, even, stated, question.today) if not leads_nowhere(s)]
    return Outcome(TopicChoice(tuple(offered)), DROPPED) if len(offered) > 1 else None


def _keywords(text: str) -> list[str]:
    """The words of a keyword search worth looking up: abbreviations as typed ("RIM", "VÄM"), other
    words from `NAMED_MIN` letters ("Sperre", "KUSOS"); "ok", "ja", "und" are none."""
    typed = re.findall(r"\w+", text)
    return [normalise(w) for w in typed if len(w) >= NAMED_MIN or (len(w) >= 2 and w.isupper())]


def _label_word_subjects(guides: Guides, text: str) -> list[str]:
    """The subjects whose label, in either language, has the keyword as a word of its own ("Sperre"
    in "Sperre externer E-Mails in Postfächern", "eAkte" in both eAkte subjects)."""
    words = {word for word in _keywords(text) if len(word) >= NAMED_MIN}  # "IM" is no word of a label
    labels = guides.vocabulary.conditions["subject"].values
    return [
        subject
        for subject, label in labels.items()
        if words & set(re.findall(r"\w+", normalise(f"{label.de} {label.en}")))
    ]


def _entry_subjects(guides: Guides, text: str) -> list[str]:
    """The subjects of the entries whose words use the keyword, where few entries do ("RIM", "KUSOS")."""
    found: list[str] = []
    for word in _keywords(text):
        for entry in entries_using(guides, word):
            # an entry's subjects are a set: in a fixed order, so "Meinten Sie" offers them alike every run
            found += [subject for subject in sorted(entry.when.get("subject", ())) if subject not in found]
    return found


def _intent_of(guides: Guides, subject: str) -> str | None:
    """The intent that asks about `subject` and states nothing else."""
    return next(
        (
            intent
            for intent, conditions in guides.vocabulary.intents.items()
            if dict(conditions) == {"subject": subject}
        ),
        next((i for i, c in guides.vocabulary.intents.items() if c.get("subject") == subject), None),
    )


def _subject_stated(question: Question, guides: Guides, stated: dict[str, str]) -> Outcome | None:
    """The answer for a subject the words themselves state (a subject's `cues` in the vocabulary:
    an earlier instruction's number, date or title), whatever the NLU was unsure of."""
    subject = stated.get("subject")
    intent = next((i for i, c in guides.vocabulary.intents.items() if c.get("subject") == subject), None)
    query = conditions_for(guides, intent, stated) if subject and intent else None
    if query is None:
        return None
    found, outcome = resolve_case(guides, query, 0, None, question.today)
    if not isinstance(found, Answer):
        return None
    return answer_instead(outcome, asked_detail(guides, question.text, found.entry, question.today))


def subject_wide_asked(question: Question, guides: Guides) -> Outcome | None:
    """A detail one subject answers for every case (`subject` in `follow_up_attributes`: the scope),
    asked in a question of its own: that subject's answer today."""
    attributes = guides.vocabulary.follow_up_attributes
    for name in asked_details(guides.attribute_question_cues, question.text):
        subject = attributes[name].subject
        if subject is None:
            continue
        found = resolve(guides, {"subject": subject}, question.today)
        if isinstance(found, Answer):
            return Outcome(WholeEntry(found.entry, question.today, question.today), settled(found.entry.id))
    return None


def _instruction_named(question: Question, guides: Guides) -> Outcome | None:
    """A question that names an instruction of the guides by its number and nothing the NLU could place:
    about that instruction (the vocabulary's `without_context.source` entry), with the detail it asks."""
    overview = guides.vocabulary.without_context.source
    if overview is None or not any(number in question.text for number in guides.instructions):
        return None
    entry, today = guides.by_id[overview], question.today
    detail = asked_detail(guides, question.text, entry, today)
    return Outcome(detail or WholeEntry(entry, today, today), settled(entry.id))


def _in_thread(question: Question, guides: Guides) -> Entry | None:
    """The last answer's entry, for a short question right after it that the NLU could not place and
    did not find off-topic, and that points back to it or names a thing it says ("what's the pilot
    called?").

    Answered with that entry again, its detail and source: what staff ask right after an answer
    ("wie viele sind das?", "wer leitet die weiter?", "with which tool?") is in it far more often
    than not, and it states nothing the last answer did not."""
    text, last = question.text, question.last
    if last is None or not text or not unsure_off_topic(question.nlu_ranking):
        return None
    if question.last_reply_topic != last.id:
        return None  # not right after that answer ("Danke", "Hallo" or another question between)
    words = len(text.split())
    if words > THREAD_DETAIL_WORDS and not is_follow_up(guides, text):
        return None
    if _holds_asked(guides, last, text) or matches(guides.back_reference_cues, text):
        return last  # "muss ich da noch irgendwas an die EZ weitergeben?": it points back
    if words > THREAD_FOLLOW_UP_WORDS and not is_follow_up(guides, text):
        return None
    if not names_entry(guides, last, text):
        return None  # nothing points back to it: "Wo ist die Kantine?", "ok", "Wann ist Mittagspause?"
    return last


def _holds_asked(guides: Guides, last: Entry, text: str) -> bool:
    """Whether the text asks for a detail the last answer (or a related entry) holds: "what does a
    customer get if he writes anyway?" after the EZ postboxes' block is what senders get."""
    attributes = guides.vocabulary.follow_up_attributes
    return any(
        not attributes[name].unsettled and holds(guides, last, attributes[name])
        for name in asked_details(guides.attribute_cues, text)
    )


def _only_weak(guides: Guides, text: str, offered: list[Suggestion]) -> bool:
    """Whether every offered reading is weak and names no subject in the words: a short question right
    after an answer is then about that answer rather than one of them."""
    return all(
        s.confidence < WEAK_OFFER and not label_named(guides, s.intent, text, NAMED_STEM) for s in offered
    )


def _shared_by_readings(guides: Guides, text: str, offered: list[Suggestion]) -> Detail | None:
    """The detail asked, where every offered reading's entry holds the same one (itself or by a related
    entry): a choice between them would change nothing."""
    entries = _offered_entries(offered)
    return shared_detail(guides, text, entries) if len(entries) > 1 else None


def _one_section(guides: Guides, offered: list[Suggestion]) -> Entry | None:
    """The first entry the offered subjects lead to, where all of them are written in one section."""
    entries = _offered_entries(offered)
    if not entries:
        return None
    first = entries[0]
    same = all((e.instruction, e.section) == (first.instruction, first.section) for e in entries)
    return first if same else None


def _offered_entries(offered: list[Suggestion]) -> list[Entry]:
    """The entry each offered reading leads to; none at all where one of them leads to none."""
    entries = [entry for s in offered if (entry := _entry_of(s.resolution)) is not None]
    return entries if len(entries) == len(offered) else []


def _entry_of(found: Resolution) -> Entry | None:
    """The entry a resolution is about: its answer, else the first it would ask between or names."""
    if isinstance(found, Answer):
        return found.entry
    if isinstance(found, Clarify):
        return found.candidates[0] if found.candidates else None
    return found.related[0] if found.related else None
