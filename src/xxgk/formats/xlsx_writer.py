"""The fill-in workbook (.xlsx): the report's tables as sheets that check themselves.

Every sheet is generated from the layout walk: tables 二, 三 and 四 with the same
labels and merged header cells as the report, 总计 cells as formulas (plain SUM,
so that Excel, WPS and LibreOffice compute them), a 勾稽 check row under table 三,
data validation with Chinese messages, and sheet protection (no password) that
leaves only the data cells editable.  :mod:`xxgk.formats.xlsx_reader` reads it back.
"""

from __future__ import annotations

import datetime
import io
import math
from collections.abc import Callable, Mapping
from copy import copy
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.formatting.rule import CellIsRule, FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.workbook.properties import CalcProperties
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from xxgk import layouts as L
from xxgk.errors import OutputError
from xxgk.formats.xlsx_common import (
    CHECK_LABEL,
    DIFFERENCE_LABEL,
    FAILS,
    HELP_SHEET,
    HOLDS,
    INFO_KEYS,
    INFO_SHEET,
    INFO_TOP,
    TABLE_TOP,
    TEXT_SHEET,
    TEXT_TOP,
    TITLE,
    cell_name,
    column_letter,
    identity_text,
    info_label,
    table_sheet,
)
from xxgk.model import MAX_COUNT

FONT = "宋体"
MAX_CELL_TEXT = 32767  # Excel's limit for one cell
_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
_TOP_LEFT = Alignment(horizontal="left", vertical="top", wrap_text=True)
_DATA_FILL = PatternFill("solid", fgColor="FFF9E5")  # the cells to fill: light yellow
_TOTAL_FILL = PatternFill("solid", fgColor="EDEDED")
_RED = PatternFill("solid", fgColor="FF9999")
_OPEN = Protection(locked=False)
PORTRAIT_POINTS = 530  # about what fits across an A4 page in portrait (fit to page shrinks the rest)
MIN_WIDTH = 7.0  # a column fits six digits

HELP_LINES = (
    "1. 只需填写浅黄色的格子；标签和总计已锁定（无密码保护），总计随填写自动计算。",
    "2. 各表的格式与年度报告中的表格一致；没有的数填 0 或留空（留空按 0 计）。",
    "3. 数字填阿拉伯数字，不加单位；件数为非负整数，“本年增/减”可为负数，收费金额单位为万元，最多两位小数。",
    f"4. 表三下方的“{CHECK_LABEL}”一行须全部显示“{HOLDS}”；"
    f"显示“{FAILS}”（红色）时，按“{DIFFERENCE_LABEL}”核对数字。",
    f"5. “{TEXT_SHEET}”表填写报告的文字部分，段与段之间空一行（单元格内换行：Alt+Enter）；"
    "前言不填则自动生成。",
    "6. 请勿增删行列、请勿修改标签；保存为 .xlsx 格式（WPS 也请选 .xlsx）后交回。",
    "7. 交回前可自行检查：xxgk validate 本文件.xlsx",
)

def _points(twips: int) -> float:
    return twips / 20


def _excel_width(points: float) -> float:
    """Column width in Excel's units (characters of the default font) for a width in points."""
    return round(points / 5.6 + 0.7, 1)


def _lines(text: str, points: float, size: float) -> int:
    """How many lines a label needs in a cell this wide (CJK characters are one em wide)."""
    em = sum(1.0 if ord(ch) > 0x2E80 else 0.55 for ch in text)
    per_line = max(1.0, (points - 4) / size)
    return max(1, math.ceil(em / per_line))


def _style(cell: Any, size: float, *, bold: bool = False, align: Alignment = _CENTER) -> None:
    cell.font = Font(name=FONT, size=size, bold=bold)
    cell.alignment = align
    cell.border = _BORDER


class _Styles:
    """Cell styles of one workbook, each built once and then copied (openpyxl hashes every
    style object it is given: building the same Font a thousand times is most of the time)."""

    def __init__(self) -> None:
        self.made: dict[tuple[Any, ...], Any] = {}

    def apply(self, xl: Any, key: tuple[Any, ...], setup: Callable[..., None], *args: Any) -> None:
        made = self.made.get(key)
        if made is None:
            setup(xl, *args)
            self.made[key] = copy(xl._style)
        else:
            xl._style = copy(made)


def _set_border(xl: Any) -> None:
    xl.border = _BORDER


def _label_style(xl: Any, size: float, bold: bool, left: bool) -> None:
    _style(xl, size, bold=bold, align=_LEFT if left else _CENTER)


def _field_style(xl: Any, size: float, kind: L.Kind) -> None:
    _style(xl, size)
    if kind is L.Kind.TOTAL:
        xl.fill = _TOTAL_FILL
        xl.number_format = "0"
    else:
        xl.protection = _OPEN
        xl.fill = _DATA_FILL
        xl.number_format = "0.00" if kind is L.Kind.AMOUNT else "0"


def _print_setup(ws: Worksheet, landscape: bool) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.print_options.horizontalCentered = True


def _protect(ws: Worksheet) -> None:
    """Protection without a password: labels and totals locked; resizing rows and columns allowed."""
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.formatCells = False


def _validation(kind: L.Kind, at: str) -> DataValidation:
    common: dict[str, Any] = {
        "allow_blank": True,
        "showErrorMessage": True,
        "showInputMessage": True,
        "errorStyle": "stop",
        "errorTitle": "数字不对",
        "promptTitle": "填写说明",
    }
    if kind is L.Kind.AMOUNT:  # a custom rule: at most two decimal places (one per cell: it names it)
        return DataValidation(
            type="custom",
            formula1=f"AND(ISNUMBER({at}),{at}>=0,{at}<={MAX_COUNT},ROUND({at},2)={at})",
            prompt="收费金额，单位万元：非负数，最多两位小数；没有填 0。",
            error="收费金额应为非负数（单位万元），最多两位小数，如 1.25。",
            **common,
        )
    if kind is L.Kind.SIGNED:
        return DataValidation(
            type="whole",
            operator="between",
            formula1=str(-MAX_COUNT),
            formula2=str(MAX_COUNT),
            prompt="整数；减少时填负数，如 -2；没有填 0。",
            error="应为整数（减少时为负数，如 -2），不能有小数。",
            **common,
        )
    return DataValidation(
        type="whole",
        operator="between",
        formula1="0",
        formula2=str(MAX_COUNT),
        prompt="件数：非负整数；没有填 0 或留空。",
        error="应为非负整数（0、1、2……），不能是负数、小数或文字。",
        **common,
    )


def _number(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _sum_formula(parts: list[str]) -> str:
    """SUM of cells, contiguous runs in one row or column written as ranges."""
    return "=SUM(" + ",".join(parts) + ")"


def _write_table(
    wb: Workbook, table: L.Table, layout: L.Layout, values: Mapping[str, Any], styles: _Styles
) -> None:
    ws = wb.create_sheet(table_sheet(table))
    size = table.font_size
    widths = [_points(w) for w in table.widths]
    excel_widths = [max(_excel_width(points), MIN_WIDTH) for points in widths]
    for col, width in enumerate(excel_widths):
        ws.column_dimensions[column_letter(col)].width = width
    first_field = min(c.col for c in table.cells if c.field is not None)
    title = ws.cell(row=1, column=1, value=table.heading)
    title.font = Font(name=FONT, size=14, bold=True)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=table.ncols)
    ws.row_dimensions[1].height = 24

    where: dict[str, str] = {}  # field key → A1 of its cell
    heights: dict[int, float] = {}
    validations: dict[L.Kind, DataValidation] = {}
    for cell in table.cells:
        row, col = TABLE_TOP + cell.row, cell.col
        if cell.rowspan > 1 or cell.colspan > 1:
            ws.merge_cells(
                start_row=row + 1,
                start_column=col + 1,
                end_row=row + cell.rowspan,
                end_column=col + cell.colspan,
            )
        for r in range(row, row + cell.rowspan):  # borders on every cell of a merged range
            for c in range(col, col + cell.colspan):
                if (r, c) != (row, col):
                    styles.apply(ws.cell(row=r + 1, column=c + 1), ("border",), _set_border)
        xl = ws.cell(row=row + 1, column=col + 1)
        if cell.label is not None:
            xl.value = cell.label
            left = len(cell.label) > 12 and cell.row >= table.header_rows and cell.col < first_field
            bold = cell.row < table.header_rows
            styles.apply(xl, ("label", size, bold, left), _label_style, size, bold, left)
            if cell.rowspan == 1:
                span = sum(excel_widths[cell.col : cell.col + cell.colspan]) * 5.6
                need = _lines(cell.label, span, size) * size * 1.3 + 6
                heights[row] = max(heights.get(row, 0), need)
            continue
        f = cell.field
        assert f is not None
        where[f.key] = cell_name(row, col)
        styles.apply(xl, ("field", size, f.kind), _field_style, size, f.kind)
        if f.kind is not L.Kind.TOTAL:
            if f.key in values:
                xl.value = _number(values[f.key])
            dv = validations.get(f.kind)
            if dv is None or f.kind is L.Kind.AMOUNT:
                dv = validations[f.kind] = _validation(f.kind, xl.coordinate)
                ws.add_data_validation(dv)
            dv.add(xl.coordinate)
        heights[row] = max(heights.get(row, 0), size * 1.3 + 8)
    for s in layout.sums:
        if s.total.key in where:
            at = where[s.total.key]
            ws[at] = _sum_formula([where[p.key] for p in s.parts])
    last = TABLE_TOP + table.nrows
    if any(t.field.key in where for i in layout.identities for t in i.left):
        last = _check_rows(ws, layout, where, last + 1, size)
    for row, height in heights.items():
        ws.row_dimensions[row + 1].height = round(height, 1)
    ws.freeze_panes = None
    ws.print_area = f"A1:{cell_name(last - 1, table.ncols - 1)}"
    _print_setup(ws, landscape=sum(excel_widths) * 5.6 > PORTRAIT_POINTS)
    _protect(ws)


def _check_rows(ws: Worksheet, layout: L.Layout, where: Mapping[str, str], row: int, size: float) -> int:
    """The 勾稽 check under table 三: per column 相符/不符 and the difference, red when not 0."""
    identities = layout.identities
    if not identities:
        return row
    labels = (
        f"{CHECK_LABEL}（{identity_text(identities[0])}）",
        f"{DIFFERENCE_LABEL}（{identity_text(identities[0], difference=True)}）",
    )
    # the label spans the columns left of the first data column
    first_col = min(_col(where[i.left[0].field.key]) for i in identities)
    for offset, label in enumerate(labels):
        at = row + offset + 1
        ws.merge_cells(start_row=at, start_column=1, end_row=at, end_column=first_col)
        xl = ws.cell(row=row + offset + 1, column=1, value=label)
        _style(xl, size, bold=True, align=_LEFT)
        ws.row_dimensions[row + offset + 1].height = size * 2.6 + 6
    for identity in identities:
        col = _col(where[identity.left[0].field.key])
        left = "+".join(where[t.field.key] for t in identity.left)
        right = "+".join(where[t.field.key] for t in identity.right)
        check = ws.cell(row=row + 1, column=col + 1)
        diff = ws.cell(row=row + 2, column=col + 1, value=f"=({left})-({right})")
        check.value = f'=IF({diff.coordinate}=0,"{HOLDS}","{FAILS}")'
        for xl in (check, diff):
            _style(xl, size)
        diff.number_format = "0"
        ws.conditional_formatting.add(
            check.coordinate, FormulaRule(formula=[f"{diff.coordinate}<>0"], fill=_RED)
        )
        ws.conditional_formatting.add(
            diff.coordinate, CellIsRule(operator="notEqual", formula=["0"], fill=_RED)
        )
    return row + 2


def _col(a1: str) -> int:
    letters = "".join(ch for ch in a1 if ch.isalpha())
    out = 0
    for ch in letters:
        out = out * 26 + ord(ch) - ord("A") + 1
    return out - 1


def _write_info(
    wb: Workbook, layout: L.Layout, agency: str, year: int, date: datetime.date | None
) -> None:
    ws = wb.active
    ws.title = INFO_SHEET
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 56
    ws.column_dimensions["C"].width = 34
    title = ws.cell(row=1, column=1, value=TITLE.format(year=year))
    title.font = Font(name=FONT, size=14, bold=True)
    ws.merge_cells("A1:C1")
    values: dict[str, Any] = {"agency": agency, "year": year, "layout": layout.name, "date": date}
    notes = {
        "agency": "机关全称，与报告落款一致",
        "year": "报告年度，如 2025",
        "layout": f"表格版式（{layout.description}），请勿修改",
        "date": "落款日期，如 2026-01-20；不填则不加落款",
    }
    for i, key in enumerate(INFO_KEYS):
        row = INFO_TOP + i + 1
        label = ws.cell(row=row, column=1, value=info_label(key))
        _style(label, 12, bold=True)
        value = ws.cell(row=row, column=2, value=values[key])
        _style(value, 12, align=_LEFT)
        note = ws.cell(row=row, column=3, value=notes[key])
        note.font = Font(name=FONT, size=10, color="666666")
        note.alignment = _LEFT
        ws.row_dimensions[row].height = 22
        if key == "layout":
            value.fill = _TOTAL_FILL
            value.number_format = "@"
            continue
        value.protection = _OPEN
        value.fill = _DATA_FILL
        if key == "agency":
            value.number_format = "@"
        elif key == "year":
            value.number_format = "0"
            dv = DataValidation(
                type="whole",
                operator="between",
                formula1=str(L.MIN_YEAR),
                formula2=str(L.MAX_YEAR),
                allow_blank=False,
                showErrorMessage=True,
                errorTitle="年度不对",
                error="报告年度应为四位数的年份，如 2025。",
            )
            ws.add_data_validation(dv)
            dv.add(value.coordinate)
        else:
            value.number_format = "yyyy-mm-dd"
    _print_setup(ws, landscape=False)
    _protect(ws)


def _write_text(wb: Workbook, text: Mapping[str, str | None]) -> None:
    ws = wb.create_sheet(TEXT_SHEET)
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 95
    title = ws.cell(row=1, column=1, value=TEXT_SHEET)
    title.font = Font(name=FONT, size=14, bold=True)
    ws.merge_cells("A1:B1")
    for i, section in enumerate(L.TEXT_SECTIONS):
        row = TEXT_TOP + i + 1
        label = ws.cell(row=row, column=1, value=L.text_section_name(section))
        _style(label, 12, bold=True)
        value = text.get(section.key)
        if value is not None and len(value) > MAX_CELL_TEXT:
            name = L.text_section_name(section)
            raise OutputError(f"“{name}”的文字超过 {MAX_CELL_TEXT} 个字符，Excel 的一个单元格放不下")
        xl = ws.cell(row=row, column=2, value=value.replace("\r\n", "\n") if value else None)
        _style(xl, 11, align=_TOP_LEFT)
        xl.number_format = "@"
        xl.protection = _OPEN
        xl.fill = _DATA_FILL
        ws.row_dimensions[row].height = 160 if section is not L.PREFACE else 60
    _print_setup(ws, landscape=False)
    _protect(ws)


def _write_help(wb: Workbook, extra: tuple[str, ...]) -> None:
    ws = wb.create_sheet(HELP_SHEET)
    ws.column_dimensions["A"].width = 100
    title = ws.cell(row=1, column=1, value=HELP_SHEET)
    title.font = Font(name=FONT, size=14, bold=True)
    for i, line in enumerate(HELP_LINES + extra):
        xl = ws.cell(row=i + 3, column=1, value=line)
        xl.font = Font(name=FONT, size=11)
        xl.alignment = _LEFT
        ws.row_dimensions[i + 3].height = 30
    _print_setup(ws, landscape=False)
    _protect(ws)


def workbook_bytes(
    layout_name: str,
    *,
    agency: str = "",
    year: int,
    date: datetime.date | None = None,
    text: Mapping[str, str | None] | None = None,
    cells: Mapping[str, Any] | None = None,
    notes: tuple[str, ...] = (),
) -> bytes:
    """The fill-in workbook; ``cells`` (input cells by field key) pre-fill the tables."""
    layout = L.LAYOUTS[layout_name]
    wb = Workbook()
    wb.calculation = CalcProperties(fullCalcOnLoad=True)  # totals computed when opened
    _write_info(wb, layout, agency, year, date)
    styles = _Styles()
    for table in layout.tables:
        _write_table(wb, table, layout, cells or {}, styles)
    _write_text(wb, text or {})
    _write_help(wb, notes)
    out = io.BytesIO()
    try:
        wb.save(out)
    except Exception as exc:  # openpyxl refuses control characters in text
        raise OutputError(f"无法生成 Excel 文件：{exc}") from None
    return out.getvalue()


def filled_workbook(data: Mapping[str, Any], notes: tuple[str, ...] = ()) -> bytes:
    """The workbook of validated input data (``model_dump()`` of an input)."""
    layout = L.LAYOUTS[data["layout"]]
    cells, _stated = layout.input_values(data)
    return workbook_bytes(
        layout.name,
        agency=data["agency"],
        year=data["year"],
        date=data.get("date"),
        text=data.get(L.TEXT_KEY) or {},
        cells=cells,
        notes=notes,
    )
