"""The bot's own sentences (not guide content), read from `domain.yml`.

They are Rasa responses with one variation per language (condition on the
`lang` slot). The actions pick the variation for the language they detected in
this very turn, which a slot condition evaluated by Rasa could not see yet.

No sentence names an instruction's number: `{instruction}` stands for the number of the
instruction in force, filled from guides/sources.yml (`instruction_values`), so a new instruction
changes the greeting, the help and the error reply without touching domain.yml.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from bot.answering.guide_schema import Instruction
from bot.answering.guides import load_sources
from bot.answering.slots import SLOT_LANG
from bot.paths import guides_dir


def instruction_values(instruction: Instruction) -> dict[str, str]:
    """The placeholders every sentence may use about the instruction in force: `{instruction}`."""
    return {"instruction": instruction.number}


class Responses:
    """Look up `utter_*` texts by name and language."""

    def __init__(self, responses: Mapping[str, Any], values: Mapping[str, str] | None = None) -> None:
        self._values: dict[str, str] = dict(values or {})  # placeholders every text may use
        self._by_name: dict[str, dict[str, str]] = {}
        for name, variations in responses.items():
            texts: dict[str, str] = {}
            for variation in variations:
                for condition in variation.get("condition") or []:
                    if condition.get("name") == SLOT_LANG:
                        texts[str(condition["value"])] = str(variation["text"])
            self._by_name[name] = texts

    @classmethod
    def from_domain_file(cls, path: Path, guides: Path | None = None) -> Responses:
        """The domain's responses, `{instruction}` filled from the sources of `guides` (default: ours).

        Whoever reads a sentence without a writer (the readiness probe's greeting, the error reply)
        reads it as staff see it today; the writer fills it again from the guides it answers from.
        """
        with path.open(encoding="utf-8") as handle:
            domain = yaml.safe_load(handle)
        current = load_sources(guides or guides_dir()).current(dt.date.today())
        return cls(domain["responses"], instruction_values(current))

    def with_values(self, **values: str) -> Responses:
        """The same texts with more placeholders filled (sharing the texts, so it costs nothing)."""
        copy = Responses({}, {**self._values, **values})
        copy._by_name = self._by_name
        return copy

    def names(self) -> list[str]:
        return list(self._by_name)

    def text(self, name: str, lang: str, **values: Any) -> str:
        """The response `name` in `lang`, with `{placeholders}` filled in."""
        try:
            template = self._by_name[name][lang]
        except KeyError as error:
            raise KeyError(f"domain.yml has no response {name} for lang={lang}") from error
        merged = {**self._values, **values}
        return template.format(**merged) if merged else template
