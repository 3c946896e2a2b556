"""The bot's own sentences (not guide content), read from `domain.yml`.

They are Rasa responses with one variation per language (condition on the
`lang` slot). The actions pick the variation for the language they detected in
this very turn, which a slot condition evaluated by Rasa could not see yet.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from bot.answering.slots import SLOT_LANG


class Responses:
    """Look up `utter_*` texts by name and language."""

    def __init__(self, responses: Mapping[str, Any]) -> None:
        self._by_name: dict[str, dict[str, str]] = {}
        for name, variations in responses.items():
            texts: dict[str, str] = {}
            for variation in variations:
                for condition in variation.get("condition") or []:
                    if condition.get("name") == SLOT_LANG:
                        texts[str(condition["value"])] = str(variation["text"])
            self._by_name[name] = texts

    @classmethod
    def from_domain_file(cls, path: Path) -> Responses:
        with path.open(encoding="utf-8") as handle:
            domain = yaml.safe_load(handle)
        return cls(domain["responses"])

    def names(self) -> list[str]:
        return list(self._by_name)

    def text(self, name: str, lang: str, **values: Any) -> str:
        """The response `name` in `lang`, with `{placeholders}` filled in."""
        try:
            template = self._by_name[name][lang]
        except KeyError as error:
            raise KeyError(f"domain.yml has no response {name} for lang={lang}") from error
        return template.format(**values) if values else template
