"""The JSON Schema (draft 2020-12) of an input file, for editors that complete keys as you type.

It is generated from the pydantic model that validates inputs
(:func:`xxgk.model.input_model`), then made readable: every ``$ref`` is
inlined, every key gets the report's Chinese label as ``title`` and its full
place as ``description`` (from :func:`xxgk.model.input_places`, i.e. the layout
walk), rows of table 三 name their numbers one by one (``prefixItems``), and
amounts are plain numbers.  JSON inputs may carry a ``"$schema"`` key; TOML
inputs a first-line ``#:schema`` comment (taplo, Even Better TOML).
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from xxgk import layouts as L
from xxgk import model as M
from xxgk.formats import SCHEMA_FILE

DIALECT = "https://json-schema.org/draft/2020-12/schema"
DEFAULT_SCHEMA_FILE = SCHEMA_FILE
ROW_HINT = "可再写第 {n} 个数作为总计，xxgk 会核对"
STATED_NOTE = "可不写：由 xxgk 计算；写了则核对"
NUMBER_HINT = {
    L.Kind.COUNT: "非负整数",
    L.Kind.SIGNED: "整数，可为负数",
    L.Kind.AMOUNT: "金额（万元），最多两位小数",
}


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    """Every ``$ref`` replaced by its definition (the input's tables are a tree)."""
    if isinstance(node, list):
        return [_inline(n, defs) for n in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        out.update(_inline(defs[ref.removeprefix("#/$defs/")], defs))
    for key, value in node.items():
        if key != "$ref":
            out[key] = _inline(value, defs)
    if out.get("type") == "object":
        out.pop("default", None)  # a table's default is "all zeros": no use to an editor
    return out


def _number(kind: L.Kind, title: str, description: str) -> dict[str, Any]:
    """One number of the input, as the model accepts it."""
    low = -M.MAX_COUNT if kind is L.Kind.SIGNED else 0
    return {
        "title": title,
        "description": f"{description}（{NUMBER_HINT.get(kind, NUMBER_HINT[L.Kind.COUNT])}）",
        "type": "number" if kind is L.Kind.AMOUNT else "integer",
        "minimum": low,
        "maximum": M.MAX_COUNT,
        "default": 0,
    }


def _annotate(node: dict[str, Any], path: tuple[str, ...], layout: L.Layout) -> dict[str, Any]:
    places = M.input_places(layout.name)
    entries = {e.path: e for e in layout.entries}
    stated = {e.total.path: e.total for e in entries.values() if e.total is not None}
    f = layout.fields.get(path_key(path))
    if f is not None and f.kind is L.Kind.AMOUNT:
        return _number(f.kind, f.place[-1], f.place_name)
    if path in stated and path not in places:
        total = stated[path]
        node = dict(node)
        node.update(title=total.place[-1], description=f"{total.place_name}（{STATED_NOTE}）")
        return node
    out = dict(node)
    if path in places:
        label = places[path]
        out = {**out, "title": label[-1], "description": " / ".join(label)}
    entry = entries.get(path)
    if entry is not None and entry.shape is L.Shape.ROW:
        numbers = [_number(f.kind, f.place[-1], f.place_name) for f in entry.fields]
        names = "、".join(f.place[-1] for f in entry.fields)
        out["description"] = f"{entry.place_name}：{len(numbers)} 个数，依次为{names}"
        out["prefixItems"] = numbers
        if entry.total is not None:
            out["description"] += "；" + ROW_HINT.format(n=len(numbers) + 1)
            out["items"] = _number(L.Kind.COUNT, entry.total.place[-1], entry.total.place_name)
            out["items"]["description"] = f"{entry.total.place_name}（{STATED_NOTE}）"
        else:
            out["items"] = False
        out["default"] = [0] * len(numbers)
    properties = out.get("properties")
    if isinstance(properties, dict):
        out["properties"] = {
            key: _annotate(value, path + (key,), layout) for key, value in properties.items()
        }
    return out


def path_key(path: tuple[str, ...]) -> str:
    return ".".join(path)


@cache
def _schema_text(layout_name: str) -> str:
    layout = L.LAYOUTS[layout_name]
    raw = M.input_model(layout_name).model_json_schema()
    tree = _inline(raw, raw.pop("$defs", {}))
    tree.pop("title", None)
    body = _annotate(tree, (), layout)
    properties: dict[str, Any] = {
        M.SCHEMA_KEY: {
            "title": "JSON Schema",
            "description": "本文件所用的 JSON Schema（供编辑器补全和检查；xxgk 忽略此键）",
            "type": "string",
        },
        **body["properties"],
    }
    agency = properties["agency"]
    agency.update(minLength=1, pattern=r"\S")
    layout_key = properties["layout"]
    layout_key.update(type="string", enum=[layout.name], default=layout.name)
    required = list(body.get("required", []))
    if layout.name != L.DEFAULT_LAYOUT:  # without it xxgk reads the file in the default layout
        required.append("layout")
    title = f"xxgk 输入文件：{L.REPORT_NAME}（版式 {layout.name}）"
    schema = {
        "$schema": DIALECT,
        "$id": f"urn:xxgk:input:{layout.name}",
        "title": title,
        "description": (
            f"{layout.description}。由 xxgk 根据检查输入所用的模型生成："
            "键、类型和取值范围与 xxgk validate 一致；总计和勾稽关系由 xxgk 检查。"
        ),
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def input_schema(layout_name: str = L.DEFAULT_LAYOUT) -> dict[str, Any]:
    """The JSON Schema of an input file in the named layout (a fresh copy)."""
    schema: dict[str, Any] = json.loads(_schema_text(layout_name))
    return schema


def schema_text(layout_name: str = L.DEFAULT_LAYOUT) -> str:
    """The schema as the file ``xxgk schema`` writes (UTF-8 JSON, indented)."""
    return _schema_text(layout_name)


def schema_comment(reference: str) -> str:
    """The first line of a TOML input that points editors (taplo) at a schema file."""
    return f"#:schema {reference}"
