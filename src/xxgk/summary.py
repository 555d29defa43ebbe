"""The batch summary: one row per agency, as .xlsx (openpyxl) or .csv."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

from xxgk.batch import BatchReport, key_figures
from xxgk.render import write_atomic

FIXED_HEADERS = ("输入文件", "机关", "状态", "错误数", "提示数")
TAIL_HEADERS = ("输出文件", "问题")


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
                o.status,
                len(o.problems),
                len(o.warnings),
                *figures,
                o.output.name if o.output else "",
                problems,
            ]
        )
    return out


def write_summary(report: BatchReport, path: Path) -> None:
    if path.suffix.lower() == ".csv":
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(headers())
        writer.writerows(["" if v is None else v for v in row] for row in rows(report))
        # UTF-8 with BOM: Excel on Windows opens it with the Chinese intact.
        write_atomic(path, buf.getvalue().encode("utf-8-sig"))
        return
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "汇总"
    ws.append(headers())
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows(report):
        ws.append(row)
    ws.freeze_panes = "A2"
    for column, width in zip("ABCDE", (36, 30, 8, 8, 8), strict=True):
        ws.column_dimensions[column].width = width
    out = io.BytesIO()
    wb.save(out)
    write_atomic(path, out.getvalue())
