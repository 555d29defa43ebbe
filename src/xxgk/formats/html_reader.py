"""Reading a report page saved from a portal (.html/.htm) into a :class:`Found`.

Portal pages wrap the report in the site's chrome (menus, layout tables,
scripts); Word-exported HTML adds ``<o:p>``, ``&nbsp;`` and nested
``<span>``/``<font>``.  Data tables are the innermost tables; every other block
element's text becomes a paragraph, in document order.  Rows and columns are
placed with the HTML table algorithm (rowspan and colspan).
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from xxgk.formats.docx_dump import Origin
from xxgk.formats.found import Found, FoundTable

_SKIP = {"script", "style", "head", "noscript", "template", "iframe", "object", "select", "button"}
_BLOCK = {
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "section", "article",
    "main", "header", "footer", "nav", "aside", "center", "blockquote", "pre", "table",
    "tr", "td", "th", "tbody", "thead", "tfoot", "body", "html", "form", "dl", "dt", "dd",
    "address", "figure", "caption", "hr",
}
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")


class NotReadable(Exception):
    """The bytes are not a readable HTML page; the message says why (in Chinese)."""


def decode_html(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    m = _CHARSET.search(data[:4096])
    declared = m.group(1).decode("ascii").lower() if m else ""
    if declared in ("gb2312", "gbk", "gb18030", "x-gbk", "cp936"):
        return data.decode("gb18030", errors="replace")
    try:
        return data.decode(declared or "utf-8")
    except (LookupError, UnicodeDecodeError):
        pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def read_html(data: bytes, source: str) -> Found:
    text = decode_html(data)
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    if not text.strip():
        raise NotReadable("文件是空的")
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise NotReadable(f"不是可读取的网页文件：{exc}") from None
    found = Found(source, "html")
    _Walker(found).block(root)
    return found


def _tag(el: etree._Element) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""  # comments, processing instructions
    return tag.rsplit("}", 1)[-1].split(":")[-1].lower()


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


class _Walker:
    def __init__(self, found: Found) -> None:
        self.found = found
        self.buffer: list[str] = []

    def flush(self) -> None:
        text = "".join(self.buffer)
        self.buffer = []
        for line in text.split("\n"):
            line = _clean(line)
            if line:
                self.found.blocks.append(line)

    def block(self, el: etree._Element) -> None:
        tag = _tag(el)
        if tag in _SKIP:
            return
        if tag == "table" and not _has_table(el):
            self.flush()
            self.found.blocks.append(FoundTable(table_origins(el)))
            return
        is_block = tag in _BLOCK
        if is_block:
            self.flush()
        if tag == "br":
            self.buffer.append("\n")
        elif el.text and tag:
            self.buffer.append(el.text)
        for child in el:
            self.block(child)
            if child.tail:
                self.buffer.append(child.tail)
        if is_block:
            self.flush()


def _has_table(el: etree._Element) -> bool:
    return any(_tag(d) == "table" for d in el.iterdescendants())


def cell_text(cell: etree._Element) -> str:
    parts: list[str] = []

    def walk(el: etree._Element) -> None:
        tag = _tag(el)
        if tag in _SKIP:
            return
        if tag == "br":
            parts.append("\n")
        elif tag in ("p", "div", "li") and parts:
            parts.append("\n")
        if el.text and tag:
            parts.append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(cell)
    lines = [_clean(line) for line in "".join(parts).split("\n")]
    return "\n".join(line for line in lines if line)


def _span(el: etree._Element, name: str) -> int:
    try:
        return max(1, min(int(str(el.get(name, "1")).strip() or "1"), 1000))
    except ValueError:
        return 1


def table_origins(table: etree._Element) -> list[Origin]:
    """The HTML table algorithm: each cell takes the first free grid position of its row."""
    rows = [tr for tr in table.iter() if _tag(tr) == "tr"]
    taken: set[tuple[int, int]] = set()
    out: list[Origin] = []
    for r, tr in enumerate(rows):
        col = 0
        for cell in tr:
            if _tag(cell) not in ("td", "th"):
                continue
            while (r, col) in taken:
                col += 1
            rowspan = min(_span(cell, "rowspan"), len(rows) - r)
            colspan = _span(cell, "colspan")
            for dr in range(rowspan):
                for dc in range(colspan):
                    taken.add((r + dr, col + dc))
            out.append(Origin(r, col, rowspan, colspan, cell_text(cell)))
            col += colspan
    return out
