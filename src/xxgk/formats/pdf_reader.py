"""Reading a PDF report with a text layer (pdfplumber) into a :class:`Found`.

Tables come from pdfplumber's ruled-line detection, with merged cells as the
spans of its cell rectangles; a table that continues on the next page is joined
to the one before it.  Text outside tables becomes paragraphs, one per line
group.  A scanned PDF (no text layer) is refused with a clear message.
"""

from __future__ import annotations

import io
from typing import Any

from xxgk.formats.docx_dump import Origin
from xxgk.formats.found import Found, FoundTable

MAX_PAGES = 60


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
    page = table.page
    for x0, top, x1, bottom in cells:
        col, col_end = index(xs, x0), index(xs, x1)
        row, row_end = index(ys, top), index(ys, bottom)
        text = page.crop((x0, top, x1, bottom)).extract_text() or ""
        out.append(Origin(row, col, max(1, row_end - row), max(1, col_end - col), text.strip()))
    return out


def read_pdf(data: bytes, source: str) -> Found:
    try:
        import pdfplumber
        from pdfminer.pdfparser import PDFSyntaxError
    except ImportError:  # pragma: no cover - a dependency
        raise NotReadable("读取 PDF 需要 pdfplumber：pip install pdfplumber") from None
    found = Found(source, "pdf")
    chars = 0
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except (PDFSyntaxError, Exception) as exc:  # pdfminer raises many kinds on a damaged file
        raise NotReadable(f"不是可读取的 PDF 文件：{type(exc).__name__}") from None
    with pdf:
        if len(pdf.pages) > MAX_PAGES:
            raise NotReadable(f"PDF 有 {len(pdf.pages)} 页，不像是一份年度报告（最多 {MAX_PAGES} 页）")
        last_table: FoundTable | None = None
        for page in pdf.pages:
            chars += len(page.chars)
            tables = page.find_tables()
            boxes = [t.bbox for t in tables]
            items: list[tuple[float, str | FoundTable]] = []
            for t in tables:
                items.append((t.bbox[1], FoundTable(_grid(t))))

            def outside(obj: dict[str, Any], boxes: list[Any] = boxes) -> bool:
                cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
                return not any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in boxes)

            text_page = page.filter(outside)
            for line in text_page.extract_text_lines(return_chars=False):
                items.append((line["top"], line["text"]))
            items.sort(key=lambda item: item[0])
            for i, (_, item) in enumerate(items):
                if isinstance(item, FoundTable):
                    if i == 0 and last_table is not None and _continues(last_table, item):
                        shift = last_table.nrows
                        last_table.cells += [
                            Origin(o.row + shift, o.col, o.rowspan, o.colspan, o.text) for o in item.cells
                        ]
                        continue
                    found.blocks.append(item)
                    last_table = item
                else:
                    found.blocks.append(item)
                    if item.strip():
                        last_table = None if _is_body(item) else last_table
    if chars == 0:
        raise NotReadable("PDF 没有文字层（多为扫描件），无法读取其中的文字和数字；请取得 Word 或网页版本")
    return _join_lines(found)


def _continues(before: FoundTable, after: FoundTable) -> bool:
    return before.ncols == after.ncols


def _is_body(line: str) -> bool:
    """A page header or footer (a page number) does not end a table that runs on."""
    s = line.strip().strip("-— ")
    return not s.isdigit()


def _join_lines(found: Found) -> Found:
    """PDF lines → paragraphs: a line that ends a sentence, or a short line, ends a paragraph."""
    out: list[str | FoundTable] = []
    buffer = ""
    for block in found.blocks:
        if isinstance(block, FoundTable):
            if buffer:
                out.append(buffer)
                buffer = ""
            out.append(block)
            continue
        line = block.strip()
        if not line or (line.strip("-— ").isdigit() and len(line) <= 8):
            continue  # page numbers
        buffer += line
        if line.endswith(("。", "：", ":", "！", "？", "；")) or len(line) < 20:
            out.append(buffer)
            buffer = ""
    if buffer:
        out.append(buffer)
    found.blocks = out
    return found
