"""What every report reader produces: the document as found, before any recognition.

A :class:`Found` is the body in document order: paragraphs (their text) and
tables (origin cells with spans).  Readers of .docx, HTML and PDF all produce
it; :mod:`xxgk.recognise` turns it into a report's data, knowing nothing of the
format the document came in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from xxgk.formats.docx_dump import Origin

__all__ = ["Found", "FoundTable", "Origin"]


@dataclass
class FoundTable:
    """A table as found: origin cells (0-based grid row/col, spans, text)."""

    cells: list[Origin]

    @property
    def nrows(self) -> int:
        return max((c.row + c.rowspan for c in self.cells), default=0)

    @property
    def ncols(self) -> int:
        return max((c.col + c.colspan for c in self.cells), default=0)


@dataclass
class Found:
    """A report document as read: blocks in order (a paragraph's text, or a table)."""

    source: str
    kind: str  # "docx", "html", "pdf", …
    blocks: list[str | FoundTable] = field(default_factory=list)

    @property
    def paragraphs(self) -> list[str]:
        return [b for b in self.blocks if isinstance(b, str)]

    @property
    def tables(self) -> list[FoundTable]:
        return [b for b in self.blocks if isinstance(b, FoundTable)]
