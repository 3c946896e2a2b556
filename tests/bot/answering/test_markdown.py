"""Text the reports copy is shown as written, never rendered as HTML, a link or an extra column."""

from __future__ import annotations

import pytest

from bot.answering import markdown
from bot.answering.markdown import only_markup
from tests.report_html import render

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<!-- hidden --> <b>bold</b>",
    "[Hilfe](https://evil.example/login)",
    "![x](https://evil.example/pixel.png)",
    "<https://evil.example/auto>",
    "[ref]: https://evil.example",
    "&lt;script&gt; stays as typed",
    "A | B",
    "back\\slash \\[not a link\\](x)",
    "Rückruf unter [TELEFON], Kunde [NAME] [x] [y]",
    "[Hilfe][1] [1]: https://evil.example",
    "[a\\](b)",
]


@pytest.mark.parametrize("typed", HOSTILE)
def test_a_cell_renders_as_the_text_that_was_typed(typed: str) -> None:
    table = f"| copied |\n|---|\n| {markdown.text(typed)} |\n"
    rendered = render(table)
    assert rendered.tags == {"table", "thead", "tbody", "tr", "th", "td"}
    assert rendered.text.split("copied", 1)[1].strip() == typed


def test_line_breaks_become_spaces_and_nothing_becomes_empty() -> None:
    assert markdown.text("erste\nzweite\r\n  dritte") == "erste zweite dritte"
    assert markdown.text(None) == "" and markdown.text("") == ""
    assert markdown.text("<b> & [x] | y") == "&lt;b&gt; &amp; [x] \\| y"  # [x] alone links nowhere
    assert markdown.text("[x](y) [x][y] ![x](y)") == "[x\\](y) [x\\][y] ![x\\](y)"


@pytest.mark.parametrize(
    "text",
    [
        "javascript:alert(1)",
        "<details open ontoggle=alert(1)>",
        '<a href="javascript:alert(1)">klick</a>',
        "[klick](javascript:alert(1))",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "'-alert(1)-'",
    ],
)
def test_markup_alone_is_no_question(text: str) -> None:
    assert only_markup(text)


@pytest.mark.parametrize(
    "text",
    [
        "Wohin gehen Terminabsagen aus dem Kontaktformular?",
        "<b>Wohin gehen Terminabsagen</b> aus dem Kontaktformular?",  # a question inside markup is read
        "Kunde schreibt: Termin <morgen> geht nicht",
        "",
    ],
)
def test_a_question_with_or_without_markup_is_read(text: str) -> None:
    assert not only_markup(text)
