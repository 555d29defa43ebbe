"""What the fill-in workbook's writer and reader agree on: sheet names, where things are.

Everything here derives from :mod:`xxgk.layouts` (and the document-level places of
:mod:`xxgk.model`); the workbook's own wording (sheet names, the check rows, the
notes for the clerk) is written here once.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

from xxgk import layouts as L
from xxgk.model import META_PLACES

INFO_SHEET = "基本信息"
TEXT_SHEET = "正文"
HELP_SHEET = "填写说明"
TITLE = "{year}年" + L.REPORT_NAME + "填报表"

# The document-level keys on sheet 基本信息, in order, with their labels (机关全称, …).
INFO_KEYS = ("agency", "year", "layout", "date")
TABLE_TOP = 2  # 0-based sheet row of a table's first grid row (row 0: heading, row 1: blank)
INFO_TOP = 2  # 0-based sheet row of the first key of 基本信息
TEXT_TOP = 2  # 0-based sheet row of the first text section on 正文
CHECK_LABEL = "勾稽检查"
DIFFERENCE_LABEL = "差额"
HOLDS, FAILS = "相符", "不符"


def info_label(key: str) -> str:
    """机关全称（agency） → 机关全称."""
    return META_PLACES[key].split("（")[0]


def table_sheet(table: L.Table) -> str:
    """二、主动公开政府信息情况 → 表二."""
    return "表" + table.heading.split("、")[0]


def column_letter(col: int) -> str:
    """0-based column → A, B, …, Z, AA, …"""
    out = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        out = chr(ord("A") + rest) + out
    return out


def cell_name(row: int, col: int) -> str:
    """0-based row and column → A1 notation."""
    return f"{column_letter(col)}{row + 1}"


_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=8192)  # the same labels in every workbook of a batch
def normalise(text: str) -> str:
    """Labels compared as a clerk sees them: full-width folded, spaces and line breaks ignored."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


def short_label(label: str) -> str:
    """一、本年新收政府信息公开申请数量 → 一 (how the identity's note names a row)."""
    return label.split("、")[0]


def identity_text(identity: L.Identity, difference: bool = False) -> str:
    """一 + 二 = （七）总计 + 四, or as a difference: 一 + 二 − （七）总计 − 四."""
    left = " + ".join(short_label(t.label) for t in identity.left)
    if difference:
        return left + "".join(f" − {short_label(t.label)}" for t in identity.right)
    right = " + ".join(short_label(t.label) for t in identity.right)
    return f"{left} = {right}"


@dataclass(frozen=True)
class GridRow:
    """A row of a table's grid that holds data cells, and how to find it in a sheet."""

    row: int  # 0-based grid row
    anchor: L.Cell | None  # the label cell nearest to the data, in this row (None: table 四)
    cells: tuple[L.Cell, ...]  # the row's field cells


@cache
def grid_rows(table: L.Table) -> list[GridRow]:
    """The data rows of a table, each with its anchor label (the row's own, innermost label)."""
    out = []
    for row in range(table.nrows):
        fields = tuple(c for c in table.cells if c.row == row and c.field is not None)
        if not fields:
            continue
        first = min(c.col for c in fields)
        labels = [c for c in table.cells if c.row == row and c.label is not None and c.col < first]
        anchor = max(labels, key=lambda c: c.col) if labels else None
        out.append(GridRow(row, anchor, fields))
    return out
