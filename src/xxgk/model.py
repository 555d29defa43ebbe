"""The input model: pydantic models generated from a layout.

Every key of the input file comes from :mod:`xxgk.layouts` (table cells) or
from the few document-level keys below; unknown keys are errors, missing
cells are 0.  Validation errors are translated into Chinese messages that name
the place as the report does.
"""

from __future__ import annotations

import copy
import datetime
import difflib
import math
import re
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictStr,
    ValidationError,
    create_model,
)

from xxgk import layouts as L
from xxgk.errors import Problem

MAX_COUNT = 99_999_999
MIN_YEAR, MAX_YEAR = L.MIN_YEAR, L.MAX_YEAR


def _amount(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise ValueError("amount_type")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("amount_type")
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        raise ValueError("amount_type") from None
    if not amount.is_finite():
        raise ValueError("amount_type")
    if amount < 0:
        raise ValueError("amount_negative")
    if amount.adjusted() >= len(str(MAX_COUNT)):  # by the exponent: 1e999999999 never normalizes
        raise ValueError("too_large")
    if amount > MAX_COUNT:
        raise ValueError("too_large")
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        cents = amount.quantize(Decimal("0.01"))  # exact: the amount is below MAX_COUNT here
        if cents != amount:  # digits beyond two places (1E-999999999 too), not only trailing zeros
            raise ValueError("amount_decimals")
        amount = cents  # 1.500 → 1.50
    return amount.copy_abs() if amount.is_zero() else amount  # -0.0 is 0


def _date(value: Any) -> datetime.date:
    """A TOML date, or an ISO date string from JSON; nothing else (no timestamps)."""
    if isinstance(value, datetime.datetime):
        if value.time() != datetime.time():
            raise ValueError("date_type")
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError("date_type") from None
    raise ValueError("date_type")


def _fonts(value: Any) -> str:
    """``fonts = "gb2312"`` or ``"gbk"`` (any case)."""
    if not isinstance(value, str) or value.strip().lower() not in L.FONT_SETS:
        raise ValueError("fonts_choice")
    return value.strip().lower()


def _title(value: Any) -> list[str]:
    """``title = ["第一行", "第二行"]``: the title lines, as the clerk breaks them."""
    if not isinstance(value, list) or not 1 <= len(value) <= 4:
        raise ValueError("title_lines")
    if not all(isinstance(line, str) and line.strip() for line in value):
        raise ValueError("title_lines")
    return [line.strip() for line in value]


Count = Annotated[int, Field(strict=True, ge=0, le=MAX_COUNT)]
Signed = Annotated[int, Field(strict=True, ge=-MAX_COUNT, le=MAX_COUNT)]
Amount = Annotated[Decimal, BeforeValidator(_amount)]
RowValues = Annotated[list[Count], Field(min_length=6, max_length=7)]

KIND_TYPES: dict[L.Kind, Any] = {L.Kind.COUNT: Count, L.Kind.SIGNED: Signed, L.Kind.AMOUNT: Amount}
ZERO: dict[L.Kind, Any] = {L.Kind.COUNT: 0, L.Kind.SIGNED: 0, L.Kind.AMOUNT: Decimal(0)}

SCHEMA_KEY = "$schema"  # JSON inputs may name their JSON Schema: accepted and ignored

# Document-level keys and what the report calls them.
META_PLACES: dict[str, str] = {
    "agency": "机关全称（agency）",
    "year": "报告年度（year）",
    "layout": "版式（layout）",
    "date": "落款日期（date）",
    "title": "标题分行（title）",
    "fonts": "字体（fonts）",
    L.TEXT_KEY: f"正文（{L.TEXT_KEY}）",
}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


TextModel = create_model(  # type: ignore[call-overload]
    "Text",
    __base__=Strict,
    **{s.key: (StrictStr | None, None) for s in L.TEXT_SECTIONS},
)


def _entry_type(entry: L.Entry) -> tuple[Any, Any]:
    """The annotation and default of one entry of the input."""
    n = len(entry.fields)
    if entry.shape is L.Shape.ROW:
        most = n + 1 if entry.total is not None else n
        values = Annotated[list[Count], Field(min_length=n, max_length=most)]
        return values, Field(default_factory=lambda: [0] * n)
    fields: dict[str, Any] = {f.path[-1]: (KIND_TYPES[f.kind], ZERO[f.kind]) for f in entry.fields}
    if entry.stated_key is not None:
        fields[entry.stated_key] = (Count | None, None)
    record: type[BaseModel] = create_model("_".join(entry.path), __base__=Strict, **fields)
    return record, record()


@cache
def input_model(layout_name: str) -> type[BaseModel]:
    """The pydantic model of one input file for the named layout, built from the layout's walk."""
    layout = L.LAYOUTS[layout_name]

    def table(path: tuple[str, ...]) -> type[BaseModel]:
        fields: dict[str, Any] = {}
        for entry in layout.entries:
            if entry.path[:-1] == path:
                fields[entry.key] = _entry_type(entry)
            elif len(entry.path) > len(path) + 1 and entry.path[: len(path)] == path:
                key = entry.path[len(path)]
                if key not in fields:
                    sub = table(path + (key,))
                    fields[key] = (sub, sub())
        model: type[BaseModel] = create_model("_".join(path), __base__=Strict, **fields)
        return model

    tables: dict[str, Any] = {}
    for key in dict.fromkeys(e.path[0] for e in layout.entries):
        sub = table((key,))
        tables[key] = (sub, sub())
    fields: dict[str, Any] = {
        "agency": (StrictStr, ...),
        "year": (Annotated[int, Field(strict=True, ge=MIN_YEAR, le=MAX_YEAR)], ...),
        "layout": (StrictStr, L.DEFAULT_LAYOUT),
        "date": (Annotated[datetime.date, BeforeValidator(_date)] | None, None),
        "title": (Annotated[list[str], BeforeValidator(_title)] | None, None),
        "fonts": (Annotated[str, BeforeValidator(_fonts)], L.DEFAULT_FONTS),
        L.TEXT_KEY: (TextModel, TextModel()),
        **tables,
    }
    model: type[BaseModel] = create_model(
        f"Input_{layout_name.replace('-', '_')}", __base__=Strict, **fields
    )
    return model


# --------------------------------------------------------------------------
# Places: what the report calls each input location
# --------------------------------------------------------------------------


@cache
def input_places(layout_name: str) -> dict[tuple[str, ...], tuple[str, ...]]:
    """Input key path (no list indices) → label path, for every level."""
    layout = L.LAYOUTS[layout_name]
    places: dict[tuple[str, ...], tuple[str, ...]] = {
        (key,): (label,) for key, label in META_PLACES.items()
    }
    for section in L.TEXT_SECTIONS:
        places[(L.TEXT_KEY, section.key)] = (L.text_section_name(section),)
    places.update(layout.containers)
    for entry in layout.entries:
        places[entry.path] = entry.place
        if entry.shape is L.Shape.RECORD:
            places.update((f.path, f.place) for f in entry.fields)
    return places


@cache
def _entries(layout_name: str) -> dict[tuple[str, ...], L.Entry]:
    return {e.path: e for e in L.LAYOUTS[layout_name].entries}


def place_of(layout_name: str, loc: tuple[str | int, ...]) -> str:
    places = input_places(layout_name)
    keys = tuple(str(k) for k in loc if isinstance(k, str))
    index = next((k for k in loc if isinstance(k, int)), None)
    if keys in places:
        label = places[keys]
        entry = _entries(layout_name).get(keys)
        if index is not None and entry is not None and entry.shape is L.Shape.ROW:
            cells = entry.fields + ((entry.total,) if entry.total is not None else ())
            if index < len(cells):
                label = cells[index].place
            else:
                label = label + (f"第 {index + 1} 个数",)
        return " / ".join(label)
    return ".".join(str(k) for k in loc)


def allowed_keys(layout_name: str, loc: tuple[str | int, ...]) -> list[str]:
    """The keys a table at ``loc`` may hold (for did-you-mean suggestions)."""
    model: Any = input_model(layout_name)
    for key in loc:
        if not isinstance(key, str):
            continue
        info = model.model_fields.get(key)
        if info is None:
            return []
        annotation = info.annotation
        candidates = [annotation, *getattr(annotation, "__args__", ())]
        model = next((c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None)
        if model is None:
            return []
    return list(model.model_fields)


def suggestion(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if close:
        return f"，是否应为 “{close[0]}”？"
    if options:
        return f"；此处可用的键：{', '.join(options)}"
    return ""


def show(value: Any) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()}（真/假值）"
    if isinstance(value, str):
        hint = ""
        stripped = value.replace(",", "").replace("，", "").strip()
        if stripped.replace(".", "", 1).lstrip("-").isdigit():
            hint = "（数字不要加引号，也不要千位分隔符）"
        return f"文字 “{value[:40]}”{hint}"
    if isinstance(value, (float, Decimal)):
        return f"小数 {value}"
    if isinstance(value, (list, tuple)):
        return f"列表（{len(value)} 项）"
    if isinstance(value, dict):
        return "一组键值"
    if value is None:
        return "空值"
    return str(value)


def translate(layout_name: str, error: Any) -> Problem:
    """One pydantic error → one Chinese problem, named by its place."""
    loc: tuple[str | int, ...] = tuple(error["loc"])
    kind: str = error["type"]
    value = error.get("input")
    if kind == "extra_forbidden":
        key = str(loc[-1])
        parent = loc[:-1]
        place = place_of(layout_name, parent) if parent else ""
        elsewhere = [
            name for name in L.LAYOUTS if name != layout_name and key in allowed_keys(name, parent)
        ]
        if elsewhere:
            return Problem(
                place,
                f"“{key}” 只在版式 {'、'.join(elsewhere)} 中有；本文件的版式是 {layout_name}"
                f"（可用的键：{', '.join(allowed_keys(layout_name, parent))}）",
            )
        return Problem(place, f"未知的键 “{key}”" + suggestion(key, allowed_keys(layout_name, parent)))
    place = place_of(layout_name, loc)
    entry = _entries(layout_name).get(tuple(str(k) for k in loc if isinstance(k, str)))
    row = entry.fields if entry is not None else ()
    signed = _is_signed(layout_name, loc)
    whole = "应为整数" if signed else "应为非负整数"
    if kind == "missing":
        message = "缺少此项（必填）"
    elif loc == ("year",) and kind != "missing":
        message = f"应为 {MIN_YEAR}–{MAX_YEAR} 之间的年份，如 2024，实为 {show(value)}"
    elif signed and kind in ("greater_than_equal", "less_than_equal"):
        message = f"应为 {-MAX_COUNT} 到 {MAX_COUNT} 之间的整数，实为 {value}"
    elif kind in ("int_type", "int_from_float", "int_parsing", "greater_than_equal"):
        message = f"{whole}，实为 {show(value) if kind != 'greater_than_equal' else value}"
    elif kind == "less_than_equal":
        message = f"数值过大：{value}（上限 {MAX_COUNT}）"
    elif kind in ("too_short", "too_long"):
        names = "、".join(f.place[-1] for f in row)
        message = (
            f"应有 {len(row)} 个数（{names}），"
            f"可再加第 {len(row) + 1} 个数作为总计；"
            f"实有 {len(value) if isinstance(value, list) else '?'} 个"
        )
    elif kind == "list_type":
        n = len(row)
        message = f"应为 {n} 个数的列表，如 [{', '.join(['0'] * n)}]，实为 {show(value)}"
        numbers = re.findall(r"-?\d+", value) if isinstance(value, str) else []
        if len(numbers) in (n, n + 1) and not re.search(r"[^\d\s,，、;；-]", value):
            message += f"；像是从表格复制的一行数字，请写成 [{', '.join(numbers)}]"
    elif kind in ("model_type", "model_attributes_type", "dict_type"):
        message = f"应为一组键值（表），实为 {show(value)}"
        if entry is not None and entry.shape is L.Shape.RECORD:
            keys = [f.path[-1] for f in entry.fields]
            message += f"；写法如 {loc[-1]} = {{ {', '.join(f'{k} = 0' for k in keys)} }}"
    elif kind == "string_type":
        message = f"应为文字（用英文双引号括起来），实为 {show(value)}"
    elif kind.startswith("date") or (kind == "value_error" and "date_type" in str(error.get("ctx"))):
        from xxgk.formats.toml_json import date_cause

        cause = date_cause(value) if isinstance(value, str) else None
        message = cause or f"应为日期，如 2023-01-20，实为 {show(value)}"
    elif kind == "value_error":
        code = str(error.get("ctx", {}).get("error", ""))
        message = {
            "amount_type": f"应为金额数字（如 7730.28），实为 {show(value)}",
            "amount_negative": f"金额不能为负数，实为 {value}",
            "amount_decimals": f"金额（万元）最多保留两位小数，实为 {value}",
            "too_large": f"数值过大：{value}（上限 {MAX_COUNT}）",
            "date_type": f"应为日期，如 2023-01-20，实为 {show(value)}",
            "fonts_choice": f"应为 {' 或 '.join(f'“{k}”（{v.description}）' for k, v in L.FONT_SETS.items())}"
            f"，实为 {show(value)}",
            "title_lines": f"应为 1–4 行文字的列表，如 [\"第一行\", \"第二行\"]，实为 {show(value)}",
        }.get(code, code)
    else:
        message = f"{error.get('msg', kind)}（{show(value)}）"
    return Problem(place, message)


def _is_signed(layout_name: str, loc: tuple[str | int, ...]) -> bool:
    field = L.LAYOUTS[layout_name].fields.get(".".join(str(k) for k in loc))
    return field is not None and field.kind is L.Kind.SIGNED


def _schema_pointer(data: dict[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    """An editor's pointer to the JSON Schema (``"$schema"``) is not part of the report."""
    if SCHEMA_KEY not in data:
        return data, []
    problems = []
    if not isinstance(data[SCHEMA_KEY], str):
        shown = show(data[SCHEMA_KEY])
        message = f"应为文字：JSON Schema 文件的路径，如 \"./xxgk-schema.json\"，实为 {shown}"
        problems.append(Problem(SCHEMA_KEY, message))
    return {k: v for k, v in data.items() if k != SCHEMA_KEY}, problems


def validate(layout_name: str, data: dict[str, Any]) -> tuple[BaseModel | None, list[Problem]]:
    data, problems = _schema_pointer(data)
    try:
        validated = input_model(layout_name).model_validate(data)
    except ValidationError as exc:
        return None, problems + [translate(layout_name, e) for e in exc.errors()]
    return (None, problems) if problems else (validated, [])


def validate_leniently(
    layout_name: str, data: dict[str, Any]
) -> tuple[BaseModel | None, list[Problem], set[str], set[tuple[str, ...]]]:
    """Validate, and when that fails, validate again without the broken parts.

    Returns the model of the input with every broken entry left at its default (0s), the
    problems, the keys of the cells whose input was broken, and the broken document-level
    keys (``("agency",)``, ``("text", "overview")``…), so that the arithmetic of the rows
    and tables that did parse can still be checked.  The model is None only if repairing
    failed too.
    """
    data, pointer = _schema_pointer(data)
    try:
        return input_model(layout_name).model_validate(data), pointer, set(), set()
    except ValidationError as exc:
        errors = exc.errors()
    problems = pointer + [translate(layout_name, e) for e in errors]
    repaired = copy.deepcopy(data)
    cells: set[str] = set()
    meta: set[tuple[str, ...]] = set()
    entries = L.LAYOUTS[layout_name].entries
    for error in errors:
        loc = tuple(error["loc"])
        keys = tuple(str(k) for k in loc if isinstance(k, str))
        if error["type"] == "extra_forbidden":
            _drop(repaired, keys)
            continue
        hit = [e for e in entries if e.path[: len(keys)] == keys or keys[: len(e.path)] == e.path]
        if len(hit) == 1 and (one := _broken_cell(hit[0], loc, repaired)) is not None:
            cells.add(one)  # one cell of a readable row: only the checks that use it are skipped
            continue
        if hit:
            for entry in hit:
                cells.update(f.key for f in entry.fields)
                if entry.total is not None:
                    cells.add(entry.total.key)
            _drop(repaired, keys if len(hit) > 1 else hit[0].path)
            continue
        key = keys[:2] if keys[:1] == (L.TEXT_KEY,) else keys[:1]
        meta.add(key)
        _drop(repaired, key)
    if ("agency",) in meta:
        repaired["agency"] = "-"
    if ("year",) in meta:
        repaired["year"] = MIN_YEAR
    try:
        model = input_model(layout_name).model_validate(repaired)
    except ValidationError:
        return None, problems, cells, meta
    return model, problems, cells, meta


def _broken_cell(entry: L.Entry, loc: tuple[Any, ...], data: dict[str, Any]) -> str | None:
    """The key of the one cell an error is about, set to 0 in ``data``; None when the error is
    about the whole row (a wrong length, not a list) or the row cannot be repaired cell by cell."""
    node: Any = data
    for key in entry.path[:-1]:
        node = node.get(key) if isinstance(node, dict) else None
    if not isinstance(node, dict):
        return None
    row = node.get(entry.key)
    rest = loc[len(entry.path) :]
    if len(rest) != 1 or tuple(str(k) for k in loc[: len(entry.path)]) != entry.path:
        return None
    (where,) = rest
    if entry.shape is L.Shape.ROW and isinstance(row, list) and isinstance(where, int):
        n = len(entry.fields)
        if not n <= len(row) <= n + 1 or where > n:
            return None
        if where == n:  # the stated total: not a cell; without it, the row's total is computed
            del row[n]
            return entry.total.key if entry.total is not None else None
        row[where] = 0
        return entry.fields[where].key
    if entry.shape is L.Shape.RECORD and isinstance(row, dict) and isinstance(where, str):
        if where == entry.stated_key:
            row.pop(where, None)
            return entry.total.key if entry.total is not None else None
        field = next((f for f in entry.fields if f.path[-1] == where), None)
        if field is None:
            return None
        row.pop(where, None)  # its default (0) applies
        return field.key
    return None


def _drop(data: dict[str, Any], keys: tuple[str, ...]) -> None:
    """Remove ``keys`` from nested data (so that its default applies)."""
    node: Any = data
    for key in keys[:-1]:
        if not isinstance(node, dict) or not isinstance(node.get(key), dict):
            if isinstance(node, dict):
                node.pop(key, None)
            return
        node = node[key]
    if keys and isinstance(node, dict):
        node.pop(keys[-1], None)
