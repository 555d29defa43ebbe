"""The JSON Schema of the input agrees with the model that validates inputs.

Every example input and many generated inputs validate with a standard
validator (jsonschema, draft 2020-12); every structural mistake of
tests/test_bad_input.py fails the schema as it fails xxgk; and for random
mutations of a valid input the schema and the model say the same.
"""

from __future__ import annotations

import copy
import datetime
import functools
import json
import random
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from tests import builders as B
from tests import helpers as H
from xxgk import layouts as L
from xxgk import model as M
from xxgk.checks import agency_problems
from xxgk.formats.json_schema import input_schema
from xxgk.inputs import read_data
from xxgk.report import build, deep_merge

LAYOUT_NAMES = sorted(L.LAYOUTS)


@functools.cache
def validator(layout: str) -> Draft202012Validator:
    return Draft202012Validator(input_schema(layout), format_checker=Draft202012Validator.FORMAT_CHECKER)


def as_json(data: Any) -> Any:
    """As a JSON file holds it: dates as strings, decimals as numbers."""

    def default(value: Any) -> Any:
        if isinstance(value, Decimal):
            return int(value) if value == value.to_integral_value() else float(value)
        if isinstance(value, (datetime.date, datetime.datetime)):
            return value.isoformat()
        raise TypeError(type(value))

    return json.loads(json.dumps(data, default=default, ensure_ascii=False))


def schema_errors(data: Any) -> list[str]:
    """What the schema of the input's layout (the default one if it names none it knows) says."""
    layout = data.get("layout", L.DEFAULT_LAYOUT) if isinstance(data, dict) else L.DEFAULT_LAYOUT
    layout = layout if layout in L.LAYOUTS else L.DEFAULT_LAYOUT
    return [e.message for e in validator(layout).iter_errors(as_json(data))]


def model_accepts(data: Any) -> bool:
    """The model's verdict on the structure (plus the agency's name, which the schema also checks)."""
    if not isinstance(data, dict) or data.get("layout", L.DEFAULT_LAYOUT) not in L.LAYOUTS:
        return False
    validated, _ = M.validate(data.get("layout", L.DEFAULT_LAYOUT), dict(data))
    return validated is not None and not agency_problems(validated.model_dump()["agency"].strip())


@pytest.mark.parametrize("layout", LAYOUT_NAMES)
def test_schema_is_valid_draft_2020_12_with_chinese_titles(layout: str) -> None:
    schema = input_schema(layout)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith(layout) and layout in schema["title"]
    untitled = []

    def walk(node: dict[str, Any], path: str) -> None:
        if node.get("type") == "object":
            assert node["additionalProperties"] is False, path
            for key, sub in node["properties"].items():
                if not any("\u4e00" <= ch <= "\u9fff" for ch in sub.get("title", "") + sub.get("description", "")):
                    untitled.append(f"{path}.{key}")
                walk(sub, f"{path}.{key}")
        for item in node.get("prefixItems", []):
            assert item["title"] and item["type"] in ("integer", "number")

    walk(schema, "")
    assert untitled == []
    received = schema["properties"]["requests"]["properties"]["received"]
    assert (received["minItems"], received["maxItems"]) == (6, 7)
    assert [i["title"] for i in received["prefixItems"]] == [c.label for c in L.APPLICANT_COLUMNS]
    assert received["title"] == L.RECEIVED.label


def example_inputs() -> list[Path]:
    return sorted(
        p for p in B.INPUTS.rglob("*") if p.suffix in (".toml", ".json") and not p.name.startswith("_")
    )


@pytest.mark.parametrize("path", example_inputs(), ids=lambda p: p.name)
def test_every_example_input_validates(path: Path) -> None:
    data, _ = read_data(path)
    shared = path.parent / "_defaults.toml"
    if shared.is_file():  # as the batch reads them: units under the folder's shared values
        data = deep_merge(read_data(shared)[0], data)
    assert schema_errors(data) == []


def test_examples_were_found() -> None:
    assert len(example_inputs()) >= 6


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.randoms(use_true_random=False), st.sampled_from(LAYOUT_NAMES), st.booleans())
def test_generated_inputs_validate(rng: random.Random, layout: str, complete: bool) -> None:
    data = B.make_input(rng, f"测试局{rng.randrange(99)}", layout=layout) if complete else B.consistent_data(rng, layout)
    if rng.random() < 0.5:  # stated totals, as clerks may write them
        for row in data["requests"].values():
            if isinstance(row, list):
                row.append(sum(row))
    build("generated", data)
    assert schema_errors(data) == []


def test_schema_key_accepted_and_ignored(tmp_path: Path, rng: random.Random) -> None:
    data = {"$schema": "./xxgk-schema.json", **B.make_input(rng, "带 schema 的局")}
    assert schema_errors(data) == []
    path = B.write_json(tmp_path / "in.json", data)
    result = H.invoke("render", path, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "$schema" not in build("x", data).data
    data["$schema"] = 5
    assert schema_errors(data) and not model_accepts(data)
    H.assert_user_error(
        H.invoke("render", B.write_json(tmp_path / "bad.json", data), "-o", tmp_path / "out2"),
        "$schema: 应为文字",
    )


# Structural mistakes from tests/test_bad_input.py: xxgk refuses them, and so does the schema.
def _set(*path: str | int, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        node: Any = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return change


def _delete(key: str) -> Callable[[dict[str, Any]], None]:
    return lambda data: data.pop(key)


def _rename(parent: str, old: str, new: str) -> Callable[[dict[str, Any]], None]:
    return lambda data: data[parent].__setitem__(new, data[parent].pop(old))


STRUCTURAL = {
    "count as text": _set("proactive", "licensing", "decisions", value="5"),
    "count as true": _set("proactive", "licensing", "decisions", value=True),
    "count as decimal": _set("proactive", "licensing", "decisions", value=1.5),
    "count with thousands separator": _set("proactive", "licensing", "decisions", value="1,234"),
    "negative count": _set("requests", "outcome", "withheld", "state_secret", 0, value=-1),
    "row of 5 numbers": _set("requests", "carried_over", value=[1, 2, 3, 4, 5]),
    "row of 8 numbers": _set("requests", "carried_over", value=[1, 2, 3, 4, 5, 6, 21, 8]),
    "row as text": _set("requests", "received", value="1 2 3 4 5 6"),
    "number too large": _set("requests", "received", 0, value=10**9),
    "unknown key": _rename("requests", "received", "recieved"),
    "unknown top-level key": _set("agncy", value="测试局"),
    "missing agency": _delete("agency"),
    "missing year": _delete("year"),
    "year as text": _set("year", value="2024"),
    "year out of range": _set("year", value=1999),
    "empty agency": _set("agency", value="   "),
    "unknown layout": _set("layout", value="gov-2019"),
    "negative amount": _set("proactive", "fees", "amount", value=-1),
    "amount as text": _set("proactive", "fees", "amount", value="12.5"),
    "date in words": _set("date", value="2025年1月20日"),
    "date as number": _set("date", value=20250120),
    "appeals as a list": _set("appeals", "litigation_direct", value=[2, 0, 1, 1]),
    "stated total as text": _set("appeals", "review", "total", value="5"),
    "text as a number": _set("text", "overview", value=3),
    "unknown text section": _set("text", "summary", value="……"),
}


@pytest.mark.parametrize("case", sorted(STRUCTURAL))
def test_structural_errors_fail_the_schema_and_xxgk(rng: random.Random, case: str) -> None:
    data = B.make_input(rng, "测试局")
    STRUCTURAL[case](data)
    assert not model_accepts(data)
    assert schema_errors(data), case


def test_top_level_must_be_an_object() -> None:
    assert list(validator(L.DEFAULT_LAYOUT).iter_errors([1, 2, 3]))


VALUES = [-1, 0, 5, 1.5, "5", "", True, None, [], {}, 10**9, [0] * 5, [0] * 6, [0] * 7, [0] * 8, {"x": 1}]


def leaves(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(node, dict):
        return [path] + [p for k, v in node.items() for p in leaves(v, path + (k,))]
    if isinstance(node, list):
        return [path] + [p for i, v in enumerate(node) for p in leaves(v, path + (i,))]
    return [path]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.randoms(use_true_random=False),
    st.sampled_from(LAYOUT_NAMES),
    st.sampled_from(VALUES),
    st.sampled_from(["replace", "delete", "add"]),
)
def test_schema_and_model_agree_on_mutations(rng: random.Random, layout: str, value: Any, how: str) -> None:
    data = B.make_input(rng, "测试局", layout=layout)
    path = rng.choice([p for p in leaves(data) if p and p != ("layout",)])
    parent: Any = data
    for key in path[:-1]:
        parent = parent[key]
    value = copy.deepcopy(value)
    if how == "replace":
        parent[path[-1]] = value
    elif how == "delete":
        del parent[path[-1]]
    elif isinstance(parent, dict):
        parent[f"{path[-1]}_x"] = value
    else:
        parent.append(value)
    assert (schema_errors(data) == []) == model_accepts(data), (path, how, value)


def test_cli_schema_and_init(tmp_path: Path) -> None:
    result = H.invoke("schema", "--layout", "xingtai-2022")
    assert result.exit_code == 0 and json.loads(result.output) == input_schema("xingtai-2022")
    target = tmp_path / "s.json"
    assert H.invoke("schema", "-o", target).exit_code == 0
    assert json.loads(target.read_text(encoding="utf-8")) == input_schema(L.DEFAULT_LAYOUT)
    assert H.invoke("schema", "-o", tmp_path / "s.txt").exit_code == 2

    skeleton = tmp_path / "unit" / "2025.toml"
    result = H.invoke("init", "-o", skeleton, "--year", "2025", "--schema")
    assert result.exit_code == 0, result.output
    assert skeleton.read_text(encoding="utf-8").splitlines()[0] == "#:schema ./xxgk-schema.json"
    written = skeleton.parent / "xxgk-schema.json"
    assert json.loads(written.read_text(encoding="utf-8")) == input_schema(L.DEFAULT_LAYOUT)
    data, _ = read_data(skeleton)
    assert schema_errors(data) == []

    other = tmp_path / "b" / "2025.toml"
    shared = tmp_path / "shared" / "x.json"
    result = H.invoke("init", "-o", other, "--schema", shared, "--layout", "xingtai-2022")
    assert result.exit_code == 0, result.output
    assert other.read_text(encoding="utf-8").splitlines()[0] == "#:schema ../shared/x.json"
    assert json.loads(shared.read_text(encoding="utf-8"))["$id"].endswith("xingtai-2022")

    result = H.invoke("init")
    assert result.output.splitlines()[0] == "#:schema ./xxgk-schema.json"


def test_the_schema_beside_the_inputs_is_no_input(tmp_path: Path) -> None:
    folder = tmp_path / "各单位"
    folder.mkdir()
    made = H.invoke("init", "-o", folder / "2025.toml", "--schema")
    assert made.exit_code == 0 and (folder / "xxgk-schema.json").is_file(), made.output
    result = H.invoke("validate", folder)
    assert result.exit_code == 0, result.output
    assert "xxgk-schema.json" not in result.output and result.output.count("通过：") == 1, result.output
