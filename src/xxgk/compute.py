"""The arithmetic of a report: every cell value, computed totals, stated totals and identities."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from xxgk import layouts as L
from xxgk.errors import Problem

Number = int | Decimal




def _get(data: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = data
    for key in path:
        node = node[key]
    return node


def compute(layout: L.Layout, data: Mapping[str, Any]) -> tuple[dict[str, Number], list[Problem]]:
    """Every cell value, totals computed; stated totals and identities checked."""
    cells: dict[str, Number] = {}
    problems: list[Problem] = []

    for block, item in layout.proactive_items():
        for column in block.columns:
            path = (L.PROACTIVE.key, item.key, column.key)
            cells[".".join(path)] = _get(data, path)

    outcome_sums = [0] * len(L.APPLICANT_COLUMNS)
    for rr in L.INPUT_REQUEST_ROWS:
        values: list[int] = _get(data, rr.path)
        numbers = values[: len(L.APPLICANT_COLUMNS)]
        total = sum(numbers)
        if len(values) > len(numbers) and values[-1] != total:
            problem = _total_mismatch(rr.field(L.TOTAL_COLUMN), values[-1], numbers)
            hint = (
                f"（第 {len(L.APPLICANT_COLUMNS) + 1} 个数是总计；"
                "如果数字里用了千位分隔符，如 1,234，请去掉逗号）"
            )
            problems.append(Problem(problem.place, problem.message + hint))
        for column, value in zip(L.REQUEST_COLUMNS, numbers + [total], strict=True):
            cells[rr.field(column).key] = value
        if rr in L.OUTCOME_ROWS:
            outcome_sums = [a + b for a, b in zip(outcome_sums, numbers, strict=True)]
    total_row = L.OUTCOME_TOTAL_ROW
    for column, value in zip(L.REQUEST_COLUMNS, outcome_sums + [sum(outcome_sums)], strict=True):
        cells[total_row.field(column).key] = value

    received, carried_over, carried_forward = L.RECEIVED_ROW, L.CARRIED_OVER_ROW, L.CARRIED_FORWARD_ROW
    for column in L.APPLICANT_COLUMNS:
        a = cells[received.field(column).key]
        b = cells[carried_over.field(column).key]
        c = cells[total_row.field(column).key]
        d = cells[carried_forward.field(column).key]
        if a + b != c + d:
            place = " / ".join((L.REQUESTS.heading or "",) + L.column_place(column))
            problems.append(
                Problem(
                    place,
                    f"勾稽关系不成立：{L.RECEIVED.label} {a} + {L.CARRIED_OVER.label} {b} = {a + b}，"
                    f"但{L.OUTCOME_TOTAL.label} {c} + {L.CARRIED_FORWARD.label} {d} = {c + d}，"
                    f"相差 {abs(a + b - c - d)}",
                )
            )

    for group in L.APPEAL_GROUPS:
        numbers = [_get(data, (L.APPEALS.key, group.key, c.key)) for c in L.APPEAL_COLUMNS]
        for column, value in zip(L.APPEAL_COLUMNS, numbers, strict=True):
            cells[group.field(column).key] = value
        total_field = group.field(L.TOTAL_COLUMN)
        cells[total_field.key] = sum(numbers)
        stated = _get(data, (L.APPEALS.key, group.key, L.TOTAL_COLUMN.key))
        if stated is not None and stated != sum(numbers):
            problems.append(_total_mismatch(total_field, stated, numbers))
    return cells, problems


def _total_mismatch(f: L.Field, stated: int, numbers: list[int]) -> Problem:
    parts = " + ".join(str(n) for n in numbers)
    return Problem(f.place_name, f"填写的总计为 {stated}，但各项之和为 {parts} = {sum(numbers)}")


def format_number(value: Number) -> str:
    """As the cell shows it: amounts as written (at most two decimals)."""
    if isinstance(value, Decimal):
        return format(value, "f")  # 7730.20 and 100.0 as written; a whole number without point
    return str(value)


def nested(cells: Mapping[str, Any]) -> dict[str, Any]:
    """Dotted keys → nested dicts."""
    out: dict[str, Any] = {}
    for key, value in cells.items():
        node = out
        *parents, last = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    return out


def group_totals(cells: Mapping[str, Number]) -> dict[str, int]:
    """Column sums of each outcome group (（三）…（六）), for placeholders and summaries."""
    out: dict[str, int] = {}
    for entry in L.OUTCOMES:
        if isinstance(entry, L.Group):
            base = (L.REQUESTS.key, L.OUTCOME_KEY, entry.key)
            for column in L.REQUEST_COLUMNS:
                out[".".join(base + (L.OUTCOME_TOTAL.key, column.key))] = sum(
                    int(cells[".".join(base + (row.key, column.key))]) for row in entry.rows
                )
    return out


def placeholder_data(
    layout: L.Layout, cells: Mapping[str, Number], agency: str, year: int
) -> dict[str, Any]:
    """What text placeholders may read: the cells by their keys, plus agency and year."""
    values: dict[str, Any] = dict(cells)  # amounts stay Decimal: placeholders may compute
    values.update(group_totals(cells))
    data = {k: _namespace(v) for k, v in nested(values).items()}
    data.update(agency=agency, year=year)
    return data


def _namespace(node: Any) -> Any:
    if isinstance(node, dict):
        return SimpleNamespace(**{k: _namespace(v) for k, v in node.items()})
    return node
