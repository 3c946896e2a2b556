"""A Markdown report as a viewer shows it: Python-Markdown (with tables) turns it into HTML.

Python-Markdown passes raw HTML through, as most Markdown viewers do, so whatever a report
copied unescaped would come out here as a live element or link.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

import markdown  # type: ignore[import-untyped]  # Python-Markdown, comes with Rasa (TensorBoard)


@dataclass
class Rendered:
    """The elements (with their attributes) and the visible text of the rendered report."""

    elements: list[tuple[str, dict[str, str | None]]] = field(default_factory=list)
    text: str = ""

    @property
    def tags(self) -> set[str]:
        return {tag for tag, _ in self.elements}


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rendered = Rendered()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.rendered.elements.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.rendered.text += data


def render(report: str) -> Rendered:
    """The report's elements and text once a Markdown viewer has rendered it."""
    collect = _Collect()
    collect.feed(markdown.markdown(report, extensions=["tables"]))
    collect.close()
    return collect.rendered
