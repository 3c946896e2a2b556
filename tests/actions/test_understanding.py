"""Classes of questions staff ask that Lotse used to misread (issue #11): each test is a class, with
real domain.yml and guides, and asserts what staff would see — the kind, the entry, the first line."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from actions import (
    ActionAnswerGuide,
    ActionAnswerOutOfScope,
    ActionAnswerReset,
    ActionAnswerSmallTalk,
    ActionAnswerSource,
    ActionAnswerValidity,
    ActionAnswerWhy,
)
from bot.answering.guides import Guides
from bot.answering.payload import format_date
from bot.answering.responses import Responses
from tests.conftest import MakeTracker, RunAction, answered
from tests.rules import unit_of

UNSURE = [("nlu_fallback", 0.3), ("out_of_scope", 0.25), ("ask_email_block", 0.2)]


def test_a_denied_way_overrules_the_way_the_intent_states(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    """The appointment intents state "contact form"; "nicht übers Kontaktformular" says it was not."""
    text = "Terminanfrage kam per E-Mail ans Teampostfach der EZ, nicht übers Kontaktformular – wer?"
    result = run_action(ActionAnswerGuide, make_tracker(text, "ask_appointment_request_av"))
    assert result.answer["kind"] == "not_covered" and result.answer["unit"] is None


@pytest.mark.parametrize(
    ("text", "intent", "section"),
    [
        (
            "in welchem Abschnitt steht das mit den Kontaktformularen zu Terminen?",
            "ask_appointment_cancellation",
            "2.2",
        ),
        ("which section covers blocking the team postboxes?", "ask_email_block", "2.1"),
    ],
)
def test_a_question_of_its_own_for_the_section_gets_the_source(
    run_action: RunAction, make_tracker: MakeTracker, text: str, intent: str, section: str
) -> None:
    result = run_action(ActionAnswerGuide, make_tracker(text, intent))
    assert result.answer["kind"] == "fact"
    assert result.answer["source"]["section"] == section
    assert f" {section} " in result.text


def test_which_postboxes_is_answered_per_postbox_not_asked_back(
    run_action: RunAction, make_tracker: MakeTracker, guides: Guides
) -> None:
    text = "für welche Postfächer ist die Sperrfunktion freigegeben?"
    result = run_action(ActionAnswerGuide, make_tracker(text, "ask_email_block"))
    assert result.answer["kind"] == "fact" and result.answer.get("asks") is None
    for entry in (e for e in guides.entries if "email_block" in e.when.get("subject", ())):
        if entry.valid_on(dt.date(2026, 11, 27)):
            assert entry.text.de.verdict in result.text
    assert result.slots["pending_condition"] is None


def test_since_when_with_nothing_before_is_about_the_instruction_only_in_its_words(
    run_action: RunAction, make_tracker: MakeTracker, responses: Responses
) -> None:
    off = run_action(
        ActionAnswerValidity, make_tracker("wann ist der nächste Betriebsausflug?", "ask_validity")
    )
    assert off.answer["kind"] == "out_of_scope"
    own = run_action(ActionAnswerValidity, make_tracker("ab wann gilt die Weisung?", "ask_validity"))
    assert own.answer["kind"] == "fact" and "26.05.2025" in own.text  # the instruction's own first day


def test_new_question_is_believed_only_with_its_words(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    result = run_action(ActionAnswerReset, make_tracker("Rezept für Käsespätzle bitte", "new_question"))
    assert result.answer["kind"] == "out_of_scope"
    assert not any(event["event"] == "reset_slots" for event in result.events)


def test_und_wenn_changes_the_condition_the_nlu_misread_as_another_subject(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    """After an online change of address, "… per Brief?" read as press work is that change by letter."""
    tracker = make_tracker(
        "und wenn er die Adresse per Brief schickt?",
        "ask_press",
        subject="master_data_change",
        channel="online",
        last_topic="stammdaten_online",
    )
    result = run_action(ActionAnswerGuide, tracker)
    assert result.answer["kind"] == "not_covered"
    assert result.answer["topic"] != "pressearbeit"


def test_a_past_day_before_the_rule_asked_whether_it_applied_is_a_fact_with_its_start(
    run_action: RunAction, make_tracker: MakeTracker, guides: Guides
) -> None:
    text = "Terminabsage per Kontaktformular am 25.06.2025 – galt da schon die neue Zuordnung?"
    result = run_action(ActionAnswerGuide, make_tracker(text, "ask_appointment_cancellation"))
    entry = guides.by_id[result.answer["topic"]]
    assert result.answer["kind"] == "fact"
    assert result.first_line.startswith("Am 25.06.2025 galt das noch nicht")
    assert format_date(entry.valid_from, "de") in result.first_line
    who = run_action(
        ActionAnswerGuide,
        make_tracker("who processed online change notices before July 2025?", "ask_change_notice"),
    )
    assert who.answer["kind"] == "not_covered"  # the guides do not say who did it before


@pytest.mark.parametrize(
    "text",
    [
        # a date that says when the appointment is does not move the question to that day
        "Schülerin will übers Kontaktformular nen Termin bei der Berufsberatung im Januar – wer macht das?",
        # a web form is the contact form, not an online change
        "online form: customer wants an appointment with the careers adviser – who?",
    ],
    ids=["a-date-of-the-appointment", "a-web-form"],
)
def test_words_beside_an_appointment_request_keep_its_case(
    run_action: RunAction, make_tracker: MakeTracker, text: str
) -> None:
    result = run_action(ActionAnswerGuide, make_tracker(text, "ask_appointment_request_bb"))
    assert (result.answer["kind"], result.answer["unit"]) == ("routing", unit_of("kontaktformular_termine"))


def test_an_instruction_named_by_its_number_is_about_that_instruction(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    tracker = make_tracker("Is there an expiry date for 202505010?", "nlu_fallback", intent_ranking=UNSURE)
    result = run_action(ActionAnswerOutOfScope, tracker)
    assert result.answer["kind"] == "fact"
    assert "unlimited" in result.text


def test_who_handles_an_unassigned_matter_is_not_covered_before_any_offer(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    ranking = [("out_of_scope", 0.39), ("ask_customer_reactions", 0.27), ("ask_change_notice", 0.04)]
    tracker = make_tracker(
        "wer bearbeitet Widersprüche gegen Alg-Bescheide?", "out_of_scope", intent_ranking=ranking
    )
    result = run_action(ActionAnswerOutOfScope, tracker)
    assert result.answer["kind"] == "not_covered" and not result.answer.get("options")


@pytest.mark.parametrize(
    "text",
    [
        "gibt es Ausnahmen von der Mailsperre für Kooperationspartner?",
        "werden die abgewiesenen externen Mails irgendwo gespeichert?",
        "können Kunden nach der Sperre noch per Fax Unterlagen schicken?",
        "can we still send e-mails out to customers from the team box?",
        "does the RIM confirm the rule change back to the agency?",
        "wie war das vor dem 1.7. genau zwischen SC und EZ aufgeteilt?",
        "what if a customer has no internet and can't use the online services?",
        "Was kostet eine bearbeitete E-Mail im Schnitt?",
        "Will the site postboxes be deleted entirely at some point?",
        "Wer entscheidet, ob die Sperre für unser Postfach gilt?",
        "Which KPIs will be used to measure the success of blocking the site postboxes?",
        "Wie richte ich die Outlook-Regel ein? Schritt für Schritt bitte",
        "Darf ich Kunden weiterhin per E-Mail antworten?",
    ],
)
def test_details_the_instruction_never_gives_are_not_covered(
    run_action: RunAction, make_tracker: MakeTracker, text: str
) -> None:
    result = run_action(ActionAnswerGuide, make_tracker(text, "ask_email_block"))
    assert result.answer["kind"] == "not_covered"


def test_a_short_question_after_an_answer_is_read_against_it(
    run_action: RunAction, make_tracker: MakeTracker, guides: Guides
) -> None:
    """ "wo?" right after an answer, with the NLU unsure: where that answer's rule is carried out (its
    `where`), with the entry itself below it — not a new subject and not "not understood"."""
    entry = guides.by_id["sperre_team_organisationspostfaecher"]
    before = [answered(entry.id, entry.text.de.verdict)]
    tracker = make_tracker(
        "wo?",
        "ask_why",
        intent_ranking=[("ask_why", 0.34), ("ask_source", 0.22), ("out_of_scope", 0.09)],
        said_before=["Wer sperrt die Teampostfächer im SC?"],
        events_before=before,
        last_topic=entry.id,
    )
    result = run_action(ActionAnswerOutOfScope, tracker)
    assert result.answer["topic"] == entry.id and result.first_line.startswith("Wo: IM-Webshop")
    assert entry.text.de.verdict in result.text


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("can customers still write to my personal work e-mail address?", "ask_channel_shift"),
        ("Can customers still e-mail their personal counsellor directly?", "ask_channel_shift"),
        (
            "Kundin schreibt an das persönliche Postfach ihrer Beraterin wegen eines Termins – wer?",
            "ask_contact_form",
        ),
    ],
)
def test_a_personal_postbox_is_not_covered_whatever_subject_the_nlu_reads(
    run_action: RunAction, make_tracker: MakeTracker, text: str, intent: str
) -> None:
    """No rule is for a staff member's personal postbox (section 2.1 names site, team and organisation
    postboxes): not covered, with the postbox rules below — never the channel shift as if it said so."""
    result = run_action(ActionAnswerGuide, make_tracker(text, intent))
    assert result.answer["kind"] == "not_covered" and result.answer.get("topic") is None
    assert "Postf" in result.text or "postbox" in result.text


def test_after_a_personal_postbox_another_postbox_continues_the_case(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    """ "Gilt die Sperre auch für mein persönliches Postfach?" – "und für Teampostfächer?": the block's
    case stays under discussion, one condition changed."""
    first = run_action(
        ActionAnswerGuide,
        make_tracker("Gilt die Sperre auch für mein persönliches Postfach?", "ask_email_block"),
    )
    assert first.answer["kind"] == "not_covered"
    assert first.slots["subject"] == "email_block" and first.slots["postbox"] == "personal"
    then = make_tracker(
        "und für Teampostfächer?",
        "out_of_scope",
        intent_ranking=[("out_of_scope", 0.4), ("ask_email_block", 0.2)],
        subject="email_block",
        postbox="personal",
    )
    result = run_action(ActionAnswerGuide, then)
    assert result.answer["topic"] == "sperre_team_organisationspostfaecher"


@pytest.mark.parametrize(
    ("entry", "text", "said"),
    [
        ("eakte_antrag", "who do we send it to?", "RIM"),
        ("stammdaten_online", "wie landet das in der EZ?", "EAKTE"),
        ("kontaktformular_termine", "Wo sehe ich diese Anfragen denn?", "VCC"),
        # the bare detail, in the fewest words
        ("eakte_antrag", "at whom?", "RIM"),
        ("eakte_antrag", "form?", "Änderungsformular"),
        ("eakte_antrag", "which register?", "Anträge"),
        ("sperre_ez_postfaecher", "who exactly in EZ?", "manager"),
    ],
)
def test_where_it_goes_or_is_seen_is_the_last_answers_place(
    run_action: RunAction, make_tracker: MakeTracker, guides: Guides, entry: str, text: str, said: str
) -> None:
    """A short follow-up the NLU does not understand at all, about where the case is sent or seen."""
    tracker = make_tracker(
        text,
        "nlu_fallback",
        intent_ranking=[("nlu_fallback", 0.3), ("out_of_scope", 0.25), ("ask_why", 0.2)],
        events_before=_after(entry, guides),
        last_topic=entry,
    )
    result = run_action(ActionAnswerOutOfScope, tracker)
    assert result.answer["kind"] == "fact" and result.answer["topic"] == entry
    assert said in result.text.splitlines()[0]


def test_what_she_would_get_back_is_what_senders_get(
    run_action: RunAction, make_tracker: MakeTracker, guides: Guides
) -> None:
    tracker = make_tracker(
        "what would she get back then",
        "nlu_fallback",
        intent_ranking=[("nlu_fallback", 0.3), ("out_of_scope", 0.28), ("ask_why", 0.2)],
        events_before=_after("freie_emails_ab_juli_2025", guides),
        last_topic="freie_emails_ab_juli_2025",
    )
    result = run_action(ActionAnswerOutOfScope, tracker)
    assert result.answer["kind"] == "fact" and "could not be delivered" in result.first_line


def test_a_condition_an_earlier_message_stated_settles_what_lotse_would_ask(
    run_action: RunAction, make_tracker: MakeTracker, guides: Guides
) -> None:
    """The site postbox named two questions ago, then another subject: "muss die Sperre danach aktiv
    bleiben?" is about that postbox still; after "neue Frage" nothing earlier counts."""
    before = ["betrifft die Sperre auch unsere Adresse fulda@arbeitsagentur.de?", "and the website?"]
    tracker = make_tracker(
        "muss die Sperre danach aktiv bleiben?",
        "ask_email_block",
        said_before=before,
        events_before=_after("internetauftritt_mailadressen", guides),
        last_topic="internetauftritt_mailadressen",
        subject="website_addresses",
    )
    result = run_action(ActionAnswerGuide, tracker)
    assert result.answer["topic"] == "sperre_liegenschaftspostfaecher"
    started_over = make_tracker(
        "muss die Sperre danach aktiv bleiben?",
        "ask_email_block",
        said_before=before,
        events_before=[{"event": "reset_slots"}],
    )
    assert run_action(ActionAnswerGuide, started_over).answer["kind"] == "clarify"


@pytest.mark.parametrize(
    ("last", "subject", "text", "topic"),
    [
        ("aufgaben_agenturen", "duties_agencies", "und im SC?", "aufgaben_service_center"),
        ("aufgaben_service_center", "duties_sc", "and for the EZ?", "aufgaben_agenturen"),
    ],
)
def test_the_other_unit_named_after_a_units_duties_asks_for_that_units(
    run_action: RunAction,
    make_tracker: MakeTracker,
    guides: Guides,
    last: str,
    subject: str,
    text: str,
    topic: str,
) -> None:
    """A subject declared as one unit's part (`unit:`): "und im SC?" asks for the SC's part."""
    tracker = make_tracker(
        text,
        "ask_duties_sc" if subject == "duties_sc" else "ask_duties_agencies",
        intent_ranking=[("ask_duties_sc" if subject == "duties_sc" else "ask_duties_agencies", 0.6)],
        events_before=_after(last, guides),
        last_topic=last,
        subject=subject,
    )
    assert run_action(ActionAnswerGuide, tracker).answer["topic"] == topic


def test_a_long_question_with_a_date_and_no_case_is_read_on_its_own(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    """ "was passiert mit Mails, die am 30.06.2025 noch im LP eingegangen sind?" read as "what applied on
    that day?" with nothing asked before: a question of its own (not settled), never "Worauf beziehen Sie
    sich?"; a bare "Was galt am 15.06.2025?" with nothing before still asks what it refers to."""
    long = make_tracker(
        "was passiert mit mails, die am 30.06.2025 noch im LP eingegangen sind?", "ask_at_date"
    )
    assert run_action(ActionAnswerGuide, long).answer["kind"] == "not_covered"
    bare = run_action(ActionAnswerGuide, make_tracker("Was galt am 15.06.2025?", "ask_at_date"))
    assert bare.answer["kind"] == "out_of_scope"


def test_a_short_question_naming_what_the_answer_said_is_about_it(
    run_action: RunAction, make_tracker: MakeTracker, guides: Guides
) -> None:
    """ "what's the pilot called?" right after the measures catalogue (whose answer names the pilot),
    with the NLU unsure: that answer again; "what's the canteen called?" names nothing in it."""
    entry = guides.by_id["massnahmenkatalog_hfe"]
    ranking = [("out_of_scope", 0.45), ("ask_instruction", 0.1)]

    def after(text: str) -> dict[str, object]:
        tracker = make_tracker(
            text,
            "out_of_scope",
            intent_ranking=ranking,
            events_before=_after(entry.id, guides),
            last_topic=entry.id,
            lang="en",
        )
        return run_action(ActionAnswerOutOfScope, tracker).answer

    assert after("what's the pilot called?")["topic"] == entry.id
    assert after("what's the canteen called?")["kind"] == "out_of_scope"


def test_not_understood_is_told_apart_from_off_topic(
    run_action: RunAction, make_tracker: MakeTracker, responses: Responses
) -> None:
    unsure = run_action(
        ActionAnswerOutOfScope,
        make_tracker("hmm ja also", "nlu_fallback", intent_ranking=[("nlu_fallback", 0.3), ("affirm", 0.2)]),
    )
    assert unsure.answer["kind"] == "out_of_scope" and unsure.answer["understood"] is False
    assert unsure.text == responses.text("utter_not_understood", "de")
    sure = run_action(
        ActionAnswerOutOfScope,
        make_tracker("Wie wird das Wetter?", "out_of_scope", intent_ranking=[("out_of_scope", 0.9)]),
    )
    assert "understood" not in sure.answer and sure.text == responses.text("utter_out_of_scope", "de")


@pytest.mark.parametrize(
    ("text", "section"),
    [
        ("was steht in Abschnitt 4?", "4"),
        ("in welchem Abschnitt stehen die Einzelaufträge?", "3"),
        # by another name the sources declare for it (`also`)
        ("in welchem Abschnitt steht die Aufgabenverteilung?", "2.2"),
    ],
)
def test_a_section_named_by_number_or_title_gets_what_it_settles(
    run_action: RunAction, make_tracker: MakeTracker, guides: Guides, text: str, section: str
) -> None:
    result = run_action(ActionAnswerSource, make_tracker(text, "ask_source"))
    assert result.answer["kind"] == "fact"
    assert result.first_line.startswith(f"Abschnitt {section} ")
    settled = [e for e in guides.entries if e.section == section and e.valid_on(dt.date(2026, 11, 27))]
    assert settled and all(e.text.de.verdict in result.text for e in settled if e.kind != "not_covered")


def test_two_sections_named_are_not_taken_for_either(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    text = "steht die Regel zu den Kontaktformularen in Abschnitt 2.1 oder 2.2?"
    result = run_action(ActionAnswerSource, make_tracker(text, "ask_source"))
    assert not result.first_line.startswith("Abschnitt 2.1 ")


def test_why_with_nothing_before_it_gives_the_named_subjects_reason(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    ranking = [("ask_why", 0.7), ("ask_job_seeker_registration", 0.23), ("ask_duties_sc", 0.01)]
    tracker = make_tracker(
        "warum bleibt die tel. ASU jetzt komplett im SC?", "ask_why", intent_ranking=ranking
    )
    result = run_action(ActionAnswerWhy, tracker)
    assert result.answer["kind"] == "fact" and "Trennung" in result.text


def test_thanks_followed_by_a_question_is_answered_as_the_question(
    run_action: RunAction, make_tracker: MakeTracker, responses: Responses
) -> None:
    tracker = make_tracker(
        "danke. was gibt es heute in der Kantine?", "thank", intent_ranking=[("thank", 0.6)]
    )
    result = run_action(ActionAnswerSmallTalk, tracker)
    assert result.text != responses.text("utter_thank", "de")
    assert result.answer["kind"] == "out_of_scope"


def test_a_detail_asked_about_another_one_overrules_it(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    """ "was passiert, wenn wir die Frist verpassen?" asks for consequences, which the instruction never
    names (`overrules`), not for the deadline it does name."""
    missed = run_action(
        ActionAnswerGuide,
        make_tracker("was passiert, wenn wir die Frist beim RIM verpassen?", "ask_eakte_request"),
    )
    assert missed.answer["kind"] == "not_covered" and "Folgen eines Versäumnisses" in missed.first_line
    asked = run_action(
        ActionAnswerGuide, make_tracker("bis wann muss das beim RIM sein?", "ask_eakte_request")
    )
    assert asked.answer["kind"] == "fact" and "2 Wochen" in asked.first_line


@pytest.mark.parametrize(
    ("text", "ranking", "expected"),
    [
        (  # the way and the customer decide the registration, not the term the NLU ranked first
            "online-ASU von nem Reaktivierungskunden – SC oder EZ?",
            [("ask_reactivation_definition", 0.71), ("ask_job_seeker_registration", 0.24)],
            "not_covered",
        ),
        (  # the way decides a change of address, not the SC's duties
            "customer rings the SC to change his address – does the SC do it?",
            [("ask_duties_sc", 0.69), ("ask_master_data_change", 0.30)],
            "not_covered",
        ),
        (  # a runner-up the NLU hardly holds possible is no reading: the term's definition …
            "Reaktivierungskunde und online – was heißt das?",
            [("ask_reactivation_definition", 0.93), ("ask_job_seeker_registration", 0.05)],
            "fact",
        ),
        (  # … unless the words name it, state two of its conditions and ask who: the registration,
            # which the guides settle by phone only
            "online-ASU von nem Reaktivierungskunden – SC oder EZ?",
            [("ask_reactivation_definition", 0.93), ("ask_job_seeker_registration", 0.05)],
            "not_covered",
        ),
    ],
)
def test_stated_conditions_pick_the_subject_ranked_close_behind(
    run_action: RunAction,
    make_tracker: MakeTracker,
    text: str,
    ranking: list[tuple[str, float]],
    expected: str,
) -> None:
    result = run_action(ActionAnswerGuide, make_tracker(text, ranking[0][0], intent_ranking=ranking))
    assert result.answer["kind"] == expected


def test_a_follow_up_on_a_term_takes_the_case_the_term_names(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    """After the definition of a reactivation customer, "und so einer ruft wegen ASU an?" is one."""
    tracker = make_tracker(
        "und so einer ruft wegen ASU an – wer?",
        "ask_job_seeker_registration",
        subject="reactivation_definition",
        last_topic="begriff_reaktivierungskunde",
    )
    result = run_action(ActionAnswerGuide, tracker)
    assert (result.answer["kind"], result.answer["topic"]) == ("routing", "asu_telefon_reaktivierung")


@pytest.mark.parametrize(
    ("text", "ranking", "topic"),
    [
        (  # way and matter: only the appointment subjects decide on both
            "client wants a meeting with the job placement team, sent through the online form – which unit?",
            [("nlu_fallback", 0.3), ("ask_appointment_request_av", 0.47), ("ask_change_notice", 0.43)],
            "kontaktformular_termine",
        ),
        (  # "Liegenschaftspostfächer" names the postboxes' block, not a date question of its own
            "ab wann sind die liegenschaftspostfaecher zu?",
            [("nlu_fallback", 0.3), ("ask_validity", 0.43), ("ask_email_block", 0.43)],
            "sperre_liegenschaftspostfaecher",
        ),
        (  # one condition (the EZ's postboxes) that only one offered reading decides by
            "is activating it optional for the EZ?",
            [("nlu_fallback", 0.3), ("ask_email_function", 0.45), ("ask_email_block", 0.42)],
            "sperre_ez_postfaecher",
        ),
        (  # the site postboxes: both readings decide by the postbox, so the choice is offered
            "who blocks the Liegenschaftspostfächer?",
            [("nlu_fallback", 0.3), ("ask_email_block", 0.45), ("ask_free_emails_site_postbox", 0.44)],
            None,
        ),
        (  # "address" names no subject: the choice is offered, nothing answered
            "what's the address format of a site mailbox?",
            [("nlu_fallback", 0.3), ("ask_website_addresses", 0.38), ("ask_master_data_change", 0.37)],
            None,
        ),
    ],
)
def test_one_unsure_reading_the_words_bear_out_is_answered(
    run_action: RunAction,
    make_tracker: MakeTracker,
    text: str,
    ranking: list[tuple[str, float]],
    topic: str | None,
) -> None:
    result = run_action(ActionAnswerOutOfScope, make_tracker(text, "nlu_fallback", intent_ranking=ranking))
    if topic is None:
        assert result.answer["kind"] == "clarify" and result.answer["asks"] == "topic"
    else:
        assert result.answer["topic"] == topic and result.answer["kind"] in ("routing", "fact")


def _after(entry_id: str, guides: Guides) -> list[dict[str, object]]:
    """The bot's answer from one entry, as the events before the next message hold it."""
    entry = guides.by_id[entry_id]
    return [answered(entry_id, entry.text.de.verdict)]


def test_a_question_pointing_back_at_the_answer_is_about_it(
    run_action: RunAction, make_tracker: MakeTracker, guides: Guides
) -> None:
    """Read weakly as another subject it does not name, "bleibt das komplett im SC …?" is about the answer;
    "and the SC?" changes the case and is never the last answer again."""
    pointing = make_tracker(
        "bleibt das komplett im SC oder geht ein teil an die EZ?",
        "ask_master_data_change",
        intent_ranking=[("ask_master_data_change", 0.32), ("ask_effective_date", 0.20)],
        events_before=_after("asu_telefon_reaktivierung", guides),
        last_topic="asu_telefon_reaktivierung",
        subject="job_seeker_registration",
        channel="phone",
        customer="reactivation",
    )
    assert run_action(ActionAnswerGuide, pointing).answer["topic"] == "asu_telefon_reaktivierung"
    other = make_tracker(
        "and the SC?",
        "ask_duties_sc",
        intent_ranking=[("ask_duties_sc", 0.35), ("ask_duties_rd", 0.2)],
        events_before=_after("aufgaben_regionaldirektionen", guides),
        last_topic="aufgaben_regionaldirektionen",
        subject="duties_rd",
    )
    assert run_action(ActionAnswerGuide, other).answer["topic"] != "aufgaben_regionaldirektionen"


@pytest.mark.parametrize(
    "text",
    ["muss ich das dann fuer den Rest an die EZ uebergeben?", "und die EZ macht da gar nichts mehr?"],
)
def test_a_unit_named_right_after_a_routing_answer_is_about_that_answer(
    run_action: RunAction, make_tracker: MakeTracker, guides: Guides, text: str
) -> None:
    """Who handles it is what the routing answer said, whatever subject the NLU weakly reads in the unit."""
    tracker = make_tracker(
        text,
        "ask_email_block",
        intent_ranking=[("ask_email_block", 0.30), ("ask_duties_agencies", 0.11)],
        events_before=_after("asu_telefon_reaktivierung", guides),
        last_topic="asu_telefon_reaktivierung",
        subject="job_seeker_registration",
        channel="phone",
        customer="reactivation",
    )
    result = run_action(ActionAnswerGuide, tracker)
    assert result.answer["topic"] == "asu_telefon_reaktivierung" and result.answer["unit"] == "SC"
    assert result.text.startswith("SC")


def test_another_way_in_naming_a_unit_is_a_case_of_its_own(
    run_action: RunAction, make_tracker: MakeTracker, guides: Guides
) -> None:
    """ "and if he comes to the Eingangszone personally?" after the phone registration: in person, which
    the guides do not settle — never the phone's routing again because the words name a unit."""
    tracker = make_tracker(
        "and if he comes to the Eingangszone personally?",
        "ask_email_block",
        intent_ranking=[("ask_email_block", 0.30), ("ask_duties_agencies", 0.11)],
        events_before=_after("asu_telefon_reaktivierung", guides),
        last_topic="asu_telefon_reaktivierung",
        subject="job_seeker_registration",
        channel="phone",
        customer="reactivation",
    )
    result = run_action(ActionAnswerGuide, tracker)
    assert result.answer["kind"] == "not_covered" and result.answer.get("unit") is None


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("Mein Postfach bei der Deutschen Post läuft aus – wie verlängere ich das?", "ask_email_block"),
        ("Kannst du mir einen Termin beim Zahnarzt machen?", "ask_appointment_request_av"),
        ("my private gmail inbox is full, how do I delete old mails fast?", "ask_email_reason"),
        ("whats the offside rule in the football Regelwerk?", "ask_eakte_request"),
        ("Im Museum ist die Eingangszone immer so voll – wann ist es dort ruhiger?", "ask_duties_agencies"),
    ],
)
def test_a_private_matter_in_guide_words_is_out_of_scope(
    run_action: RunAction, make_tracker: MakeTracker, text: str, intent: str
) -> None:
    result = run_action(ActionAnswerGuide, make_tracker(text, intent))
    assert result.answer["kind"] == "out_of_scope"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        (
            "Kundin schreibt von ihrer privaten Gmail-Adresse ans Liegenschaftspostfach – was bekommt sie?",
            "ask_free_emails_site_postbox",
        ),
        (
            "Kunde arbeitet im Museum und schickt eine Terminabsage übers Kontaktformular – wer?",
            "ask_appointment_cancellation",
        ),
    ],
)
def test_a_customers_private_things_are_still_a_case(
    run_action: RunAction, make_tracker: MakeTracker, text: str, intent: str
) -> None:
    """What a customer does from a private address or where he works is the customer's case."""
    result = run_action(ActionAnswerGuide, make_tracker(text, intent))
    assert result.answer["kind"] in ("fact", "routing")


@pytest.mark.parametrize(
    ("text", "intent", "topic"),
    [
        # the budget named beside an effect of the block: still the budget
        (
            "any budget impact from the email shutdown Weisung?",
            "ask_budget_participation",
            "haushalt_beteiligung",
        ),
        (
            "who supports the agencies with implementing this?",
            "ask_duties_agencies",
            "aufgaben_regionaldirektionen",
        ),
        ("was sollen die Agenturen dabei vermeiden?", "ask_duties_agencies", "kanalverschiebung"),
        # the tasks redefined as a whole; where the agencies work on the cases moved to them; whom to
        # inform or involve beforehand
        (
            "The intro says three tasks are being redefined. Which ones?",
            "ask_duties_rd",
            "neue_aufgabenverteilung_ab_juli",
        ),
        ("Where do the agencies process the reassigned cases?", "ask_press", "aufgaben_agenturen"),
        ("Who should be told early about the e-mail change?", "ask_press", "kanalverschiebung"),
        (
            "besides the public, who else should agencies coordinate with before the switch?",
            "ask_press",
            "kanalverschiebung",
        ),
        (
            "when emails get cut, what must the agencies make sure does NOT happen",
            "ask_measures_catalogue",
            "kanalverschiebung",
        ),
        (
            "How should agencies prevent negative customer reactions to the e-mail shutdown?",
            "ask_customer_reactions",
            "kanalverschiebung",
        ),
    ],
)
def test_a_subject_named_in_its_own_words_beats_a_close_reading(
    run_action: RunAction, make_tracker: MakeTracker, text: str, intent: str, topic: str
) -> None:
    tracker = make_tracker(text, intent, intent_ranking=[(intent, 0.6), ("ask_duties_rd", 0.3)])
    assert run_action(ActionAnswerGuide, tracker).answer["topic"] == topic


@pytest.mark.parametrize(
    "text",
    [
        "What are the three task areas reassigned on 1 July 2025?",
        "welche Aufgabenbereiche werden zwischen SC und EZ neu verteilt?",
    ],
)
def test_the_task_areas_moved_are_the_new_division_of_tasks(
    run_action: RunAction, make_tracker: MakeTracker, text: str
) -> None:
    tracker = make_tracker(
        text, "ask_at_date", intent_ranking=[("ask_at_date", 0.91), ("ask_duties_agencies", 0.02)]
    )
    assert run_action(ActionAnswerGuide, tracker).answer["topic"] == "neue_aufgabenverteilung_ab_juli"


def test_a_condition_named_in_a_source_or_date_question_picks_the_case(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    """After "by phone?" was not covered, "which section is the KUSOS part in?" asks for the online case's
    source, and "since when does the EZ handle the online ones?" for its date — never its routing again."""
    case = {"subject": "master_data_change", "channel": "phone", "last_topic": "veraenderung_nicht_online"}
    source = run_action(
        ActionAnswerSource,
        make_tracker(
            "which section is the KUSOS part in?", "ask_source", intent_ranking=[("ask_source", 0.93)], **case
        ),
    )
    assert (source.answer["kind"], source.answer["topic"]) == ("fact", "stammdaten_online")
    assert "2.2" in source.text
    since = run_action(
        ActionAnswerGuide,
        make_tracker(
            "ok and in english: since when does the EZ handle the online ones?",
            "ask_effective_date",
            intent_ranking=[("ask_effective_date", 0.45), ("ask_master_data_change", 0.12)],
            **case,
        ),
    )
    assert since.answer["kind"] == "fact" and "1 July 2025" in since.first_line


def test_an_off_topic_question_naming_a_matter_changes_no_condition(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    tracker = make_tracker(
        "wie hoch ist sein alg eigentlich?",
        "out_of_scope",
        intent_ranking=[("out_of_scope", 0.96)],
        subject="contact_form",
        channel="contact_form",
        last_topic="kontaktformular_termine",
    )
    assert run_action(ActionAnswerOutOfScope, tracker).answer["kind"] == "out_of_scope"


def test_a_scope_question_is_answered_where_lotse_would_ask_back(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    text = "muss die kindergeldkasse ihre postfaecher jetzt auch dichtmachen?"
    result = run_action(ActionAnswerGuide, make_tracker(text, "ask_email_block"))
    assert (result.answer["kind"], result.answer["topic"]) == ("fact", "weisung_geltungsbereich")


def test_when_exactly_is_the_entrys_date_where_it_names_one(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    """ "wann genau …?" is answered by the entry's deadline; where it names none, the guides say nothing."""
    press = run_action(
        ActionAnswerGuide,
        make_tracker("wann genau erscheint die Pressemitteilung in unserer Lokalzeitung?", "ask_press"),
    )
    assert press.answer["kind"] == "not_covered" and "Zeitpunkt" in press.first_line
    block = run_action(
        ActionAnswerGuide,
        make_tracker("when will the site postboxes be blocked exactly?", "ask_email_block", lang="en"),
    )
    assert block.answer["kind"] == "fact" and "1 July 2025" in block.first_line


AV, RIM, FUNCTION, BLOCK = (
    "ask_appointment_request_av",
    "ask_eakte_request",
    "ask_email_function",
    "ask_email_block",
)
EARLIER, RL_SC = "ask_earlier_instructions", "ask_duties_rl_sc"


@pytest.mark.parametrize(
    ("text", "intent", "expected", "first_words"),
    [
        # a number of what is asked, where the entry names one: its answer
        ("wie viele Postfächer sind das bei den Terminformularen?", AV, "fact", "fünf"),
        ("how many earlier instructions does 202505010 refer to?", EARLIER, "fact", "four"),
        # a number the entry does not give ("fünf Postfächer" are no number of forms a week)
        ("wie viele Terminformulare kommen pro Woche rein?", AV, "not_covered", None),
        ("how many hours a week should the EZ plan for the VCC boxes?", AV, "not_covered", None),
        # a span of time: the request's "2 Wochen vor der Umstellung" is a deadline, no duration of the
        # RIM's work; "bleibt beizubehalten" is how long the block stays
        ("wie lange dauert es, bis das RIM das Regelwerk umgestellt hat?", RIM, "not_covered", None),
        ("wie lange bleibt die Sperre der Liegenschaftspostfächer bestehen?", BLOCK, "fact", None),
        ("wie lange dauert es, bis die Sperre nach dem Klick wirkt?", FUNCTION, "not_covered", None),
        # whether there is something: the entry names it, or the guides do not say
        ("Gibt es eine Frist für den Änderungsantrag beim RIM?", RIM, "fact", None),
        ("Gibt es eine Musterregel für die Weiterleitung in Outlook?", RL_SC, "not_covered", None),
        ("is there a reporting duty once the function is switched on?", FUNCTION, "not_covered", None),
        ("gibts da was für die Pressestellen?", "ask_press", "fact", None),
    ],
)
def test_a_value_asked_for_is_answered_only_where_the_entry_names_one(
    run_action: RunAction,
    make_tracker: MakeTracker,
    text: str,
    intent: str,
    expected: str,
    first_words: str | None,
) -> None:
    """ "wie viele …?", "wie lange dauert …?", "gibt es eine …?" (the vocabulary's `held_when`): the entry's
    answer where its words name such a value of what is asked, else not covered — never the nearest
    entry stated as if it said so."""
    result = run_action(ActionAnswerGuide, make_tracker(text, intent))
    assert result.answer["kind"] == expected
    if first_words is not None:
        assert first_words in result.first_line
    if expected == "not_covered":
        assert result.answer.get("unit") is None


def test_a_grace_period_after_a_deadline_is_not_the_deadline(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    """Exceptions overrule the deadline they are asked about (`overrules`)."""
    text = "is there a grace period for EZ team boxes that are not blocked by the deadline?"
    result = run_action(ActionAnswerGuide, make_tracker(text, "ask_email_block"))
    assert result.answer["kind"] == "not_covered" and "Exceptions" in result.first_line


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("how many days of holiday can I carry over into next year?", "out_of_scope"),
        ("wie viele zusätzliche Mitarbeiter bekommt das SC für die Umstellung?", "not_covered"),
    ],
)
def test_a_number_asked_with_nothing_to_look_in_is_unsettled_only_about_the_guides(
    run_action: RunAction, make_tracker: MakeTracker, text: str, expected: str
) -> None:
    """No guide subject read: a count about what the entries talk about is not settled, one about
    anything else is off-topic."""
    ranking = [("nlu_fallback", 0.3), ("out_of_scope", 0.25)]
    result = run_action(ActionAnswerOutOfScope, make_tracker(text, "nlu_fallback", intent_ranking=ranking))
    assert result.answer["kind"] == expected


@pytest.mark.parametrize(
    ("text", "intent", "listed"),
    [
        ("Welche Terminarten aus den Kontaktformularen sind da gemeint?", AV, "Berufsberatung (BB)"),
        ("which online services count as changes to personal data?", "ask_master_data_change", "KUSOS"),
    ],
)
def test_what_a_rule_takes_in_is_its_list(
    run_action: RunAction, make_tracker: MakeTracker, text: str, intent: str, listed: str
) -> None:
    """ "welche … sind gemeint?", "which … count?" (`covers`): the list the rule takes in, first."""
    result = run_action(ActionAnswerGuide, make_tracker(text, intent))
    assert result.answer["kind"] == "fact"
    assert result.first_line.startswith(("Umfasst:", "Covers:")) and listed in result.first_line


def test_a_rule_without_a_list_answers_what_it_takes_in_as_usual(
    run_action: RunAction, make_tracker: MakeTracker, guides: Guides
) -> None:
    """An entry that lists nothing (`question_falls_through`): its own answer, not "the guides do not say"."""
    entry = guides.by_id["aufgaben_regionaldirektionen"]
    result = run_action(
        ActionAnswerGuide, make_tracker("welche Aufgaben zählen für die RD dazu?", "ask_duties_rd")
    )
    assert result.answer["kind"] == "fact" and result.first_line == entry.text.de.verdict


def test_a_question_about_the_last_answer_read_as_help_is_about_that_answer(
    run_action: RunAction, make_tracker: MakeTracker, guides: Guides, responses: Responses
) -> None:
    """ "what was its title?" read as `help` (its `intent_cues` ask for words to the bot): the last
    answer's entry again, where the words point back at it; "what can you do?" stays help."""
    entry = guides.by_id["weisung_bezug"]
    before = [answered(entry.id, entry.text.en.verdict)]
    tracker = make_tracker(
        "what was its title?",
        "help",
        intent_ranking=[("help", 0.49), ("ask_why", 0.11)],
        said_before=["Which instruction of 3 April 2024 does 202505010 refer to?"],
        events_before=before,
        last_topic=entry.id,
        lang="en",
    )
    result = run_action(ActionAnswerSmallTalk, tracker)
    assert result.answer["topic"] == entry.id and "integrated customer portal" in result.text
    help_asked = run_action(ActionAnswerSmallTalk, make_tracker("what can you do?", "help", lang="en"))
    assert help_asked.text == responses.text("utter_help", "en")


def test_a_detail_is_taken_from_the_related_entry_for_the_stated_case(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    """Who switches the function on for the EZ postboxes: the EZ postboxes' rule (related to the
    function's entry) names the managers; the function's own entry names those responsible for any."""
    text = "wer soll die Funktion im Webshop für unsere EZ-Postfächer einschalten?"
    result = run_action(ActionAnswerGuide, make_tracker(text, FUNCTION))
    assert result.answer["kind"] == "fact" and "Führungskräfte" in result.first_line


@pytest.mark.parametrize(
    ("text", "intent", "where"),
    [
        (
            "Wo steht genauer, wie die Sperrfunktion im Webshop funktioniert?",
            FUNCTION,
            "Funktionen und Änderungen",
        ),
        ("wo finde ich die Gesprächsleitfäden für das SC?", "ask_duties_sc", "Gespraechsleitfaden-SGB3"),
    ],
)
def test_where_the_details_are_is_the_entrys_place_not_its_section(
    run_action: RunAction, make_tracker: MakeTracker, text: str, intent: str, where: str
) -> None:
    """ "wo steht genauer …?", "wo finde ich die Leitfäden?": where to find them (`form_location`)."""
    result = run_action(ActionAnswerGuide, make_tracker(text, intent))
    assert result.answer["kind"] == "fact" and where in result.first_line


def test_readings_that_hold_the_same_detail_answer_it_instead_of_offering_a_choice(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    """Unsure between the rule set and its request, asked for the form: both lead to the one form."""
    ranking = [("ask_eakte_request", 0.49), ("ask_eakte_rules", 0.46), ("nlu_fallback", 0.3)]
    tracker = make_tracker(
        "welches Formular brauch ich für die Regelwerksänderung?", "nlu_fallback", intent_ranking=ranking
    )
    result = run_action(ActionAnswerOutOfScope, tracker)
    assert result.answer["kind"] == "fact" and "Änderungsformular" in result.first_line


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        # a time of day the entry does not name; a point in time it does not name, and one it does
        (
            "um wie viel Uhr wird das Liegenschaftspostfach am Stichtag dicht gemacht?",
            "ask_email_block",
            "not_covered",
        ),
        ("wann wurden die Adressen auf der BA-Seite ausgeblendet?", "ask_website_addresses", "not_covered"),
        ("wann wurde die Funktion E-Mail-Kommunikation eingeführt?", FUNCTION, "fact"),
        # how long something stays: the rule says the block is kept; it says nothing about the VCC boxes
        ("wie lange bleiben die Liegenschaftspostfächer gesperrt?", "ask_email_block", "fact"),
        ("wie lange bleiben die VCC-Postfächer für die Terminformulare bestehen?", AV, "not_covered"),
    ],
)
def test_a_point_or_span_of_time_is_answered_only_where_the_entry_names_one(
    run_action: RunAction, make_tracker: MakeTracker, text: str, intent: str, expected: str
) -> None:
    result = run_action(ActionAnswerGuide, make_tracker(text, intent))
    assert result.answer["kind"] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Teams stürzt dauernd ab, Hilfe?", "out_of_scope"),
        ("was kannst du eigentlich?", None),
    ],
)
def test_help_is_believed_only_when_asked_of_lotse(
    run_action: RunAction, make_tracker: MakeTracker, responses: Responses, text: str, expected: str | None
) -> None:
    """An IT problem ending in "help?" is no question about Lotse: not the help text."""
    result = run_action(ActionAnswerSmallTalk, make_tracker(text, "help", intent_ranking=[("help", 0.5)]))
    if expected is None:
        assert result.text == responses.text("utter_help", "de")
    else:
        assert result.answer["kind"] == expected and result.text != responses.text("utter_help", "de")


# --- details the instruction never spells out, and what its abbreviations stand for --------------


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        # a procedure step by step, or a text's contents in detail (`in_detail`, `exact_wording`)
        (
            "Wie genau muss die Outlook-Regel für die Weitergabe der Kontaktformulare eingerichtet werden?",
            RL_SC,
        ),
        ("what should the local press release say exactly?", "ask_press"),
        ("Was genau steht im Text der Unzustellbarkeitsnachricht an die Absender?", FUNCTION),
        (
            "wie lief die aufteilung der telefonischen asu zwischen sc und ez vor juli 2025 genau ab",
            "ask_job_seeker_registration",
        ),
        # another case than the one the rule names (`other_than`)
        ("Must the rule set also be changed for other file types than 1001 Alg?", "ask_eakte_rules"),
        # employers, whom the instruction never names (`employers`)
        ("are employers exempt from the mail block, can they still mail the site mailbox?", BLOCK),
        ("Wer bearbeitet Terminanfragen von Arbeitgebern?", AV),
        # sending mail out of a blocked postbox (`outgoing`)
        ("Dürfen wir aus dem gesperrten Teampostfach noch Mails nach außen schicken?", BLOCK),
        # a contact form about no appointment (the matter's cues)
        ("If a customer uses the contact form to call in sick, who handles it?", "ask_contact_form"),
        # an abbreviation the instruction never spells out (`terms`)
        ("what does ATV stand for btw?", "ask_atv_calendar"),
        # staff members' own mailboxes, which section 2.1 does not name (the postbox's cues)
        ("Does the external mail block also apply to our personal Outlook mailboxes?", BLOCK),
        ("Can customers still email documents as attachments directly to their counsellor?", BLOCK),
        # the exact rule to set up, over the entry that names the rule (`setup_steps` overrules)
        ("which exact Outlook rule should the RL SC create? give me the filter settings", RL_SC),
        # how things ran under an earlier instruction (`earlier_contents`)
        ("What did the process look like under Weisung 202404002?", EARLIER),
        # a status list the entry does not keep: a list "of which …" is asked about (`existence`)
        (
            "is there a list of which team postboxes outside the EZ have already been switched to Intern?",
            BLOCK,
        ),
        # a hotline's number, a point in time, time saved (`phone_number`, `timing`, `figures`)
        ("what's the SC hotline number customers should call instead of emailing?", "ask_channel_shift"),
        ("when will the remaining email channels be shut down completely?", "ask_email_reason"),
        ("wie viel Zeit spart die Sperre pro Mail?", "ask_email_reason"),
        # what becomes of mails that came in before the block (`storage` overrules what senders get)
        ("what happens to mails already sitting in the Liegenschaftspostfach on 1 July?", BLOCK),
        ("was passiert mit mails, die am 30.06.2025 noch im LP eingegangen sind?", BLOCK),
        # a matter the instruction assigns to no unit; a request for one, whatever way it comes
        ("Kindergeld application came in – who handles it?", "ask_change_notice"),
        ("Wer bearbeitet eine Arbeitslosmeldung, die online eingeht?", "ask_change_notice"),
        ("Who handles online applications for unemployment benefit?", "ask_change_notice"),
        # what a document the instruction only refers to says (`document_contents`)
        ("What's in the updated Arbeitshilfen for e-mail processing?", "ask_email_reason"),
        (
            "Was hat sich in den aktualisierten Gesprächsleitfäden EZ inhaltlich geändert?",
            "ask_duties_agencies",
        ),
        ("What were the results of the Herunterfahren-E-Mail trial?", "ask_measures_catalogue"),
        # other ways in once e-mail is closed, a contact person at an office, an outage, which agency
        # belongs to which VCC postbox (`other_ways`, `contact`, `consequences`, `regions`)
        ("Kann der Kunde nach der Sperre noch per Fax Unterlagen schicken?", BLOCK),
        ("Wie kann ein gehörloser Kunde uns noch schriftlich erreichen, wenn Mails gesperrt sind?", BLOCK),
        ("Wer ist bei unserem RIM der Ansprechpartner für das Regelwerk?", RIM),
        ("What happens if the EAKTE is down and online changes pile up?", "ask_master_data_change"),
        ("Welche Agentur gehört zu welchem der fünf VCC-Postfächer?", AV),
        ("Can customers still e-mail their adviser's personal address?", BLOCK),
        # the exact steps, another option, changing a notice's text (`setup_steps`, `other_than`,
        # `exact_wording`)
        ("How do I set up the Outlook rule to forward contact forms, step by step?", RL_SC),
        ("are there other options besides Intern?", FUNCTION),
        ("Can we customise the non-delivery notice that senders receive?", FUNCTION),
        # who signed it, asked "von wem … gezeichnet?" (`signatory`)
        ("Von wem ist die Weisung gezeichnet, Name?", "ask_instruction"),
        # whether earlier rules are repealed: never the appointment cancellations (`repeal`)
        ("does 202505010 cancel any of the earlier instructions?", "ask_appointment_cancellation"),
        # the literal text of a notice, deadlines in the plural, a region of one's own, writing to
        # customers ourselves, a rule that does not work, something new the BA may launch
        # (`exact_wording`, `deadline`, `regions`, `outgoing`, `consequences`, `later_plans`)
        ("Wie lautet die Unzustellbarkeitsmeldung wortwörtlich?", FUNCTION),
        ("Which deadlines apply to processing online change notices?", "ask_change_notice"),
        ("Which of the VCC postboxes is the one for our region, Hesse?", AV),
        ("Dürfen wir Kunden von uns aus per E-Mail anschreiben?", BLOCK),
        ("Can we still send answers to customers from our team postbox?", BLOCK),
        ("Was tun, wenn die Weiterleitungsregel in Outlook nicht funktioniert?", RL_SC),
        ("Is the BA going to launch a new portal to replace e-mail?", "ask_email_reason"),
        # how long the RIM takes (never the request's deadline), mails still lying in a site postbox,
        # which postbox is our agency's, a postbox nobody switched over
        ("Wie lange braucht das RIM, bis die Änderung umgesetzt ist?", RIM),
        (
            "Und die Mails, die am 30.06. noch im LP-Postfach liegen – was passiert mit denen?",
            "ask_free_emails_site_postbox",
        ),
        ("Which VCC mailbox is the one for our agency?", AV),
        # how to do what the rule only names, partners and papers by name, an incomplete case
        ("Wie richte ich die Outlook-Regel für die Weiterleitung der Kontaktformulare genau ein?", RL_SC),
        ("how do we hide our email address on the agency's web page?", "ask_website_addresses"),
        ("Welche regionalen Zeitungen sollen wir über die Mailsperre informieren?", "ask_channel_shift"),
        ("which partners exactly?", "ask_channel_shift"),
        (
            "Was macht die EZ, wenn in der Online-VÄM Angaben fehlen – anrufen oder anschreiben?",
            "ask_change_notice",
        ),
        ("Welche Textbausteine genau wurden im Kundenportal ergänzt?", "ask_central_info"),
        # a deadline in hours the rule does not name; training for the guides
        ("Muss die EZ Terminanfragen innerhalb von 48 Stunden beantworten?", AV),
        ("Do staff get a training for the new Gesprächsleitfäden?", "ask_duties_sc"),
        # a status from SGB II, which the reactivation rule's VerBIS status never says it takes in
        (
            "Zählt ein früherer Status aus dem Jobcenter (SGB II) auch als Reaktivierung?",
            "ask_instruction_scope",
        ),
        (
            "does a previous Asu status from the Jobcenter count for the reactivation rule?",
            "ask_reactivation_definition",
        ),
        ("what exactly do the new notes in the Kundenportal text modules say?", "ask_central_info"),
        ("What if nobody switched our team mailbox to internal?", BLOCK),
        # a deadline none of the registration rules names, whichever way the registration came
        (
            "Wie lange hat die Kundin nach ihrer Kündigung Zeit für die Arbeitsuchendmeldung?",
            "ask_job_seeker_registration",
        ),
    ],
)
def test_what_the_instruction_does_not_spell_out_is_not_covered(
    run_action: RunAction, make_tracker: MakeTracker, text: str, intent: str
) -> None:
    """Never the nearest entry's answer stated as if it said what was asked."""
    result = run_action(ActionAnswerGuide, make_tracker(text, intent))
    assert result.answer["kind"] == "not_covered"
    assert result.answer.get("unit") is None


@pytest.mark.parametrize(
    ("text", "intent", "said"),
    [
        # the procedure is the entry's own: the form and where it is
        (
            "wie genau beantrage ich die Änderung beim RIM?",
            RIM,
            "SGBIII_Änderungsformular_zum_eAkte_Regelwerk",
        ),
        # the instruction's German title, the SC's guides by their German name
        ("What's the full title of Weisung 202505010?", "ask_instruction", "Herunterfahren E-Mails"),
        ("What do the service centres have to use from 1 July 2025?", "ask_duties_sc", "Gesprächsleitfäden"),
        # the postboxes' names; the EZ's deadline, asked as its managers' (an EZ postbox)
        ("What are the five Outlook mailboxes for appointment forms called?", AV, "BA-Zentrale-VCC-SGB3"),
        ("deadline for EZ managers to switch on the e-mail block?", BLOCK, "1 July 2025"),
        # what an abbreviation stands for, as the instruction spells it out
        ("wofür steht KUSOS?", "ask_master_data_change", "Stammdaten-Online-Service"),
        ("what does RIM stand for?", RIM, "Regional Infrastructure Management"),
        # "welche Weisung regelt …?" asks for the source
        (
            "welche Weisung regelt die Zuständigkeit für Terminabsagen?",
            "ask_appointment_cancellation",
            "202505010",
        ),
    ],
)
def test_what_the_instruction_spells_out_is_answered(
    run_action: RunAction, make_tracker: MakeTracker, text: str, intent: str, said: str
) -> None:
    result = run_action(ActionAnswerGuide, make_tracker(text, intent))
    assert result.answer["kind"] == "fact"
    assert said in result.text


def test_a_told_way_continues_the_case(run_action: RunAction, make_tracker: MakeTracker) -> None:
    """ "kam übers Kontaktformular rein" after an appointment request: that case, not a new question
    about contact forms that asks back whether it is about an appointment."""
    tracker = make_tracker(
        "kam übers Kontaktformular rein",
        "ask_contact_form",
        said_before=["Terminanfrage AV – wer macht die?"],
        events_before=[answered("kontaktformular_termine", kind="routing")],
        subject="appointment_request_av",
        channel="contact_form",
        matter="appointment",
        last_topic="kontaktformular_termine",
    )
    result = run_action(ActionAnswerGuide, tracker)
    assert (result.answer["kind"], result.answer["unit"]) == ("routing", "EZ")


@pytest.mark.parametrize(
    ("text", "last", "subject", "lang", "said"),
    [
        ("wer ist dafür verantwortlich?", "sperre_ez_postfaecher", "email_block", "de", "Führungskräfte"),
        ("worüber läuft die Bearbeitung?", "veraenderungsmitteilung_online", "change_notice", "de", "EAKTE"),
        ("vom wievielten ist die?", "weisung_ueberblick", "instruction", "de", "26.05.2025"),
        # what an abbreviation stands for is the instruction's, whichever answer came last (`anywhere`)
        (
            "und was heißt KUSOS überhaupt?",
            "veraenderungsmitteilung_online",
            "change_notice",
            "de",
            "Stammdaten-Online",
        ),
        # the day the IM-Webshop function can be used, not the rule's validity (`available`)
        (
            "since when is that possible?",
            "sperre_team_organisationspostfaecher",
            "email_block",
            "en",
            "8 January 2025",
        ),
        # who may switch it on (`done_by`)
        ("who can switch it on?", "funktion_email_kommunikation", "email_function", "en", "responsible"),
        # a bare "where?": where it is done, not where it is written (`postboxes`)
        ("where?", "funktion_email_kommunikation", "email_function", "en", "IM-Webshop"),
    ],
)
def test_a_short_follow_up_the_nlu_cannot_place_asks_the_last_answer(
    run_action: RunAction, make_tracker: MakeTracker, text: str, last: str, subject: str, lang: str, said: str
) -> None:
    tracker = make_tracker(
        text,
        "out_of_scope",
        intent_ranking=[("out_of_scope", 0.7)],
        said_before=["…"],
        events_before=[answered(last, kind="fact")],
        subject=subject,
        last_topic=last,
        lang=lang,
    )
    result = run_action(ActionAnswerOutOfScope, tracker)  # where Rasa's rules send out_of_scope
    assert result.answer["kind"] == "fact"
    assert said in result.first_line


def test_a_negation_ends_where_the_sentence_turns(run_action: RunAction, make_tracker: MakeTracker) -> None:
    """ "nicht online, sondern tel." states the phone: "sondern" ends what "nicht" denies."""
    text = "kd meldet sich nicht online sondern tel. arbeitsuchend, hatte 2021 asu-status – wer?"
    result = run_action(ActionAnswerGuide, make_tracker(text, "ask_job_seeker_registration"))
    assert (result.answer["kind"], result.answer["unit"]) == ("routing", "SC")


@pytest.mark.parametrize(
    "text",
    [
        "Läuft die Weisung irgendwann aus, oder gilt die dauerhaft?",
        "does this instruction expire at some point?",
    ],
)
def test_the_instructions_validity_is_answered_where_the_nlu_is_unsure(
    run_action: RunAction, make_tracker: MakeTracker, text: str
) -> None:
    """Not "Meinten Sie …?": the instruction's own answer, which names its validity."""
    ranking = [("ask_instruction_scope", 0.3), ("ask_instruction", 0.17), ("nlu_fallback", 0.3)]
    result = run_action(ActionAnswerOutOfScope, make_tracker(text, "nlu_fallback", intent_ranking=ranking))
    assert (result.answer["kind"], result.answer["topic"]) == ("fact", "weisung_ueberblick")
    assert re.search(r"unbegrenzt|ohne Enddatum|no end date", result.text)


def test_how_fast_after_an_answer_is_its_deadline(run_action: RunAction, make_tracker: MakeTracker) -> None:
    """ "wie schnell muss die EZ reagieren?" after the contact forms' routing: a deadline the entry does
    not name – not covered, never off-topic."""
    tracker = make_tracker(
        "wie schnell muss die EZ reagieren?",
        "out_of_scope",
        intent_ranking=[("out_of_scope", 0.6)],
        said_before=["Terminabsage übers Kontaktformular – wer?"],
        events_before=[answered("kontaktformular_termine", kind="routing")],
        subject="appointment_cancellation",
        channel="contact_form",
        matter="appointment",
        last_topic="kontaktformular_termine",
    )
    result = run_action(ActionAnswerOutOfScope, tracker)
    assert result.answer["kind"] == "not_covered"
    assert "Frist" in result.first_line


def test_a_detail_asked_of_another_case_is_that_cases(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    """ "und bis wann müssen die EZ-Postfächer umgestellt sein?" after the site postboxes' block: the EZ
    postboxes' deadline and who sets them, never the site postboxes' stated for them."""
    before = {
        "said_before": ["Who blocks the site postboxes?"],
        "events_before": [answered("sperre_liegenschaftspostfaecher", kind="fact")],
        "subject": "email_block",
        "postbox": "site",
        "last_topic": "sperre_liegenschaftspostfaecher",
    }
    text = "und bis wann muessen die EZ-postfaecher umgestellt sein?"
    result = run_action(ActionAnswerGuide, make_tracker(text, "ask_email_block", **before))
    assert (result.answer["kind"], result.answer["topic"]) == ("fact", "sperre_ez_postfaecher")


def test_a_team_postbox_of_the_ez_is_an_ez_postbox(run_action: RunAction, make_tracker: MakeTracker) -> None:
    """ "das Teampostfach von der EZ" is an EZ postbox (section 2.1: mandatory by 01.07.2025)."""
    tracker = make_tracker(
        "ist das teampostfach von der EZ bei uns in der AA, nicht das liegenschaftspostfach",
        "inform",
        said_before=["muss unser postfach gesperrt werden?"],
        subject="email_block",
        pending_condition="postbox",
    )
    result = run_action(ActionAnswerGuide, tracker)
    assert (result.answer["kind"], result.answer["topic"]) == ("fact", "sperre_ez_postfaecher")


@pytest.mark.parametrize(
    "text",
    [
        "ruft ne ehem. alo kundin an wg asu, soll ich die an die ez geben oder selber machen? bin sc",
        "kunde war letztes jahr ratsuchend, ruft heute an und will asu – zustaendigkeit?",
        "ex-unemployed customer phones in to register as job seeking, can the SC hand it over to the EZ?",
        "herr yilmaz hat bis maerz 2024 alg bezogen, meldet sich telefonisch arbeitsuchend. wer macht das?",
    ],
)
def test_a_status_in_other_words_is_a_reactivation_customer(
    run_action: RunAction, make_tracker: MakeTracker, text: str
) -> None:
    """ "ehem. Alo", "war ratsuchend", "ex-unemployed", "hat Alg bezogen": a status before, so the SC —
    never the clarifying question for what the words already say."""
    result = run_action(ActionAnswerGuide, make_tracker(text, "ask_job_seeker_registration"))
    assert (result.answer["kind"], result.answer["unit"]) == ("routing", "SC")


def test_lifting_the_block_is_no_repeal(run_action: RunAction, make_tracker: MakeTracker) -> None:
    """ "die Sperre wieder aufheben" asks whether the block may be lifted (it is to be kept), not whether
    the instruction repeals earlier rules."""
    text = "darf die AA die sperre vom liegenschaftspostfach im herbst wieder aufheben?"
    result = run_action(ActionAnswerGuide, make_tracker(text, BLOCK))
    assert result.answer["kind"] == "fact" and "beizubehalten" in result.text


def test_instead_after_a_refused_mail_is_the_online_channel(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    tracker = make_tracker(
        "what should she use instead?",
        "out_of_scope",
        intent_ranking=[("out_of_scope", 0.6)],
        said_before=["customer's e-mail to the site mailbox bounced, why?"],
        events_before=[answered("freie_emails_ab_juli_2025", kind="fact")],
        subject="free_emails_site_postbox",
        postbox="site",
        last_topic="freie_emails_ab_juli_2025",
        lang="en",
    )
    result = run_action(ActionAnswerOutOfScope, tracker)
    assert (result.answer["kind"], result.answer["topic"]) == ("fact", "kanalverschiebung")


def test_weak_readings_yield_to_the_last_answer(
    run_action: RunAction, make_tracker: MakeTracker, guides: Guides
) -> None:
    """ "fully, or only part of it?" right after the reactivation customers' routing, read weakly as the
    scope: that answer again ("bleibt vollständig im SC"), not "Meinten Sie …?"."""
    entry = guides.by_id["asu_telefon_reaktivierung"]
    tracker = make_tracker(
        "fully, or only part of it?",
        "nlu_fallback",
        intent_ranking=[("nlu_fallback", 0.3), ("inform", 0.21), ("ask_instruction_scope", 0.21)],
        said_before=["what if she had phoned instead?"],
        events_before=[answered(entry.id, entry.text.en.verdict, kind="routing")],
        subject="job_seeker_registration",
        channel="phone",
        customer="reactivation",
        last_topic=entry.id,
        lang="en",
    )
    result = run_action(ActionAnswerOutOfScope, tracker)
    assert (result.answer["kind"], result.answer["topic"]) == ("routing", entry.id)


def test_who_did_it_before_the_rule_is_not_covered(run_action: RunAction, make_tracker: MakeTracker) -> None:
    """Who handled online change notices before the instruction is not in the guides: not covered for
    the day before the rule, with the rule from its first day below — "galt da schon …?" stays a fact."""
    text = "Wie war das vor der Weisung mit den eService-Veränderungsmitteilungen, wer hat die bearbeitet?"
    before = run_action(ActionAnswerGuide, make_tracker(text, "ask_change_notice"))
    assert before.answer["kind"] == "not_covered" and before.answer.get("unit") is None
    assert "30.06.2025" in before.first_line and "ab 01.07.2025" in before.text
    then = run_action(
        ActionAnswerGuide,
        make_tracker("galt am 25.06.2025 schon die neue Zuordnung für online VÄM?", "ask_change_notice"),
    )
    assert then.answer["kind"] == "fact" and then.first_line.startswith("Am 25.06.2025 galt das noch nicht")


def test_where_alone_asks_for_a_source_only_about_a_text(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    """ "Wo kann ich hier parken?" read as a source question is not believed ("wo" names a source only
    alone or with "steht", "finde" …): off-topic, never the instruction's header as its source."""
    ranking = [("ask_source", 0.44), ("help", 0.25), ("out_of_scope", 0.13)]
    tracker = make_tracker("Wo kann ich hier in der Nähe parken?", "ask_source", intent_ranking=ranking)
    result = run_action(ActionAnswerSource, tracker)
    assert result.answer["kind"] == "out_of_scope"


def test_only_for_the_ez_is_answered_per_postbox_and_the_case_stays(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    """ "ist die Mailsperre nur für die EZ?" asks what Lotse would ask back (which postboxes): each
    kind's rule; "muss das SC auch …?" right after is about the same block, for the SC's postboxes."""
    only = run_action(
        ActionAnswerGuide, make_tracker("ist die mailsperre nur fuer die EZ?", "ask_email_block")
    )
    assert only.answer["kind"] == "fact" and "EZ" in only.text and "Team- und Organisationspostf" in only.text
    assert only.slots["subject"] == "email_block" and only.slots["pending_condition"] is None
    sc = run_action(
        ActionAnswerGuide,
        make_tracker(
            "muss das SC auch bis zum 1.7. umstellen?",
            "ask_at_date",  # as the NLU reads it: the date
            intent_ranking=[("ask_at_date", 0.47), ("ask_duties_sc", 0.16), ("ask_email_block", 0.11)],
            subject="email_block",
        ),
    )
    assert sc.answer["topic"] == "sperre_team_organisationspostfaecher"


@pytest.mark.parametrize(
    ("text", "ranking"),
    [
        ("What is 15% of 240?", [("ask_instruction", 0.51), ("ask_at_date", 0.42), ("out_of_scope", 0.06)]),
        (
            "Ich hab Rückenschmerzen, was soll ich nehmen?",
            [("ask_measures_catalogue", 0.35), ("out_of_scope", 0.26)],
        ),
    ],
)
def test_an_unsure_reading_of_words_that_name_nothing_of_the_guides_is_off_topic(
    run_action: RunAction, make_tracker: MakeTracker, text: str, ranking: list[tuple[str, float]]
) -> None:
    """Read weakly as a guide subject, words that state no condition, ask no detail and name nothing of
    the guides get the off-topic answer — never a fact of the nearest entry."""
    result = run_action(ActionAnswerGuide, make_tracker(text, ranking[0][0], intent_ranking=ranking))
    assert result.answer["kind"] == "out_of_scope"


def test_an_unsure_reading_of_words_of_the_guides_is_still_answered(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    ranking = [("ask_email_block", 0.45), ("out_of_scope", 0.2)]
    result = run_action(
        ActionAnswerGuide,
        make_tracker(
            "wann werden die Liegenschaftspostfächer zu?", "ask_email_block", intent_ranking=ranking
        ),
    )
    assert result.answer["topic"] == "sperre_liegenschaftspostfaecher"


def test_off_topic_words_are_offered_no_guide_topic(run_action: RunAction, make_tracker: MakeTracker) -> None:
    ranking = [("nlu_fallback", 0.3), ("ask_at_date", 0.35), ("ask_instruction", 0.31), ("out_of_scope", 0.3)]
    result = run_action(
        ActionAnswerOutOfScope, make_tracker("What is 17 times 23?", "nlu_fallback", intent_ranking=ranking)
    )
    assert result.answer["kind"] == "out_of_scope" and not result.answer.get("options")


@pytest.mark.parametrize(
    ("text", "intent", "kind"),
    [
        (
            "can the EZ hand online VÄMs back to the SC when it's overloaded?",
            "ask_change_notice",
            "not_covered",
        ),
        ("does the SC get a copy of the contact forms for information?", "ask_duties_rl_sc", "not_covered"),
        ("what are the EZ working hours for the VCC mailboxes?", "ask_appointment_request_av", "not_covered"),
        (
            "wer ist bei uns die verantwortliche Führungskraft fürs EZ-Teampostfach?",
            "ask_email_block",
            "not_covered",
        ),
        (
            "darf die EZ Termin-Kontaktformulare auch telefonisch beantworten?",
            "ask_appointment_request_av",
            "not_covered",
        ),
        (
            "Does an online change of bank details need an extra identity check?",
            "ask_master_data_change",
            "not_covered",
        ),
        (
            "How were the site mailbox e-mails handled technically in the EZ before the block?",
            "ask_free_emails_site_postbox",
            "not_covered",
        ),
        (
            "Was passiert mit Kontaktformularen, die im falschen VCC-Postfach landen?",
            "ask_appointment_request_av",
            "not_covered",
        ),
        (
            "Wer ist bei einer telefonischen ASU zuständig, wenn VerBIS gerade nicht erreichbar ist?",
            "ask_job_seeker_registration",
            "not_covered",
        ),
        (
            "Wer bearbeitet Online-VÄM, die irrtümlich im Postkorb des SC landen?",
            "ask_change_notice",
            "not_covered",
        ),
        (
            "was passiert mit mails, die vor dem 01.07. im LP eingegangen und noch offen sind?",
            "ask_free_emails_site_postbox",
            "not_covered",
        ),
        ("Wird das SC wegen der E-Mail-Sperre personell verstärkt?", "ask_channel_shift", "not_covered"),
        # a customer's working hours are a change notice, not a unit's hours
        (
            "Customer reported online that her working hours were cut – who handles that?",
            "ask_change_notice",
            "routing",
        ),
    ],
)
def test_details_the_guides_never_give_whatever_subject_the_nlu_reads(
    run_action: RunAction, make_tracker: MakeTracker, text: str, intent: str, kind: str
) -> None:
    assert run_action(ActionAnswerGuide, make_tracker(text, intent)).answer["kind"] == kind


# the case after a first-time caller's ASU was answered not covered
FIRST_TIME_CALL = {
    "last_topic": "asu_telefon_ohne_status",
    "subject": "job_seeker_registration",
    "channel": "phone",
    "customer": "new",
}


def test_a_condition_the_case_already_states_is_not_asked_again(
    run_action: RunAction, make_tracker: MakeTracker, guides: Guides
) -> None:
    """A first-time caller's ASU was not covered; "VerBIS zeigt doch einen alten Rasu-Status" is that call:
    the way the case stated stays, and the SC's answer comes without asking for it."""
    tracker = make_tracker(
        "ah moment, verbis zeigt doch einen alten rasu status von 2017",
        "ask_job_seeker_registration",
        events_before=_after("asu_telefon_ohne_status", guides),
        **FIRST_TIME_CALL,
    )
    result = run_action(ActionAnswerGuide, tracker)
    assert result.answer["topic"] == "asu_telefon_reaktivierung"
    assert result.answer["unit"] == "SC"
    fresh = make_tracker(
        "ah moment, verbis zeigt doch einen alten rasu status von 2017", "ask_job_seeker_registration"
    )
    assert run_action(ActionAnswerGuide, fresh).answer["asks"] == "channel"


def test_a_choice_among_what_the_answer_listed_is_about_it(
    run_action: RunAction, make_tracker: MakeTracker, guides: Guides
) -> None:
    """ "welche davon …?" right after the list of earlier instructions picks among them, whatever subject
    the other words name; asked with nothing before it, it is read as the NLU reads it."""
    text = "welche davon ist zum automatischen Import der VÄM in die EAKTE?"
    ranking = [("nlu_fallback", 0.3), ("ask_change_notice", 0.3), ("ask_eakte_request", 0.23)]
    after = make_tracker(
        text,
        "nlu_fallback",
        intent_ranking=ranking,
        events_before=_after("weisung_bezug", guides),
        last_topic="weisung_bezug",
    )
    result = run_action(ActionAnswerOutOfScope, after)
    assert result.answer["topic"] == "weisung_bezug"
    assert "202411009" in result.text
    alone = run_action(ActionAnswerOutOfScope, make_tracker(text, "nlu_fallback", intent_ranking=ranking))
    assert alone.answer.get("topic") != "weisung_bezug"


def test_the_section_of_a_changed_condition_is_its_source(
    run_action: RunAction, make_tracker: MakeTracker, guides: Guides
) -> None:
    """After the first-time caller's answer, "in welchem Abschnitt steht das mit den Reaktivierungskunden?"
    read unsure asks where the returning caller's rule is written: its source, not its routing again."""
    tracker = make_tracker(
        "in welchem Abschnitt steht das mit den Reaktivierungskunden?",
        "nlu_fallback",
        intent_ranking=[("nlu_fallback", 0.3), ("ask_source", 0.29), ("ask_reactivation_definition", 0.25)],
        events_before=_after("asu_telefon_ohne_status", guides),
        **FIRST_TIME_CALL,
    )
    result = run_action(ActionAnswerOutOfScope, tracker)
    assert result.answer["kind"] == "fact"
    assert result.answer["topic"] == "asu_telefon_reaktivierung"
    assert result.first_line.startswith("Das steht in der Weisung 202505010")
    assert "Abschnitt 2.2" in result.first_line


@pytest.mark.parametrize(
    ("text", "ranking", "topic"),
    [
        (  # way and customer are the registration's: its answer for an online one, though not covered
            "online-ASU von nem reaktivierungskunden – SC oder EZ?",
            [
                ("nlu_fallback", 0.3),
                ("ask_job_seeker_registration", 0.48),
                ("ask_reactivation_definition", 0.44),
            ],
            "asu_nicht_telefonisch",
        ),
        (  # way and matter are the appointments', and for that way the guides have no rule
            "Wer bearbeitet eine Terminverschiebung, die der Kunde persönlich am Empfang abgibt?",
            [("nlu_fallback", 0.3), ("ask_master_data_change", 0.23), ("ask_appointment_cancellation", 0.15)],
            None,
        ),
    ],
)
def test_an_unsure_reading_the_words_bear_out_answers_not_covered_too(
    run_action: RunAction,
    make_tracker: MakeTracker,
    text: str,
    ranking: list[tuple[str, float]],
    topic: str | None,
) -> None:
    """Never "Meinten Sie" nor another subject's fact where the stated conditions single out one reading."""
    result = run_action(ActionAnswerOutOfScope, make_tracker(text, "nlu_fallback", intent_ranking=ranking))
    assert result.answer["kind"] == "not_covered"
    assert result.answer.get("topic") == topic


def test_readings_that_lead_to_one_entry_are_one_reading(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    """A cancellation and a request by contact form are the same answer: the contact form borne out by
    its way is answered, not offered beside the regional managers' duties."""
    text = "Die Postfächer heißen SC-Region. Bearbeitet das SC die Terminanfragen aus dem Kontaktformular?"
    ranking = [
        ("nlu_fallback", 0.3),
        ("ask_appointment_cancellation", 0.45),
        ("ask_duties_rl_sc", 0.40),
        ("ask_appointment_request_av", 0.13),
    ]
    result = run_action(ActionAnswerOutOfScope, make_tracker(text, "nlu_fallback", intent_ranking=ranking))
    assert result.answer["topic"] == "kontaktformular_termine"
    assert result.answer["unit"] == "EZ"


@pytest.mark.parametrize(
    ("question", "intent", "last", "case", "topic", "said"),
    [
        # a detail declared for the contact forms' answers only, read by the NLU as the scope
        (
            "wer sorgt dafür dass die da auch ankommen?",
            "ask_instruction_scope",
            "kontaktformular_termine",
            {"subject": "appointment_request_av", "channel": "contact_form", "matter": "appointment"},
            "weitergabe_kontaktformulare",
            "Regionalleitungen",
        ),
        # how many of the postboxes the answer named: "gibts" is no thing asked about
        (
            "wie viele gibts davon?",
            "out_of_scope",
            "kontaktformular_termine",
            {"subject": "appointment_request_av", "channel": "contact_form", "matter": "appointment"},
            "kontaktformular_termine",
            "fünf",
        ),
        # which statuses count: the customers the phone rule covers
        (
            "welche Status zählen da eigentlich?",
            "ask_reactivation_definition",
            "asu_telefon_reaktivierung",
            {"subject": "job_seeker_registration", "channel": "phone", "customer": "reactivation"},
            "asu_telefon_reaktivierung",
            "Rasu, Asu oder Alo",
        ),
        # whether we do it ourselves: who carries it out
        (
            "do we have to do that ourselves?",
            "ask_email_block",
            "sperre_liegenschaftspostfaecher",
            {"subject": "email_block", "postbox": "site"},
            "sperre_liegenschaftspostfaecher",
            "centrally",
        ),
    ],
)
def test_a_detail_of_the_last_answer_asked_in_other_words(
    run_action: RunAction,
    make_tracker: MakeTracker,
    guides: Guides,
    question: str,
    intent: str,
    last: str,
    case: dict[str, str],
    topic: str,
    said: str,
) -> None:
    tracker = make_tracker(
        question,
        intent,
        intent_ranking=[(intent, 0.52), ("ask_why", 0.07)],
        events_before=_after(last, guides),
        last_topic=last,
        **case,
    )
    action = ActionAnswerOutOfScope if intent == "out_of_scope" else ActionAnswerGuide
    result = run_action(action, tracker)
    assert result.answer["kind"] == "fact"
    assert result.answer["topic"] == topic
    assert said in result.text


def _offered(*topics: str) -> list[dict[str, object]]:
    """The bot's "Meinten Sie …?" offering these entries, as the events before the next message hold it."""
    options = [{"title": topic, "topic": topic} for topic in topics]
    answer = {"kind": "clarify", "asks": "topic", "topic": None, "options": options}
    return [{"event": "bot", "text": "Meinten Sie …?", "data": {"custom": {"answer": answer}}}]


@pytest.mark.parametrize(
    ("question", "said"),
    [
        ("deadline?", "2 Wochen"),
        ("which form?", "SGBIII_Änderungsformular"),
        ("wo liegt das formular?", "Anträge"),
    ],
)
def test_a_detail_every_offered_entry_holds_alike_is_answered_after_a_choice(
    run_action: RunAction, make_tracker: MakeTracker, question: str, said: str
) -> None:
    """Right after "Meinten Sie" offered the rule set and its request, "deadline?" is the request's deadline
    (the rule set holds it by its related request): no dead end, and the request is under discussion."""
    tracker = make_tracker(
        question,
        "out_of_scope",
        intent_ranking=[("out_of_scope", 0.4), ("ask_why", 0.1)],
        events_before=_offered("eakte_regelwerk", "eakte_antrag"),
    )
    result = run_action(ActionAnswerOutOfScope, tracker)
    assert result.answer["kind"] == "fact"
    assert result.answer["topic"] == "eakte_antrag"
    assert said in result.text
    assert result.slots["last_topic"] == "eakte_antrag"


def test_a_detail_the_offered_entries_differ_on_is_not_answered_after_a_choice(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    """After a choice between the EZ postboxes' block and the contact forms, "deadline?" is no one detail."""
    tracker = make_tracker(
        "deadline?",
        "out_of_scope",
        intent_ranking=[("out_of_scope", 0.4), ("ask_why", 0.1)],
        events_before=_offered("sperre_ez_postfaecher", "kontaktformular_termine"),
    )
    result = run_action(ActionAnswerOutOfScope, tracker)
    assert result.answer.get("topic") not in ("sperre_ez_postfaecher", "kontaktformular_termine")


def test_a_follow_up_after_an_unsettled_detail_stays_in_the_thread(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    """ "welche Regionen genau?" got "the guides do not say" (its payload `about` the contact forms);
    "and who works in them?" after it is still about the contact forms' postboxes."""
    unsettled = {"kind": "not_covered", "topic": None, "about": "kontaktformular_termine"}
    tracker = make_tracker(
        "and who works in them?",
        "nlu_fallback",
        intent_ranking=[("nlu_fallback", 0.3), ("ask_why", 0.21), ("out_of_scope", 0.19)],
        events_before=[{"event": "bot", "text": "Dazu …", "data": {"custom": {"answer": unsettled}}}],
        last_topic="kontaktformular_termine",
    )
    result = run_action(ActionAnswerOutOfScope, tracker)
    assert result.answer["topic"] == "kontaktformular_termine"
    assert result.answer["unit"] == "EZ"


@pytest.mark.parametrize(
    ("text", "asks"),
    [("ASU", "channel"), ("phone registration", "customer"), ("Arbeitsuchendmeldung?", "channel")],
)
def test_a_subject_typed_as_a_keyword_gets_its_clarifying_question(
    run_action: RunAction, make_tracker: MakeTracker, text: str, asks: str
) -> None:
    """Typed like a search, with nothing under discussion: the subject its label names, never "not
    understood" — what is still open is asked."""
    ranking = [("nlu_fallback", 0.3), ("affirm", 0.19), ("out_of_scope", 0.1)]
    result = run_action(ActionAnswerOutOfScope, make_tracker(text, "nlu_fallback", intent_ranking=ranking))
    assert result.answer["kind"] == "clarify"
    assert result.answer["asks"] == asks


def test_a_longer_question_for_a_detail_the_last_answer_holds_is_about_it(
    run_action: RunAction, make_tracker: MakeTracker, guides: Guides
) -> None:
    """Nine words the NLU cannot place, right after the EZ postboxes' block: what senders get is held by
    the IM-Webshop function the block uses — never "nicht verstanden"."""
    tracker = make_tracker(
        "what does a customer get if he writes anyway?",
        "nlu_fallback",
        intent_ranking=[("nlu_fallback", 0.3), ("out_of_scope", 0.17), ("ask_central_info", 0.11)],
        events_before=_after("sperre_ez_postfaecher", guides),
        last_topic="sperre_ez_postfaecher",
        subject="email_block",
        postbox="ez",
        lang="en",
    )
    result = run_action(ActionAnswerOutOfScope, tracker)
    assert result.answer["kind"] == "fact"
    assert result.text.splitlines()[0].startswith("The sender receives: a notice")


@pytest.mark.parametrize(
    ("last", "case", "kind"),
    [
        # the team postboxes' answer names the IM-Webshop option: that is how it is done
        ("sperre_team_organisationspostfaecher", {"subject": "email_block", "postbox": "team_org"}, "fact"),
        # the contact forms' answer names no procedure: how exactly is not in the guides
        ("kontaktformular_termine", {"subject": "contact_form", "channel": "contact_form"}, "not_covered"),
    ],
)
def test_how_exactly_is_the_answer_where_it_names_the_procedure(
    run_action: RunAction,
    make_tracker: MakeTracker,
    guides: Guides,
    last: str,
    case: dict[str, str],
    kind: str,
) -> None:
    tracker = make_tracker(
        "wie genau mach ich das?",
        "nlu_fallback",
        intent_ranking=[("nlu_fallback", 0.3), ("out_of_scope", 0.26), ("ask_source", 0.23)],
        events_before=_after(last, guides),
        last_topic=last,
        **case,
    )
    result = run_action(ActionAnswerOutOfScope, tracker)
    assert result.answer["kind"] == kind
    if kind == "fact":
        assert result.answer["topic"] == last
        assert "IM-Webshop" in result.text


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("Customer calls to deregister because he found a job — SC or EZ?", "ask_job_seeker_registration"),
        ("Kundin ruft an und will sich aus der Arbeitsuche abmelden – wer?", "ask_job_seeker_registration"),
        (
            "Telefonische Arbeitslosmeldung eines Reaktivierungskunden – macht das das SC?",
            "ask_job_seeker_registration",
        ),
        ("is there training planned for the new guides?", "ask_duties_sc"),
        ("Kann ich bestimmte externe Absender trotzdem zulassen, z.B. Bildungsträger?", "ask_email_block"),
        (
            "How long must the EZ keep the contact forms in the VCC mailboxes before deleting them?",
            "ask_contact_form",
        ),
        (
            "Does the customer get a confirmation once the EZ has processed his online address change?",
            "ask_master_data_change",
        ),
        ("Who answers external e-mails that still land in an SC team mailbox?", "ask_email_block"),
    ],
)
def test_what_section_2_does_not_regulate_is_not_covered(
    run_action: RunAction, make_tracker: MakeTracker, text: str, intent: str
) -> None:
    """A deregistration is not the registration; training, allowed senders, how long forms are kept,
    confirmations and mails that still land are not in the guides."""
    result = run_action(ActionAnswerGuide, make_tracker(text, intent))
    assert result.answer["kind"] == "not_covered"
    assert result.answer["unit"] is None


def test_a_registration_the_customer_history_tells_is_still_the_registration(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    """ "wurde dann abgemeldet" is the customer's past, not a deregistration asked about."""
    text = "ASU-Anruf heute, Kundin hatte 2024 Status Asu, wurde dann abgemeldet – wer macht das?"
    result = run_action(ActionAnswerGuide, make_tracker(text, "ask_job_seeker_registration"))
    assert result.answer["kind"] == "routing"
    assert result.answer["unit"] == "SC"


def test_lifting_the_site_postboxes_block_again_is_its_obligation(
    run_action: RunAction, make_tracker: MakeTracker, guides: Guides
) -> None:
    tracker = make_tracker(
        "darf die AA die sperre danach wieder loesen?",
        "ask_email_block",
        intent_ranking=[("ask_email_block", 0.6), ("ask_why", 0.1)],
        events_before=_after("sperre_liegenschaftspostfaecher", guides),
        last_topic="sperre_liegenschaftspostfaecher",
        subject="email_block",
        postbox="site",
    )
    result = run_action(ActionAnswerGuide, tracker)
    assert result.answer["topic"] == "sperre_liegenschaftspostfaecher"
    assert "beizubehalten" in result.text.splitlines()[0]


def test_a_channel_shifting_away_is_no_absence(run_action: RunAction, make_tracker: MakeTracker) -> None:
    """ "away" names a deputy only where someone is away."""
    text = "what should agencies avoid when the channel shifts away from e-mail?"
    result = run_action(ActionAnswerGuide, make_tracker(text, "ask_channel_shift"))
    assert result.answer["kind"] == "fact"
    assert result.answer["topic"] == "kanalverschiebung"


def test_a_longer_question_pointing_back_after_a_routing_is_about_it(
    run_action: RunAction, make_tracker: MakeTracker, guides: Guides
) -> None:
    """ "muss ich da noch …?" right after the SC's routing points back at it, in nine words the NLU
    cannot place: the routing again, never a "Meinten Sie" with the agencies' duties."""
    tracker = make_tracker(
        "muss ich da noch irgendwas an die EZ weitergeben?",
        "nlu_fallback",
        intent_ranking=[("nlu_fallback", 0.3), ("ask_duties_agencies", 0.23), ("ask_duties_rl_sc", 0.09)],
        events_before=_after("asu_telefon_reaktivierung", guides),
        last_topic="asu_telefon_reaktivierung",
        subject="job_seeker_registration",
        channel="phone",
        customer="reactivation",
    )
    result = run_action(ActionAnswerOutOfScope, tracker)
    assert result.answer["kind"] == "routing"
    assert result.answer["unit"] == "SC"


def test_why_in_a_question_of_its_own_after_and_is_the_reason(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    text = "und warum wurde die Aufgabenverteilung SC/EZ geaendert?"
    result = run_action(ActionAnswerGuide, make_tracker(text, "ask_effective_date"))
    assert result.answer["topic"] == "neue_aufgabenverteilung_ab_juli"
    assert "Erfahrungen" in result.text.splitlines()[0]


def test_the_website_addresses_named_beside_a_block_are_the_subject(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    """The block and the addresses on the website: what is asked is the addresses, not which postbox."""
    text = "does blocking the postbox also take the email address off the BA website?"
    result = run_action(ActionAnswerGuide, make_tracker(text, "ask_email_block"))
    assert result.answer["kind"] == "fact"
    assert result.answer["topic"] == "internetauftritt_mailadressen"


def test_a_section_named_by_its_title_in_other_spelling(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    text = "which section covers restricting the email channel?"
    result = run_action(ActionAnswerSource, make_tracker(text, "ask_source"))
    assert "2.1" in result.text.splitlines()[0]


@pytest.mark.parametrize(
    ("text", "intent", "kind", "expected"),
    [
        # a label's own word: the subject, and what is still open is asked
        ("Sperre", "nlu_fallback", "clarify", "postbox"),
        # a word of two subjects' labels: both offered
        ("eAkte", "nlu_fallback", "clarify", "eakte_antrag eakte_regelwerk"),
        # an abbreviation only entries use: the few subjects whose entries use it
        ("RIM", "nlu_fallback", "clarify", "aufgaben_agenturen eakte_antrag eakte_regelwerk"),
        # read as a condition typed with nothing pending: the entry whose words use it
        ("Personalrat", "inform", "fact", "haushalt_beteiligung"),
    ],
)
def test_a_keyword_typed_as_into_a_search_box_leads_to_its_entries(
    run_action: RunAction, make_tracker: MakeTracker, text: str, intent: str, kind: str, expected: str
) -> None:
    """What SC agents type during a call: a keyword, never "nicht verstanden" or "Alles klar"."""
    ranking = [(intent, 0.6 if intent == "inform" else 0.3), ("out_of_scope", 0.1)]
    action = ActionAnswerGuide if intent == "inform" else ActionAnswerOutOfScope
    result = run_action(action, make_tracker(text, intent, intent_ranking=ranking))
    assert result.answer["kind"] == kind
    if kind == "fact":
        assert result.answer["topic"] == expected
    elif result.answer["asks"] == "topic":
        offered = sorted(str(o["topic"]) for o in result.answer["options"])
        assert offered == expected.split()
    else:
        assert result.answer["asks"] == expected


@pytest.mark.parametrize("text", ["ja", "okay", "Postfach"])
def test_a_word_that_narrows_nothing_down_is_still_asked_for_a_question(
    run_action: RunAction, make_tracker: MakeTracker, text: str
) -> None:
    """ "Postfach" is in most entries; "ja", "okay" in none: Lotse asks what the user wants to know."""
    ranking = [("inform", 0.6), ("affirm", 0.2)]
    result = run_action(ActionAnswerGuide, make_tracker(text, "inform", intent_ranking=ranking))
    assert result.text.startswith("Alles klar. Was möchten Sie wissen?")


@pytest.mark.parametrize(
    ("last", "case", "text", "kind"),
    [
        # the channel shift depends on no way in: "and by post?" is a case the guides do not settle
        ("kanalverschiebung", {"subject": "channel_shift"}, "and by post?", "not_covered"),
        # the online change notice depends on it: the rule for changes that do not come online
        (
            "veraenderungsmitteilung_online",
            {"subject": "change_notice", "channel": "online"},
            "und per Post?",
            "not_covered",
        ),
    ],
)
def test_another_way_after_an_answer_no_way_decides_is_not_covered(
    run_action: RunAction,
    make_tracker: MakeTracker,
    guides: Guides,
    last: str,
    case: dict[str, str],
    text: str,
    kind: str,
) -> None:
    tracker = make_tracker(
        text,
        "inform",
        intent_ranking=[("inform", 0.5), ("ask_channel_shift", 0.2)],
        events_before=_after(last, guides),
        last_topic=last,
        **case,
    )
    result = run_action(ActionAnswerGuide, tracker)
    assert result.answer["kind"] == kind
    assert result.answer["unit"] is None
    assert result.answer.get("topic") != last


def test_a_return_after_an_aside_goes_on_with_the_thread(
    run_action: RunAction, make_tracker: MakeTracker, guides: Guides
) -> None:
    """An answer, an off-topic aside and its reply, then "back to work: …": about the answer before."""
    aside = {"kind": "out_of_scope", "topic": None}
    events = [
        *_after("stammdaten_online", guides),
        {"event": "user", "text": "btw is the canteen open today?"},
        {"event": "bot", "text": "I cannot help with that …", "data": {"custom": {"answer": aside}}},
    ]
    tracker = make_tracker(
        "back to work: does that also go through the eAkte?",
        "nlu_fallback",
        intent_ranking=[("nlu_fallback", 0.3), ("out_of_scope", 0.28), ("ask_eakte_rules", 0.2)],
        events_before=events,
        subject="master_data_change",
        channel="online",
        lang="en",
    )
    result = run_action(ActionAnswerOutOfScope, tracker)
    assert result.answer["topic"] == "stammdaten_online"
    assert result.answer["unit"] == "EZ"


@pytest.mark.parametrize(
    ("text", "intent", "topic"),
    [
        # what the block sets off, and whom to involve beforehand: the channel shift, whatever postbox
        (
            "What effect is expected from blocking the e-mail postboxes?",
            "ask_email_block",
            "kanalverschiebung",
        ),
        (
            "Which external parties should the agencies talk to before the email block?",
            "ask_email_block",
            "kanalverschiebung",
        ),
        # the agency building's mailboxes are the site postboxes
        (
            "Who blocks the agency building mailboxes – do we have to do it locally?",
            "ask_email_block",
            "sperre_liegenschaftspostfaecher",
        ),
    ],
)
def test_the_block_asked_about_in_other_words(
    run_action: RunAction, make_tracker: MakeTracker, text: str, intent: str, topic: str
) -> None:
    result = run_action(ActionAnswerGuide, make_tracker(text, intent))
    assert result.answer["kind"] == "fact"
    assert result.answer["topic"] == topic


def test_what_a_sender_gets_back_is_the_same_for_every_postbox(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    text = "customer writes to a blocked mailbox. does he get anything back?"
    result = run_action(ActionAnswerGuide, make_tracker(text, "ask_email_block"))
    assert result.answer["kind"] == "fact"
    assert "could not be delivered" in result.text.splitlines()[0]


@pytest.mark.parametrize(
    ("text", "intent", "kind", "said"),
    [
        # "at some point in the past" is the customer's history, no later plan
        (
            "Which unit does a telephone ASU go to if the customer was Rasu at some point in the past?",
            "ask_job_seeker_registration",
            "routing",
            "SC",
        ),
        # opening it again "irgendwann" is what the block's obligation answers: it is kept
        (
            "Dürfen wir das Liegenschaftspostfach nach dem 01.07. irgendwann wieder für externe Mails"
            " öffnen?",
            "ask_email_block",
            "fact",
            "bleibt bestehen",
        ),
    ],
)
def test_some_day_is_no_later_plan_where_it_tells_the_past_or_asks_again(
    run_action: RunAction, make_tracker: MakeTracker, text: str, intent: str, kind: str, said: str
) -> None:
    result = run_action(ActionAnswerGuide, make_tracker(text, intent))
    assert result.answer["kind"] == kind
    assert said in result.text.splitlines()[0]


@pytest.mark.parametrize(
    ("text", "action", "intent"),
    [
        ("Wer ist zustaendig?", ActionAnswerOutOfScope, "nlu_fallback"),
        ("Which unit is responsible?", ActionAnswerOutOfScope, "out_of_scope"),
        ("SC oder EZ?", ActionAnswerGuide, "ask_job_seeker_registration"),
    ],
)
def test_who_handles_it_naming_no_matter_asks_which_matter(
    run_action: RunAction, make_tracker: MakeTracker, guides: Guides, text: str, action: type, intent: str
) -> None:
    """Nothing under discussion and no matter named: "für welchen Fall?" with the routed subjects as
    buttons, never "nicht verstanden" and never the rule of a subject the NLU guessed."""
    result = run_action(action, make_tracker(text, intent, intent_ranking=[(intent, 0.4), *UNSURE]))
    assert result.answer["kind"] == "clarify" and result.answer["asks"] == "topic"
    offered = [guides.vocabulary.intents[i]["subject"] for i in guides.vocabulary.matter_unnamed.offer]
    assert [option["subject"] for option in result.answer["options"]] == offered
    assert result.first_line.startswith(("Zuständig wofür?", "Responsible for what?"))


def test_who_handles_it_right_after_an_answer_is_that_answers_unit(
    run_action: RunAction, make_tracker: MakeTracker, guides: Guides
) -> None:
    tracker = make_tracker(
        "wer ist zuständig?",
        "nlu_fallback",
        intent_ranking=UNSURE,
        events_before=_after("kontaktformular_termine", guides),
        last_topic="kontaktformular_termine",
    )
    result = run_action(ActionAnswerOutOfScope, tracker)
    assert result.answer["kind"] == "routing" and result.answer["unit"] == "EZ"


@pytest.mark.parametrize(
    "text",
    [
        "Kundin am Telefon will sich arbeitsuchend melden, weiss aber nicht ob sie schon mal bei uns"
        " gemeldet war. Wer ist zustaendig?",
        "caller wants to register as a job seeker, not sure if he was ever registered before - who?",
    ],
)
def test_a_status_staff_say_they_do_not_know_is_asked_not_guessed(
    run_action: RunAction, make_tracker: MakeTracker, text: str
) -> None:
    """ "nicht … schon mal gemeldet" is no "never had a status" where the words say it is not known."""
    result = run_action(ActionAnswerGuide, make_tracker(text, "ask_job_seeker_registration"))
    assert result.answer["kind"] == "clarify" and result.answer["asks"] == "customer"


@pytest.mark.parametrize(
    "text",
    [
        "How do I reactivate my gym membership?",
        "I want to block spam on my personal e-mail at home, how?",
        "Was kostet ein Deutschlandticket?",
    ],
)
def test_private_matters_in_guide_words_are_out_of_scope(
    run_action: RunAction, make_tracker: MakeTracker, text: str
) -> None:
    for intent in ("ask_reactivation_definition", "ask_email_block", "ask_budget_participation"):
        result = run_action(ActionAnswerGuide, make_tracker(text, intent))
        assert result.answer["kind"] == "out_of_scope", (text, intent)


def test_a_unit_named_with_it_after_a_routing_answer_is_that_answer_however_sure_the_nlu(
    run_action: RunAction, make_tracker: MakeTracker, guides: Guides
) -> None:
    """ "does the EZ get any part of it?" read surely as the budget; "do the SC agents get new call
    guides for this?" is the SC's own tasks, a question of its own."""
    before = _after("asu_telefon_reaktivierung", guides)
    pointing = make_tracker(
        "does the EZ get any part of it?",
        "ask_budget_participation",
        intent_ranking=[("ask_budget_participation", 0.9)],
        events_before=before,
        last_topic="asu_telefon_reaktivierung",
    )
    result = run_action(ActionAnswerGuide, pointing)
    assert result.answer["kind"] == "routing" and result.answer["topic"] == "asu_telefon_reaktivierung"
    own = make_tracker(
        "do the SC agents get new call guides for this?",
        "ask_duties_sc",
        intent_ranking=[("ask_duties_sc", 0.9)],
        events_before=before,
        last_topic="asu_telefon_reaktivierung",
    )
    assert run_action(ActionAnswerGuide, own).answer["topic"] == "aufgaben_service_center"


@pytest.mark.parametrize(
    ("text", "intent", "ranking", "topic"),
    [
        # "who previously had" tells the customer's past; it does not ask who handled it before
        (
            "A caller who previously had Asu status in VerBIS wants to register as a job seeker again."
            " SC or EZ?",
            "ask_job_seeker_registration",
            [("ask_job_seeker_registration", 0.9)],
            "asu_telefon_reaktivierung",
        ),
        # named and stated (customer, phone) with a unit asked: the registration, however low ranked
        (
            "reactivation client calls in for ASU — do I pass it to the reception zone?",
            "ask_reactivation_definition",
            [("ask_reactivation_definition", 0.9), ("ask_job_seeker_registration", 0.03)],
            "asu_telefon_reaktivierung",
        ),
        (
            "telef. ASU Wiederkehrer, VerBIS-Status vorhanden – wer uebernimmt?",
            "ask_job_seeker_registration",
            [("ask_job_seeker_registration", 0.9)],
            "asu_telefon_reaktivierung",
        ),
    ],
)
def test_the_phone_registration_of_a_returning_customer_as_staff_write_it(
    run_action: RunAction,
    make_tracker: MakeTracker,
    text: str,
    intent: str,
    ranking: list[tuple[str, float]],
    topic: str,
) -> None:
    result = run_action(ActionAnswerGuide, make_tracker(text, intent, intent_ranking=ranking))
    assert result.answer["kind"] == "routing" and result.answer["unit"] == "SC"
    assert result.answer["topic"] == topic


def test_a_phone_appointment_request_is_not_the_contact_form_rule(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    text = "Who handles phone appointment requests for career guidance?"
    result = run_action(ActionAnswerGuide, make_tracker(text, "ask_appointment_request_bb"))
    assert result.answer["kind"] == "not_covered" and result.answer["unit"] is None


def test_who_handles_it_in_sgb_ii_is_the_scope_not_the_sgb_iii_rule(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    result = run_action(
        ActionAnswerGuide, make_tracker("Wer bearbeitet online VÄM im SGB II?", "ask_change_notice")
    )
    assert result.answer["kind"] == "fact" and result.answer["topic"] == "weisung_geltungsbereich"
    assert result.answer["unit"] is None


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("Wie bekomme ich Zugriff auf die VCC-Postfaecher?", "ask_appointment_cancellation"),
        ("How do I get access to the VCC mailboxes?", "ask_appointment_request_av"),
        (
            "Wie erfasse ich die telefonische ASU technisch in VerBIS, welche Maske?",
            "ask_job_seeker_registration",
        ),
        ("Wie lange haben wir Zeit, eine online VÄM zu bearbeiten?", "ask_change_notice"),
        ("What's the response time target for contact forms in the VCC mailboxes?", "ask_contact_form"),
        (
            "Wie war die telefonische ASU vor dem 01.07.2025 zwischen SC und EZ aufgeteilt?",
            "ask_job_seeker_registration",
        ),
        ("Wie heisst der Postkorb der EZ in der eAkte bei uns genau?", "ask_eakte_request"),
        ("What should I tell a customer on the phone whose e-mail bounced?", "ask_channel_shift"),
        ("What does the undeliverable message say exactly?", "ask_email_function"),
        ("Which document types are set to 'Online-Dokument'?", "ask_eakte_rules"),
        (
            "Gilt die Sperre auch fuer die persoenlichen Outlook-Postfaecher der Mitarbeitenden?",
            "ask_email_block",
        ),
        ("Online-Antrag auf Arbeitslosengeld – wer bearbeitet den ab Juli?", "ask_eakte_request"),
        # a registration named in full is the registration, which the guides settle by phone only:
        # never the change notices' rule the NLU read
        ("Wer bearbeitet Online-Arbeitsuchendmeldungen, die ueber das Portal kommen?", "ask_change_notice"),
        ("who processes online job-seeker registrations submitted through the portal?", "ask_change_notice"),
        # weekends, identity checks, progress reports, which VCC postbox is ours, pointing callers to the
        # form, general questions, a processing-time limit, a vacancy by contact form, e-mails sent out
        ("Werden die Kontaktformulare auch am Wochenende bearbeitet?", "ask_contact_form"),
        (
            "Does the SC have to check the caller's identity on a phone ASU, and how?",
            "ask_job_seeker_registration",
        ),
        ("By when do the regional directorates have to report on progress?", "ask_duties_rd"),
        ("Which of the five VCC postboxes is ours?", "ask_appointment_cancellation"),
        ("Muss das SC Anrufer aktiv auf das Kontaktformular hinweisen?", "ask_duties_rl_sc"),
        (
            "Kunde hat im eService Kommunikation eine allgemeine Frage gestellt – wer antwortet?",
            "ask_master_data_change",
        ),
        ("Wie lange darf die Bearbeitung einer Online-VÄM in der EZ höchstens dauern?", "ask_change_notice"),
        ("contact form from an employer reporting a vacancy – who handles it?", "ask_contact_form"),
        ("Können wir nach der Sperre weiterhin E-Mails an Kunden senden?", "ask_email_block"),
    ],
)
def test_details_the_instruction_never_gives_are_not_settled_not_the_routing(
    run_action: RunAction, make_tracker: MakeTracker, text: str, intent: str
) -> None:
    """Access rights, the VerBIS screen, a processing time, how exactly the old split worked, the
    Postkorb's name, a script for customers, the notice's wording, the document types by name, staff's
    personal postboxes, who takes an application for a benefit, a registration that does not come by phone."""
    result = run_action(ActionAnswerGuide, make_tracker(text, intent))
    assert result.answer["kind"] == "not_covered" and result.answer["unit"] is None


def test_what_the_sender_gets_is_answered_whichever_entry_the_nlu_read(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    """The guides give the non-delivery notice once (`one_for_all`): read as customer reactions too."""
    text = "Kriegt der Absender eine Rueckmeldung, wenn seine Mail wegen der Sperre nicht ankommt?"
    result = run_action(ActionAnswerGuide, make_tracker(text, "ask_customer_reactions"))
    assert result.answer["kind"] == "fact" and "Unzustellbarkeit" in result.first_line


def test_an_earlier_instruction_by_its_date_and_when_it_was(
    run_action: RunAction, make_tracker: MakeTracker, guides: Guides
) -> None:
    asked = run_action(
        ActionAnswerGuide, make_tracker("Which instruction from April 2024 is referenced?", "ask_instruction")
    )
    assert asked.answer["topic"] == "weisung_bezug" and "202404002" in asked.text
    when = make_tracker(
        "und von wann war die?",
        "ask_validity",
        events_before=_after("weisung_bezug", guides),
        last_topic="weisung_bezug",
    )
    assert "21.11.2024" in run_action(ActionAnswerValidity, when).text


@pytest.mark.parametrize(
    ("text", "intent", "topic"),
    [
        ("Welche Unterlagen muss das SC ab Juli anwenden?", "ask_duties_agencies", "aufgaben_service_center"),
        (
            "Wo bearbeiten die Agenturen die Kontaktformular-Vorgaenge und die Online-Aenderungen?",
            "ask_master_data_change",
            "aufgaben_agenturen",
        ),
        ("Was ist das Ziel der BA beim Kommunikationskanal?", "ask_channel_shift", "grund_email_reduzierung"),
    ],
)
def test_duties_and_aims_named_in_other_words(
    run_action: RunAction, make_tracker: MakeTracker, text: str, intent: str, topic: str
) -> None:
    result = run_action(ActionAnswerGuide, make_tracker(text, intent))
    assert result.answer["kind"] == "fact" and result.answer["topic"] == topic


def test_which_document_type_to_reroute_is_the_kind_the_rule_set_names(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    text = "which document type has to be re-routed to the EZ Postkorb in the eAkte rules?"
    result = run_action(ActionAnswerGuide, make_tracker(text, "ask_eakte_rules"))
    assert result.answer["kind"] == "fact" and "Online-Dokument" in result.text


def test_the_guides_and_aids_a_unit_applies_are_its_duties(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    text = "When do the updated EZ conversation guides and the e-mail work aids have to be applied?"
    result = run_action(ActionAnswerGuide, make_tracker(text, "ask_duties_sc"))
    assert result.answer["topic"] == "aufgaben_agenturen" and "1 July 2025" in result.text


@pytest.mark.parametrize(
    ("entry", "text", "said"),
    [
        ("funktion_email_kommunikation", "wo steht mehr dazu?", "Funktionen und Änderungen im IM-Webshop"),
        ("funktion_email_kommunikation", "where can I read more about it?", "Funktionen und Änderungen"),
        ("atv_kalender", "wo stehen die Regeln dazu?", "Regelungen Kundenportal"),
    ],
)
def test_where_to_read_more_is_the_page_the_answer_names_not_the_section(
    run_action: RunAction, make_tracker: MakeTracker, guides: Guides, entry: str, text: str, said: str
) -> None:
    tracker = make_tracker(
        text,
        "ask_source",
        events_before=_after(entry, guides),
        last_topic=entry,
    )
    result = run_action(ActionAnswerSource, tracker)
    assert result.answer["kind"] == "fact" and said in result.text


def test_templates_after_the_press_answer_are_its_building_blocks(
    run_action: RunAction, make_tracker: MakeTracker, guides: Guides
) -> None:
    """The press offices get building blocks: "bekommen wir dafür Textvorlagen?" right after is that
    answer; a reply template for customers is still not settled."""
    after_press = make_tracker(
        "bekommen wir dafür Textvorlagen?",
        "ask_press",
        events_before=_after("pressearbeit", guides),
        last_topic="pressearbeit",
    )
    result = run_action(ActionAnswerGuide, after_press)
    assert result.answer["kind"] == "fact" and result.answer["topic"] == "pressearbeit"
    own = make_tracker(
        "Gibt es eine Antwortvorlage für Kunden, die sich über die Sperre beschweren?",
        "ask_customer_reactions",
    )
    assert run_action(ActionAnswerGuide, own).answer["kind"] == "not_covered"


@pytest.mark.parametrize(
    "text", ["who's responsible for this one?", "is that EZ or SC?", "Wer ist dafür zuständig?"]
)
def test_more_ways_to_ask_who_with_no_matter(
    run_action: RunAction, make_tracker: MakeTracker, text: str
) -> None:
    result = run_action(ActionAnswerOutOfScope, make_tracker(text, "nlu_fallback", intent_ranking=UNSURE))
    assert result.answer["kind"] == "clarify" and result.answer["asks"] == "topic"


def test_the_way_to_the_station_is_out_of_scope(run_action: RunAction, make_tracker: MakeTracker) -> None:
    text = "Which bus goes from the agency to the Hauptbahnhof?"
    result = run_action(ActionAnswerGuide, make_tracker(text, "ask_duties_agencies"))
    assert result.answer["kind"] == "out_of_scope"


def test_where_it_says_how_it_works_in_detail_is_the_page_not_the_section(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    text = "wo steht, wie die funktion im im-webshop genau funktioniert?"
    result = run_action(ActionAnswerGuide, make_tracker(text, "ask_email_function"))
    assert result.answer["kind"] == "fact"
    assert "Funktionen und Änderungen im IM-Webshop" in result.first_line
    plain = run_action(
        ActionAnswerGuide, make_tracker("wo steht das mit der Funktion im IM-Webshop?", "ask_email_function")
    )
    assert "Abschnitt 2.1" in plain.first_line  # where it is written: the section


@pytest.mark.parametrize("text", ["BB?", "AV too?"])
def test_an_abbreviation_the_last_answer_uses_is_that_answer(
    run_action: RunAction, make_tracker: MakeTracker, guides: Guides, text: str
) -> None:
    tracker = make_tracker(
        text,
        "nlu_fallback",
        intent_ranking=UNSURE,
        events_before=_after("kontaktformular_termine", guides),
        last_topic="kontaktformular_termine",
    )
    result = run_action(ActionAnswerOutOfScope, tracker)
    assert result.answer["kind"] == "routing" and result.answer["unit"] == "EZ"


def test_a_unit_claimed_after_not_settled_is_still_not_settled(
    run_action: RunAction, make_tracker: MakeTracker, guides: Guides
) -> None:
    """ "so the EZ does it, right?" after "the guides do not say" gets that again, never "off-topic"."""
    tracker = make_tracker(
        "so the EZ does it, right?",
        "out_of_scope",
        intent_ranking=[("out_of_scope", 0.7), ("ask_job_seeker_registration", 0.1)],
        events_before=_after("asu_telefon_ohne_status", guides),
        last_topic="asu_telefon_ohne_status",
    )
    result = run_action(ActionAnswerOutOfScope, tracker)
    assert result.answer["kind"] == "not_covered" and result.answer["topic"] == "asu_telefon_ohne_status"


@pytest.mark.parametrize(
    "text",
    [
        "My home Outlook keeps rejecting e-mails from my bank as undeliverable, how do I fix that?",
        "My sister needs Bürgergeld from the Jobcenter; what documents does she need?",
        "Und wie krieg ich privat einen Termin beim Buergeramt fuer meinen Ausweis?",
    ],
)
def test_family_home_and_errands_are_private(
    run_action: RunAction, make_tracker: MakeTracker, text: str
) -> None:
    result = run_action(ActionAnswerGuide, make_tracker(text, "ask_email_function"))
    assert result.answer["kind"] == "out_of_scope"


def test_a_complaint_is_a_customer_reaction_but_not_as_a_condition(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    text = "Kundin beschwert sich, dass das Liegenschaftspostfach ihre Mail abweist – was tun?"
    result = run_action(ActionAnswerGuide, make_tracker(text, "ask_email_block"))
    assert result.answer["topic"] == "kundenreaktionen_krm"
    reopen = (
        "Darf die Agentur die Sperre vom Liegenschaftspostfach im Herbst wieder aufheben, wenn es"
        " Beschwerden gibt?"
    )
    assert (
        run_action(ActionAnswerGuide, make_tracker(reopen, "ask_email_block")).answer["topic"]
        != "kundenreaktionen_krm"
    )


def test_the_site_postboxes_named_beside_the_ez_are_the_site_postboxes(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    text = "Muessen die Fuehrungskraefte in der EZ die Liegenschaftspostfaecher selbst sperren?"
    result = run_action(ActionAnswerGuide, make_tracker(text, "ask_email_block"))
    assert result.answer["kind"] == "fact" and "zentral" in result.first_line


def test_again_on_the_phone_is_no_returning_customer(
    run_action: RunAction, make_tracker: MakeTracker, guides: Guides
) -> None:
    """ "und wieder am Telefon, aber ohne jeden früheren Status?": "wieder" is the way, not the history."""
    tracker = make_tracker(
        "ok, und wieder am Telefon, aber diesmal ohne jeden frueheren Status?",
        "inform",
        events_before=_after("asu_nicht_telefonisch", guides),
        last_topic="asu_nicht_telefonisch",
        subject="job_seeker_registration",
        customer="reactivation",
        channel="offline",
    )
    result = run_action(ActionAnswerGuide, tracker)
    assert result.answer["kind"] == "not_covered" and result.answer["topic"] == "asu_telefon_ohne_status"


def test_a_greeting_is_believed_only_where_it_greets(
    run_action: RunAction, make_tracker: MakeTracker, guides: Guides
) -> None:
    """ "womit am besten?" read as a greeting after the forwarding answer is its recommendation."""
    tracker = make_tracker(
        "womit am besten?",
        "greet",
        intent_ranking=[("greet", 0.6), ("out_of_scope", 0.2)],
        events_before=_after("weitergabe_kontaktformulare", guides),
        last_topic="weitergabe_kontaktformulare",
    )
    result = run_action(ActionAnswerSmallTalk, tracker)
    assert result.answer["topic"] == "weitergabe_kontaktformulare" and "Outlook" in result.text
    hello = run_action(ActionAnswerSmallTalk, make_tracker("Grüß Gott", "greet"))
    assert hello.text.startswith("Hallo, ich bin Lotse")


def test_old_mails_in_a_blocked_postbox_are_not_settled(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    text = "what happens to old e-mails stored in the site mailbox after the block?"
    result = run_action(ActionAnswerGuide, make_tracker(text, "ask_email_block"))
    assert result.answer["kind"] == "not_covered"


@pytest.mark.parametrize(
    "text",
    ["phone ASU from July 2025, which unit?", "telefonische ASU ab Juli 2025 – SC oder EZ?"],
)
def test_the_year_a_question_asks_about_is_no_status_of_the_customer(
    run_action: RunAction, make_tracker: MakeTracker, text: str
) -> None:
    """ "ASU-Fall von 2023" says the customer had a status; "ASU ab Juli 2025" only says when."""
    result = run_action(ActionAnswerGuide, make_tracker(text, "ask_job_seeker_registration"))
    assert result.answer["kind"] == "clarify" and result.answer["asks"] == "customer"
    old = run_action(
        ActionAnswerGuide, make_tracker("tel. ASU, Alo-Status aus 2019 – wer?", "ask_job_seeker_registration")
    )
    assert old.answer["kind"] == "routing" and old.answer["unit"] == "SC"


@pytest.mark.parametrize(
    "text",
    [
        "Wer macht die telefonische ASU, wenn der Kunde schon mal Alo war, und seit wann?",
        "phone ASU of an ex-Alo customer – who, and from when?",
    ],
)
def test_who_and_since_when_is_the_routing_answer_with_its_date(
    run_action: RunAction, make_tracker: MakeTracker, text: str
) -> None:
    """The verdict first (the unit), its date below: never the validity line on top of a fact."""
    result = run_action(ActionAnswerGuide, make_tracker(text, "ask_job_seeker_registration"))
    assert result.answer["kind"] == "routing" and result.first_line.startswith("SC")
    assert re.search(r"01\.07\.2025|1 July 2025", result.text)


def test_small_talk_the_words_do_not_bear_out_is_the_follow_up_ranked_behind(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    """ "gültig bis?" read as a goodbye (its "bis") asks how long the instruction applies."""
    tracker = make_tracker(
        "gültig bis?",
        "goodbye",
        intent_ranking=[("goodbye", 0.69), ("ask_validity", 0.07), ("ask_why", 0.05)],
    )
    result = run_action(ActionAnswerSmallTalk, tracker)
    assert result.answer["kind"] == "fact" and "unbegrenzt" in result.text
    bye = run_action(ActionAnswerSmallTalk, make_tracker("bis dann", "goodbye"))
    assert "answer" not in (bye.message.get("custom") or {}) and bye.text.startswith("Auf Wiedersehen")


def test_a_fax_is_unassigned_unless_it_names_a_case(run_action: RunAction, make_tracker: MakeTracker) -> None:
    """ "who handles faxes?" names no case; "VÄM per Fax" is the change notice, another way in."""
    faxes = run_action(
        ActionAnswerGuide,
        make_tracker("What happens to faxes – who handles those now?", "ask_appointment_cancellation"),
    )
    assert faxes.answer["kind"] == "not_covered" and faxes.answer.get("topic") is None
    notice = run_action(
        ActionAnswerGuide, make_tracker("VÄM per Fax – wer bearbeitet die?", "ask_change_notice")
    )
    assert notice.answer["kind"] == "not_covered" and notice.answer["topic"] == "veraenderung_nicht_online"
    assert notice.slots["subject"] == "change_notice"


def test_what_a_term_means_in_the_instruction_is_its_term_not_its_reason(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    kusos = run_action(
        ActionAnswerGuide, make_tracker("what is KUSOS in this instruction?", "ask_instruction")
    )
    assert kusos.answer["topic"] == "stammdaten_online" and "master-data" in kusos.first_line
    reason = "Customer asks why she cannot just email us anymore – what is the reasoning in the instruction?"
    why = run_action(ActionAnswerGuide, make_tracker(reason, "ask_email_reason"))
    assert why.answer["topic"] == "grund_email_reduzierung"


def test_what_is_meant_by_the_term_is_the_term(run_action: RunAction, make_tracker: MakeTracker) -> None:
    """ "what is meant by …" asks what a rule covers, but of the term it is the term itself."""
    text = "what is meant by reactivation customer?"
    result = run_action(ActionAnswerGuide, make_tracker(text, "ask_reactivation_definition"))
    assert result.answer["topic"] == "begriff_reaktivierungskunde"


def test_a_lunch_break_is_private_even_right_after_an_answer(
    run_action: RunAction, make_tracker: MakeTracker, guides: Guides
) -> None:
    tracker = make_tracker(
        "btw wann ist Mittag?",
        "ask_validity",
        events_before=_after("kontaktformular_termine", guides),
        last_topic="kontaktformular_termine",
    )
    assert run_action(ActionAnswerValidity, tracker).answer["kind"] == "out_of_scope"


def test_a_bare_wer_at_the_end_asks_who(run_action: RunAction, make_tracker: MakeTracker) -> None:
    """ "Arbeitslosengeld-Antrag online – wer?": the matter no unit is assigned, asked with a bare "wer?"."""
    tracker = make_tracker(
        "Arbeitslosengeld-Antrag online – wer?",
        "ask_change_notice",
        intent_ranking=[("ask_change_notice", 0.30), ("out_of_scope", 0.19)],
    )
    result = run_action(ActionAnswerGuide, tracker)
    assert result.answer["kind"] == "not_covered" and result.answer["unit"] is None


def test_the_file_type_1001_alg_is_no_unemployment_benefit(
    run_action: RunAction, make_tracker: MakeTracker
) -> None:
    text = "documents of type 'Online-Dokument' in file type 1001 Alg go to which unit's inbox?"
    result = run_action(ActionAnswerGuide, make_tracker(text, "ask_eakte_rules"))
    assert result.answer["topic"] == "eakte_regelwerk" and result.answer["unit"] == "EZ"
