"""The batch summary: one row per agency, as .xlsx (openpyxl) or .csv."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from xxgk import layouts as L
from xxgk.compute import Number
from xxgk.files import write_atomic
from xxgk.results import BatchReport, printable


def key_figures() -> dict[str, Callable[[Mapping[str, Number]], Number]]:
    """Summary columns: the report's own names → how to read the value from the cells."""

    def adder(figure: L.Figure) -> Callable[[Mapping[str, Number]], Number]:
        return lambda cells: sum(cells[f.key] for f in figure.fields)

    return {figure.name: adder(figure) for figure in L.KEY_FIGURES}


FIXED_HEADERS = ("输入文件", "机关", "年度", "状态", "错误数", "提示数")
TAIL_HEADERS = ("输出文件", "PDF", "问题", "提示")

# Characters a spreadsheet cannot hold (openpyxl refuses them); shown as \xNN instead.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Text a spreadsheet would run as a formula (file names and agency names are user input).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return printable(_CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", value))
    return value


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value  # shown as text by Excel and WPS, never run
    return value


def headers() -> list[str]:
    return [*FIXED_HEADERS, *key_figures(), *TAIL_HEADERS]


def rows(report: BatchReport) -> list[list[Any]]:
    out = []
    for o in report.outcomes:
        figures = [
            (float(v) if isinstance(v, Decimal) else v) if o.figures else None
            for v in (o.figures.get(name) for name in key_figures())
        ]
        problems = "；".join(o.problems + ([o.pdf_error] if o.pdf_error else []))
        out.append(
            [
                str(o.source),
                o.agency,
                o.year,
                o.status,
                len(o.problems),
                len(o.warnings),
                *figures,
                o.output.name if o.output else "",
                o.pdf.name if o.pdf else "",
                problems,
                "；".join(o.warnings),
            ]
        )
    return out


def write_summary(report: BatchReport, path: Path) -> None:
    write_table(path, headers(), rows(report), sheet="汇总", widths=(36, 30, 8, 8, 8, 8))


def write_table(
    path: Path, header: list[str], body: list[list[Any]], *, sheet: str, widths: tuple[int, ...] = ()
) -> None:
    """A table as .xlsx or .csv (UTF-8 with BOM), safe for a spreadsheet: text never runs as a formula."""
    if path.suffix.lower() == ".csv":
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(header)
        writer.writerows([_csv_cell(_clean(v)) for v in row] for row in body)
        # UTF-8 with BOM: Excel on Windows opens it with the Chinese intact.
        write_atomic(path, buf.getvalue().encode("utf-8-sig"))
        return
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in body:
        ws.append([_clean(v) for v in row])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text that starts with “=” stays text, not a formula
    ws.freeze_panes = "A2"
    for i, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    out = io.BytesIO()
    wb.save(out)
    write_atomic(path, out.getvalue())
