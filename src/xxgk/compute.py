"""The arithmetic of a report: every cell value, computed totals, stated totals and identities."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from decimal import Decimal
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

from xxgk import layouts as L
from xxgk.errors import Problem

Number = int | Decimal




def compute(
    layout: L.Layout, data: Mapping[str, Any], broken: Collection[str] = ()
) -> tuple[dict[str, Number], list[Problem]]:
    """Every cell value, totals computed; stated totals and identities checked.

    ``broken`` names the cells whose input could not be read (left at 0): the checks that
    depend on them are skipped, the others are made.
    """
    inputs, stated = layout.input_values(data)
    problems: list[Problem] = []
    unknown = set(broken)
    cells = add_totals(layout, inputs, unknown)
    for entry in layout.entries:
        if entry.total is None or (given := stated.get(entry.total.key)) is None:
            continue
        if any(f.key in unknown for f in entry.fields):
            continue
        numbers = [cells[f.key] for f in entry.fields]
        if given != cells[entry.total.key]:
            problem = total_mismatch(entry.total, given, numbers)
            if entry.shape is L.Shape.ROW:
                hint = (
                    f"（第 {len(entry.fields) + 1} 个数是总计；"
                    "如果数字里用了千位分隔符，如 1,234，请去掉逗号）"
                )
                problem = Problem(problem.place, problem.message + hint)
            problems.append(problem)
    for identity in layout.identities:
        if any(t.field.key in unknown for t in identity.left + identity.right):
            continue
        left = [(t.label, cells[t.field.key]) for t in identity.left]
        right = [(t.label, cells[t.field.key]) for t in identity.right]
        a, b = sum(v for _, v in left), sum(v for _, v in right)
        if a != b:
            problems.append(
                Problem(
                    identity.place,
                    f"勾稽关系不成立：{_terms(left)} = {a}，但{_terms(right)} = {b}，相差 {abs(a - b)}",
                )
            )
    return cells, problems


def _terms(terms: list[tuple[str, Number]]) -> str:
    return " + ".join(f"{label} {value}" for label, value in terms)


def add_totals(layout: L.Layout, cells: Mapping[str, Number], unknown: set[str]) -> dict[str, Number]:
    """The cells with every computed total whose parts are all there; a total of an ``unknown``
    part is unknown too (added to ``unknown``)."""
    values = dict(cells)
    for s in layout.sums:
        if all(f.key in values for f in s.parts):
            values[s.total.key] = sum((values[f.key] for f in s.parts), start=0)
            if any(f.key in unknown for f in s.parts):
                unknown.add(s.total.key)
    return values


def total_mismatch(f: L.Field, stated: Number, numbers: list[Number]) -> Problem:
    parts = " + ".join(str(n) for n in numbers)
    return Problem(f.place_name, f"填写的总计为 {stated}，但各项之和为 {parts} = {sum(numbers)}")


def format_number(value: Number) -> str:
    """As the cell shows it: amounts as written (at most two decimals)."""
    if isinstance(value, Decimal):
        return format(value, "f")  # 7730.20 and 100.0 as written; a whole number without point
    return str(value)


def nested(cells: Mapping[str, Any]) -> dict[str, Any]:
    """Dotted keys → nested dicts."""
    return _nest(cells, namespaces=False)


def _nest(cells: Mapping[str, Any], *, namespaces: bool) -> dict[str, Any]:
    """Dotted keys → nested dicts (below the top level SimpleNamespaces, with ``namespaces``).

    Every report of a layout has the same keys: how to build their tree is worked out once
    (:func:`_plan`), and each report only fills it in.
    """
    plan = _plan(tuple(cells))
    if plan is None:
        out = _nested_by_key(cells)
        return {k: _namespace(v) for k, v in out.items()} if namespaces else out
    values = list(cells.values())
    nodes: list[dict[str, Any]] = [{}]
    for parent, name, index in plan:
        if index < 0:
            node: dict[str, Any] = {}
            nodes[parent][name] = node
            nodes.append(node)
        else:
            nodes[parent][name] = values[index]
    if namespaces:  # innermost first: a table is complete before its parent takes it
        tables = [(parent, name) for parent, name, index in plan if index < 0]
        for i in range(len(tables), 0, -1):
            parent, name = tables[i - 1]
            nodes[parent][name] = SimpleNamespace(**nodes[i])
    return nodes[0]


def _nested_by_key(cells: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in cells.items():
        node = out
        *parents, last = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    return out


@lru_cache(maxsize=64)
def _plan(keys: tuple[str, ...]) -> tuple[tuple[int, str, int], ...] | None:
    """The steps of :func:`_nested_by_key` for these keys, in its order: ``(table, name, -1)``
    creates a table (numbered from 1 in creation order; 0 is the top), ``(table, name, i)``
    puts the ``i``-th value.  None when a key is both a value and a table."""
    tables: dict[tuple[str, ...], int] = {(): 0}
    leaves: set[tuple[str, ...]] = set()
    steps: list[tuple[int, str, int]] = []
    for i, key in enumerate(keys):
        *parents, last = key.split(".")
        path: tuple[str, ...] = ()
        for part in parents:
            child = path + (part,)
            if child in leaves:
                return None
            if child not in tables:
                tables[child] = len(tables)
                steps.append((tables[path], part, -1))
            path = child
        if path + (last,) in tables:
            return None
        leaves.add(path + (last,))
        steps.append((tables[path], last, i))
    return tuple(steps)


def placeholder_data(
    layout: L.Layout, cells: Mapping[str, Number], agency: str, year: int
) -> dict[str, Any]:
    """What text placeholders may read: the cells by their keys, plus agency and year."""
    values: dict[str, Any] = dict(cells)  # amounts stay Decimal: placeholders may compute
    for s in layout.group_sums:  # column sums of the outcome groups: not printed, but quotable
        values[s.total.key] = sum(cells[f.key] for f in s.parts)
    data = _nest(values, namespaces=True)
    data.update(agency=agency, year=year)
    return data


def _namespace(node: Any) -> Any:
    if isinstance(node, dict):
        return SimpleNamespace(**{k: _namespace(v) for k, v in node.items()})
    return node
