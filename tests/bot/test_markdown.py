"""Text the reports copy is shown as written, never rendered as HTML, a link or an extra column."""

from __future__ import annotations

import pytest

from bot import markdown
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
