"""The workbook reader: a filled-in .xlsx (or .ods) → the same plain data a .toml gives.

Cells are found by the layout's labels, not by fixed coordinates: each data row by
its own label (its anchor), the columns relative to it, so that moved rows, a table
shifted by an inserted row, un-merged cells or an extra sheet still read.  Values
are read with python-calamine (fast; cached formula results, no formulas).  A number
in a 总计 cell (a formula's result, or typed over it) is a stated total, checked like
the 7th number of a TOML row.  Every problem names the sheet, the cell and the place
in the report, all at once.
"""

from __future__ import annotations

import datetime
import io
import math
import re
import shutil
import unicodedata
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from xxgk import layouts as L
from xxgk.compute import add_totals, total_mismatch
from xxgk.errors import InputError, Problem
from xxgk.formats.xlsx_common import (
    INFO_KEYS,
    INFO_SHEET,
    TABLE_TOP,
    TEXT_SHEET,
    GridRow,
    cell_name,
    grid_rows,
    info_label,
    normalise,
    table_sheet,
)

MAX_MEMBERS = 1000
MAX_UNZIPPED = 64 * 1024 * 1024  # all members together, decompressed
MAX_RATIO = 200  # a member that grows more than this is a zip bomb
MAX_ROWS = 1000  # read no further down a sheet
MAX_COLUMNS = 200  # nor further to the right
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (and password-protected workbooks)

Number = int | Decimal
Grid = list[list[Any]]


def old_xls_message() -> str:
    message = (
        "这是旧版 Excel 文件（.xls）或设置了打开密码的工作簿，xxgk 读不了；"
        "请在 Excel 或 WPS 中打开，另存为 “Excel 工作簿（*.xlsx）”（不设密码）"
    )
    if shutil.which("soffice") or shutil.which("libreoffice"):
        message += "，或运行：soffice --headless --convert-to xlsx 文件名.xls"
    return message


def check_zip(raw: bytes, fail: Callable[[str], InputError]) -> None:
    """Refuse what is not a workbook, and zip bombs, before any parsing."""
    if raw.startswith(OLE_MAGIC):
        raise fail(old_xls_message())
    if not raw.startswith(b"PK"):
        raise fail("这不是 Excel 工作簿（.xlsx）；请用 xxgk init --xlsx 生成的填报表填写")
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            members = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise fail("文件已损坏，不是完整的 .xlsx 工作簿；请重新保存后再试") from None
    if len(members) > MAX_MEMBERS:
        raise fail(f"工作簿中的部件过多（{len(members)} 个），不像是填报表")
    total = 0
    for m in members:
        total += m.file_size
        if m.file_size > 1024 * 1024 and m.file_size > MAX_RATIO * max(m.compress_size, 1):
            raise fail("工作簿解压后异常地大（疑似压缩炸弹），拒绝读取")
    if total > MAX_UNZIPPED:
        raise fail(f"工作簿解压后超过 {MAX_UNZIPPED // 1024 // 1024} MB，不像是填报表")


# --------------------------------------------------------------------------
# Sheets
# --------------------------------------------------------------------------


@dataclass
class Sheet:
    name: str
    grid: Grid
    index: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # label → cells

    def __post_init__(self) -> None:
        for r, row in enumerate(self.grid):
            for c, value in enumerate(row):
                if isinstance(value, str) and value.strip():
                    self.index.setdefault(normalise(value), []).append((r, c))

    def value(self, row: int, col: int) -> Any:
        if 0 <= row < len(self.grid) and 0 <= col < len(self.grid[row]):
            return self.grid[row][col]
        return ""

    def find(self, label: str) -> list[tuple[int, int]]:
        return self.index.get(normalise(label), [])

    def where(self, row: int, col: int) -> str:
        return f"{self.name}!{cell_name(row, col)}"


class Sheets(Mapping[str, Sheet]):
    """The workbook's sheets by name, each read when first asked for (the help sheet never is)."""

    def __init__(self, wb: Any, fail: Callable[[str], InputError]) -> None:
        self.wb = wb
        self.fail = fail
        self.names: list[str] = list(wb.sheet_names)
        self.read: dict[str, Sheet] = {}

    def __getitem__(self, name: str) -> Sheet:
        if name not in self.read:
            if name not in self.names:
                raise KeyError(name)
            try:
                sheet = self.wb.get_sheet_by_name(name)
                if sheet.end is not None and sheet.end[1] >= MAX_COLUMNS:  # something typed far right
                    rows = sheet.iter_rows()
                    grid = [row[:MAX_COLUMNS] for row, _ in zip(rows, range(MAX_ROWS), strict=False)]
                else:
                    grid = sheet.to_python(skip_empty_area=False, nrows=MAX_ROWS)
            except Exception as exc:  # calamine's errors: damaged XML
                raise self.fail(_unreadable(exc)) from None
            self.read[name] = Sheet(name, grid)
        return self.read[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)

    def __contains__(self, name: object) -> bool:
        return name in self.names


def _unreadable(exc: Exception) -> str:
    return f"无法读取这个工作簿（{type(exc).__name__}）；请用 Excel 或 WPS 打开后重新保存为 .xlsx"


def _open(raw: bytes, fail: Callable[[str], InputError]) -> Sheets:
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(raw))
    except Exception as exc:  # calamine's errors: damaged XML, encrypted parts
        raise fail(_unreadable(exc)) from None
    return Sheets(wb, fail)


@cache
def _labels(layout_name: str, table_key: str) -> frozenset[str]:
    table = next(t for t in L.LAYOUTS[layout_name].tables if t.key == table_key)
    return frozenset(normalise(c.label) for c in table.cells if c.label is not None)


# --------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------

_INT = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")
_WANTED = {
    L.Kind.COUNT: "应为非负整数",
    L.Kind.TOTAL: "应为非负整数",
    L.Kind.SIGNED: "应为整数",
    L.Kind.AMOUNT: "应为非负数（单位万元，最多两位小数）",
}


def _shown(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        return f"日期 {value.isoformat()}"
    return str(value)


def parse_number(value: Any, kind: L.Kind) -> tuple[Number | None, bool, str | None]:
    """A cell's value → (number, was text, error); empty is 0."""
    if isinstance(value, float) and kind is not L.Kind.AMOUNT and value.is_integer():
        if value >= 0 or kind is L.Kind.SIGNED:
            return int(value), False, None
    was_text = False
    if value is None or value == "":
        return 0, False, None
    number: Decimal | None = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value)) if math.isfinite(value) else None
    elif isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).replace("\u2212", "-").strip()
        if not text:
            return 0, False, None
        was_text = True
        if _THOUSANDS.fullmatch(text):
            text = text.replace(",", "")
        if _DECIMAL.fullmatch(text):
            try:
                number = Decimal(text)
            except InvalidOperation:
                number = None
    wrong = f"{_WANTED[kind]}，实为 “{_shown(value)}”"
    if number is None:
        return None, was_text, wrong
    if kind is L.Kind.AMOUNT:
        exponent = number.normalize().as_tuple().exponent
        if number < 0 or (isinstance(exponent, int) and exponent < -2):
            return None, was_text, wrong
        return number, was_text, None
    if number != number.to_integral_value() or (number < 0 and kind is not L.Kind.SIGNED):
        return None, was_text, wrong
    return int(number), was_text, None


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------


@dataclass
class _Reading:
    sheets: Sheets
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    text_numbers: dict[str, list[str]] = field(default_factory=dict)  # sheet → cells

    def error(self, where: str, message: str) -> None:
        self.problems.append(Problem(where, message))

    def note(self, where: str, message: str) -> None:
        self.notes.append(Problem(where, message))


def _table_sheet(reading: _Reading, table: L.Table, taken: set[str]) -> Sheet | None:
    """The sheet of a table: by its name, else one (renamed) that holds its heading and labels."""
    name = table_sheet(table)
    if name in reading.sheets:
        return reading.sheets[name]
    wanted = _labels_of(table)
    for sheet in reading.sheets.values():
        if sheet.name in taken:
            continue
        if sheet.find(table.heading) or len(wanted & sheet.index.keys()) > len(wanted) // 2:
            reading.note(sheet.name, f"没有名为 “{name}” 的工作表，已按内容把 “{sheet.name}” 当作{name}读取")
            return sheet
    return None


def _labels_of(table: L.Table) -> frozenset[str]:
    return frozenset(normalise(c.label) for c in table.cells if c.label is not None)


def _detect_layout(reading: _Reading, stated: str | None) -> L.Layout | None:
    """The layout whose labels the tables carry: the stated one if they match it."""
    scores: dict[str, int] = {}
    for layout in L.LAYOUTS.values():
        missing = 0
        for table in layout.tables:
            sheet = reading.sheets.get(table_sheet(table))
            if sheet is None:
                continue
            missing += len(_labels(layout.name, table.key) - sheet.index.keys())
        scores[layout.name] = missing
    if stated in scores and scores[stated] == 0:
        return L.LAYOUTS[stated]
    complete = [name for name, missing in scores.items() if missing == 0]
    if len(complete) == 1:
        if stated is not None:
            reading.note(
                INFO_SHEET,
                f"版式一栏写的是 “{stated}”，但表格的标签与版式 “{complete[0]}” 一致，"
                f"已按 “{complete[0]}” 读取",
            )
        return L.LAYOUTS[complete[0]]
    if stated in L.LAYOUTS:
        return L.LAYOUTS[stated]
    best = min(scores, key=lambda name: scores[name])
    if stated is None and scores[best] <= 3:  # a few labels edited: the closest layout
        return L.LAYOUTS[best]
    known = "、".join(L.LAYOUTS)
    reading.error(
        INFO_SHEET,
        f"无法识别表格的版式（版式一栏为 “{stated or ''}”，表格标签与 {known} 都不一致）；"
        "请用 xxgk init --xlsx 重新生成填报表",
    )
    return None


@cache
def _anchors(table: L.Table) -> frozenset[str]:
    return frozenset(normalise(g.anchor.label) for g in grid_rows(table) if g.anchor and g.anchor.label)


def _table_offset(sheet: Sheet, table: L.Table) -> tuple[int, int]:
    """How far the table sits from where the writer put it (a row inserted above, …)."""
    counts: dict[str, int] = {}
    for c in table.cells:
        if c.label is not None:
            counts[normalise(c.label)] = counts.get(normalise(c.label), 0) + 1
    for c in table.cells:
        if c.label is None or counts[normalise(c.label)] != 1:
            continue
        found = sheet.find(c.label)
        if len(found) == 1:
            r, col = found[0]
            return r - (TABLE_TOP + c.row), col - c.col
    return 0, 0


def _locate_row(
    reading: _Reading, sheet: Sheet, table: L.Table, grid: GridRow, offset: tuple[int, int]
) -> tuple[int, int] | None:
    """Sheet row and column shift of a data row, found by its own label."""
    dr, dc = offset
    anchor = grid.anchor
    if anchor is None or anchor.label is None:
        return TABLE_TOP + grid.row + dr, dc
    expected = (TABLE_TOP + anchor.row + dr, anchor.col + dc)
    found = sheet.find(anchor.label)
    if found:
        r, c = expected if expected in found else next((p for p in found if p[1] == expected[1]), found[0])
        return r, c - anchor.col
    there = sheet.value(*expected)
    place = " / ".join(grid.cells[0].field.place[:-1]) if grid.cells[0].field else anchor.label
    # a label edited in place is read by its position; another row's label there means this row was deleted
    if isinstance(there, str) and there.strip() and normalise(there) not in _anchors(table):
        reading.note(
            sheet.where(*expected),
            f"这一行的标签是 “{there.strip()}”，应为 “{anchor.label}”（标签被改动？）；"
            f"已按位置读取为 {place}",
        )
        return expected[0], dc
    reading.error(
        sheet.name,
        f"找不到 “{anchor.label}” 这一行（{place}）；"
        "请勿删除行或修改标签，可用 xxgk init --xlsx 重新生成填报表",
    )
    return None


@dataclass(frozen=True)
class _Cell:
    col: int
    key: str
    kind: L.Kind
    place: str


@dataclass(frozen=True)
class _Plan:
    """A layout's walk, prepared once for reading many workbooks."""

    rows: dict[str, tuple[tuple[GridRow, tuple[_Cell, ...]], ...]]  # table key → data rows
    sums: tuple[tuple[str, tuple[str, ...]], ...]  # total key → part keys, in computing order
    entry_totals: frozenset[str]


@cache
def _plan(layout_name: str) -> _Plan:
    layout = L.LAYOUTS[layout_name]
    rows = {}
    for table in layout.tables:
        prepared = []
        for grid in grid_rows(table):
            cells = tuple(
                _Cell(c.col, c.field.key, c.field.kind, c.field.place_name)
                for c in grid.cells
                if c.field is not None
            )
            prepared.append((grid, cells))
        rows[table.key] = tuple(prepared)
    sums = tuple((s.total.key, tuple(p.key for p in s.parts)) for s in layout.sums)
    totals = frozenset(e.total.key for e in layout.entries if e.total is not None)
    return _Plan(rows, sums, totals)


def _read_tables(reading: _Reading, layout: L.Layout) -> tuple[dict[str, Number], dict[str, Number]]:
    cells: dict[str, Number] = {}
    stated: dict[str, Number] = {}
    totals: dict[str, tuple[Number, str]] = {}  # total key → (number in its cell, cell)
    unreliable: set[str] = set()  # totals whose parts were text: the cached sum left them out
    plan = _plan(layout.name)
    taken: set[str] = set()
    for table in layout.tables:
        sheet = _table_sheet(reading, table, taken)
        if sheet is None:
            reading.error(
                table_sheet(table),
                f"缺少工作表 “{table_sheet(table)}”（{table.heading}）：被删除或改名？请用原填报表填写",
            )
            continue
        taken.add(sheet.name)
        offset = _table_offset(sheet, table)
        for grid, row_cells in plan.rows[table.key]:
            located = _locate_row(reading, sheet, table, grid, offset)
            if located is None:
                continue
            row, dc = located
            line = sheet.grid[row] if 0 <= row < len(sheet.grid) else []
            row_text = False
            for cell in row_cells:
                col = cell.col + dc
                raw = line[col] if 0 <= col < len(line) else ""
                if cell.kind is L.Kind.TOTAL:
                    if raw is None or raw == "" or (isinstance(raw, str) and not raw.strip()):
                        continue
                    number, _text, wrong = parse_number(raw, L.Kind.TOTAL)
                    where = sheet.where(row, col)
                    if wrong is not None or number is None:  # e.g. #REF! of a broken formula
                        reading.note(
                            f"{where}（{cell.place}）",
                            f"总计格子里不是数字（“{_shown(raw)}”），已忽略；总计由 xxgk 计算",
                        )
                    else:
                        totals[cell.key] = (number, where)
                    continue
                number, was_text, wrong = parse_number(raw, cell.kind)
                if was_text:
                    row_text = True
                    reading.text_numbers.setdefault(sheet.name, []).append(cell_name(row, col))
                if wrong is not None or number is None:
                    reading.error(f"{sheet.where(row, col)}（{cell.place}）", wrong or "")
                    cells[cell.key] = 0
                    unreliable.add(cell.key)
                else:
                    cells[cell.key] = number
            if row_text:
                unreliable.update(c.key for c in row_cells if c.kind is not L.Kind.TOTAL)
    # a number in a 总计 cell (a formula's cached result, or typed over it) is checked here against
    # the sum of what was read, naming the cell; those of an input row go on as stated totals
    values = add_totals(layout, cells, unreliable)
    parts_of = dict(plan.sums)
    for key, (number, where) in totals.items():
        if key in unreliable or key not in values:
            continue
        if number != values[key]:
            f = layout.fields[key]
            mismatch = total_mismatch(f, number, [values[p] for p in parts_of[key]])
            reading.error(f"{where}（{f.place_name}）", f"{mismatch.message}（总计格子里的公式被改写了？）")
        elif key in plan.entry_totals:
            stated[key] = number
    return cells, stated


def _find_value(reading: _Reading, sheet: Sheet, label: str) -> tuple[Any, str] | None:
    found = sheet.find(label)
    if not found:
        return None
    r, c = found[0]
    return sheet.value(r, c + 1), sheet.where(r, c + 1)


def _read_info(reading: _Reading) -> dict[str, Any]:
    sheet = reading.sheets.get(INFO_SHEET)
    if sheet is None:
        reading.error(INFO_SHEET, f"缺少工作表 “{INFO_SHEET}”（机关全称、年度等）：被删除或改名？")
        return {}
    out: dict[str, Any] = {}
    for key in INFO_KEYS:
        label = info_label(key)
        found = _find_value(reading, sheet, label)
        if found is None:
            if key in ("agency", "year"):
                reading.error(sheet.name, f"找不到 “{label}” 一栏")
            continue
        value, where = found
        place = f"{where}（{label}）"
        if isinstance(value, str):
            value = value.strip()
        if value is None or value == "":
            if key in ("agency", "year"):
                reading.error(place, "未填写")
            continue
        if key == "year":
            shown = re.sub("年$", "", value) if isinstance(value, str) else value
            number, _text, wrong = parse_number(shown, L.Kind.COUNT)
            if wrong is not None or number is None:
                reading.error(place, f"应为四位数的年份，如 2025，实为 “{_shown(value)}”")
            else:
                out[key] = int(number)
        elif key == "date":
            date = _date(value)
            if date is None:
                reading.error(place, f"应为日期，如 2026-01-20，实为 “{_shown(value)}”")
            else:
                out[key] = date
        else:
            out[key] = _shown(value) if not isinstance(value, str) else value
    return out


_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def _date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, float | int) and not isinstance(value, bool) and 20000 < value < 80000:
        return datetime.date(1899, 12, 30) + datetime.timedelta(days=int(value))  # an Excel serial
    if isinstance(value, str):
        m = _DATE.fullmatch(unicodedata.normalize("NFKC", value).strip())
        if m:
            try:
                return datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                return None
    return None


def _read_text(reading: _Reading) -> dict[str, str]:
    sheet = reading.sheets.get(TEXT_SHEET)
    if sheet is None:
        reading.note(TEXT_SHEET, f"没有 “{TEXT_SHEET}” 工作表：报告的文字部分为空")
        return {}
    out: dict[str, str] = {}
    for section in L.TEXT_SECTIONS:
        found = _find_value(reading, sheet, L.text_section_name(section))
        if found is None:
            continue
        value = found[0]
        if value is None or value == "":
            continue
        text = value if isinstance(value, str) else _shown(value)
        if text.strip():
            out[section.key] = text.replace("\r\n", "\n")
    return out


def read_workbook(
    raw: bytes, fail: Callable[[str], InputError], source: str
) -> tuple[dict[str, Any], list[Problem]]:
    """Bytes of a workbook → (input data, notes).  Raises InputError listing every problem."""
    check_zip(raw, fail)
    reading = _Reading(_open(raw, fail))
    info = _read_info(reading)
    stated_layout = info.get("layout")
    layout = _detect_layout(reading, stated_layout if isinstance(stated_layout, str) else None)
    if layout is None:
        raise InputError(source, reading.problems)
    cells, stated = _read_tables(reading, layout)
    text = _read_text(reading)
    if reading.problems:
        raise InputError(source, reading.problems + reading.notes)
    for name, where in reading.text_numbers.items():
        shown = "、".join(where[:5]) + ("等" if len(where) > 5 else "")
        message = f"{len(where)} 个数字以文本形式保存（{shown}），已按数字读取；表中的总计可能没有算上它们"
        reading.note(name, message)
    data = layout.input_data(cells)
    _add_stated(layout, data, stated)
    data.update(info)
    data["layout"] = layout.name
    data[L.TEXT_KEY] = text
    return data, reading.notes


def _add_stated(layout: L.Layout, data: dict[str, Any], stated: Mapping[str, Number]) -> None:
    for entry in layout.entries:
        if entry.total is None or entry.total.key not in stated:
            continue
        node: Any = data
        for key in entry.path[:-1]:
            node = node[key]
        if entry.shape is L.Shape.ROW:
            node[entry.key] = list(node[entry.key]) + [stated[entry.total.key]]
        elif entry.stated_key is not None:
            node[entry.key][entry.stated_key] = stated[entry.total.key]
