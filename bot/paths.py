"""Where the project's files are, found from the package, never from the working directory."""

from __future__ import annotations

from pathlib import Path

from bot.settings import settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent
GUIDES_DIR = PROJECT_ROOT / "guides"
DOMAIN_FILE = PROJECT_ROOT / "domain.yml"
DATA_DIR = PROJECT_ROOT / "data"
DEV_QUESTIONS = PROJECT_ROOT.parent / "shared" / "eval" / "dev_questions.yml"
# negations, case dates, short follow-ups, typed answers, scope, a language switch
DEV_FOLLOWUPS = PROJECT_ROOT.parent / "shared" / "eval" / "dev_followups.yml"
GUIDES_DIR_ENV = "LOTSE_GUIDES_DIR"  # another guides folder, for trainers' drafts and tests


def guides_dir() -> Path:
    """The guides folder: the project's own, unless LOTSE_GUIDES_DIR names another."""
    override = settings().guides_dir
    return override if override else GUIDES_DIR
