"""`make check-guides` (bot/trainers/check.py): each kind of mistake a trainer can make across files,
made on a copy of the project, is reported with file:line and key path, and all of them at once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot import cli
from bot.paths import PROJECT_ROOT
from bot.trainers.check import check

# what the checker reads; everything else of the project stays where it is
PARTS = (
    "guides",
    "domain.yml",
    "data/rules",
    "data/stories",
    "data/nlu",
    "tests/conversations",
    "tests/stories",
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the files the checker reads: each test breaks it in its own way."""
    for part in PARTS:
        source, target = PROJECT_ROOT / part, tmp_path / part
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target)
    return tmp_path


def edit(project: Path, file: str, old: str, new: str) -> int:
    """Replace `old` (which must be there once) by `new`; the line `new` begins on."""
    path = project / file
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (file, old)
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def line_of(project: Path, file: str, needle: str) -> int:
    text = (project / file).read_text(encoding="utf-8")
    assert needle in text, (file, needle)
    return text[: text.index(needle)].count("\n") + 1


def problems(project: Path) -> list[str]:
    return [str(problem) for problem in check(project).problems]


def test_a_clean_copy_passes_with_a_one_line_summary(project: Path) -> None:
    report = check(project)
    assert report.ok, report.problems
    assert report.summary().startswith("check-guides ok: ")
    assert "\n" not in report.summary()


def test_an_intent_without_examples_and_examples_of_an_undeclared_intent(project: Path) -> None:
    line = edit(project, "domain.yml", "  - out_of_scope\n", "  - out_of_scope\n  - complain\n") + 1
    index = yaml.safe_load((project / "domain.yml").read_text(encoding="utf-8"))["intents"].index("complain")
    nlu = "data/nlu/chitchat.yml"
    examples = edit(
        project, nlu, "- intent: greet\n", "- intent: gret\n  examples: |\n    -\n- intent: greet\n"
    )
    assert problems(project) == [
        f"{nlu}:{examples}: key 'nlu[0].intent': intent 'gret' is not in domain.yml intents",
        f"{nlu}:{examples + 1}: key 'nlu[0].examples': no examples",
        f"domain.yml:{line}: key 'intents[{index}]': intent 'complain' has no training examples in data/nlu/",
    ]


def test_a_rule_naming_an_unknown_action_or_intent(project: Path) -> None:
    rules = "data/rules/conversation.yml"
    action = edit(project, rules, "action: action_answer_reset", "action: action_answer_restart")
    intent = edit(project, rules, "intent: help", "intent: hilfe")
    rule = "rule 'start over'"
    assert problems(project) == [
        f"{rules}:{action}: {rule}, key 'rules[3].steps[1].action': "
        "unknown action 'action_answer_restart' (not in domain.yml actions or responses)",
        f"{rules}:{intent}: rule 'small talk', key 'rules[4].steps[0].or[3].intent': unknown intent 'hilfe'",
    ]


def test_a_subject_intent_without_a_guide_rule(project: Path) -> None:
    line = edit(project, "data/rules/guides.yml", "          - intent: ask_press\n", "")
    assert line  # the rule listed it
    vocabulary = "guides/vocabulary.yml"
    assert problems(project) == [
        f"{vocabulary}:{line_of(project, vocabulary, '  ask_press:')}: key 'intents.ask_press': "
        "intent 'ask_press' has no rule in data/rules/ that ends in action_answer_guide",
    ]


def test_conversation_topics_units_and_buttons_that_do_not_exist(project: Path) -> None:
    file = "tests/conversations/changes.yml"
    topic = edit(
        project,
        file,
        'topic: stammdaten_online, lang: de, contains: ["Eingangszone"',
        'topic: stammdaten_onlien, unit: XY, lang: de, contains: ["Eingangszone"',
    )
    click = edit(project, file, 'click: "per Post, telefonisch oder persönlich"', 'click: "per Brief"')
    assert problems(project) == [
        f"{file}:{topic}: conversation 'address changed online in KUSOS', key 'turns[1].expect.topic': "
        "no guide entry 'stammdaten_onlien'",
        f"{file}:{topic}: conversation 'address changed online in KUSOS', key 'turns[1].expect.unit': "
        "unit 'XY' is not declared in guides/vocabulary.yml",
        f"{file}:{click}: conversation 'master data clarified by a click on Post', key 'turns[2].click': "
        "no reply offers a button 'per Brief'",
    ]


STORY = "a phone registration without the customer's history is clarified by a click"


def test_a_vocabulary_value_undeclared_or_unused(project: Path) -> None:
    story = "data/stories/clarify.yml"
    value = edit(project, story, "- customer: reactivation", "- customer: reaktivierung")
    vocabulary = "guides/vocabulary.yml"
    unused = edit(
        project,
        vocabulary,
        "      press:\n",
        "      press_kit: {de: Pressemappe, en: press kit}\n      press:\n",
    )
    assert problems(project) == [
        f"{story}:{value}: story '{STORY}', key 'stories[0].steps[2].entities[0].customer': "
        "value 'reaktivierung' of 'customer' is not declared in guides/vocabulary.yml",
        f"{vocabulary}:{unused}: key 'conditions.subject.values.press_kit': "
        "unused: no guide entry settles subject 'press_kit'",
    ]


def test_a_condition_key_that_is_no_slot_or_entity(project: Path) -> None:
    """The actions keep each condition in its slot; a button sends it as an entity (/inform{...})."""
    edit(project, "domain.yml", "  - matter\n", "")
    slot = "  customer:\n    type: text\n    influence_conversation: false\n    mappings: "
    mappings = edit(project, "domain.yml", slot + "[{type: custom}]", slot + "[{type: from_text}]") + 3
    edit(project, "domain.yml", "  postbox:\n", "  postboxes:\n")
    entities, slots = line_of(project, "domain.yml", "entities:"), line_of(project, "domain.yml", "slots:")
    assert problems(project) == [
        f"domain.yml:{entities}: key 'entities': "
        "condition key 'matter' of the vocabulary is not an entity (buttons send it as one)",
        f"domain.yml:{slots}: key 'slots': condition key 'postbox' of the vocabulary is not a slot",
        f"domain.yml:{mappings}: key 'slots.customer.mappings': a condition's slot needs [{{type: custom}}]",
    ]


def test_every_problem_at_once_every_broken_entry_too(project: Path) -> None:
    """A broken guide entry hides neither the next broken entry nor the mistakes in the other files."""
    sc, weisung = "guides/gespraechsleitfaden_sc.yml", "guides/weisung.yml"
    unit = edit(
        project,
        sc,
        "reactivation}\n    answer:\n      unit: SC\n",
        "reactivation}\n    answer:\n      unit: XY\n",
    )
    colour = edit(
        project,
        weisung,
        "weisung_ueberblick\n    kind: fact\n",
        "weisung_ueberblick\n    kind: fact\n    colour: red\n",
    )
    rule = edit(project, "data/rules/conversation.yml", "intent: help", "intent: hilfe")
    click = edit(
        project, "tests/conversations/changes.yml", 'click: "per Post, telefonisch', 'click: "per Fax'
    )
    assert problems(project) == [
        f"data/rules/conversation.yml:{rule}: rule 'small talk', key 'rules[4].steps[0].or[3].intent': "
        "unknown intent 'hilfe'",
        f"{sc}:{unit + 2}: entry 'asu_telefon_reaktivierung', key 'answer.unit': unknown unit 'XY'",
        f"{weisung}:{colour + 2}: entry 'weisung_ueberblick', key 'colour': unknown key",
        f"tests/conversations/changes.yml:{click}: conversation 'master data clarified by a click on Post', "
        "key 'turns[2].click': no reply offers a button 'per Fax oder persönlich'",
    ]
    report = check(project)
    assert report.summary() == f"check-guides: 4 problem(s) in {report.files} files"
    assert report.entries == 0 and report.version is None  # the guides did not load


def test_a_vocabulary_problem_ends_the_guides_check_without_noise(project: Path) -> None:
    """What follows from a broken vocabulary would be noise: its one problem, and the other files'."""
    line = edit(
        project,
        "guides/vocabulary.yml",
        "  ask_press: {subject: press}\n",
        "  ask_press: {subject: presse}\n",
    )
    found = problems(project)
    assert found == [
        f"guides/vocabulary.yml:{line}: entry 'ask_press', key 'subject': unknown value 'presse'"
    ]


def test_a_subject_declared_as_an_unknown_units_part_is_reported_at_its_line(project: Path) -> None:
    line = edit(
        project,
        "guides/vocabulary.yml",
        "        en: duties of the service centres\n        unit: SC\n",
        "        en: duties of the service centres\n        unit: XY\n",
    )
    assert problems(project) == [
        f"guides/vocabulary.yml:{line + 1}: entry 'subject', key 'values.duties_sc.unit': unknown unit 'XY'"
    ]


def test_an_unknown_intent_offered_for_a_question_naming_no_matter_is_reported(project: Path) -> None:
    """ "Wer ist zuständig?" offers the intents `matter_unnamed.offer` lists: each must exist."""
    line = edit(
        project,
        "guides/vocabulary.yml",
        "  offer: [ask_job_seeker_registration, ask_master_data_change,",
        "  offer: [ask_job_seeker_registraton, ask_master_data_change,",
    )
    assert problems(project) == [
        f"guides/vocabulary.yml:{line}: entry 'matter_unnamed', key 'offer[0]': "
        "unknown intent 'ask_job_seeker_registraton'"
    ]


def test_a_detail_one_for_all_without_a_field_is_reported_at_its_line(project: Path) -> None:
    """`one_for_all` answers from the one entry holding a field: an unsettled detail has none."""
    line = edit(
        project,
        "guides/vocabulary.yml",
        "    field: sender_gets\n    one_for_all: true",
        "    unsettled: true\n    one_for_all: true",
    )
    assert problems(project) == [
        f"guides/vocabulary.yml:{line + 1}: entry 'sender_gets', key 'one_for_all': "
        "only a detail in a field is one for all"
    ]


def test_the_command_exits_1_with_every_problem_and_0_with_one_line(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["check-guides"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("check-guides ok: ") and out.count("\n") == 1 and not err

    edit(
        project,
        "guides/vocabulary.yml",
        "  ask_press: {subject: press}\n",
        "  ask_press: {subject: presse}\n",
    )
    monkeypatch.setenv("LOTSE_GUIDES_DIR", str(project / "guides"))
    assert cli.main(["check-guides"]) == 1
    out, err = capsys.readouterr()
    assert not out
    assert "vocabulary.yml:" in err and "unknown value 'presse'" in err
    assert err.splitlines()[-1].startswith("check-guides: 1 problem(s)")
