"""Inputs for the tests, built from the layout walk.

:func:`consistent_data` generates a valid input whose identities hold (table 三:
一 + 二 = （七）总计 + 四 in every column); :func:`make_input` makes it complete, as
TOML and JSON are read; :func:`write_toml` writes it in the spec §5 format.
"""

from __future__ import annotations

import datetime
import json
import random
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from xxgk import layouts as L

ROOT = Path(__file__).resolve().parents[1]
INPUTS = ROOT / "inputs"
SEED_INPUT = INPUTS / "xingtai-2022.toml"
EXAMPLE_INPUT = INPUTS / "gov-2021-example.toml"
SEED_DUMP = Path(__file__).parent / "data" / "seed-xingtai-2022.txt"

YEAR = 2024
TEXT = {
    "overview": "{{ year }}年共收到政府信息公开申请{{ requests.received.total }}件。",
    "problems": "公开质量有待提高。",
    "other": "按照《政府信息公开信息处理费管理办法》，本机关未收取信息处理费。",
}


def random_cells(rng: random.Random, layout: L.Layout) -> dict[str, Any]:
    """Random input cells for every field of the layout; identities not yet balanced."""
    cells: dict[str, Any] = {}
    for entry in layout.entries:
        for f in entry.fields:
            if f.kind is L.Kind.AMOUNT:
                cells[f.key] = rng.randrange(0, 10**6) / 100
            elif f.kind is L.Kind.SIGNED:
                cells[f.key] = rng.randrange(-50, 50)
            elif entry.shape is L.Shape.ROW:  # table 三: mostly zeros, as in real reports
                cells[f.key] = rng.choice((0, 0, rng.randrange(0, 30)))
            else:
                cells[f.key] = rng.randrange(0, 500 if entry.total is None else 20)
    return cells


def balance(layout: L.Layout, cells: dict[str, Any]) -> dict[str, Any]:
    """Make every identity hold: the first term on the left absorbs the difference
    (the last on the right where the left would go below 0)."""
    for identity in layout.identities:
        values = dict(cells)
        for s in layout.sums:
            values[s.total.key] = sum(values[f.key] for f in s.parts)
        left = sum(values[t.field.key] for t in identity.left)
        right = sum(values[t.field.key] for t in identity.right)
        first, last = identity.left[0].field.key, identity.right[-1].field.key
        cells[first] += right - left
        if cells[first] < 0:
            cells[last] -= cells[first]
            cells[first] = 0
    return cells


def consistent_data(rng: random.Random, layout: str = L.DEFAULT_LAYOUT, **over: Any) -> dict[str, Any]:
    """A valid input with random numbers whose identities hold."""
    lay = L.LAYOUTS[layout]
    data: dict[str, Any] = {
        "agency": over.pop("agency", f"测试机关{rng.randrange(10**6)}"),
        "year": 2024,
        "layout": layout,
        "text": {
            "overview": "总体情况。",
            "problems": "存在问题。",
            "other": "本机关未收取信息处理费。",
        },
    }
    data.update(lay.input_data(balance(lay, random_cells(rng, lay))))
    data.update(over)
    return data


def make_input(
    rng: random.Random,
    agency: str,
    *,
    year: int = YEAR,
    layout: str = L.DEFAULT_LAYOUT,
    text: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """A valid, complete input with random numbers; the table-三 identity holds per column."""
    data = consistent_data(rng, layout, agency=agency)
    for block, item in L.LAYOUTS[layout].proactive_items():
        for column in block.columns:
            if column.kind is L.Kind.AMOUNT:  # as TOML and JSON are read: decimals exact
                data["proactive"][item.key][column.key] = Decimal(str(data["proactive"][item.key][column.key]))
    data.update(year=year, date=datetime.date(year + 1, 1, 20), text=dict(TEXT if text is None else text))
    return data


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (int, Decimal)):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{k} = {_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(type(value))


def toml_text(data: Mapping[str, Any]) -> str:
    """A small TOML writer: scalars and inline tables, tables as [dotted.headers]."""
    lines: list[str] = []

    def table(prefix: str, node: Mapping[str, Any]) -> None:
        scalars = [(k, v) for k, v in node.items() if not isinstance(v, Mapping) or prefix == "proactive"]
        tables = [(k, v) for k, v in node.items() if isinstance(v, Mapping) and prefix != "proactive"]
        if prefix:
            lines.append(f"[{prefix}]")
        for k, v in scalars:
            lines.append(f"{k} = {_value(v)}")
        lines.append("")
        for k, v in tables:
            table(f"{prefix}.{k}" if prefix else k, v)

    table("", data)
    return "\n".join(lines)


def write_toml(path: Path, data: Mapping[str, Any]) -> Path:
    path.write_text(toml_text(data), encoding="utf-8")
    return path


def write_json(path: Path, data: Mapping[str, Any]) -> Path:
    def default(value: Any) -> Any:
        if isinstance(value, Decimal):
            return float(value)
        if isinstance(value, datetime.date):
            return value.isoformat()
        raise TypeError(type(value))

    path.write_text(json.dumps(data, ensure_ascii=False, default=default), encoding="utf-8")
    return path


def agency_name(i: int) -> str:
    return f"示例市第{i:02d}测试局"


def write_batch(folder: Path, n: int, seed: int = 20250120, *, json_every: int = 5) -> list[Path]:
    """``n`` consistent inputs (every ``json_every``-th one as JSON) in ``folder``."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        data = make_input(rng, agency_name(i))
        if json_every and i % json_every == json_every - 1:
            paths.append(write_json(folder / f"unit{i:02d}.json", data))
        else:
            paths.append(write_toml(folder / f"unit{i:02d}.toml", data))
    return paths
