"""Where the project's files are, found from the package, never from the working directory."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
GUIDES_DIR = PROJECT_ROOT / "guides"
DOMAIN_FILE = PROJECT_ROOT / "domain.yml"
DATA_DIR = PROJECT_ROOT / "data"
DEV_QUESTIONS = PROJECT_ROOT.parent / "shared" / "eval" / "dev_questions.yml"
