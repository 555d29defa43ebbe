"""The HTML of a checked report: the portal's article page, or a fragment for a CMS editor.

Tables 二, 三 and 四 are generated from the layout's cells (``table.cells``):
the same labels, the same rowspan/colspan, every number written (``0``, never
blank), so that nobody rebuilds them by hand in the CMS.  Labels are ``<th>``
with ``id`` and ``scope``; numbers are ``<td>`` whose ``headers`` name their
row and column labels, so that a screen reader reads table 三's cells with
their labels (GB/T 37668).  Every text goes through :func:`html.escape`.

Two forms:

* the standalone page: ``<!DOCTYPE html>``, UTF-8, ``lang="zh-CN"``, a small
  embedded stylesheet that looks like the printed report and prints on A4; no
  scripts, no external resources;
* the fragment (``fragment=True``): the article body only, with inline styles
  and conservative markup (``<table border="1">``, ``<p>``, no classes), which
  survives the editors of common CMSs.

The structure reads back: the title in ``<h1>``, headings in ``<h2>``, each
paragraph in one ``<p>`` (the 楷体 lead in its first ``<span>``), table cells
exactly as the layout places them, the signature in the last two ``<p>``.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from xxgk import layouts as L
from xxgk import typeset as T
from xxgk.compute import format_number
from xxgk.files import Stale, write_atomic
from xxgk.report import Report

SUFFIX = ".html"
GENERATOR = "xxgk"
FRAGMENT_MARK = f"<!-- {GENERATOR}"  # the first line of a fragment
PAGE_MARK = '<meta name="generator" content="xxgk'
MARK_BYTES = 4096  # where a file xxgk wrote says so
CELL_PADDING = 4  # pixels, the fragment's cellpadding

# Fonts as in the .docx (GB/T 9704), then what Windows, macOS and Linux have; digits and Latin
# letters in Times New Roman (or its metric twin), as in the .docx: five digits fit table 三's columns.
LATIN = "Times New Roman,Liberation Serif,Tinos"
TITLE_FONT = f"{LATIN},方正小标宋简体,FZXiaoBiaoSong-B05S,Songti SC,SimSun,Noto Serif CJK SC,serif"
HEADING_FONT = f"{LATIN},黑体,SimHei,Heiti SC,Noto Sans CJK SC,sans-serif"
BODY_FONT = f"{LATIN},仿宋_GB2312,FangSong_GB2312,仿宋,FangSong,STFangsong,Noto Serif CJK SC,serif"
LEAD_FONT = f"{LATIN},楷体_GB2312,KaiTi_GB2312,楷体,KaiTi,STKaiti,AR PL UKai CN,Noto Serif CJK SC,serif"
TABLE_FONT = f"{LATIN},宋体,SimSun,Songti SC,Noto Serif CJK SC,serif"
LINE = "28.9pt"  # 22 lines on the A4 text block, as in the .docx

# One style per role: the stylesheet of the page and the inline styles of the fragment.
STYLES: dict[str, str] = {
    "title": (
        f"margin:0 0 28.9pt;text-align:center;font-family:{TITLE_FONT};"
        "font-size:22pt;line-height:36pt;font-weight:normal"
    ),
    "heading": f"margin:0;font-family:{HEADING_FONT};font-size:16pt;line-height:{LINE};font-weight:normal",
    "p": (
        f"margin:0;text-indent:2em;text-align:justify;font-family:{BODY_FONT};"
        f"font-size:16pt;line-height:{LINE}"
    ),
    "lead": f"font-family:{LEAD_FONT}",
    "table": (
        f"border-collapse:collapse;width:100%;table-layout:fixed;margin:0 auto 6pt;"
        f"font-family:{TABLE_FONT};line-height:1.3"
    ),
    "caption": (  # the heading above says it on screen; the caption names the table to screen readers
        "position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap"
    ),
    "cell": (
        "border:1px solid #000;padding:1pt 0.5pt;text-align:center;vertical-align:middle;"
        "font-weight:normal;overflow-wrap:anywhere;white-space:pre-wrap"
    ),
    "signature": (
        f"margin:0;text-align:right;padding-right:4em;font-family:{BODY_FONT};"
        f"font-size:16pt;line-height:{LINE}"
    ),
}

PAGE_CSS = f"""\
html{{background:#f2f2f2}}
body{{margin:0;color:#000}}
article{{box-sizing:border-box;max-width:210mm;margin:0 auto;padding:37mm 26mm 35mm 28mm;background:#fff}}
h1{{{STYLES["title"]}}}
h2{{{STYLES["heading"]}}}
p{{{STYLES["p"]}}}
p.signature{{{STYLES["signature"]}}}
p.signature.first{{margin-top:{LINE}}}
span.lead{{{STYLES["lead"]}}}
table{{{STYLES["table"]}}}
caption{{{STYLES["caption"]}}}
th,td{{{STYLES["cell"]}}}
@media screen and (max-width:210mm){{article{{padding:6mm 4mm}}}}
@page{{size:A4;margin:37mm 26mm 35mm 28mm}}
@media print{{
html,body,article{{background:none}}
article{{max-width:none;padding:0}}
table,h2{{break-inside:avoid;page-break-inside:avoid}}
h2{{break-after:avoid;page-break-after:avoid}}
thead{{display:table-header-group}}
tr{{break-inside:avoid;page-break-inside:avoid}}
}}
"""


def _attrs(attrs: dict[str, str | int | None]) -> str:
    return "".join(f' {name}="{_text(str(value))}"' for name, value in attrs.items() if value is not None)


def _tag(name: str, content: str = "", **attrs: str | int | None) -> str:
    return f"<{name}{_attrs(attrs)}>{content}</{name}>"


def _text(value: str) -> str:
    return html.escape(value, quote=True)


class _Writer:
    """Markup for one form: classes and a stylesheet, or inline styles."""

    def __init__(self, fragment: bool) -> None:
        self.fragment = fragment

    def style(self, role: str, extra: str = "") -> str | None:
        if self.fragment:
            return ";".join(s for s in (STYLES[role], extra) if s)
        return extra or None

    def title(self, report: Report) -> str:
        """The title's lines as the .docx has them (the input's ``title``, or the agency split)."""
        lines = T.title_lines(report.agency, report.year, report.data.get("title"))
        return _tag("h1", "<br>".join(_text(line) for line in lines), style=self.style("title"))

    def heading(self, text: str) -> str:
        return _tag("h2", _text(text), style=self.style("heading"))

    def paragraph(self, lead: str, body: str) -> str:
        inner = _text(body)
        if lead:
            span = _tag("span", _text(lead), style=self.style("lead"))
            inner = (span if self.fragment else f'<span class="lead">{_text(lead)}</span>') + inner
        return _tag("p", inner, style=self.style("p"))

    def signature(self, report: Report) -> Iterator[str]:
        if report.date is None:
            return
        date = f"{report.date.year}年{report.date.month}月{report.date.day}日"
        for i, line in enumerate((report.agency, date)):
            if self.fragment:
                extra = f"margin-top:{LINE}" if i == 0 else ""
                yield _tag("p", _text(line), style=self.style("signature", extra))
            else:
                yield _tag("p", _text(line), **{"class": "signature first" if i == 0 else "signature"})

    def table(self, table: L.Table, report: Report) -> str:
        """The table with the report's numbers: the markup is made once per layout and form."""
        parts = _table_markup(report.layout.name, table.key, self.fragment)
        out = [parts[0]]
        for i in range(1, len(parts), 2):
            out += [_text(format_number(report.cells[parts[i]])), parts[i + 1]]
        return "".join(out)

    def table_markup(self, table: L.Table) -> str:
        """The table with a marker in place of each number (``\0key\0``)."""
        size = f"font-size:{table.font_size:g}pt"
        if self.fragment:
            attrs: dict[str, str | int | None] = {
                "border": 1,
                "cellspacing": 0,
                "cellpadding": CELL_PADDING,
                "style": f"{STYLES['table']};{size}",
            }
        else:
            attrs = {"style": size}
        total = sum(table.widths)
        cols = "".join(
            f'<col style="width:{100 * w / total:.2f}%">' for w in table.widths
        )
        grid = _Grid(table)
        rows = []
        for r in range(table.nrows):
            cells = []
            for cell in grid.origins(r):
                span = {
                    "rowspan": cell.rowspan if cell.rowspan > 1 else None,
                    "colspan": cell.colspan if cell.colspan > 1 else None,
                }
                style = self.style("cell")
                if cell.field is None:
                    cells.append(
                        _tag(
                            "th",
                            _text(cell.label or ""),
                            id=grid.id(cell),
                            scope=grid.scope(cell),
                            **span,
                            style=style,
                        )
                    )
                else:
                    headers = " ".join(grid.id(h) for h in grid.headers(cell))
                    value = f"{_MARK}{cell.field.key}{_MARK}"
                    cells.append(_tag("td", value, headers=headers, **span, style=style))
            rows.append("<tr>" + "".join(cells) + "</tr>")
        head, body = rows[: table.header_rows], rows[table.header_rows :]
        parts = [
            _tag("caption", _text(table.heading), style=self.style("caption")),
            f"<colgroup>{cols}</colgroup>",
        ]
        if head:
            parts.append("<thead>\n" + "\n".join(head) + "\n</thead>")
        parts.append("<tbody>\n" + "\n".join(body) + "\n</tbody>")
        return f"<table{_attrs(attrs)}>\n" + "\n".join(parts) + "\n</table>"


_MARK = "\0"  # never in a label (labels are the layout's, checked for control characters by XML)


@cache
def _table_markup(layout_name: str, table_key: str, fragment: bool) -> tuple[str, ...]:
    """Static markup and field keys, alternating: markup, key, markup, …, markup."""
    table = next(t for t in L.LAYOUTS[layout_name].tables if t.key == table_key)
    return tuple(_Writer(fragment).table_markup(table).split(_MARK))


class _Grid:
    """A table's cells on their grid: ids, scopes and the headers of each number."""

    def __init__(self, table: L.Table) -> None:
        self.table = table
        self.at: dict[tuple[int, int], L.Cell] = {}
        for cell in table.cells:
            for r in range(cell.row, cell.row + cell.rowspan):
                for c in range(cell.col, cell.col + cell.colspan):
                    self.at[(r, c)] = cell
        self._headers = {
            (cell.row, cell.col): self._find_headers(cell) for cell in table.cells if cell.field is not None
        }
        self._row_headers = {h for cell in table.cells if cell.field is not None for h in self._line(cell, 0)}

    def origins(self, row: int) -> list[L.Cell]:
        return sorted((c for c in self.table.cells if c.row == row), key=lambda c: c.col)

    def id(self, cell: L.Cell) -> str:
        return f"xxgk-{self.table.key}-r{cell.row + 1}c{cell.col + 1}"

    def _line(self, cell: L.Cell, axis: int) -> list[L.Cell]:
        """The labels left of (axis 0) or above (axis 1) a number, nearest first: numbers
        between it and its labels are passed over; the labels end at the next number."""
        found: list[L.Cell] = []
        r, c = cell.row, cell.col
        while True:
            r, c = (r, c - 1) if axis == 0 else (r - 1, c)
            if r < 0 or c < 0:
                return found
            other = self.at.get((r, c))
            if other is None or other in found:
                continue
            if other.field is not None:
                if found:
                    return found
                continue
            found.append(other)

    def _find_headers(self, cell: L.Cell) -> list[L.Cell]:
        return self._line(cell, 0)[::-1] + self._line(cell, 1)[::-1]

    def headers(self, cell: L.Cell) -> list[L.Cell]:
        """The labels of a number: its row's (left to right), then its column's (top down)."""
        return self._headers[(cell.row, cell.col)]

    def scope(self, cell: L.Cell) -> str:
        if cell in self._row_headers:
            return "rowgroup" if cell.rowspan > 1 else "row"
        return "colgroup" if cell.colspan > 1 else "col"


def article(report: Report, *, fragment: bool = False, draft: str | None = None) -> str:
    """The report's body: title, sections with their texts and tables, signature.

    ``draft``: the words of a draft's mark, shown in red above the title."""
    w = _Writer(fragment)
    tables = {t.key: t for t in report.layout.tables}
    out = [_tag("p", _text(draft), style=DRAFT_STYLE)] if draft else []
    out.append(w.title(report))
    for section in L.SECTIONS:
        if section.heading is not None:
            out.append(w.heading(section.heading))
        if section.table is not None:
            out.append(w.table(tables[section.table], report))
        else:
            out += [w.paragraph(p.lead, p.body) for p in report.text.get(section.key, [])]
    out += list(w.signature(report))
    return "\n".join(out) + "\n"


DRAFT_STYLE = "color:#c00000;font-weight:bold;text-align:left"


def page(report: Report, draft: str | None = None) -> str:
    """The standalone page: one file, no scripts, nothing loaded from elsewhere."""
    title = f"{report.year}年{report.agency}{L.REPORT_NAME}"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="{_text(GENERATOR)}">\n'
        f"<title>{_text(title)}</title>\n"
        f"<style>\n{PAGE_CSS}</style>\n</head>\n<body>\n<main>\n<article>\n"
        + article(report, draft=draft)
        + "</article>\n</main>\n</body>\n</html>\n"
    )


def fragment(report: Report, draft: str | None = None) -> str:
    """The article body for pasting into a CMS editor (source view): inline styles, no classes."""
    return (
        f"{FRAGMENT_MARK}：{report.year}年{_text(report.agency)}{L.REPORT_NAME} -->\n"
        f'<div lang="zh-CN">\n{article(report, fragment=True, draft=draft)}</div>\n'
    )


def report_html(report: Report, *, fragment_only: bool = False, draft: str | None = None) -> str:
    return fragment(report, draft) if fragment_only else page(report, draft)


def html_path(docx: Path) -> Path:
    """The HTML beside a report: the same name, ``.html``."""
    return docx.with_suffix(SUFFIX)


def write_html(
    report: Report, docx: Path, *, fragment_only: bool = False, draft: str | None = None
) -> Path:
    """Write the HTML beside the .docx, atomically."""
    target = html_path(docx)
    html = report_html(report, fragment_only=fragment_only, draft=draft)
    write_atomic(target, html.encode("utf-8"))
    return target


def written_by_xxgk(path: Path) -> bool:
    """Whether an .html file is one xxgk wrote (its first bytes say so); never blocks."""
    try:
        if not path.is_file():
            return False
        with path.open("rb") as fh:
            head = fh.read(MARK_BYTES)
    except OSError:
        return False
    return head.startswith(FRAGMENT_MARK.encode()) or PAGE_MARK.encode() in head


def drop_stale_html(docx: Path) -> Stale | None:
    """An .html beside a report just written shows the old numbers: remove it if xxgk wrote
    it, otherwise leave it and say so."""
    stale = html_path(docx)
    if not stale.exists() and not stale.is_symlink():
        return None
    if written_by_xxgk(stale) and not stale.is_symlink():
        try:
            stale.unlink(missing_ok=True)
        except OSError as exc:  # never an error after the report was written: say so instead
            note = f"过时的 {stale.name} 无法删除（{exc.strerror or exc}），其中的数字已过时，请勿发布"
            return Stale(note, removed=False)
        return Stale(f"已删除过时的 {stale.name}（对应的 .docx 已重新生成；需要时加 --html）", removed=True)
    note = f"{stale.name} 不是本次生成的，其中的数字可能已过时；需要时加 --html 重新生成"
    return Stale(note, removed=False)
