"""Reading a PDF report with a text layer (pdfplumber) into a :class:`Found`.

Tables come from pdfplumber's ruled-line detection, with merged cells as the
spans of its cell rectangles; a table that continues on the next page is joined
to the one before it.  Text outside tables becomes paragraphs, one per line
group.  A scanned PDF (no text layer) is refused with a clear message.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass
from typing import Any

from xxgk.formats.docx_dump import Origin
from xxgk.formats.found import Found, FoundTable

MAX_PAGES = 60
# pdfminer puts a space between Chinese text and digits set in another font: not in the text
_CJK = "\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
_SPACE_BY_CJK = re.compile(rf"(?<=[{_CJK}])[ \t]+|[ \t]+(?=[{_CJK}])")


@dataclass(frozen=True)
class Line:
    """A line of text outside the tables, where it stands on its page (points)."""

    text: str
    x0: float
    x1: float
    size: float  # its height: a character's width in Chinese text


class NotReadable(Exception):
    """The bytes are not a readable PDF; the message says why (in Chinese)."""


def _grid(table: Any) -> list[Origin]:
    """Origin cells from pdfplumber's cell rectangles: spans from the distinct edges."""
    cells = [c for c in table.cells if c is not None]
    xs = sorted({round(v, 0) for c in cells for v in (c[0], c[2])})
    ys = sorted({round(v, 0) for c in cells for v in (c[1], c[3])})

    def index(values: list[float], v: float) -> int:
        return min(range(len(values)), key=lambda i: abs(values[i] - v))

    out = []
    x0t, topt, x1t, bottomt = table.bbox
    chars = [
        c
        for c in table.page.chars
        if x0t <= (c["x0"] + c["x1"]) / 2 <= x1t and topt <= (c["top"] + c["bottom"]) / 2 <= bottomt
    ]
    for x0, top, x1, bottom in cells:
        col, col_end = index(xs, x0), index(xs, x1)
        row, row_end = index(ys, top), index(ys, bottom)
        inside = [
            c
            for c in chars
            if x0 <= (c["x0"] + c["x1"]) / 2 <= x1 and top <= (c["top"] + c["bottom"]) / 2 <= bottom
        ]
        out.append(Origin(row, col, max(1, row_end - row), max(1, col_end - col), _text(inside)))
    return out


def _text(chars: list[dict[str, Any]]) -> str:
    """Characters (their centres inside a cell) → lines of text, top to bottom."""
    lines: list[list[dict[str, Any]]] = []
    for c in sorted(chars, key=lambda c: (c["top"], c["x0"])):
        if lines and abs(lines[-1][0]["top"] - c["top"]) <= max(2.0, (c["bottom"] - c["top"]) / 2):
            lines[-1].append(c)
        else:
            lines.append([c])
    texts = ("".join(c["text"] for c in sorted(line, key=lambda c: c["x0"])) for line in lines)
    return "\n".join(texts).strip()


def read_pdf(data: bytes, source: str) -> Found:
    try:
        import pdfplumber
        from pdfminer.pdfparser import PDFSyntaxError
    except ImportError:  # pragma: no cover - a dependency
        raise NotReadable("读取 PDF 需要 pdfplumber：pip install pdfplumber") from None
    logging.getLogger("pdfminer").setLevel(logging.CRITICAL)  # a damaged PDF: our message, not its log
    try:
        return _read(pdfplumber.open(io.BytesIO(data)), source)
    except NotReadable:
        raise
    except (PDFSyntaxError, Exception) as exc:  # pdfminer raises many kinds on a damaged file
        raise NotReadable(f"PDF 文件已损坏或无法解析（{type(exc).__name__}）") from None


def _read(pdf: Any, source: str) -> Found:
    found = Found(source, "pdf")
    blocks: list[Line | FoundTable] = []
    chars = 0
    with pdf:
        if len(pdf.pages) > MAX_PAGES:
            raise NotReadable(f"PDF 有 {len(pdf.pages)} 页，不像是一份年度报告（最多 {MAX_PAGES} 页）")
        last_table: FoundTable | None = None
        for page in pdf.pages:
            chars += len(page.chars)
            tables = page.find_tables()
            boxes = [t.bbox for t in tables]
            items: list[tuple[float, Line | FoundTable]] = []
            for t in tables:
                items.append((t.bbox[1], FoundTable(_grid(t))))

            def outside(obj: dict[str, Any], boxes: list[Any] = boxes) -> bool:
                cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
                return not any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in boxes)

            text_page = page.filter(outside)
            for line in text_page.extract_text_lines(return_chars=False):
                size = float(line["bottom"] - line["top"])
                items.append((line["top"], Line(line["text"], float(line["x0"]), float(line["x1"]), size)))
            items.sort(key=lambda item: item[0])
            for i, (_, item) in enumerate(items):
                if isinstance(item, FoundTable):
                    if i == 0 and last_table is not None and _continues(last_table, item):
                        skip = _repeated_header(last_table, item)
                        shift = last_table.nrows - skip
                        last_table.cells += [
                            Origin(o.row + shift, o.col, o.rowspan, o.colspan, o.text)
                            for o in item.cells
                            if o.row >= skip
                        ]
                        continue
                    blocks.append(item)
                    last_table = item
                else:
                    blocks.append(item)
                    if item.text.strip():
                        last_table = None if _is_body(item.text) else last_table
    if chars == 0:
        raise NotReadable("PDF 没有文字层（多为扫描件），无法读取其中的文字和数字；请取得 Word 或网页版本")
    found.blocks = join_lines(blocks)
    return found


def _continues(before: FoundTable, after: FoundTable) -> bool:
    return before.ncols == after.ncols


def _repeated_header(before: FoundTable, after: FoundTable) -> int:
    """How many rows at the top of a continued table repeat the first part's header rows."""
    first = {(o.row, o.col, o.rowspan, o.colspan, o.text) for o in before.cells}
    k = 0
    for rows in range(1, min(after.nrows, before.nrows, 6) + 1):
        top = [(o.row, o.col, o.rowspan, o.colspan, o.text) for o in after.cells if o.row < rows]
        inside = all(o.row + o.rowspan <= rows for o in after.cells if o.row < rows)
        if top and inside and all(t in first for t in top):
            k = rows
    return k


def _is_body(line: str) -> bool:
    """A page header or footer (a page number) does not end a table that runs on."""
    s = line.strip().strip("-— ")
    return not s.isdigit()


BODY_LINE = 20  # characters: a shorter line ends its paragraph (a heading, a signature)


def join_lines(blocks: list[Line | FoundTable]) -> list[str | FoundTable]:
    """PDF lines → paragraphs, guessed: a line that reaches the right margin (within a character)
    runs on into the next one unless that one is indented by two characters; any other line ends
    its paragraph when it ends a sentence or is short.  The margins are those of the body lines."""
    body = [b for b in blocks if isinstance(b, Line) and len(b.text.strip()) >= BODY_LINE]
    left = min((b.x0 for b in body), default=0.0)
    right = max((b.x1 for b in body), default=0.0)

    def full(line: Line) -> bool:  # from the left margin (or its indent) to the right margin
        return bool(body) and line.x1 >= right - line.size and line.x0 <= left + 3 * line.size

    def indented(line: Line) -> bool:
        return line.x0 >= left + 1.5 * line.size

    out: list[str | FoundTable] = []
    buffer = ""
    for n, block in enumerate(blocks):
        if isinstance(block, FoundTable):
            if buffer:
                out.append(buffer)
                buffer = ""
            out.append(block)
            continue
        if _is_page_number(block.text):
            continue
        line = _SPACE_BY_CJK.sub("", block.text.strip())
        buffer += line
        after = next(
            (b for b in blocks[n + 1 :] if not (isinstance(b, Line) and _is_page_number(b.text))), None
        )
        if isinstance(after, Line) and full(block) and len(line) >= BODY_LINE:
            ends = indented(after)
        else:
            ends = line.endswith(("。", "：", ":", "！", "？", "；")) or len(line) < BODY_LINE
        if ends:
            out.append(buffer)
            buffer = ""
    if buffer:
        out.append(buffer)
    return out


def _is_page_number(text: str) -> bool:
    """A page number (or a blank line): not part of the text."""
    line = _SPACE_BY_CJK.sub("", text.strip())
    return not line or (line.strip("-— ").isdigit() and len(line) <= 8)
