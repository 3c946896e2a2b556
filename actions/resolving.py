"""One message, one decision: the reply a Question gets, from the guides alone.

Pasted markup is never read; "neue Frage" starts over; any other message is first read against
the conversation (actions/context.py) and only then as what the action Rasa picked takes it for.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping

from actions.answer_guide import answer_guide_question
from actions.context import in_context
from actions.follow_up import source, validity, why
from actions.outcome import DROPPED, Canned, Found, Outcome, SectionContents, TopicChoice, case_slots
from actions.small_talk import small_talk, unsure
from bot.answering.did_you_mean import offered_intents
from bot.answering.engine import NotCovered, believed, matches, resolve, section_named, subject_keys
from bot.answering.guides import Guides
from bot.answering.question import Handler, Question
from bot.answering.slots import INTENT_ASK_SOURCE, INTENT_ASK_VALIDITY, INTENT_ASK_WHY

Resolver = Callable[[Question, Guides], Outcome]
RUNNER_UP_MIN = 0.05  # a follow-up reading ranked behind misread small talk, at least this sure
_FOLLOW_UP_HANDLERS: Mapping[str, Handler] = {
    INTENT_ASK_SOURCE: Handler.SOURCE,
    INTENT_ASK_VALIDITY: Handler.VALIDITY,
    INTENT_ASK_WHY: Handler.WHY,
}

_BY_HANDLER: Mapping[Handler, Resolver] = {
    Handler.GUIDE: answer_guide_question,
    Handler.SOURCE: source,
    Handler.VALIDITY: validity,
    Handler.WHY: why,
    Handler.SMALL_TALK: small_talk,
    Handler.OUT_OF_SCOPE: unsure,
}


def resolve_question(question: Question, guides: Guides) -> Outcome:
    """The reply to the message and the slots it sets."""
    if question.only_markup:  # pasted script or HTML: nothing to read, never a guess
        return Outcome(Canned("utter_out_of_scope", kind="out_of_scope"), DROPPED)
    if question.handler is Handler.RESET:  # never an answer to the last question: it drops the context
        if not believed(guides, question.intent, question.text):  # "Rezept für Käsespätzle bitte"
            return unsure(question, guides)
        return Outcome(Canned("utter_restart"), forget=True)
    section = section_named(guides, question.text, question.today) if question.text else None
    if section is not None and question.handler is not Handler.SMALL_TALK:  # "was steht in Abschnitt 4?"
        return Outcome(SectionContents(section, question.today), DROPPED)
    if question.text and matches(guides.private_cues, question.text):  # "mein privates Gmail-Postfach"
        return Outcome(Canned("utter_out_of_scope", kind="out_of_scope"))  # an aside: the thread stays
    if _names_no_matter(question, guides):  # "Wer ist zuständig?" first: for which matter?
        offer = offered_intents(guides, guides.vocabulary.matter_unnamed.offer, question.today)
        return Outcome(TopicChoice(offer, asks_matter=True), DROPPED)
    question = _believed_follow_up(question, guides)
    outcome = (
        _settles_nothing(question, guides)
        or in_context(question, guides)
        or _BY_HANDLER[question.handler](question, guides)
    )
    return _said_as_asked(outcome, question, guides)


def _believed_follow_up(question: Question, guides: Guides) -> Question:
    """Small talk the words do not bear out ("gültig bis?" read as a goodbye): the follow-up question
    ranked behind it whose words they do bear out (its `intent_cues`), asked as that."""
    if question.handler is not Handler.SMALL_TALK or believed(guides, question.intent, question.text):
        return question
    for intent, confidence in question.ranking[1:]:
        handler = _FOLLOW_UP_HANDLERS.get(intent)
        if handler is not None and confidence >= RUNNER_UP_MIN and believed(guides, intent, question.text):
            return dataclasses.replace(question, handler=handler, intent=intent)
    return question


def _names_no_matter(question: Question, guides: Guides) -> bool:
    """A question of its own that asks only who handles it, naming nothing (`matter_unnamed.cues`):
    after an answer or a question Lotse asked, the same words are about that case (actions/context.py)."""
    return (
        question.last is None
        and question.pending is None
        and not question.said
        and bool(question.text)
        and matches(guides.matter_unnamed_cues, question.text)
    )


def _settles_nothing(question: Question, guides: Guides) -> Outcome | None:
    """A condition value no rule is for (`settles_nothing` in the vocabulary: a staff member's personal
    postbox), stated in the words: not covered, whatever subject the NLU read in them — with the rules
    of the subject that decides by that condition and that the NLU ranked highest."""
    conditions = guides.vocabulary.conditions
    for key, value in question.said.items():
        spec = conditions[key].values.get(value) if key in conditions else None
        if spec is None or not spec.settles_nothing:
            continue
        deciding = {
            subject for subject in conditions["subject"].values if key in subject_keys(guides, subject)
        }
        if not deciding:
            continue
        ranked_subjects = [
            (guides.intent_conditions(intent) or {}).get("subject") for intent, _ in question.ranking
        ]
        subject = next((s for s in ranked_subjects if s in deciding), None) or min(deciding)
        case = {"subject": subject, key: value}
        found = resolve(guides, case, question.today)
        # the case stays under discussion ("und für Teampostfächer?" changes the postbox only), and so
        # does the last answer ("was passiert dann mit Mails von extern?" is still about its rule)
        slots = (*DROPPED, *case_slots(guides, case))
        return Outcome(Found(found, question.today, question.today, subject), slots)
    return None


def _said_as_asked(outcome: Outcome, question: Question, guides: Guides) -> Outcome:
    """A past day before today's rule began is answered "galt da noch nicht – ab …" only where the
    question asks whether it applied ("galt da schon …?", `validity_cues`); "who processed them before
    July 2025?" is not covered: the guides do not say who did it before."""
    say = outcome.say
    if not isinstance(say, Found) or not isinstance(say.found, NotCovered) or say.found.began_later is None:
        return outcome
    if question.text and matches(guides.validity_cues, question.text):
        return outcome
    return dataclasses.replace(
        outcome, say=dataclasses.replace(say, found=dataclasses.replace(say.found, began_later=None))
    )
