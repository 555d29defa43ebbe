"""The input model: pydantic models generated from a layout.

Every key of the input file comes from :mod:`xxgk.layouts` (table cells) or
from the few document-level keys below; unknown keys are errors, missing
cells are 0.  Validation errors are translated into Chinese messages that name
the place as the report does.
"""

from __future__ import annotations

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


Count = Annotated[int, Field(strict=True, ge=0, le=MAX_COUNT)]
Signed = Annotated[int, Field(strict=True, ge=-MAX_COUNT, le=MAX_COUNT)]
Amount = Annotated[Decimal, BeforeValidator(_amount)]
RowValues = Annotated[list[Count], Field(min_length=6, max_length=7)]

KIND_TYPES: dict[L.Kind, Any] = {L.Kind.COUNT: Count, L.Kind.SIGNED: Signed, L.Kind.AMOUNT: Amount}
ZERO: dict[L.Kind, Any] = {L.Kind.COUNT: 0, L.Kind.SIGNED: 0, L.Kind.AMOUNT: Decimal(0)}

# Document-level keys and what the report calls them.
META_PLACES: dict[str, str] = {
    "agency": "机关全称（agency）",
    "year": "报告年度（year）",
    "layout": "版式（layout）",
    "date": "落款日期（date）",
    L.TEXT_KEY: f"正文（{L.TEXT_KEY}）",
}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


TextModel = create_model(  # type: ignore[call-overload]
    "Text",
    __base__=Strict,
    **{s.key: (StrictStr | None, None) for s in L.TEXT_SECTIONS},
)


def _zero_row() -> list[int]:
    return [0] * len(L.APPLICANT_COLUMNS)


@cache
def input_model(layout_name: str) -> type[BaseModel]:
    """The pydantic model of one input file for the named layout."""
    layout = L.LAYOUTS[layout_name]

    proactive_fields: dict[str, Any] = {}
    for block, item in layout.proactive_items():
        sub = create_model(  # type: ignore[call-overload]
            f"Proactive_{item.key}",
            __base__=Strict,
            **{c.key: (KIND_TYPES[c.kind], ZERO[c.kind]) for c in block.columns},
        )
        proactive_fields[item.key] = (sub, sub())
    proactive = create_model("Proactive", __base__=Strict, **proactive_fields)

    row = (RowValues, Field(default_factory=_zero_row))
    outcome_fields: dict[str, Any] = {}
    for entry in L.OUTCOMES:
        if isinstance(entry, L.Row):
            outcome_fields[entry.key] = row
        else:
            group = create_model(  # type: ignore[call-overload]
                f"Outcome_{entry.key}", __base__=Strict, **{r.key: row for r in entry.rows}
            )
            outcome_fields[entry.key] = (group, group())
    outcome = create_model("Outcome", __base__=Strict, **outcome_fields)
    requests = create_model(  # type: ignore[call-overload]
        "Requests",
        __base__=Strict,
        **{
            L.RECEIVED.key: row,
            L.CARRIED_OVER.key: row,
            L.OUTCOME_KEY: (outcome, outcome()),
            L.CARRIED_FORWARD.key: row,
        },
    )

    appeal = create_model(  # type: ignore[call-overload]
        "Appeal",
        __base__=Strict,
        **{c.key: (Count, 0) for c in L.APPEAL_COLUMNS},
        **{L.TOTAL_COLUMN.key: (Count | None, None)},
    )
    appeals = create_model(  # type: ignore[call-overload]
        "Appeals", __base__=Strict, **{g.key: (appeal, appeal()) for g in L.APPEAL_GROUPS}
    )

    fields: dict[str, Any] = {
        "agency": (StrictStr, ...),
        "year": (Annotated[int, Field(strict=True, ge=MIN_YEAR, le=MAX_YEAR)], ...),
        "layout": (StrictStr, L.DEFAULT_LAYOUT),
        "date": (Annotated[datetime.date, BeforeValidator(_date)] | None, None),
        L.TEXT_KEY: (TextModel, TextModel()),
        L.PROACTIVE.key: (proactive, proactive()),
        L.REQUESTS.key: (requests, requests()),
        L.APPEALS.key: (appeals, appeals()),
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
    for section in (L.PROACTIVE, L.REQUESTS, L.APPEALS):
        places[(section.key,)] = (section.heading or "",)
    for block, item in layout.proactive_items():
        places[(L.PROACTIVE.key, item.key)] = (block.heading, item.label)
    for f in layout.fields.values():
        if f.path[0] != L.REQUESTS.key:
            places[f.path] = f.place
    for rr in L.INPUT_REQUEST_ROWS:
        places[rr.path] = rr.place
        places[rr.path[:-1]] = places.get(rr.path[:-1], rr.place[:-1])
    places[(L.REQUESTS.key, L.OUTCOME_KEY)] = (L.OUTCOME_LABEL,)
    for group in L.APPEAL_GROUPS:
        places[(L.APPEALS.key, group.key)] = group.place
    return places


def place_of(layout_name: str, loc: tuple[str | int, ...]) -> str:
    places = input_places(layout_name)
    keys = tuple(str(k) for k in loc if isinstance(k, str))
    index = next((k for k in loc if isinstance(k, int)), None)
    if keys in places:
        label = places[keys]
        if index is not None and keys[0] == L.REQUESTS.key:
            if index < len(L.REQUEST_COLUMNS):
                label = label + L.column_place(L.REQUEST_COLUMNS[index])
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
        names = "、".join(c.label for c in L.APPLICANT_COLUMNS)
        message = (
            f"应有 {len(L.APPLICANT_COLUMNS)} 个数（{names}），"
            f"可再加第 {len(L.APPLICANT_COLUMNS) + 1} 个数作为总计；"
            f"实有 {len(value) if isinstance(value, list) else '?'} 个"
        )
    elif kind == "list_type":
        n = len(L.APPLICANT_COLUMNS)
        message = f"应为 {n} 个数的列表，如 [{', '.join(['0'] * n)}]，实为 {show(value)}"
        numbers = re.findall(r"-?\d+", value) if isinstance(value, str) else []
        if len(numbers) in (n, n + 1) and not re.search(r"[^\d\s,，、;；-]", value):
            message += f"；像是从表格复制的一行数字，请写成 [{', '.join(numbers)}]"
    elif kind in ("model_type", "model_attributes_type", "dict_type"):
        message = f"应为一组键值（表），实为 {show(value)}"
        if loc and loc[0] in (L.PROACTIVE.key, L.APPEALS.key) and len(loc) == 2:
            keys = [k for k in allowed_keys(layout_name, loc) if k != L.TOTAL_COLUMN.key]
            message += f"；写法如 {loc[-1]} = {{ {', '.join(f'{k} = 0' for k in keys)} }}"
    elif kind == "string_type":
        message = f"应为文字（用英文双引号括起来），实为 {show(value)}"
    elif kind.startswith("date"):
        message = f"应为日期，如 2023-01-20，实为 {show(value)}"
    elif kind == "value_error":
        code = str(error.get("ctx", {}).get("error", ""))
        message = {
            "amount_type": f"应为金额数字（如 7730.28），实为 {show(value)}",
            "amount_negative": f"金额不能为负数，实为 {value}",
            "amount_decimals": f"金额（万元）最多保留两位小数，实为 {value}",
            "too_large": f"数值过大：{value}（上限 {MAX_COUNT}）",
            "date_type": f"应为日期，如 2023-01-20，实为 {show(value)}",
        }.get(code, code)
    else:
        message = f"{error.get('msg', kind)}（{show(value)}）"
    return Problem(place, message)


def _is_signed(layout_name: str, loc: tuple[str | int, ...]) -> bool:
    field = L.LAYOUTS[layout_name].fields.get(".".join(str(k) for k in loc))
    return field is not None and field.kind is L.Kind.SIGNED


def validate(layout_name: str, data: dict[str, Any]) -> tuple[BaseModel | None, list[Problem]]:
    try:
        return input_model(layout_name).model_validate(data), []
    except ValidationError as exc:
        return None, [translate(layout_name, e) for e in exc.errors()]
