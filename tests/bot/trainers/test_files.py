"""The one reader of the trainers' files (bot/trainers/files.py): both formats, and a strict schema
that names every mistake at once, each with file:line, conversation and key path."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.paths import DEV_FOLLOWUPS, DEV_QUESTIONS, PROJECT_ROOT
from bot.trainers.files import ConversationError, default_files, load_file, load_files

GOOD_FILE = """\
version: "3.1"
conversations:
  - name: phone registration clarified by a click
    turns:
      - say: "telefonische ASU – wer?"
        expect: {kind: clarify}
      - click: "Ja, schon einmal einen Status"
        expect: {kind: routing, unit: SC, topic: asu_telefon_reaktivierung,
                 contains: ["Service Center"], lang: de}
  - name: no expectations at all
    turns:
      - say: "Hallo"
  - name: regexes and a word given as a string
    turns:
      - say: "Wann werden die Liegenschaftspostfächer gesperrt?"
        expect: {kind: [fact, routing], topic: null, contains: gesperrt, text: ["0?1\\\\.0?7\\\\.2025"]}
"""

DEV_FILE = """\
single:
  - q: "Wer bearbeitet Terminabsagen?"
    expect: {kind: routing, unit: EZ, text: ["VCC|outlook"]}
  - q: "Wie wird das Wetter?"
    expect: {kind: out_of_scope}
dialogues:
  - name: unclear phone registration is clarified
    turns:
      - q: "Wer macht telefonische Arbeitsuchendmeldungen?"
        expect: {kind: clarify}
      - q: "Ja, die Kundin war schon mal arbeitslos gemeldet"
        expect:
          kind: routing
          unit: SC
"""


def write(tmp_path: Path, text: str, name: str = "trainer.yml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- loading --------------------------------------------------------------------


def test_a_good_file_loads_with_turns_clicks_and_expectations(tmp_path: Path) -> None:
    conversations = load_file(write(tmp_path, GOOD_FILE))
    assert [c.name for c in conversations] == [
        "phone registration clarified by a click",
        "no expectations at all",
        "regexes and a word given as a string",
    ]
    first = conversations[0]
    assert first.file.endswith("trainer.yml")
    assert [(t.message, t.click) for t in first.turns] == [
        ("telefonische ASU – wer?", False),
        ("Ja, schon einmal einen Status", True),
    ]
    assert first.turns[1].expect == {
        "kind": "routing",
        "unit": "SC",
        "topic": "asu_telefon_reaktivierung",
        "contains": ["Service Center"],
        "lang": "de",
    }
    assert conversations[1].turns[0].expect == {}
    third = conversations[2].turns[0].expect
    assert third["contains"] == ["gesperrt"]  # a single word becomes a list
    assert third["topic"] is None and third["kind"] == ["fact", "routing"]


@pytest.mark.parametrize(
    "old,new,conversation,key",
    [
        ("expect: {kind: clarify}", "expect: {kind: clarify, colour: blue}", "phone registration "
         "clarified by a click", "turns[1].expect.colour"),
        ('      - say: "Hallo"', '      - say: "Hallo"\n        wait: 3', "no expectations at all",
         "turns[1].wait"),
        ("  - name: no expectations at all", "  - name: no expectations at all\n    tags: [x]",
         "no expectations at all", "tags"),
        ('version: "3.1"', 'version: "3.1"\nauthor: me', "-", "author"),
    ],
    ids=["in expect", "in a turn", "in a conversation", "at the top"],
)  # fmt: skip
def test_an_unknown_key_names_file_conversation_and_key(
    tmp_path: Path, old: str, new: str, conversation: str, key: str
) -> None:
    assert GOOD_FILE.count(old) == 1
    with pytest.raises(ConversationError) as error:
        load_file(write(tmp_path, GOOD_FILE.replace(old, new)))
    assert (error.value.conversation, error.value.key) == (conversation, key)
    assert error.value.file.endswith("trainer.yml")
    message = str(error.value)
    assert "trainer.yml" in message and f"'{conversation}'" in message and f"'{key}'" in message
    assert "unknown key" in message


@pytest.mark.parametrize(
    "old,new,key,problem",
    [
        ('      - say: "telefonische ASU – wer?"', '      - click: "Ja"', "turns[1].click", "first turn"),
        ('      - say: "Hallo"', '      - say: "Hallo"\n        click: "Ja"', "turns[1]", "exactly one"),
        ("expect: {kind: clarify}", "expect: {kind: maybe}", "turns[1].expect.kind", "unknown kind"),
        ("expect: {kind: clarify}", "expect: {lang: fr}", "turns[1].expect.lang", "de or en"),
        ('text: ["0?1', 'text: ["(0?1', "turns[1].expect.text[0]", "regular expression"),
        ('version: "3.1"', 'version: "3.0"', "version", "must be '3.1'"),
        ("  - name: no expectations at all", "  - name: phone registration clarified by a click", "name",
         "used 2 times"),
        ('      - say: "Hallo"', '      - say: ""', "turns[1].say", "empty"),
    ],
)  # fmt: skip
def test_other_mistakes_are_named(tmp_path: Path, old: str, new: str, key: str, problem: str) -> None:
    assert GOOD_FILE.count(old) == 1
    with pytest.raises(ConversationError) as error:
        load_file(write(tmp_path, GOOD_FILE.replace(old, new)))
    assert error.value.key == key
    assert problem in str(error.value)


def test_broken_yaml_and_missing_file_are_named(tmp_path: Path) -> None:
    with pytest.raises(ConversationError, match=r"trainer.yml.*not valid YAML \(line \d+\)"):
        load_file(write(tmp_path, GOOD_FILE.replace("turns:\n      - say", "turns:\n    - say: [", 1)))
    with pytest.raises(ConversationError, match="file is missing"):
        load_file(tmp_path / "nowhere.yml")


def test_a_dev_set_file_becomes_conversations(tmp_path: Path) -> None:
    conversations = load_file(write(tmp_path, DEV_FILE, "dev.yml"))
    names = [c.name for c in conversations]
    assert names == ["unclear phone registration is clarified", "single 1", "single 2"]
    dialogue = conversations[0]
    assert [t.message for t in dialogue.turns] == [
        "Wer macht telefonische Arbeitsuchendmeldungen?",
        "Ja, die Kundin war schon mal arbeitslos gemeldet",
    ]
    assert not any(t.click for t in dialogue.turns)
    assert dialogue.turns[1].expect == {"kind": "routing", "unit": "SC"}
    single = conversations[1]
    assert len(single.turns) == 1 and single.turns[0].message == "Wer bearbeitet Terminabsagen?"
    assert single.turns[0].expect["text"] == ["VCC|outlook"]


def test_a_dev_set_file_rejects_conversation_keys(tmp_path: Path) -> None:
    with pytest.raises(ConversationError) as error:
        load_file(write(tmp_path, DEV_FILE.replace('- q: "Wie wird', '- say: "Wie wird')))
    assert (error.value.conversation, error.value.key) == ("single 2", "say")


# --- the strict schema: every problem at once, with file:line and key path ----------------


def problems(tmp_path: Path, text: str, name: str = "dev.yml") -> list[str]:
    """The lines of the error the reader gives for `text` (it must give one), paths from tmp_path."""
    with pytest.raises(ConversationError) as error:
        load_file(write(tmp_path, text, name))
    assert len(error.value.problems) == len(str(error.value).splitlines())
    return str(error.value).replace(f"{tmp_path}/", "").splitlines()


def changed(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def test_files_of_both_formats_load_together_singles_marked(tmp_path: Path) -> None:
    loaded = load_files([write(tmp_path, DEV_FILE, "dev.yml"), write(tmp_path, GOOD_FILE)])
    assert [(c.file.rsplit("/", 1)[-1], c.single) for c in loaded] == [
        ("dev.yml", False),
        ("dev.yml", True),
        ("dev.yml", True),
        *[("trainer.yml", False)] * 3,
    ]


def test_a_qq_typo_is_an_unknown_key_and_a_missing_q_not_a_key_error(tmp_path: Path) -> None:
    text = changed(DEV_FILE, '  - q: "Wie wird das Wetter?"', '  - qq: "Wie wird das Wetter?"')
    assert problems(tmp_path, text) == [
        "dev.yml:4: conversation 'single 2', key 'qq': unknown key (known: q, expect)",
        "dev.yml:4: conversation 'single 2', key 'q': missing",
    ]


def test_a_mistyped_expect_key_fails_instead_of_passing_every_answer(tmp_path: Path) -> None:
    known = "(known: kind, unit, topic, lang, contains, text, options)"
    inside = changed(DEV_FILE, "          unit: SC", "          uint: SC")
    assert problems(tmp_path, inside) == [
        f"dev.yml:14: conversation 'unclear phone registration is clarified', key 'turns[2].expect.uint': "
        f"unknown key {known}"
    ]
    the_key = changed(DEV_FILE, "    expect: {kind: out_of_scope}", "    expext: {kind: out_of_scope}")
    assert problems(tmp_path, the_key) == [
        "dev.yml:5: conversation 'single 2', key 'expext': unknown key (known: q, expect)"
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('  - q: "Wie wird das Wetter?"', "  - q: 42",
         "dev.yml:4: conversation 'single 2', key 'q': must be text"),
        ("    expect: {kind: out_of_scope}", "    expect: [kind, out_of_scope]",
         "dev.yml:5: conversation 'single 2', key 'expect': must be a mapping"),
        ("          unit: SC", "          unit: [SC, EZ]",
         "dev.yml:14: conversation 'unclear phone registration is clarified', key 'turns[2].expect.unit': "
         "must be text"),
        ("dialogues:\n  - name", "dialogues:\n  - name: [a, b]\n    nam", "dev.yml:7: conversation "
         "'dialogue 1', key 'name': must be text"),
        ("    expect: {kind: out_of_scope}", "    expect: {kind: [out_of_scope, 3]}",
         "dev.yml:5: conversation 'single 2', key 'expect.kind': unknown kind '3' (known: routing, fact, "
         "clarify, not_covered, out_of_scope)"),
        ("single:\n", "single: ask everything\nsingles:\n", "dev.yml:1: conversation '-', key 'single': must "
         "be a list"),
    ],
    ids=["question a number", "expect a list", "unit a list", "name a list", "kind a number", "single text"],
)  # fmt: skip
def test_a_wrong_type_is_named_with_line_and_key(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert expected in problems(tmp_path, changed(DEV_FILE, old, new))


def test_every_problem_of_a_file_is_named_at_once(tmp_path: Path) -> None:
    text = changed(DEV_FILE, '  - q: "Wie wird das Wetter?"', '  - qq: "Wie wird das Wetter?"')
    text = changed(text, "        expect: {kind: clarify}", "        expect: {kind: clarfy}")
    text = changed(text, '["VCC|outlook"]', '["(VCC|outlook"]')
    found = problems(tmp_path, text)
    assert [line.split(": ", 1)[0] for line in found] == ["dev.yml:3", "dev.yml:4", "dev.yml:4", "dev.yml:10"]
    assert found[0].startswith(
        "dev.yml:3: conversation 'single 1', key 'expect.text[0]': not a valid regular"
    )
    assert "key 'turns[1].expect.kind': unknown kind 'clarfy'" in found[3]


def test_every_problem_of_every_file_is_named_at_once(tmp_path: Path) -> None:
    dev = write(tmp_path, changed(DEV_FILE, "kind: routing, unit: EZ", "knd: routing"), "dev.yml")
    trainer = write(tmp_path, changed(GOOD_FILE, 'version: "3.1"', 'version: "3"'))
    with pytest.raises(ConversationError) as error:
        load_files([dev, trainer, tmp_path / "missing.yml"])
    assert [(p.file.rsplit("/", 1)[-1], p.line, p.key) for p in error.value.problems] == [
        ("dev.yml", 3, "expect.knd"),
        ("trainer.yml", 1, "version"),
        ("missing.yml", None, "-"),
    ]
    assert (
        str(error.value).splitlines()[2].endswith("missing.yml: conversation '-', key '-': file is missing")
    )


def test_a_conversation_file_mistake_points_at_its_line(tmp_path: Path) -> None:
    text = changed(GOOD_FILE, "lang: de}", "lang: de, colour: blue}")
    text = changed(text, '      - say: "telefonische ASU – wer?"', '      - say: ""')
    assert problems(tmp_path, text, "trainer.yml") == [
        "trainer.yml:5: conversation 'phone registration clarified by a click', key 'turns[1].say': "
        "must not be empty",
        "trainer.yml:9: conversation 'phone registration clarified by a click', "
        "key 'turns[2].expect.colour': unknown key (known: kind, unit, topic, lang, contains, text, options)",
    ]


def test_every_shipped_trainer_file_passes_the_schema() -> None:
    files = default_files() + sorted((PROJECT_ROOT / "tests" / "eval").glob("*.yml"))
    files += [path for path in (DEV_QUESTIONS, DEV_FOLLOWUPS) if path.exists()]
    assert len(files) >= 15
    assert load_files(files)
