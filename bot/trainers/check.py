"""`make check-guides`: every check of the files a trainer edits, across all of them, at once.

Why one checker: a new subject takes edits in six files (a guide, `guides/vocabulary.yml`,
`domain.yml`, `data/rules/`, `data/nlu/`, `tests/conversations/`), and a name that agrees in five of
them and not in the sixth is found only when Lotse answers wrong. So the loader's checks (bot.answering)
and those across files run here, every problem is collected rather than the first, and each one names
file:line and the key path, as the guide loader and the trainers' reader (bot/trainers/files.py) do:

    domain.yml:34: key 'intents[27]': intent 'ask_press' has no training examples in data/nlu/

The cross-file checks read the files themselves (not the loaded guides), so they still run, and
still report, while a guide file does not load.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.answering.guides import GuideError, load_guides
from bot.answering.slots import (
    INTENT_ASK_AT_DATE,
    INTENT_ASK_SOURCE,
    INTENT_ASK_VALIDITY,
    INTENT_ASK_WHY,
    INTENT_NLU_FALLBACK,
)
from bot.paths import PROJECT_ROOT
from bot.trainers.check_files import (
    KeyPath,
    Problem,
    YamlFile,
    entry_index,
    items,
    mapping,
    names,
    read_yaml,
)
from bot.trainers.files import ConversationError, load_files

# intents that ask about the last answer, not a subject: the domain has them, the vocabulary does not
FOLLOW_UP_INTENTS = frozenset({INTENT_ASK_SOURCE, INTENT_ASK_VALIDITY, INTENT_ASK_AT_DATE, INTENT_ASK_WHY})
# intents Rasa itself predicts: no domain declares them, and they need no training examples
NLU_OWN_INTENTS = frozenset({INTENT_NLU_FALLBACK})
GUIDE_ACTION = "action_answer_guide"  # the action that answers a subject from the guides
OTHER_OPTION_RESPONSE = "utter_option_other"  # the title of the "something else" button
# what Rasa knows without a domain declaring it
RASA_OWN_ACTIONS = frozenset(
    {"action_listen", "action_restart", "action_session_start", "action_default_fallback"}
)
NON_GUIDE_FILES = ("vocabulary.yml", "sources.yml")
MAX_GUIDE_PROBLEMS = 50  # broken entries reported from the guides, at most


@dataclass(frozen=True)
class Report:
    """What the check found; `ok` when nothing."""

    problems: tuple[Problem, ...]
    entries: int  # guide entries loaded (0 when the guides did not load)
    version: str | None  # the guides' version hash, when they loaded
    conversations: int
    files: int  # files read

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.ok:
            return (
                f"check-guides ok: {self.entries} entries (version {self.version}), "
                f"{self.conversations} conversations, {self.files} files checked"
            )
        return f"check-guides: {len(self.problems)} problem(s) in {self.files} files"


# --- reading YAML with lines --------------------------------------------------


# --- the checker ----------------------------------------------------------------


class _Checker:
    """Reads every file once, then runs each check; problems are collected, never raised."""

    def __init__(self, root: Path, guides: Path, conversations: Sequence[Path]) -> None:
        self.root, self.guides_dir, self.conversation_files = root, guides, conversations
        self.problems: list[Problem] = []
        self.files = 0
        self.vocabulary = self._read(guides / "vocabulary.yml")
        self.domain = self._read(root / "domain.yml")
        self.rules = [self._read(path) for path in self._yml(root / "data" / "rules")]
        story_files = self._yml(root / "data" / "stories") + self._yml(root / "tests" / "stories")
        self.stories = [self._read(path) for path in story_files]
        self.nlu = [self._read(path) for path in self._yml(root / "data" / "nlu")]
        guide_files = sorted(p for p in guides.glob("*.yml") if p.name not in NON_GUIDE_FILES)
        self.guide_files = [self._read(path) for path in guide_files]

    def _display(self, path: Path) -> str:
        try:
            return str(path.resolve().relative_to(self.root.resolve()))
        except ValueError:
            return str(path)

    @staticmethod
    def _yml(folder: Path) -> list[Path]:
        return sorted(folder.rglob("*.yml"))

    def _read(self, path: Path) -> YamlFile | None:
        self.files += 1
        return read_yaml(path, self._display(path), self.problems)

    # names declared in one file, with where
    def _vocabulary_section(self, section: str) -> dict[str, Any]:
        return mapping(mapping(self.vocabulary.data if self.vocabulary else None).get(section))

    def _domain_section(self, section: str) -> dict[str, KeyPath]:
        return names(self.domain, section)

    def _vocabulary_problem(self, path: KeyPath, text: str) -> None:
        if self.vocabulary:
            self.problems.append(self.vocabulary.problem(path, text))

    def _domain_problem(self, path: KeyPath, text: str) -> None:
        if self.domain:
            self.problems.append(self.domain.problem(path, text))

    # --- the checks -------------------------------------------------------------

    def guides(self) -> tuple[int, str | None]:
        """The guide loader's own checks (schema, values, sources, overlaps, texts), every broken entry.

        The loader stops at the first problem. So an entry it rejects is left out of a scratch copy of
        the guides and the copy loaded again, until it loads: each broken entry is reported, not only
        the first. (A problem outside an entry — vocabulary, sources — ends this: what follows from
        it would be noise.) A problem that names an entry left out is a consequence, not reported.
        """
        removed: list[str] = []
        with tempfile.TemporaryDirectory(prefix="lotse-check-") as scratch:
            folder = self.guides_dir
            for _ in range(MAX_GUIDE_PROBLEMS):
                try:
                    loaded = load_guides(folder)
                except GuideError as error:
                    if any(f"'{entry}'" in error.problem for entry in removed):
                        break
                    self.problems.append(self._guide_problem(error, located=not removed))
                    if not self._leave_out(folder, error, Path(scratch)):
                        break
                    removed.append(error.entry)
                    folder = Path(scratch)
                    continue
                return (0, None) if removed else (len(loaded.entries), loaded.version)
        return 0, None

    def _guide_problem(self, error: GuideError, located: bool) -> Problem:
        """The loader's error as a problem; its line where the loader read the trainer's own file."""
        file = self._display(self.guides_dir / error.file if error.file != "-" else self.guides_dir)
        within = f"entry '{error.entry}'" if error.entry != "-" else ""
        line = error.line if located else self._entry_line(file, error.entry, error.key)
        return Problem(file, line, error.key, error.problem, within)

    def _entry_line(self, file: str, entry: str, key: str) -> int | None:
        """The line of `key` in entry `entry` of the trainer's file `file` (its nearest enclosing key)."""
        doc = next((doc for doc in self.guide_files if doc is not None and doc.file == file), None)
        index = entry_index(doc.data if doc else None, entry)
        if doc is None or index is None:
            return None
        path: KeyPath = ("entries", index)
        for part in re.findall(r"[^.\[\]]+", key if key != "-" else ""):
            path = (*path, int(part) if part.isdigit() else part)
        return doc.line(path)

    def _leave_out(self, folder: Path, error: GuideError, scratch: Path) -> bool:
        """Write the guides without the entry `error` names into `scratch`; False where there is none."""
        if error.file in NON_GUIDE_FILES or error.entry == "-":
            return False
        if folder != scratch:
            shutil.copytree(folder, scratch, dirs_exist_ok=True)
        path = scratch / error.file
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeError, yaml.YAMLError):
            return False
        index = entry_index(data, error.entry)
        if index is None:
            return False
        del data["entries"][index]
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return True

    def vocabulary_and_domain(self) -> None:
        """Every subject intent is in both; every condition key is a custom slot and a button entity."""
        if not self.vocabulary or not self.domain:
            return
        intents = self._vocabulary_section("intents")
        domain_intents = self._domain_section("intents")
        for intent in intents:
            if intent not in domain_intents:
                self._vocabulary_problem(
                    ("intents", intent), f"intent '{intent}' is not in domain.yml intents"
                )
            if "subject" not in mapping(intents[intent]):
                self._vocabulary_problem(("intents", intent), f"intent '{intent}' names no subject")
        for intent, path in domain_intents.items():
            if intent.startswith("ask_") and intent not in FOLLOW_UP_INTENTS and intent not in intents:
                text = f"question intent '{intent}' is not declared in guides/vocabulary.yml intents"
                self._domain_problem(path, text)
        slots = mapping(mapping(self.domain.data).get("slots"))
        entities = self._domain_section("entities")
        for key in self._vocabulary_section("conditions"):
            if key not in slots:
                self._domain_problem(("slots",), f"condition key '{key}' of the vocabulary is not a slot")
            elif mapping(slots[key]).get("mappings") != [{"type": "custom"}]:
                self._domain_problem(("slots", key, "mappings"), "a condition's slot needs [{type: custom}]")
            if key != "subject" and key not in entities:
                text = f"condition key '{key}' of the vocabulary is not an entity (buttons send it as one)"
                self._domain_problem(("entities",), text)

    def rules_and_stories(self) -> None:
        """Each step names a domain intent or action; every subject intent is answered from the guides."""
        intents, actions = self._domain_section("intents"), self._domain_section("actions")
        responses = set(mapping(mapping(self.domain.data if self.domain else None).get("responses")))
        answered: set[str] = set()
        for doc, section in [(d, "rules") for d in self.rules] + [(d, "stories") for d in self.stories]:
            if doc is None:
                continue
            for index, item in enumerate(items(mapping(doc.data).get(section))):
                name = mapping(item).get("rule") or mapping(item).get("story") or f"{section} {index}"
                within = f"{section[:-1] if section == 'rules' else 'story'} '{name}'"
                steps = items(mapping(item).get("steps"))
                step_intents = []
                for number, step in enumerate(steps):
                    base: KeyPath = (section, index, "steps", number)
                    for path, intent in self._step_intents(mapping(step), base):
                        step_intents.append(intent)
                        if self.domain and intent not in intents and intent not in NLU_OWN_INTENTS:
                            self.problems.append(doc.problem(path, f"unknown intent '{intent}'", within))
                    for path, key, value in self._step_entities(mapping(step), base):
                        problem = self._entity_problem(key, value)
                        if problem:
                            self.problems.append(doc.problem(path, problem, within))
                    action = mapping(step).get("action")
                    known = actions.keys() | responses | RASA_OWN_ACTIONS
                    if isinstance(action, str) and self.domain and action not in known:
                        text = f"unknown action '{action}' (not in domain.yml actions or responses)"
                        self.problems.append(doc.problem((*base, "action"), text, within))
                if section == "rules" and steps and mapping(steps[-1]).get("action") == GUIDE_ACTION:
                    answered.update(step_intents)
        for intent in self._vocabulary_section("intents"):
            if intent not in answered:
                text = f"intent '{intent}' has no rule in data/rules/ that ends in {GUIDE_ACTION}"
                self._vocabulary_problem(("intents", intent), text)

    @staticmethod
    def _step_entities(step: dict[Any, Any], base: KeyPath) -> Iterator[tuple[KeyPath, str, Any]]:
        """A step's entities, written `- customer: new` or `- {entity: customer, value: new}`."""
        for number, item in enumerate(items(step.get("entities"))):
            path: KeyPath = (*base, "entities", number)
            entity = mapping(item)
            if "entity" in entity:
                yield (*path, "entity"), str(entity["entity"]), entity.get("value")
            else:
                for key, value in entity.items():
                    yield (*path, key), str(key), value

    def _entity_problem(self, key: str, value: Any) -> str | None:
        """What is wrong with an entity a story sets: the buttons send only declared conditions."""
        conditions = self._vocabulary_section("conditions")
        if not conditions:
            return None  # the vocabulary did not load: reported already
        if key not in conditions or key == "subject":
            return f"entity '{key}' is no condition key of guides/vocabulary.yml (a button never sends it)"
        if value is not None and str(value) not in mapping(mapping(conditions[key]).get("values")):
            return f"value '{value}' of '{key}' is not declared in guides/vocabulary.yml"
        return None

    def vocabulary_used(self) -> None:
        """Every subject the vocabulary declares is settled by some guide entry.

        A subject without an entry is a name the NLU and the "Meinten Sie" buttons can lead to, with
        nothing to answer there. (Other conditions may well go unused: a way in that section 2.2
        assigns nothing to is declared so that it matches no rule.)
        """
        subjects = mapping(mapping(self._vocabulary_section("conditions").get("subject")).get("values"))
        settled: set[str] = set()
        for doc in self.guide_files:
            for entry in items(mapping(doc.data if doc else None).get("entries")):
                named = mapping(mapping(entry).get("when")).get("subject")
                settled.update(str(each) for each in (named if isinstance(named, list) else [named]))
        for subject in subjects:
            if subject not in settled:
                path = ("conditions", "subject", "values", subject)
                self._vocabulary_problem(path, f"unused: no guide entry settles subject '{subject}'")

    @staticmethod
    def _step_intents(step: dict[Any, Any], base: KeyPath) -> Iterator[tuple[KeyPath, str]]:
        if isinstance(step.get("intent"), str):
            yield (*base, "intent"), step["intent"]
        for number, option in enumerate(items(step.get("or"))):
            if isinstance(mapping(option).get("intent"), str):
                yield (*base, "or", number, "intent"), option["intent"]

    def intents_and_examples(self) -> None:
        """Every domain intent has examples; every example belongs to a domain intent."""
        domain_intents = self._domain_section("intents")
        with_examples: set[str] = set()
        for doc in self.nlu:
            if doc is None:
                continue
            for index, item in enumerate(items(mapping(doc.data).get("nlu"))):
                intent = mapping(item).get("intent")
                if not isinstance(intent, str):
                    continue  # synonyms, regexes, lookup tables
                examples = mapping(item).get("examples")
                lines = examples.splitlines() if isinstance(examples, str) else []
                if any(line.strip().startswith("- ") and line.strip()[2:].strip() for line in lines):
                    with_examples.add(intent)
                else:
                    self.problems.append(doc.problem(("nlu", index, "examples"), "no examples"))
                if self.domain and intent not in domain_intents:
                    text = f"intent '{intent}' is not in domain.yml intents"
                    self.problems.append(doc.problem(("nlu", index, "intent"), text))
        for intent, path in domain_intents.items():
            if intent not in with_examples and intent not in NLU_OWN_INTENTS:
                self._domain_problem(path, f"intent '{intent}' has no training examples in data/nlu/")

    def conversations(self) -> int:
        """The trainers' conversations: their schema, then that each topic, unit and button exists."""
        try:
            count = len(load_files(self.conversation_files))
        except ConversationError as error:
            for each in error.problems:
                within = f"conversation '{each.conversation}'" if each.conversation != "-" else ""
                file = self._display(PROJECT_ROOT / each.file)  # as the trainers' reader names it
                self.problems.append(Problem(file, each.line, each.key, each.text, within))
            count = 0
        topics, units, titles = (
            self._entry_ids(),
            set(self._vocabulary_section("units")),
            self._button_titles(),
        )
        for path in self.conversation_files:
            doc = self._read(path)
            if doc is not None:
                self._conversation_names(doc, topics, units, titles)
        return count

    def _conversation_names(self, doc: YamlFile, topics: set[str], units: set[str], titles: set[str]) -> None:
        """Each topic, unit and button title a conversation expects is one the guides can give.

        A name the guides lack would fail only when the conversations are run against a trained bot.
        """
        for index, item in enumerate(items(mapping(doc.data).get("conversations"))):
            within = f"conversation '{mapping(item).get('name') or f'conversation {index + 1}'}'"
            for number, turn in enumerate(items(mapping(item).get("turns"))):
                base: KeyPath = ("conversations", index, "turns", number)
                found: list[tuple[KeyPath, str]] = []
                click = mapping(turn).get("click")
                if isinstance(click, str) and titles and click not in titles:
                    found.append((("click",), f"no reply offers a button '{click}'"))
                expect = mapping(mapping(turn).get("expect"))
                for option in items(expect.get("options")):
                    if isinstance(option, str) and titles and option not in titles:
                        found.append((("expect", "options"), f"no reply offers a button '{option}'"))
                topic = expect.get("topic")
                for each in topic if isinstance(topic, list) else [topic]:
                    if isinstance(each, str) and topics and each not in topics:
                        found.append((("expect", "topic"), f"no guide entry '{each}'"))
                unit = expect.get("unit")
                if isinstance(unit, str) and units and unit not in units:
                    found.append(
                        (("expect", "unit"), f"unit '{unit}' is not declared in guides/vocabulary.yml")
                    )
                for inside, text in found:
                    key = ".".join([f"turns[{number + 1}]", *map(str, inside)])  # turns count from 1
                    self.problems.append(Problem(doc.file, doc.line((*base, *inside)), key, text, within))

    def _entry_ids(self) -> set[str]:
        return {
            str(mapping(entry).get("id"))
            for doc in self.guide_files
            if doc is not None
            for entry in items(mapping(doc.data).get("entries"))
        }

    def _button_titles(self) -> set[str]:
        """Every title a button may carry: a condition value (subjects too) in either language, "other"."""
        titles: set[str] = set()
        for condition in self._vocabulary_section("conditions").values():
            for value in mapping(mapping(condition).get("values")).values():
                titles.update(str(mapping(value)[lang]) for lang in ("de", "en") if lang in mapping(value))
        response = mapping(mapping(self.domain.data if self.domain else None).get("responses"))
        for variation in items(response.get(OTHER_OPTION_RESPONSE)):
            if isinstance(mapping(variation).get("text"), str):
                titles.add(variation["text"])
        return titles


def check(
    root: Path = PROJECT_ROOT, guides: Path | None = None, conversations: Sequence[Path] | None = None
) -> Report:
    """Run every check on the project at `root` (its guides, or `guides`; its conversations, or those)."""
    folder = guides if guides is not None else root / "guides"
    files = (
        conversations
        if conversations is not None
        else sorted((root / "tests" / "conversations").glob("*.yml"))
    )
    checker = _Checker(root, folder, files)
    entries, version = checker.guides()
    checker.vocabulary_and_domain()
    checker.rules_and_stories()
    checker.vocabulary_used()
    checker.intents_and_examples()
    count = checker.conversations()
    unique = dict.fromkeys(checker.problems)  # a file unreadable for two checks is reported once
    ordered = sorted(unique, key=lambda problem: (problem.file, problem.line or 0))  # as an editor reads
    return Report(tuple(ordered), entries, version, count, checker.files)
