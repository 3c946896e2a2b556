"""The engine: which entry settles a question, when it asks back, and when nothing does."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from bot.answering.answers import AnswerWriter
from bot.answering.engine import (
    OTHER,
    Answer,
    Clarify,
    NotCovered,
    after_return,
    conditions_for,
    normalise,
    resolve,
    resolve_as_of,
    stated_in_text,
    units_named,
)
from bot.answering.guides import Guides
from bot.answering.responses import Responses
from tests.conftest import BEFORE_JULY_2025, TODAY, GuideCopy


def _answer(entry_id: str) -> tuple[Any, ...]:
    return ("answer", entry_id)


def _clarify(key: str, *values: str) -> tuple[Any, ...]:
    return ("clarify", key, list(values))


def _not_covered(*related: str, outside_dates: bool = False) -> tuple[Any, ...]:
    return ("not_covered", sorted(related), outside_dates)


def _summary(found: Answer | Clarify | NotCovered) -> tuple[Any, ...]:
    if isinstance(found, Answer):
        return _answer(found.entry.id)
    if isinstance(found, Clarify):
        return _clarify(found.key, *found.values)
    return _not_covered(*(e.id for e in found.related), outside_dates=found.outside_dates)


RESOLVE_CASES = [
    # --- today (2026-11-27) ---
    (
        "asu-reactivation",
        {"subject": "job_seeker_registration", "channel": "phone", "customer": "reactivation"},
        TODAY,
        _answer("asu_telefon_reaktivierung"),
    ),
    (
        "asu-new-customer",
        {"subject": "job_seeker_registration", "channel": "phone", "customer": "new"},
        TODAY,
        _answer("asu_telefon_ohne_status"),
    ),
    (
        "asu-in-person",  # the guides assign only the phone registration
        {"subject": "job_seeker_registration", "channel": "offline", "customer": "reactivation"},
        TODAY,
        _answer("asu_nicht_telefonisch"),
    ),
    (
        "asu-online-customer-open",
        {"subject": "job_seeker_registration", "channel": "online"},
        TODAY,
        _answer("asu_nicht_telefonisch"),
    ),
    (
        "asu-channel-open",
        {"subject": "job_seeker_registration", "customer": "reactivation"},
        TODAY,
        _clarify("channel", "phone", "online", "contact_form", "email", "offline"),
    ),
    (
        "asu-customer-open",
        {"subject": "job_seeker_registration", "channel": "phone"},
        TODAY,
        _clarify("customer", "reactivation", "new"),
    ),
    (
        "asu-customer-other",
        {"subject": "job_seeker_registration", "channel": "phone", "customer": OTHER},
        TODAY,
        _not_covered("asu_telefon_reaktivierung"),
    ),
    (
        "cancellation-contact-form",
        {"subject": "appointment_cancellation", "channel": "contact_form", "matter": "appointment"},
        TODAY,
        _answer("kontaktformular_termine"),
    ),
    (
        "request-av-contact-form",
        {"subject": "appointment_request_av", "channel": "contact_form", "matter": "appointment"},
        TODAY,
        _answer("kontaktformular_termine"),
    ),
    (
        "contact-form-about-money",  # the guides assign only appointment forms: not covered, naming them
        {"subject": "appointment_request_av", "channel": "contact_form", "matter": "other_matter"},
        TODAY,
        _not_covered("kontaktformular_termine"),
    ),
    (
        "request-bb-phone",
        {"subject": "appointment_request_bb", "channel": "phone", "matter": "appointment"},
        TODAY,
        _answer("terminabsage_telefon"),
    ),
    (
        "cancellation-channel-open",
        {"subject": "appointment_cancellation"},
        TODAY,
        _clarify("channel", "phone", "contact_form"),
    ),
    (
        "cancellation-online",
        {"subject": "appointment_cancellation", "channel": "online"},
        TODAY,
        _not_covered("kontaktformular_termine"),
    ),
    (
        "master-data-channel-open",
        {"subject": "master_data_change"},
        TODAY,
        _clarify("channel", "phone", "online", "email", "offline"),
    ),
    (
        "master-data-online",
        {"subject": "master_data_change", "channel": "online"},
        TODAY,
        _answer("stammdaten_online"),
    ),
    (
        "change-notice-letter",
        {"subject": "change_notice", "channel": "offline"},
        TODAY,
        _answer("veraenderung_nicht_online"),
    ),
    (
        "master-data-contact-form",
        {"subject": "master_data_change", "channel": "contact_form"},
        TODAY,
        _not_covered("stammdaten_online"),
    ),
    (
        "email-block-postbox-open",
        {"subject": "email_block"},
        TODAY,
        _clarify("postbox", "site", "team_org", "ez"),
    ),
    ("email-block-ez", {"subject": "email_block", "postbox": "ez"}, TODAY, _answer("sperre_ez_postfaecher")),
    (
        "free-emails-after-june",
        {"subject": "free_emails_site_postbox", "postbox": "site"},
        TODAY,
        _answer("freie_emails_ab_juli_2025"),
    ),
    # the free e-mails are the site postboxes': a team postbox's e-mails the instruction does not settle
    (
        "free-emails-team-postbox",
        {"subject": "free_emails_site_postbox", "postbox": "team_org"},
        TODAY,
        _not_covered("freie_emails_ab_juli_2025"),
    ),
    ("instruction", {"subject": "instruction"}, TODAY, _answer("weisung_ueberblick")),
    ("unknown-subject", {"subject": "weather"}, TODAY, _not_covered()),
    # --- 2025-06-15: before the new division of tasks ---
    (
        "free-emails-until-june",
        {"subject": "free_emails_site_postbox", "postbox": "site"},
        BEFORE_JULY_2025,
        _answer("freie_emails_bis_juni_2025"),
    ),
    (
        "asu-reactivation-before-the-new-division",
        {"subject": "job_seeker_registration", "channel": "phone", "customer": "reactivation"},
        BEFORE_JULY_2025,
        _answer("asu_telefon_reaktivierung_bis_juni_2025"),
    ),
    (
        "asu-open-before-the-new-division",
        {"subject": "job_seeker_registration", "channel": "phone"},
        BEFORE_JULY_2025,
        _clarify("customer", "reactivation", "other"),
    ),
    (
        "change-notice-not-yet-valid",
        {"subject": "change_notice", "channel": "online"},
        BEFORE_JULY_2025,
        _not_covered("veraenderungsmitteilung_online", outside_dates=True),
    ),
    (
        "contact-form-not-yet-valid",
        {"subject": "appointment_cancellation", "channel": "contact_form"},
        BEFORE_JULY_2025,
        _not_covered("kontaktformular_termine", outside_dates=True),
    ),
    (
        "email-block-site-already-valid",
        {"subject": "email_block", "postbox": "site"},
        BEFORE_JULY_2025,
        _answer("sperre_liegenschaftspostfaecher"),
    ),
    ("eakte-request-already-valid", {"subject": "eakte_request"}, BEFORE_JULY_2025, _answer("eakte_antrag")),
    # --- the borders of the validity periods ---
    (
        "free-emails-last-day",
        {"subject": "free_emails_site_postbox", "postbox": "site"},
        dt.date(2025, 6, 30),
        _answer("freie_emails_bis_juni_2025"),
    ),
    (
        "free-emails-first-blocked-day",
        {"subject": "free_emails_site_postbox", "postbox": "site"},
        dt.date(2025, 7, 1),
        _answer("freie_emails_ab_juli_2025"),
    ),
    (
        "asu-first-valid-day",
        {"subject": "job_seeker_registration", "channel": "phone", "customer": "reactivation"},
        dt.date(2025, 7, 1),
        _answer("asu_telefon_reaktivierung"),
    ),
    (
        "instruction-day-before-it-applies",
        {"subject": "instruction"},
        dt.date(2025, 5, 25),
        _not_covered("weisung_ueberblick", outside_dates=True),
    ),
]


@pytest.mark.parametrize(
    ("query", "day", "expected"), [c[1:] for c in RESOLVE_CASES], ids=[c[0] for c in RESOLVE_CASES]
)
def test_resolve(guides: Guides, query: dict[str, str], day: dt.date, expected: tuple[Any, ...]) -> None:
    assert _summary(resolve(guides, query, day)) == expected


FREE_EMAILS = {"subject": "free_emails_site_postbox", "postbox": "site"}


@pytest.mark.parametrize(
    ("day", "expected_entry", "named_day"),
    [
        (None, "freie_emails_ab_juli_2025", None),  # today
        (TODAY, "freie_emails_ab_juli_2025", None),  # today, named
        (dt.date(2025, 6, 30), "freie_emails_bis_juni_2025", dt.date(2025, 6, 30)),  # another answer then
        (dt.date(2025, 8, 1), "freie_emails_ab_juli_2025", None),  # another day, today's answer
    ],
)
def test_resolve_as_of_names_a_day_only_where_its_answer_is_not_todays(
    guides: Guides, day: dt.date | None, expected_entry: str, named_day: dt.date | None
) -> None:
    found, named = resolve_as_of(guides, FREE_EMAILS, day, TODAY)
    assert _summary(found) == _answer(expected_entry)
    assert named == named_day


def test_clarify_candidates_are_the_entries_still_in_question(guides: Guides) -> None:
    found = resolve(guides, {"subject": "email_block"}, TODAY)
    assert isinstance(found, Clarify)
    assert {e.id for e in found.candidates} == {
        "sperre_liegenschaftspostfaecher",
        "sperre_team_organisationspostfaecher",
        "sperre_ez_postfaecher",
    }


def test_not_covered_related_leaves_out_not_covered_entries(guides: Guides) -> None:
    """Only entries that settle something are offered as 'what the guides do settle'."""
    found = resolve(guides, {"subject": "appointment_cancellation", "channel": "offline"}, TODAY)
    assert isinstance(found, NotCovered)
    assert [e.id for e in found.related] == ["kontaktformular_termine"]
    assert all(e.kind != "not_covered" for e in found.related)


# --- condition values stated in the text -----------------------------------------

STATED_CASES = [
    # German
    ("de-former-alo-calls", "Ehemaliger Alo-Kunde ruft an", {"customer": "reactivation", "channel": "phone"}),
    ("de-frueher-umlaut", "Kunde war früher arbeitslos", {"customer": "reactivation"}),
    ("de-frueher-written-out", "Kunde war frueher arbeitslos", {"customer": "reactivation"}),
    ("de-meldet-sich-wieder", "Kundin meldet sich wieder", {"customer": "reactivation"}),
    ("de-reaktivierung", "ASU Reaktivierungskunde", {"customer": "reactivation"}),
    ("de-noch-nie", "Kunde hat noch nie einen Status gehabt", {"customer": "new"}),
    ("de-noch-nie-arbeitslos-gemeldet", "Kundin noch nie arbeitslos gemeldet", {"customer": "new"}),
    ("de-ohne-vorherigen-status", "Kunde ohne vorherigen Status", {"customer": "new"}),
    ("de-ohne-frueheren-status", "Kunde ohne früheren Status", {"customer": "new"}),
    ("de-neukunde-telefonisch", "Neukunde meldet sich telefonisch", {"customer": "new", "channel": "phone"}),
    ("de-zum-ersten-mal", "Kunde meldet sich zum ersten Mal", {"customer": "new"}),
    ("de-telefonisch", "Terminabsage telefonisch", {"channel": "phone", "matter": "appointment"}),
    (
        "de-kontaktformular",
        "Terminabsage über das Kontaktformular",
        {"channel": "contact_form", "matter": "appointment"},
    ),
    # a contact form about money is another matter than the appointments of section 2.2
    (
        "de-form-about-money",
        "Kontaktformular: wann wird das Arbeitslosengeld überwiesen?",
        {"channel": "contact_form", "matter": "other_matter"},
    ),
    (
        "de-both-matters",
        "Terminabsage wegen Arbeitslosengeld per Kontaktformular",
        {"channel": "contact_form"},
    ),
    ("de-per-post", "Stammdaten per Post geändert", {"channel": "offline"}),
    ("de-kusos", "Änderung über KUSOS", {"channel": "online"}),
    ("de-liegenschaft", "Sperre der Liegenschaftspostfächer", {"postbox": "site"}),
    ("de-teampostfach", "Sperre im Teampostfach", {"postbox": "team_org"}),
    ("de-ez-postfach", "EZ-Postfach sperren", {"postbox": "ez"}),
    ("de-nothing", "Wer bearbeitet das?", {}),
    # English
    ("en-former-customer", "former Alo customer calls", {"customer": "reactivation", "channel": "phone"}),
    ("en-status-before", "customer had a status before", {"customer": "reactivation"}),
    ("en-first-time", "first-time customer", {"customer": "new"}),
    ("en-without-status", "customer without a status", {"customer": "new"}),
    ("en-by-phone", "cancellation by phone", {"channel": "phone", "matter": "appointment"}),
    (
        "en-contact-form",
        "cancellation via the contact form",
        {"channel": "contact_form", "matter": "appointment"},
    ),
    (
        "en-form-about-payment",
        "contact form about a benefit payment",
        {"channel": "contact_form", "matter": "other_matter"},
    ),
    ("en-by-letter", "change sent by letter", {"channel": "offline"}),
    ("en-team-mailbox", "block the team mailbox", {"postbox": "team_org"}),
    # in person, said as staff say it; a form that "came in" did not come in person
    ("en-reception", "change notice handed in at the reception desk", {"channel": "offline"}),
    ("en-walk-in", "customer walked in with the notice", {"channel": "offline"}),
    ("de-empfang", "Kunde kam am Empfang vorbei", {"channel": "offline"}),
    ("en-form-came-in", "a contact form came in", {"channel": "contact_form"}),
    # the VCC postboxes' names ask nothing about regions ("…_SC-Region")
    ("en-vcc-name", "what is _BA-Zentrale-VCC-SGB3_SC-Region?", {}),
    # cues pointing both ways leave the key open
    # "never … before" is a new customer; a status before and "never" after it stays open (asked)
    ("en-never-before", "never had a status before", {"customer": "new"}),
    (
        "en-never-registered-before",
        "and if the caller was never registered before?",
        {"customer": "new", "channel": "phone"},
    ),
    ("de-frueher-alo-nie-abgemeldet", "Kunde war früher Alo, hat sich nie abgemeldet", {}),
    # "only Rasu, never Asu or Alo" had a status all the same; "nur wegen ASU" tells no history
    (
        "en-only-rasu-never-asu",
        "customer was only Rasu, never Asu or Alo. phone registration now – SC?",
        {"customer": "reactivation", "channel": "phone"},
    ),
    ("de-nur-rasu-nie-arbeitslos", "Kundin war nur Rasu, nie arbeitslos", {"customer": "reactivation"}),
    ("de-nur-wegen-asu", "Kunde ruft nur wegen ASU an", {"channel": "phone"}),
    ("de-nie-asu", "war noch nie Asu gemeldet", {"customer": "new"}),
    # a negated attendance is a cancellation, never "no appointment"; "nothing about" negates
    (
        "de-kann-nicht-zum-termin",
        "Kunde kann morgen nicht zum Termin kommen, schreibt übers Kontaktformular",
        {"channel": "contact_form", "matter": "appointment"},
    ),
    ("en-cannot-attend", "the customer cannot attend his appointment on Monday", {"matter": "appointment"}),
    (
        "de-kein-terminthema",
        "kein Terminthema, kam übers Kontaktformular",
        {"channel": "contact_form", "matter": "other_matter"},
    ),
    (
        "en-nothing-about-appointments",
        "it's about when his benefit is paid, nothing about appointments",
        {"matter": "other_matter"},
    ),
    # the EZ's postboxes named by who runs them; the other teams' postboxes
    (
        "de-fuehrungskraefte-der-ez",
        "bis wann müssen die Führungskräfte der EZ die Funktion aktivieren",
        {"postbox": "ez"},
    ),
    ("de-andere-teams", "und die anderen Teams im Haus?", {"postbox": "team_org"}),
    ("de-ambiguous-wieder-nie", "Kunde wieder da, aber nie arbeitslos", {}),
]


@pytest.mark.parametrize(
    ("text", "expected"), [c[1:] for c in STATED_CASES], ids=[c[0] for c in STATED_CASES]
)
def test_stated_in_text(guides: Guides, text: str, expected: dict[str, str]) -> None:
    assert stated_in_text(guides, text) == expected


NEGATED_STATUS = [
    ("de-hatte-noch-nie-einen-status", "Kunde hatte noch nie einen Status"),
    ("de-hatte-keinen-status", "Kunde hatte keinen Status"),
    ("de-war-noch-nie-arbeitslos", "Kunde war noch nie arbeitslos"),
]


@pytest.mark.parametrize("text", [c[1] for c in NEGATED_STATUS], ids=[c[0] for c in NEGATED_STATUS])
def test_negated_past_status_states_new_customer(guides: Guides, text: str) -> None:
    assert stated_in_text(guides, text) == {"customer": "new"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Früher", "frueher"), ("ÄÖÜ ß", "aeoeue ss"), ("KUSOS", "kusos")],
    ids=["umlaut-u", "all-umlauts", "upper-case"],
)
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


# --- the question's conditions ----------------------------------------------------

CONDITIONS_CASES = [
    (
        "intent-only",
        "ask_appointment_cancellation",
        {},
        {"subject": "appointment_cancellation", "channel": "contact_form", "matter": "appointment"},
    ),
    (
        "stated-channel-overrides-intent",
        "ask_appointment_cancellation",
        {"channel": "phone"},
        {"subject": "appointment_cancellation", "channel": "phone", "matter": "appointment"},
    ),
    (
        "stated-value-adds-key",
        "ask_job_seeker_registration",
        {"customer": "reactivation"},
        {"subject": "job_seeker_registration", "customer": "reactivation"},
    ),
    (
        "stated-subject-overrides",  # an earlier instruction's number names the subject
        "ask_instruction",
        {"subject": "earlier_instructions"},
        {"subject": "earlier_instructions"},
    ),
    (
        "stated-channel-overrides-default",  # "meldet sich persönlich arbeitsuchend"
        "ask_job_seeker_registration",
        {"channel": "offline"},
        {"subject": "job_seeker_registration", "channel": "offline"},
    ),
    (
        "empty-value-ignored",
        "ask_job_seeker_registration",
        {"customer": None},
        {"subject": "job_seeker_registration"},
    ),
    (
        "unknown-key-ignored",
        "ask_job_seeker_registration",
        {"colour": "red"},
        {"subject": "job_seeker_registration"},
    ),
    ("unknown-intent", "ask_weather", {"channel": "phone"}, None),
    ("inform-is-no-question", "inform", {"customer": "new"}, None),
]


@pytest.mark.parametrize(
    ("intent", "stated", "expected"), [c[1:] for c in CONDITIONS_CASES], ids=[c[0] for c in CONDITIONS_CASES]
)
def test_conditions_for(
    guides: Guides, intent: str, stated: dict[str, Any], expected: dict[str, str] | None
) -> None:
    assert conditions_for(guides, intent, stated) == expected


def test_stated_phone_turns_appointment_question_into_not_covered(guides: Guides) -> None:
    stated = stated_in_text(guides, "Kunde sagt den Termin telefonisch ab – wer macht das?")
    query = conditions_for(guides, "ask_appointment_cancellation", stated)
    assert query is not None
    found = resolve(guides, query, TODAY)
    assert isinstance(found, Answer)
    assert found.entry.id == "terminabsage_telefon"
    assert found.entry.kind == "not_covered"


# --- a condition added by a trainer, with no code change ------------------------------

NEW_CONDITION = """\
  region:
    label: {de: Region, en: region}
    question:
      de: In welcher Region sitzt die Agentur?
      en: In which region is the agency?
    values:
      north:
        de: Region Nord
        en: northern region
        cues: ['\\bnord', '\\bnorth']
      south:
        de: Region Süd
        en: southern region
        cues: ['\\bsued', '\\bsouth']

"""

NEW_ENTRIES = """\
  - id: regionaltest_nord
    kind: routing
    when: {subject: regional_test, region: north}
    answer: {unit: SC}
    valid_from: 2026-01-01
    valid_to: null
    source: {instruction: "202505010", section: "3"}
    text:
      de: {verdict: SC – im Norden bearbeitet das Service Center., detail: Testregel Nord.}
      en: {verdict: SC – in the north the Service Center handles it., detail: Test rule north.}

  - id: regionaltest_sued
    kind: routing
    when: {subject: regional_test, region: south}
    answer: {unit: EZ}
    valid_from: 2026-01-01
    valid_to: null
    source: {instruction: "202505010", section: "3"}
    text:
      de: {verdict: EZ – im Süden bearbeitet die Eingangszone., detail: Testregel Süd.}
      en: {verdict: EZ – in the south the Eingangszone handles it., detail: Test rule south.}
"""


@pytest.fixture
def guides_with_region(guide_copy: GuideCopy) -> Guides:
    vocabulary = "vocabulary.yml"
    guide_copy.replace(
        vocabulary,
        "# A question matching one of these continues",
        NEW_CONDITION + "# A question matching one of these continues",
    )
    guide_copy.replace(
        vocabulary,
        "      budget_participation:\n",
        "      regional_test: {de: Regionaltest, en: regional test}\n      budget_participation:\n",
    )
    guide_copy.replace(
        vocabulary,
        "  ask_budget_participation: {subject: budget_participation}",
        "  ask_budget_participation: {subject: budget_participation}\n"
        "  ask_regional_test: {subject: regional_test}",
    )
    guide_copy.append("weisung.yml", NEW_ENTRIES)
    return guide_copy.load()


def test_new_condition_key_is_asked_for(guides_with_region: Guides, responses: Responses) -> None:
    query = conditions_for(guides_with_region, "ask_regional_test", {})
    assert query == {"subject": "regional_test"}
    found = resolve(guides_with_region, query, TODAY)
    assert _summary(found) == _clarify("region", "north", "south")

    assert isinstance(found, Clarify)
    reply = AnswerWriter(guides_with_region, responses).clarify_reply(found, "de")
    assert reply.text == "In welcher Region sitzt die Agentur?"
    assert [b["title"] for b in reply.buttons] == ["Region Nord", "Region Süd"]
    assert reply.payload["answer"]["asks"] == "region"


@pytest.mark.parametrize(
    ("text", "expected_id"),
    [
        ("Wer macht das im Norden?", "regionaltest_nord"),
        ("Who handles it in the south?", "regionaltest_sued"),
    ],
    ids=["de-north", "en-south"],
)
def test_new_condition_value_is_read_from_its_cues(
    guides_with_region: Guides, text: str, expected_id: str
) -> None:
    query = conditions_for(guides_with_region, "ask_regional_test", stated_in_text(guides_with_region, text))
    assert query is not None
    assert _summary(resolve(guides_with_region, query, TODAY)) == _answer(expected_id)


def test_new_condition_entries_not_valid_before_their_start(guides_with_region: Guides) -> None:
    found = resolve(
        guides_with_region, {"subject": "regional_test", "region": "north"}, dt.date(2025, 12, 31)
    )
    assert _summary(found) == _not_covered("regionaltest_nord", outside_dates=True)


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        ("Was regelte die Weisung 202412015?", "earlier_instructions"),
        ("Was regelt die Weisung 202505010?", None),
    ],
)
def test_an_earlier_instructions_number_states_the_subject(
    guides: Guides, text: str, subject: str | None
) -> None:
    assert stated_in_text(guides, text).get("subject") == subject


NEGATED = [
    # a negated cue states nothing; another cue for the key states its value
    ("Kein Kontaktformular, sondern ein Brief mit der Bitte um einen Termin – wer?", "channel", "offline"),
    ("nicht übers Kontaktformular, per Post", "channel", "offline"),
    ("not via the contact form but by letter", "channel", "offline"),
    # the value the vocabulary declares for a negation ("negated:")
    (
        "Kontaktformular, aber kein Terminthema, sondern eine Frage zur Arbeitsbescheinigung",
        "matter",
        "other_matter",
    ),
    ("contact form about something other than an appointment", "matter", "other_matter"),
    # a more precise value wins ("overrides:")
    ("Termin beim Arbeitgeber-Service per Kontaktformular angefragt", "matter", "employer_service"),
    ("muessen wir in der EZ unser teampostfach fuer externe mails sperren?", "postbox", "ez"),
    ("muss die EZ das aktivieren oder ist das freiwillig?", "postbox", "ez"),
    # a negation inside a cue of several words
    (
        "Reaktivierungskunde kommt persönlich in die EZ zur ASU, ruft also nicht an – wer?",
        "channel",
        "offline",
    ),
    # what the customer did online, told on the phone or at the desk, came online
    (
        "Kunde ruft an: er hat online seine neue Telefonnummer eingetragen – wer bearbeitet das?",
        "channel",
        "online",
    ),
    ("Kundin am Tresen sagt, sie hat online ihre Arbeitsaufnahme gemeldet – wer?", "channel", "online"),
    (
        "Somebody changed their personal details on the BA website themselves – which team?",
        "channel",
        "online",
    ),
    # staff words for the way in and the customer
    ("VÄM per Papierformular mit der Post, wer?", "channel", "offline"),
    ("phone registration as job seeker, customer previously had Asu status", "channel", "phone"),
    ("hab ne Kundin am Hörer, die will sich arbeitsuchend melden", "channel", "phone"),
    ("ASU tel Reakt.-Kd – abgeben an EZ?", "customer", "reactivation"),
    # "nothing to do with" negates what follows it
    ("Contact form with a general question, nothing to do with appointments", "matter", "other_matter"),
]


@pytest.mark.parametrize(("text", "key", "value"), NEGATED, ids=[c[0][:40] for c in NEGATED])
def test_negations_and_more_precise_values(guides: Guides, text: str, key: str, value: str) -> None:
    assert stated_in_text(guides, text)[key] == value


def test_a_negated_cue_alone_states_none_of_these(guides: Guides) -> None:
    """ "nicht übers Kontaktformular" overrules the contact form an appointment intent states."""
    assert stated_in_text(guides, "nicht übers Kontaktformular – wer?")["channel"] == OTHER
    assert stated_in_text(guides, "kein Reaktivierungskunde, tel. ASU")["customer"] == "new"
    assert "subject" not in stated_in_text(guides, "nicht die Liegenschaftspostfächer")


@pytest.mark.parametrize(
    "text",
    [
        "Kein Kontaktformular, sondern ein Brief mit der Bitte um einen Termin bei der Berufsberatung – wer?",
        "Termin beim Arbeitgeber-Service per Kontaktformular angefragt – wer macht das?",
        "kontaktformular, aber kein terminthema, sondern frage zur arbeitsbescheinigung – wer?",
    ],
)
def test_what_the_question_rules_out_is_never_answered_by_that_rule(guides: Guides, text: str) -> None:
    """The appointment intents state contact form and appointment; the question says otherwise."""
    query = conditions_for(guides, "ask_appointment_request_bb", stated_in_text(guides, text))
    assert query is not None
    found = resolve(guides, query, TODAY)
    assert isinstance(found, NotCovered) or (isinstance(found, Answer) and found.entry.kind == "not_covered")


# a way section 2.2 assigns nothing to: stated as the channel `email`, never asked back
@pytest.mark.parametrize(
    ("text", "channel"),
    [
        ("Adressänderung per Fax – wer?", "email"),
        ("de-mail vom kunden mit adressaenderung, wer", "email"),
        ("Kurzarbeitergeld application sent by email, who handles it?", "email"),
        ("got a free email asking to cancel her appointment", "email"),
        # an e-mail address states no way; online and the contact form win over a mail
        ("Kunde hat seine neue E-Mail-Adresse online eingetragen", "online"),
        ("Kontaktformular kam per Mail ins Postfach", "contact_form"),
        # a mail to a site postbox is about that postbox, not a way a change came in; to a team postbox
        # it is a change by e-mail
        ("Kunde schickt seine VÄM per Mail ans Liegenschaftspostfach", None),
        ("Kundin schickt ihre VÄM per freier Mail an das Teampostfach der AV", "email"),
    ],
)
def test_a_way_the_guides_assign_nothing_to(guides: Guides, text: str, channel: str | None) -> None:
    assert stated_in_text(guides, text).get("channel") == channel


def test_a_change_by_fax_is_not_covered_by_the_online_rule(guides: Guides) -> None:
    query = conditions_for(guides, "ask_master_data_change", stated_in_text(guides, "Adressänderung per Fax"))
    assert query is not None
    found = resolve(guides, query, TODAY)
    assert isinstance(found, Answer) and found.entry.id == "veraenderung_nicht_online"
    assert found.entry.kind == "not_covered"


@pytest.mark.parametrize(
    ("text", "matter"),
    [
        ("contact form – it's about his notice of termination", "other_matter"),
        ("Kontaktformular wegen Weiterbildung", "other_matter"),
        ("Kontaktformular mit einer Terminabsage", "appointment"),
    ],
)
def test_the_matter_of_a_contact_form(guides: Guides, text: str, matter: str) -> None:
    """ "termination" is no "Termin"; further training, a dismissal, an objection are other matters."""
    assert stated_in_text(guides, text).get("matter") == matter


@pytest.mark.parametrize(
    ("text", "rest"),
    [
        ("back to work: does that also go through the eAkte?", "does that also go through the eAkte?"),
        ("ok, zurück zum Formular: seit wann ist das so?", "seit wann ist das so?"),
        (
            "ok, back to the phone case – what was wrong with the old setup?",
            "what was wrong with the old setup?",
        ),
        ("zurück zum Thema", None),  # nothing after it: the message as it is
        ("wer bearbeitet das?", None),
    ],
)
def test_after_return(guides: Guides, text: str, rest: str | None) -> None:
    assert after_return(guides, text) == rest


def test_a_unit_is_named_by_what_else_staff_call_it(guides: Guides) -> None:
    """`also_called` in the vocabulary: "reception zone" is the EZ, "service centre" the SC."""
    assert units_named(guides, "do I pass it to the reception zone?") == {"EZ"}
    assert units_named(guides, "or does the service centre keep it?") == {"SC"}
    assert units_named(guides, "who takes it at the front desk?") == set()
