"""Build Lotse's German spaCy pipeline locally: no model download, ever.

spaCy's trained German models are not on the package registry, so the pipeline
is spacy.blank("de") (German tokenizer) plus the lookup lemmatizer, whose tables
come from the installed spacy-lookups-data package.
"""

from __future__ import annotations

import sys
from pathlib import Path

import spacy

from bot.paths import PROJECT_ROOT

DEFAULT_TARGET = PROJECT_ROOT / "build" / "spacy" / "de_lotse"


def build(target: Path = DEFAULT_TARGET) -> Path:
    nlp = spacy.blank("de")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    nlp.meta["name"] = "lotse"
    nlp.meta["description"] = "spacy.blank('de') + lookup lemmatizer (spacy-lookups-data)"
    target.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(target)
    return target


if __name__ == "__main__":
    path = build(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_TARGET)
    print(f"German spaCy pipeline written to {path}")
