"""Reports as people make them by hand: python-docx tables and hand-written HTML, not xxgk's writer.

A :class:`Hand` is a report's content (title, sections, signature, tables as
origin cells); helpers change it the way real files differ (labels with spaces,
no vertical merges, a subtotal column, blank cells …); :func:`to_docx` and
:func:`to_html` write it.
"""

from __future__ import annotations

import copy
import datetime
import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from xxgk import layouts as L
from xxgk.compute import compute, format_number
from xxgk.formats.docx_dump import Origin

DEPT_TEXT = {
    L.OVERVIEW.key: ["本年度，本机关认真贯彻落实《中华人民共和国政府信息公开条例》，持续推进政务公开。"],
    L.PROBLEMS.key: [
        "本年度政府信息公开工作仍存在政策解读形式较为单一、公开内容更新不够及时等问题。下一步将加强培训，完善制度，提升公开质量。"
    ],
    L.OTHER.key: ["本机关本年度未收取信息处理费。"],
}


@dataclass
class Hand:
    agency: str
    year: int
    layout: L.Layout
    cells: dict[str, Any]  # every cell (inputs and totals) by field key, as numbers
    text: dict[str, list[str]] = field(default_factory=dict)  # section key → paragraphs
    headings: dict[str, str] = field(default_factory=dict)  # section key → heading as printed
    order: list[str] = field(default_factory=list)  # section keys in document order
    date: datetime.date | None = None
    printed: dict[str, str] = field(default_factory=dict)  # field key → text printed instead
    tables: dict[str, list[Origin]] = field(default_factory=dict)
    pieces: dict[str, list[list[Origin]]] = field(default_factory=dict)  # a table printed in pieces
    above_title: list[str] = field(default_factory=list)  # paragraphs above the title (a 草稿 line)

    def title(self) -> list[str]:
        return [self.agency, f"{self.year}年{L.REPORT_NAME}"]

    # ---- changes --------------------------------------------------------------

    def relabel(self, old: str, new: str) -> Hand:
        for key, cells in self.tables.items():
            self.tables[key] = [
                Origin(o.row, o.col, o.rowspan, o.colspan, new if o.text == old else o.text) for o in cells
            ]
        return self

    def no_vertical_merges(self, table: str) -> Hand:
        out = []
        for o in self.tables[table]:
            if o.rowspan > 1:
                out.append(Origin(o.row, o.col, 1, o.colspan, o.text))
                out += [Origin(o.row + i, o.col, 1, o.colspan, "") for i in range(1, o.rowspan)]
            else:
                out.append(o)
        self.tables[table] = out
        return self

    def insert_column(self, table: str, at: int, header_row: int, header: str, values: dict[int, str]) -> Hand:
        """A new grid column before ``at``: spans over it grow, ``values`` by row."""
        out = []
        for o in self.tables[table]:
            if o.col >= at:
                out.append(Origin(o.row, o.col + 1, o.rowspan, o.colspan, o.text))
            elif o.col + o.colspan > at:
                out.append(Origin(o.row, o.col, o.rowspan, o.colspan + 1, o.text))
            else:
                out.append(o)
        out.append(Origin(header_row, at, 1, 1, header))
        out += [Origin(r, at, 1, 1, v) for r, v in values.items()]
        self.tables[table] = out
        return self

    def insert_row(self, table: str, at: int, cells: list[Origin]) -> Hand:
        out = []
        for o in self.tables[table]:
            if o.row >= at:
                out.append(Origin(o.row + 1, o.col, o.rowspan, o.colspan, o.text))
            elif o.row + o.rowspan > at:
                out.append(Origin(o.row, o.col, o.rowspan + 1, o.colspan, o.text))
            else:
                out.append(o)
        self.tables[table] = out + cells
        return self

    def set(self, key: str, text: str) -> Hand:
        """Print ``text`` in a data cell (call before the structural changes)."""
        self.printed[key] = text
        self._refill()
        return self

    def _refill(self) -> None:
        self.tables = build_tables(self.layout, self.cells, self.printed)


def build_tables(layout: L.Layout, cells: dict[str, Any], printed: dict[str, str]) -> dict[str, list[Origin]]:
    out = {}
    for table in layout.tables:
        origins = []
        for c in table.cells:
            if c.label is not None:
                text = c.label
            else:
                assert c.field is not None
                key = c.field.key
                text = printed[key] if key in printed else format_number(cells[key])
            origins.append(Origin(c.row, c.col, c.rowspan, c.colspan, text))
        out[table.key] = origins
    return out


def hand_from(data: dict[str, Any], *, text: dict[str, list[str]] | None = None) -> Hand:
    """A hand-made report of consistent input data (totals computed, as a clerk would)."""
    layout = L.LAYOUTS[data.get("layout", L.DEFAULT_LAYOUT)]
    cells, problems = compute(layout, data)
    assert not problems, problems
    body = copy.deepcopy(text if text is not None else DEPT_TEXT)
    year = data["year"]
    body.setdefault(
        L.PREFACE.key,
        [f"根据《中华人民共和国政府信息公开条例》要求，发布本年度报告。报告中所列数据统计期限为{year}年1月1日至12月31日。"],
    )
    hand = Hand(
        agency=data["agency"],
        year=year,
        layout=layout,
        cells=cells,
        text=body,
        headings={s.key: s.heading for s in L.SECTIONS if s.heading},
        order=[s.key for s in L.SECTIONS],
        date=datetime.date(year + 1, 1, 20),
    )
    hand._refill()
    return hand


def _blocks(hand: Hand) -> list[str | list[Origin]]:
    """The document in order: paragraphs and tables."""
    out: list[str | list[Origin]] = [*hand.above_title, *hand.title(), ""]
    for key in hand.order:
        section = next(s for s in L.SECTIONS if s.key == key)
        if key in hand.headings:
            out.append(hand.headings[key])
        if section.table in hand.pieces:
            out += hand.pieces[section.table]
        elif section.table is not None:
            out.append(hand.tables[section.table])
        else:
            out += hand.text.get(key, [])
    if hand.date is not None:
        out += [hand.agency, f"{hand.date.year}年{hand.date.month}月{hand.date.day}日"]
    return out


def to_docx(hand: Hand, path: Path, *, grid_before: bool = False) -> Path:
    doc = Document()
    for block in _blocks(hand):
        if isinstance(block, str):
            doc.add_paragraph(block)
            continue
        _add_table(doc, block, grid_before)
    doc.save(str(path))
    return path


def _add_table(doc: Any, block: list[Origin], grid_before: bool) -> None:
    """A table the way Word stores it: gridSpan across, vMerge restart/continue down."""
    nrows = max(o.row + o.rowspan for o in block)
    ncols = max(o.col + o.colspan for o in block)
    table = doc.add_table(rows=0, cols=ncols)
    table.style = "Table Grid"
    tbl = table._tbl
    at: dict[tuple[int, int], Origin] = {(o.row, o.col): o for o in block}
    below: dict[tuple[int, int], Origin] = {}
    for o in block:
        for r in range(o.row + 1, o.row + o.rowspan):
            below[(r, o.col)] = o
    for r in range(nrows):
        tr = OxmlElement("w:tr")
        if grid_before:
            trpr = OxmlElement("w:trPr")
            before = OxmlElement("w:gridBefore")
            before.set(qn("w:val"), "1")
            trpr.append(before)
            tr.append(trpr)
        c = 0
        while c < ncols:
            o = at.get((r, c)) or below.get((r, c))
            span = o.colspan if o is not None else 1
            tc = OxmlElement("w:tc")
            tcpr = OxmlElement("w:tcPr")
            if span > 1:
                gs = OxmlElement("w:gridSpan")
                gs.set(qn("w:val"), str(span))
                tcpr.append(gs)
            if o is not None and o.rowspan > 1:
                vm = OxmlElement("w:vMerge")
                if o.row == r:
                    vm.set(qn("w:val"), "restart")
                tcpr.append(vm)
            tc.append(tcpr)
            for line in (o.text if o is not None and o.row == r else "").split("\n"):
                p = OxmlElement("w:p")
                if line:
                    run = OxmlElement("w:r")
                    t = OxmlElement("w:t")
                    t.text = line
                    t.set(qn("xml:space"), "preserve")
                    run.append(t)
                    p.append(run)
                tc.append(p)
            tr.append(tc)
            c += span
        tbl.append(tr)
    if grid_before:  # the grid gets one more column, the rows start after it
        grid = tbl.tblGrid
        grid.insert(0, OxmlElement("w:gridCol"))


def _word_html(text: str) -> str:
    """Text the way Word's HTML export writes it."""
    if not text:
        return "<p class=MsoNormal><span lang=EN-US>&nbsp;<o:p></o:p></span></p>"
    parts = "<br>".join(
        f"<span style='font-family:仿宋_GB2312'><font size=2>{html.escape(line)}</font></span>"
        for line in text.split("\n")
    )
    return f"<p class=MsoNormal align=center>{parts}<o:p></o:p></p>"


def to_html(hand: Hand, path: Path, *, encoding: str = "utf-8", published: str = "") -> Path:
    """A portal page: menus and a layout table around the report, the report's tables inside."""
    body: list[str] = []
    for block in _blocks(hand):
        if isinstance(block, str):
            body.append(
                f"<p class=MsoNormal style='text-indent:2em'><span>{html.escape(block)}</span>"
                "<o:p></o:p></p>" if block else "<p>&nbsp;</p>"
            )
            continue
        rows: dict[int, list[Origin]] = {}
        for o in block:
            rows.setdefault(o.row, []).append(o)
        trs = []
        for r in range(max(o.row + o.rowspan for o in block)):
            tds = []
            for o in sorted(rows.get(r, []), key=lambda o: o.col):
                spans = (f" rowspan={o.rowspan}" if o.rowspan > 1 else "") + (
                    f' colspan="{o.colspan}"' if o.colspan > 1 else ""
                )
                tds.append(f"<td{spans} valign=middle style='border:solid windowtext 1.0pt'>{_word_html(o.text)}</td>")
            trs.append("<tr>" + "".join(tds) + "</tr>")
        body.append("<table class=MsoNormalTable border=1 cellspacing=0>" + "\n".join(trs) + "</table>")
    charset = "gb2312" if encoding == "gb18030" else encoding
    page = f"""<!DOCTYPE html>
<html xmlns:o="urn:schemas-microsoft-com:office:office"><head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>{html.escape(''.join(hand.title()))}</title>
<script>var menu = "一、总体情况";</script><style>p {{ margin: 0 }}</style></head>
<body>
<div class="nav"><a href="/">首页</a> &gt; <a href="/xxgk/">政府信息公开</a> &gt; 年报</div>
<table width="100%"><tr><td class="left"><ul><li>机构职能</li><li>政策文件</li></ul></td>
<td class="main">
<div class="info">发布机构：{html.escape(hand.agency)} <span>发布日期：{published}</span></div>
{''.join(body)}
</td></tr></table>
<div class="footer">主办：{html.escape(hand.agency)} 网站标识码 1234567890</div>
</body></html>"""
    path.write_bytes(page.encode(encoding))
    return path


def field_row(hand: Hand, key: str) -> int:
    table = next(t for t in hand.layout.tables if key in {f.key for f in t.fields})
    return next(c.row for c in table.cells if c.field is not None and c.field.key == key)
