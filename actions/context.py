"""A message read against the conversation so far, before its intent is: the thread staff keep.

Short messages mean what they mean in the case under discussion, whatever the NLU makes of
them on their own:

- while Lotse waits for the answer to its clarifying question, a message that states the asked
  condition answers it ("ja, der war 2022 schon mal arbeitslos gemeldet", "kam übers
  Kontaktformular"), even when the NLU reads it as a new question;
- a short follow-up about a detail of the last answer ("bis wann?", "mit welchem Formular?",
  "gilt das auch für die Familienkasse?") is answered from that entry, else from its related
  entries (`related:` in the guides), or for a subject-wide detail from that subject's entry
  (`follow_up_attributes` in guides/vocabulary.yml); a detail no entry holds is said to be
  unsettled ("welche Frist?" where the instruction names none);
- "auf Deutsch bitte" / "in English please" gives the last reply again in that language, and
  "und heute?" the case as it is settled today (vocabulary's `language_requests`, `now_cues`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from actions.answer_guide import named_entry
from actions.details import (
    asked_detail,
    asked_details,
    detail_say,
    held_by,
    holds,
    names_entry,
    shared_detail,
)
from actions.outcome import (
    DROPPED,
    Canned,
    Found,
    Outcome,
    Source,
    Validity,
    WholeEntry,
    answer_instead,
    case_outcome,
    no_rule_before,
    resolve_case,
    settled,
)
from bot.answering.did_you_mean import unsure_off_topic
from bot.answering.engine import (
    Answer,
    NotCovered,
    asks_about_before,
    asks_about_now,
    believed,
    is_follow_up,
    keys_used,
    label_named,
    matches,
    requested_language,
    resolve,
    subject_keys,
    units_named,
)
from bot.answering.guides import Entry, Guides, related_entries
from bot.answering.question import Handler, Question
from bot.answering.slots import INTENT_ASK_AT_DATE, SLOT_LAST_TOPIC

BARE_DETAIL_WORDS = 4  # "in welchen Postfächern?", "wer macht das?": nothing but the detail asked
# the follow-up questions about one entry: about the case a condition they state singles out
ABOUT_AN_ENTRY = (Handler.SOURCE, Handler.VALIDITY)
POINTED_WORDS = 12  # "bleibt das komplett im SC oder geht ein Teil an die EZ?" still points back
WEAK_READING = 0.4  # an NLU reading below this, of a subject the words do not name, yields to the thread
SHORT_FOLLOW_UP_WORDS = 8  # a longer message is a question of its own, not a detail of the last answer


def in_context(question: Question, guides: Guides) -> Outcome | None:
    """The reply this message gets from the conversation's context, or None to answer it as asked."""
    if not question.text:
        return None  # a clicked button: its intent and entities say everything
    return (
        _in_another_language(question, guides)
        or _answers_pending(question, guides)
        or _for_today(question, guides)
        or _before_the_change(question, guides)
        or _on_another_day(question, guides)
        or _source_again(question, guides)
        or _detail_of_last_answer(question, guides)
        or _detail_after_a_choice(question, guides)
        or _other_units_part(question, guides)
        or _changes_a_condition(question, guides)
        or _last_answer_pointed_at(question, guides)
    )


def _last_answer_pointed_at(question: Question, guides: Guides) -> Outcome | None:
    """A short question right after an answer that chooses among what it listed ("welche davon …?", the
    vocabulary's `among_cues`), or that points back at it ("bleibt das komplett im SC oder
    geht ein Teil an die EZ?", the vocabulary's `back_reference_cues`) and that the NLU reads, without
    being sure, as a subject outside the thread whose words it does not use: about that answer."""
    last, text = question.last, question.text
    if last is None or question.last_reply_topic != last.id or len(text.split()) > POINTED_WORDS:
        return None
    if matches(guides.among_cues, text):  # "welche davon …?": one of those the answer listed
        return Outcome(WholeEntry(last, question.as_of or question.today, question.today))
    confidence = dict(question.ranking).get(question.intent, 0.0)
    # "muss ich das dann an die EZ übergeben?", "und die EZ macht da gar nichts mehr?" after a routing
    # answer: who handles it is what that answer says
    # (not where the words state another condition: "and if he comes to the Eingangszone personally?"
    # is another way in, a case of its own)
    unit_asked = (
        last.kind in ("routing", "not_covered")  # "so the EZ does it, right?" after "not settled"
        and bool(units_named(guides, text))
        # "muss die EZ da noch …?" states the EZ postbox too: only keys the last answer's case uses count
        and not (set(question.said) - {"subject"}) & _case_keys(guides, last)
    )
    if unit_asked and _points_back_only(question, guides):
        # "does the EZ get any part of it?" points back at the last answer (routing or not settled),
        # however sure the NLU is of a subject whose words it does not use
        return Outcome(WholeEntry(last, question.as_of or question.today, question.today))
    if (
        confidence >= WEAK_READING
        or not _new_subject(question, guides, last)
        or label_named(guides, question.intent, text)
        or (is_follow_up(guides, text) and not unit_asked)  # "and the SC?" after a fact changes the case
        or not (unit_asked or matches(guides.back_reference_cues, text))
    ):
        return None
    return Outcome(WholeEntry(last, question.as_of or question.today, question.today))


def _points_back_only(question: Question, guides: Guides) -> bool:
    """A question that points back ("any part of it?") and asks nothing of its own: no subject its words
    state or name, no detail, and not one unit's own tasks ("do the SC agents get new call guides?")."""
    text = question.text
    subjects = guides.vocabulary.conditions["subject"].values
    read = (guides.intent_conditions(question.intent) or {}).get("subject")
    return (
        question.handler in (Handler.GUIDE, Handler.OUT_OF_SCOPE)  # "so the EZ does it, right?"
        and "subject" not in question.said
        and not label_named(guides, question.intent, text)
        and not asked_details(guides.attribute_cues, text)
        # one unit's own tasks read with confidence ("do the SC agents get new call guides for this?")
        and (
            read is None
            or read not in subjects
            or subjects[read].unit is None
            or dict(question.ranking).get(question.intent, 0.0) < WEAK_READING
        )
        and matches(guides.back_reference_cues, text)
    )


def _case_keys(guides: Guides, entry: Entry) -> set[str]:
    """The condition keys the entry's subjects decide by."""
    return {key for subject in entry.when.get("subject", ()) for key in subject_keys(guides, subject)}


def _other_units_part(question: Question, guides: Guides) -> Outcome | None:
    """ "und im SC?" right after the agencies' duties (a subject declared as one unit's part, `unit:` in
    the vocabulary): the subject of the unit named instead, in a follow-up that names nothing else."""
    last, text = question.last, question.text
    if last is None or not is_follow_up(guides, text) or len(text.split()) > BARE_DETAIL_WORDS:
        return None
    subjects = guides.vocabulary.conditions["subject"].values
    own = {subjects[s].unit for s in last.when.get("subject", ()) if s in subjects}
    named = units_named(guides, text)
    if len(named) != 1 or named <= own or None in own or not own:
        return None
    other = next((name for name, spec in subjects.items() if spec.unit in named), None)
    if other is None:
        return None
    return case_outcome(guides, {"subject": other}, 0, question.as_of, question.today)


def _changes_a_condition(question: Question, guides: Guides) -> Outcome | None:
    """ "und per Post?", "und wenn er früher schon mal Asu war?": the case, one condition changed.

    Only where the NLU found no guide subject of its own (a guide intent keeps its own subject
    and takes the rest from the case: actions/answer_guide.py), or one that names only a way in
    (`way_only_intents`: "und wenn er es übers Kontaktformular schickt?" after an online VÄM), or
    one whose subject the words do not name in an "und …?" ("und wenn er die Adresse per Brief
    schickt?" read as press work).
    """
    intent, text = question.intent, question.text
    way_only = intent in guides.vocabulary.way_only_intents  # "und übers Kontaktformular?": the way
    if intent == INTENT_ASK_AT_DATE:
        return None  # another day: the guide action's
    own_subject = intent in guides.vocabulary.intents and not way_only
    follow_up = is_follow_up(guides, text)
    if own_subject and (
        not follow_up
        or label_named(guides, intent, text)
        or _uses_stated(question, guides, intent)  # "und wenn er es online als VÄM schickt?"
    ):
        return None  # a guide subject of its own
    if way_only and not follow_up and ("?" in text or matches(guides.who_cues, text)):
        return None  # "Kontaktformular zur Terminabsage – wer?" asks of its own; "kam übers Formular" tells
    if not follow_up and len(text.split()) > SHORT_FOLLOW_UP_WORDS:
        return None
    if not follow_up and "?" in text and not unsure_off_topic(question.nlu_ranking):
        # "wie hoch ist sein Alg eigentlich?": a question off-topic for sure, whatever matter it names
        # ("sie hat aber angerufen" still says how the case came in)
        return None
    said = dict(question.said)
    said.pop("subject", None)  # a subject of its own ("und per Mail ans Liegenschaftspostfach?")
    for query in _cases(question, guides):
        used = subject_keys(guides, query["subject"])
        stated = {key: value for key, value in said.items() if key in used}
        if not stated:  # not "and before …", which states a customer history the case does not depend on
            continue
        found, outcome = resolve_case(guides, {**query, **stated}, 0, question.as_of, question.today)
        if isinstance(found, Answer) and matches(guides.source_cues, text):
            # "in welchem Abschnitt steht das mit den Reaktivierungskunden?", however the NLU read it
            return Outcome(Source(found.entry), settled(found.entry.id))
        if question.handler not in ABOUT_AN_ENTRY or not believed(guides, intent, text):
            # "and since when does the EZ handle the online ones?": the detail asked of that case
            day = question.as_of or question.today
            return (
                answer_instead(outcome, asked_detail(guides, text, found.entry, day))
                if isinstance(found, Answer)
                else outcome
            )
        # "which section is the KUSOS part in?", "since when does the EZ handle the online ones?": that
        # case's source or date, not its answer again
        if not isinstance(found, Answer):
            return None
        asked = Source(found.entry) if question.handler is Handler.SOURCE else Validity(found.entry)
        return Outcome(asked, settled(found.entry.id))
    return _another_case(question, guides, said, follow_up)


def _another_case(
    question: Question, guides: Guides, said: Mapping[str, str], follow_up: bool
) -> Outcome | None:
    """ "and by post?" right after an answer whose rule depends on no such condition (a key declared
    `another_case`: the way in, after the channel shift): the guides settle that answer for no other
    way, so it is not covered — with that answer as what they do settle — never that answer again as
    if it held. "und im SC?" names a unit (a postbox), which is no other case: the NLU's subject."""
    last = question.last
    conditions = guides.vocabulary.conditions
    another = any(key in conditions and conditions[key].another_case for key in said)
    if last is None or not follow_up or not another or len(question.text.split()) > BARE_DETAIL_WORDS:
        return None
    if question.last_reply_topic != last.id or asked_details(guides.attribute_cues, question.text):
        return None
    if any(set(said) & subject_keys(guides, case["subject"]) for case in _cases(question, guides)):
        return None
    return Outcome(Found(NotCovered(related=(last,)), question.today, question.today, None), DROPPED)


def _uses_stated(question: Question, guides: Guides, intent: str) -> bool:
    """Whether the intent's subject depends on a condition the words state: then they fit it."""
    return bool(keys_used(guides, intent) & set(question.said))


def _cases(question: Question, guides: Guides) -> list[dict[str, str]]:
    """The case under discussion, then the last answer's own ("bis wann?" after a question about the
    IM-Webshop function answered from the EZ postboxes' entry: "and for the team postboxes?"), then
    its related entries' ("und wenn er gar keinen Status hatte?" after the term reactivation customer)."""
    cases = []
    query = dict(question.case)
    if "subject" in query:
        cases.append(query)
    last = question.last
    if last is not None:  # and the cases of the entries it names as related (a term: where it applies)
        for entry in [last, *related_entries(guides.by_id, last)]:
            own = entry.own_case
            if "subject" in own and all(own["subject"] != case["subject"] for case in cases):
                cases.append(own)
    return cases


def _answers_pending(question: Question, guides: Guides) -> Outcome | None:
    pending, query = question.pending, question.case
    if not pending or "subject" not in query or pending not in question.said:
        return None
    value = question.said[pending]
    return case_outcome(guides, {**query, pending: value}, 0, question.as_of, question.today)


def _detail_of_last_answer(question: Question, guides: Guides) -> Outcome | None:
    last, text = question.last, question.text
    if last is None or not _short(guides, text):
        return None
    if (
        _new_subject(question, guides, last)
        and not _held_detail_asked(guides, last, text, question.intent)
        and not (_unsettled_asked_briefly(guides, text) and not label_named(guides, question.intent, text))
    ):
        return None  # a question of its own, unless it asks what the last answer holds
    return _details_asked_in(question, guides, last, text)


def _source_again(question: Question, guides: Guides) -> Outcome | None:
    """ "und die Kontaktformulare?" right after "wo steht die Sperre der Liegenschaftspostfächer?": the
    same question (where it is written) about the subject the follow-up names."""
    earlier, text = question.earlier, question.text
    if earlier is None or not earlier.text or not matches(guides.source_cues, earlier.text):
        return None
    if not is_follow_up(guides, text) or len(text.split()) > BARE_DETAIL_WORDS:
        return None
    named = named_entry(question, guides)
    if named is None or (question.last is not None and named.id == question.last.id):
        return None
    return Outcome(Source(named), settled(named.id))


def _detail_after_a_choice(question: Question, guides: Guides) -> Outcome | None:
    """A short follow-up right after a "Meinten Sie …?" that asks for a detail every offered entry holds
    the same, itself or by a related entry ("deadline?", "which form?" after the choice between the
    eAkte rule set and its request): that detail, and the entry that held it stays under discussion."""
    offered = [guides.by_id[topic] for topic in question.offered if topic in guides.by_id]
    if len(offered) < 2 or not _short(guides, question.text):
        return None
    detail = shared_detail(guides, question.text, offered, follow_up=True)
    if detail is None:
        return None
    return Outcome(detail, settled(detail.topic))


def _unsettled_asked_briefly(guides: Guides, text: str) -> bool:
    """ "was steht da drin?" right after an answer: a detail the guides never give (its wording), in the
    fewest words — about the last answer, whatever subject the NLU reads in it without its words."""
    attributes = guides.vocabulary.follow_up_attributes
    words = len(text.split())
    # "und mit den alten, noch offenen Mails?": an "und …?" may say a little more
    brief = words <= BARE_DETAIL_WORDS or (is_follow_up(guides, text) and words <= SHORT_FOLLOW_UP_WORDS)
    return brief and any(attributes[name].unsettled for name in asked_details(guides.attribute_cues, text))


def _held_detail_asked(guides: Guides, last: Entry, text: str, intent: str) -> bool:
    """A short message that asks for a detail the last answer (or a related entry) holds — "was passiert
    dann mit Mails von extern?" after the team postboxes' block — whatever subject the NLU reads in it.
    The details that fall through to the question as asked ("wer macht Terminabsagen?") only in the
    fewest words ("in welchen Postfächern?")."""
    words = len(text.split())
    if words > SHORT_FOLLOW_UP_WORDS:
        return False
    attributes = guides.vocabulary.follow_up_attributes
    subject = set(last.when.get("subject", ()))
    # "where are the rules for them?" points back and names no subject: about the last answer too
    # ("und wer setzt die Änderung dann um?" names the request's own word, not another subject)
    pointing = matches(guides.back_reference_cues, text) and (
        not label_named(guides, intent, text) or names_entry(guides, last, text)
    )
    return any(
        (words <= BARE_DETAIL_WORDS or not attributes[name].follow_up_falls_through or pointing)
        and (
            holds(guides, last, attributes[name])
            # a detail declared for the last answer's subjects only: "wer sorgt dafür, dass die da auch
            # ankommen?" after the contact forms' routing is their forwarding, whatever the NLU reads
            or bool(attributes[name].subject and subject & set(attributes[name].after_subjects))
        )
        for name in asked_details(guides.attribute_cues, text)
    )


def _in_another_language(question: Question, guides: Guides) -> Outcome | None:
    """ "auf Deutsch bitte", "in English please": the last reply again, in the language asked for."""
    text = question.text
    if not _short(guides, text) or requested_language(guides, text) is None:
        return None
    return (
        _detail_again(question, guides)
        or _case_again(question, guides, question.as_of)
        or Outcome(Canned("utter_help"))
    )


def _for_today(question: Question, guides: Guides) -> Outcome | None:
    """ "und heute?", "and now?" after an answer for another day: the case, as it is settled today."""
    if not asks_about_now(guides, question.text):
        return None
    return _case_again(question, guides, None)


def _before_the_change(question: Question, guides: Guides) -> Outcome | None:
    """ "und vorher?", "wer hat das davor gemacht?": the case the day before the last answer's rule began."""
    last, text = question.last, question.text
    if (
        last is None
        or last.valid_from is None
        or not _short(guides, text)
        or _new_subject(question, guides, last)
    ):
        return None
    if not asks_about_before(guides, text):
        return None
    day = last.valid_from - dt.timedelta(days=1)
    query = dict(question.case)
    if "subject" not in query:
        return _case_again(question, guides, day)
    found, outcome = resolve_case(guides, query, question.clarify_tries, day, question.today)
    return no_rule_before(found, outcome, day, question.today, query["subject"])


def _on_another_day(question: Question, guides: Guides) -> Outcome | None:
    """ "and after July, who?", "und am 20.06.2025?": the case under discussion, on the day the words
    name — where the NLU found no guide subject in them (a guide intent answers its own subject on
    that day, actions/answer_guide.py)."""
    intent, day = question.intent, question.day
    if day is None or "subject" not in question.case or not _short(guides, question.text):
        return None
    if intent in guides.vocabulary.intents or intent == INTENT_ASK_AT_DATE:
        return None
    return case_outcome(guides, dict(question.case), 0, day, question.today)


def _detail_again(question: Question, guides: Guides) -> Outcome | None:
    """The last reply was a detail of the last answer ("in welchem System?"): that detail again."""
    last, earlier = question.last, question.earlier
    if last is None or earlier is None:
        return None
    if not earlier.text or not _short(guides, earlier.text):
        return None
    if earlier.intent in guides.vocabulary.intents:
        return None  # a question of its own ("Wer setzt die Sperre … um?"): its whole answer again
    return _details_asked_in(question, guides, last, earlier.text)


def _details_asked_in(question: Question, guides: Guides, last: Entry, text: str) -> Outcome | None:
    """The reply to the details of `last` that `text` asks for as a follow-up, or None."""
    asked = asked_details(guides.attribute_cues, text)
    if not asked:
        return None
    day = question.as_of or question.today
    # "und bis wann müssen die EZ-Postfächer umgestellt sein?" after the site postboxes: the detail of
    # the case with the condition the words change, never the last entry's
    changed = {
        key: value
        for key, value in question.said.items()
        if key != "subject" and key in last.when and value not in last.when[key]
    }
    if changed:
        found = resolve(guides, {**last.own_case, **changed}, day)
        if not isinstance(found, Answer):
            return None  # the changed case is answered as a case (actions/context: _changes_a_condition)
        last = found.entry
    say = detail_say(guides, last, asked, day, in_question=False, text=text)
    holders = [held_by(guides, last, name, text) for name in asked] if say is None else []
    if say is None and all(holders):
        # "wie genau mach ich das?" after the team postboxes' block, which names the IM-Webshop option:
        # the entry's own answer is the detail ("which file type?" after the request: the rule set's)
        holder = holders[0] or last
        return Outcome(
            WholeEntry(holder, day, question.today),
            ((SLOT_LAST_TOPIC, holder.id),) if holder is not last else (),
        )
    if say is None:
        return None
    # the entry that held the detail (a related one: "bis wann?" → the EZ postboxes' deadline) is what
    # the next follow-up is about ("and for the team postboxes?", "wo steht das?")
    return Outcome(say, ((SLOT_LAST_TOPIC, say.topic),) if say.topic else ())


def _case_again(question: Question, guides: Guides, day: dt.date | None) -> Outcome | None:
    """The case under discussion answered again (on `day`), else the last answer's entry again."""
    query = dict(question.case)
    if "subject" in query:
        return case_outcome(guides, query, question.clarify_tries, day, question.today)
    if question.last is None:
        return None
    return Outcome(WholeEntry(question.last, day or question.today, question.today))


def _short(guides: Guides, text: str) -> bool:
    return len(text.split()) <= SHORT_FOLLOW_UP_WORDS or is_follow_up(guides, text)


def _new_subject(question: Question, guides: Guides, last: Entry) -> bool:
    """The NLU found a guide subject outside the thread: a question of its own, not a follow-up.

    The thread is the case's subject and the subjects of the last answer and of its related entries:
    "who set up the block?" after the site postboxes' closing is about that block (related entry).
    """
    conditions = guides.intent_conditions(question.intent)
    if conditions is None or not believed(guides, question.intent, question.text):
        return False
    thread = {question.case.get("subject")}
    for entry in [last, *related_entries(guides.by_id, last)]:
        thread.update(entry.when.get("subject", ()))
    return conditions.get("subject") not in thread
