"""Hold the current guides and reload them when a file changes.

A trainer edits a guide while the action server runs: the next question sees the
change. A broken edit must not take the bot down, so the last good version keeps
answering and the error is logged (and reported by `health`).
"""

from __future__ import annotations

import logging
from pathlib import Path

from bot.answering.guides import GuideError, Guides, guide_files, load_guides

logger = logging.getLogger(__name__)

Stamp = tuple[tuple[str, int, int], ...]


class GuideStore:
    """The loaded guides, checked again whenever a guide file's stamp changes."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._stamp = self._read_stamp()
        self._guides = load_guides(folder)  # raises GuideError: refuse to start
        self.last_error: str | None = None

    def _read_stamp(self) -> Stamp:
        stamp = []
        for path in guide_files(self.folder):
            try:
                info = path.stat()
            except FileNotFoundError:
                continue
            stamp.append((path.name, info.st_mtime_ns, info.st_size))
        return tuple(stamp)

    def get(self) -> Guides:
        """The current guides; reloads first if a file changed since the last call.

        Sanic runs the actions on one thread, so no lock is needed. Any failure of a
        reload (a broken edit, a file half-written by an editor) keeps the last good
        guides answering and is reported in `last_error` until a good version loads.
        """
        stamp = self._read_stamp()
        if stamp == self._stamp:
            return self._guides
        self._stamp = stamp
        try:
            self._guides = load_guides(self.folder)
        except Exception as error:
            self.last_error = (
                str(error) if isinstance(error, GuideError) else f"{type(error).__name__}: {error}"
            )
            logger.error(
                "guide change rejected, still answering with version %s: %s",
                self._guides.version,
                self.last_error,
            )
        else:
            self.last_error = None
            logger.info("guides reloaded, version %s", self._guides.version)
        return self._guides
