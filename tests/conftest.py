from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from xxgk import layouts as L

ROOT = Path(__file__).resolve().parents[1]
INPUTS = ROOT / "inputs"
SEED_INPUT = INPUTS / "xingtai-2022.toml"
EXAMPLE_INPUT = INPUTS / "gov-2021-example.toml"
SEED_DUMP = Path(__file__).parent / "data" / "seed-xingtai-2022.txt"


def consistent_data(rng: random.Random, layout: str = L.DEFAULT_LAYOUT, **over: Any) -> dict[str, Any]:
    """A valid input with random numbers whose table-三 identity holds per column."""
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
    proactive: dict[str, Any] = {}
    for block, item in L.LAYOUTS[layout].proactive_items():
        values: dict[str, Any] = {}
        for column in block.columns:
            if column.kind is L.Kind.AMOUNT:
                values[column.key] = rng.randrange(0, 10**6) / 100
            elif column.kind is L.Kind.SIGNED:
                values[column.key] = rng.randrange(-50, 50)
            else:
                values[column.key] = rng.randrange(0, 500)
        proactive[item.key] = values
    data["proactive"] = proactive

    requests: dict[str, Any] = {}
    sums = [0] * 6
    for rr in L.OUTCOME_ROWS:
        row = [rng.choice((0, 0, rng.randrange(0, 30))) for _ in range(6)]
        sums = [a + b for a, b in zip(sums, row, strict=True)]
        node = requests
        for key in rr.path[1:-1]:
            node = node.setdefault(key, {})
        node[rr.path[-1]] = row
    carried_over = [rng.randrange(0, 5) for _ in range(6)]
    carried_forward = [rng.randrange(0, 5) for _ in range(6)]
    # 一 = （七） + 四 − 二, kept >= 0 by raising 四 where needed
    received = []
    for i in range(6):
        value = sums[i] + carried_forward[i] - carried_over[i]
        if value < 0:
            carried_forward[i] -= value
            value = 0
        received.append(value)
    requests["received"] = received
    requests["carried_over"] = carried_over
    requests["carried_forward"] = carried_forward
    data["requests"] = requests
    data["appeals"] = {
        g.key: {c.key: rng.randrange(0, 20) for c in L.APPEAL_COLUMNS} for g in L.APPEAL_GROUPS
    }
    data.update(over)
    return data


def write_json(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def rng() -> random.Random:
    return random.Random(20240120)
