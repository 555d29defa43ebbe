"""``xxgk aggregate``: the consolidated numbers of many agencies as one input file."""

from __future__ import annotations

import datetime
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from xxgk import layouts as L
from xxgk.errors import InputError, OutputError, Problem
from xxgk.report import Report, build, load, read_defaults
from xxgk.skeleton import TO_FILL, input_toml
from xxgk.sources import display_name, expand_inputs, read_option_file


@dataclass
class Aggregated:
    output: Path
    count: int
    notes: list[str] = field(default_factory=list)


def sum_data(reports: list[Report]) -> dict[str, Any]:
    """Every input number summed, in the input structure (rows as lists)."""
    layout = reports[0].layout
    out: dict[str, Any] = {}

    def put(path: tuple[str, ...], value: Any) -> None:
        node = out
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node[path[-1]] = value

    for block, item in layout.proactive_items():
        for column in block.columns:
            key = ".".join((L.PROACTIVE.key, item.key, column.key))
            put((L.PROACTIVE.key, item.key, column.key), sum(r.cells[key] for r in reports))
    for rr in L.INPUT_REQUEST_ROWS:
        put(
            rr.path,
            [sum(int(r.cells[rr.field(c).key]) for r in reports) for c in L.APPLICANT_COLUMNS],
        )
    for group in L.APPEAL_GROUPS:
        for column in L.APPEAL_COLUMNS:
            put(
                (L.APPEALS.key, group.key, column.key),
                sum(int(r.cells[group.field(column).key]) for r in reports),
            )
    return out


def base_date(value: Any) -> datetime.date | None:
    """The base file's 落款日期: a TOML date or datetime, or a JSON "2025-01-20" string."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def aggregate(reports: list[Report], base: Mapping[str, Any] | None = None) -> str:
    """The consolidated input file (TOML text) for checked reports of one year and layout."""
    first = reports[0]
    base = base or {}
    base_text = base.get(L.TEXT_KEY) if isinstance(base.get(L.TEXT_KEY), Mapping) else {}
    assert isinstance(base_text, Mapping)
    text: dict[str, str | None] = {}
    for section in L.TEXT_SECTIONS:
        given = base_text.get(section.key)
        if isinstance(given, str):
            text[section.key] = given
        elif section is not L.PREFACE:
            text[section.key] = f"{TO_FILL}{L.text_section_name(section)}"
    agency = base.get("agency")
    names = "、".join(r.agency for r in reports)
    return input_toml(
        first.layout.name,
        agency=agency if isinstance(agency, str) and agency.strip() else f"{TO_FILL}上级机关全称",
        year=first.year,
        date=base_date(base.get("date")),
        text=text,
        data=sum_data(reports),
        title=f"{first.year}年 {len(reports)} 个单位汇总（{names[:200]}）",
    )


def aggregate_files(
    inputs: list[Path],
    output: Path,
    *,
    base: Path | None = None,
    defaults: Path | None = None,
    force: bool = False,
) -> Aggregated:
    from xxgk.render import write_atomic

    if output.is_dir():
        raise OutputError(f"{output} 是一个文件夹；请给出文件名，如 {output / '汇总.toml'}")
    if output.suffix.lower() != ".toml":
        raise OutputError(f"汇总结果是 TOML 输入文件，文件名应以 .toml 结尾：{output}")
    if output.exists() and not force:
        raise OutputError(f"{output} 已存在；如要覆盖，请加 --force")
    shared = read_defaults(defaults) if defaults is not None else None
    base_data = read_option_file("--base", base) if base is not None else None
    excluded = {output.resolve()} | {p.resolve() for p in (base, defaults) if p is not None}
    notes: list[str] = []
    # expand_inputs counts a file named twice (a folder and a file in it) once
    paths = [p for p in expand_inputs(inputs) if p.resolve() not in excluded]
    if not paths:
        raise InputError(
            ", ".join(str(p) for p in inputs), [Problem("", "没有找到输入文件（*.toml 或 *.json）")]
        )
    reports: list[Report] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            reports.append(load(path, defaults=shared))
        except InputError as exc:
            shown = "；".join(str(x) for x in exc.problems[:3])
            more = f"等 {len(exc.problems)} 处问题" if len(exc.problems) > 3 else ""
            message = f"{shown}{more}（请先用 xxgk validate 检查）"
            problems.append(Problem(display_name(path), message))
    if problems:
        raise InputError("汇总", problems)
    kinds: dict[tuple[int, str], list[Report]] = {}
    for r in reports:
        kinds.setdefault((r.year, r.layout.name), []).append(r)
    if len(kinds) > 1:
        listing = "；".join(
            f"{year}年 {layout}：{len(group)} 个（{_names(group)}）"
            for (year, layout), group in kinds.items()
        )
        raise InputError("汇总", [Problem("", f"各单位的年度或版式不一致，不能相加：{listing}")])
    by_agency: dict[str, list[Report]] = {}
    for r in reports:
        by_agency.setdefault(r.agency, []).append(r)
    twice = [
        Problem("", f"机关 “{agency}” 出现在多个输入中（{_names(group)}），不能重复相加")
        for agency, group in by_agency.items()
        if len(group) > 1
    ]
    if twice:
        raise InputError("汇总", twice)
    if base_data is not None:
        first = reports[0]
        if base_data.get("year", first.year) != first.year:
            notes.append(f"--base 的年度为 {base_data.get('year')}，汇总按各单位的 {first.year} 年")
        if base_data.get("layout", first.layout.name) != first.layout.name:
            notes.append(f"--base 的版式为 {base_data.get('layout')}，汇总按各单位的 {first.layout.name}")
    text = aggregate(reports, base_data)
    try:  # what is written must read back and pass the checks (numbers can outgrow the limits)
        build(display_name(output), tomllib.loads(text, parse_float=Decimal))
    except InputError as exc:
        raise InputError("汇总结果", exc.problems) from None
    write_atomic(output, text.encode("utf-8"))
    if base is None:
        notes.append(f"未给出 --base：机关名称和正文是待填写的占位文字（{TO_FILL}），请填写后再生成")
    return Aggregated(output, len(reports), notes)


def _names(reports: list[Report], limit: int = 5) -> str:
    shown = "、".join(r.source for r in reports[:limit])
    return shown + (f" 等 {len(reports)} 个" if len(reports) > limit else "")
