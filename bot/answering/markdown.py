"""Text copied into a Markdown report, made inert: it is shown, never run or followed.

The trainers' reports (feedback.md, conversations.md) quote what staff typed. A
Markdown viewer renders raw HTML and links, so a comment such as
`<img src=x onerror=alert(1)>` or `[Hilfe](https://…)` would run or be a live link
in the trainer's viewer. Every report builds its cells and headings with `text()`.
"""

from __future__ import annotations

import re

# `\` first, so the backslashes added below are not escaped again
_REPLACEMENTS = (
    ("\\", "\\\\"),
    ("&", "&amp;"),  # before < and >, whose entities begin with &
    ("<", "&lt;"),  # no tag, no comment, no <https://…> autolink
    (">", "&gt;"),
    ("|", "\\|"),  # no extra table column
)
# A link or image needs `](` or `][` with nothing between; a bare `[NAME]` (the redaction's
# placeholders) could only link to a definition at the start of a line, and copied text never
# starts one – so only that `]` is escaped and the placeholders stay readable in the raw report.
_LINK = re.compile(r"\](?=[(\[])")


def text(value: object) -> str:
    """`value` as one line of literal Markdown text: HTML and link syntax escaped, line breaks spaces."""
    escaped = " ".join(str(value if value is not None else "").split())
    for old, new in _REPLACEMENTS:
        escaped = escaped.replace(old, new)
    return _LINK.sub(r"\\]", escaped)


# staff do not type HTML or script: a tag, an entity, a script URL, an event handler, a call of alert()
MARKUP = re.compile(
    r"<[^<>]*>|&[a-z]+;|javascript:|\bon[a-z]+\s*=|\balert\s*\([^()]*\)|\[[^\[\]]*\]\([^()]*\)", re.IGNORECASE
)
_WORD = re.compile(r"[^\W\d_]{2,}")


def only_markup(text: str) -> bool:
    """Markup with at most one distinct word beside it ("<a href=…>klick</a>"): no question to read.

    What the NLU makes of such a string depends on the model (once "affirm", once a guide subject);
    the answer must not. One pass of each pattern: linear in the length.
    """
    if not MARKUP.search(text):
        return False
    return len({word.casefold() for word in _WORD.findall(MARKUP.sub(" ", text))}) < 2
