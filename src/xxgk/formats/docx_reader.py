"""Reading a .docx report as it is (Word, WPS or xxgk's own) into a :class:`Found`.

The XML is parsed directly with lxml: body paragraphs and tables in order,
direct ``w:tc`` cells with ``w:gridBefore``, ``w:gridSpan`` and ``w:vMerge``
(see :func:`xxgk.formats.docx_dump.origins`).  Content controls (``w:sdt``) and
tracked insertions are looked into; nested tables inside a cell become text.
"""

from __future__ import annotations

from lxml import etree

from xxgk.files import Refused, open_zip, read_member
from xxgk.formats.docx_dump import Origin, W
from xxgk.formats.found import Found, FoundTable
from xxgk.ooxml import safe_parser

MAX_DOCUMENT_XML = 64 * 2**20  # decompressed word/document.xml
_P, _TBL, _SDT, _CONTENT = (f"{{{W}}}{t}" for t in ("p", "tbl", "sdt", "sdtContent"))
_T, _TAB, _BR, _TR, _TC = (f"{{{W}}}{t}" for t in ("t", "tab", "br", "tr", "tc"))
_GRID_BEFORE, _GRID_SPAN, _VMERGE, _VAL = (f"{{{W}}}{t}" for t in ("gridBefore", "gridSpan", "vMerge", "val"))
_TAGS = [_TBL, _TR, _TC, _P, _T, _TAB, _BR, _GRID_SPAN, _VMERGE, _GRID_BEFORE]


class NotReadable(Exception):
    """The bytes are not a readable .docx; the message says why (in Chinese)."""


def read_docx(data: bytes, source: str) -> Found:
    try:
        archive = open_zip(data)
    except Refused:
        raise NotReadable("不是 .docx 文件（文件已损坏，或是改了扩展名的其他文件）") from None
    with archive:
        try:
            xml = read_member(archive, "word/document.xml", MAX_DOCUMENT_XML)
        except KeyError:
            raise NotReadable("不是 Word 文档（压缩包中没有 word/document.xml）") from None
        except Refused:
            raise NotReadable("文档正文解压后过大或已损坏，不像是年度报告") from None
    try:
        parser = safe_parser()
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as exc:
        raise NotReadable(f"文档正文不是有效的 XML：{exc}") from None
    body = root.find(f"{{{W}}}body")
    found = Found(source, "docx")
    if body is not None:
        _walk(body, found)
    return found


def _text(el: etree._Element) -> str:
    """The text of a paragraph, or of a cell (its paragraphs on lines); nested tables included."""
    out: list[str] = []
    first = True
    for node in el.iter(_P, _T, _TAB, _BR):
        tag = node.tag
        if tag == _T:
            if node.text:
                out.append(node.text)
        elif tag == _P:
            if not first:
                out.append("\n")
            first = False
        elif tag == _TAB:
            out.append("\t")
        else:
            out.append("\n")
    return "".join(out)


def _int(el: etree._Element | None, default: int) -> int:
    if el is None:
        return default
    try:
        return max(0, min(int(el.get(_VAL, default)), 1000))
    except ValueError:
        return default


def table_origins(tbl: etree._Element) -> list[Origin]:
    """Rows and their cells, the grid offset from gridBefore and gridSpan; vMerge joined.

    One pass over the table's XML (lxml's iterwalk): a nested table's text belongs
    to the cell that holds it, its rows and cells are not the table's.
    """
    found: dict[tuple[int, int], Origin] = {}
    open_merges: dict[tuple[int, int], tuple[int, int]] = {}  # (col, span) → origin
    depth = 0  # nesting of w:tbl
    r = -1
    offset = 0
    span, vmerge = 1, None
    parts: list[str] = []
    paragraphs = 0
    for event, el in etree.iterwalk(tbl, events=("start", "end"), tag=_TAGS):
        tag = el.tag
        if tag == _TBL:
            depth += 1 if event == "start" else -1
            continue
        if event == "end":
            if tag == _TC and depth == 1:
                key = (offset, span)
                if vmerge == "continue" and key in open_merges:
                    origin_key = open_merges[key]
                    o = found[origin_key]
                    found[origin_key] = Origin(o.row, o.col, o.rowspan + 1, o.colspan, o.text)
                else:
                    found[(r, offset)] = Origin(r, offset, 1, span, "".join(parts))
                    if vmerge == "restart":
                        open_merges[key] = (r, offset)
                    else:
                        open_merges.pop(key, None)
                offset += span
            continue
        if tag == _T:
            if el.text:
                parts.append(el.text)
        elif tag == _P:
            if paragraphs:
                parts.append("\n")
            paragraphs += 1
        elif depth > 1:
            if tag in (_TAB, _BR):
                parts.append("\t" if tag == _TAB else "\n")
        elif tag == _TR:
            r += 1
            offset = 0
        elif tag == _TC:
            span, vmerge = 1, None
            parts = []
            paragraphs = 0
        elif tag == _GRID_SPAN:
            span = max(1, _int(el, 1))
        elif tag == _VMERGE:
            vmerge = el.get(_VAL, "continue")
        elif tag == _GRID_BEFORE:
            offset = _int(el, 0)
        elif tag == _TAB:
            parts.append("\t")
        elif tag == _BR:
            parts.append("\n")
    return list(found.values())


def _owner_table(cell: etree._Element) -> etree._Element | None:
    node = cell.getparent()
    while node is not None and node.tag != _TBL:
        node = node.getparent()
    return node


def _walk(parent: etree._Element, found: Found) -> None:
    for child in parent:
        if child.tag == _P:
            found.blocks.append(_text(child))
        elif child.tag == _TBL:
            if child.find(f".//{_TBL}") is not None:  # a frame around the report: read inside it
                for cell in child.iter(_TC):
                    if cell.getparent() is not None and _owner_table(cell) is child:
                        _walk(cell, found)
            else:
                found.blocks.append(FoundTable(table_origins(child)))
        elif child.tag == _SDT:
            content = child.find(_CONTENT)
            if content is not None:
                _walk(content, found)
