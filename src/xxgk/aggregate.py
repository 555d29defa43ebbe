"""``xxgk aggregate``: the consolidated numbers of many agencies as one input file."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from xxgk import layouts as L
from xxgk.errors import InputError, OutputError, Problem
from xxgk.files import write_atomic
from xxgk.formats.toml_writer import input_toml
from xxgk.inputs import expand_inputs, read_option_file
from xxgk.report import Report, build, deep_merge, load, read_defaults


@dataclass
class Aggregated:
    output: Path
    count: int
    notes: list[str] = field(default_factory=list)
    base_included: bool = False  # the --base file's own (本级) numbers are in the sums


def sum_data(reports: list[Report]) -> dict[str, Any]:
    """Every input number summed, in the input structure (rows as lists)."""
    layout = reports[0].layout
    return layout.input_data({f.key: sum(r.cells[f.key] for r in reports) for f in layout.input_fields})


def aggregate(reports: list[Report], base: Report | None = None) -> str:
    """The consolidated input file (TOML text) for checked reports of one year and layout.

    ``base`` is the parent agency's own input: its name, date and text are used, and its own
    numbers (本级) are added to the units' numbers.
    """
    first = reports[0]
    raw_text: Mapping[str, Any] = base.data[L.TEXT_KEY] if base is not None else {}
    text: dict[str, str | None] = {}
    for section in L.TEXT_SECTIONS:
        given = raw_text.get(section.key)
        if isinstance(given, str):
            text[section.key] = given
        elif section is not L.PREFACE:
            text[section.key] = f"{L.TO_FILL}{L.text_section_name(section)}"
    members = reports + ([base] if base is not None else [])
    names = [r.agency for r in reports]
    shown = "、".join(names[:8]) + (f" 等 {len(names)} 个单位" if len(names) > 8 else "")
    own = "本级和" if base is not None and _has_numbers(base) else ""
    return input_toml(
        first.layout.name,
        agency=base.agency if base is not None else f"{L.TO_FILL}上级机关全称",
        year=first.year,
        date=base.date if base is not None else None,
        text=text,
        data=sum_data(members),
        title=f"{first.year}年{own}下属 {len(reports)} 个单位的合计（{shown}）",
    )


def _has_numbers(report: Report) -> bool:
    return any(value != 0 for value in report.cells.values())


def _load_base(base: Path, first: Report, shared: Mapping[str, Any] | None) -> Report:
    """The parent's own input; year and layout may be left to the units."""
    source = f"--base {base}"
    data = read_option_file("--base", base)
    if shared:
        data = deep_merge(shared, data)
    year, layout = data.get("year", first.year), data.get("layout", first.layout.name)
    if (year, layout) != (first.year, first.layout.name):
        message = f"是 {year}年 {layout} 版式，各单位是 {first.year}年 {first.layout.name} 版式"
        raise InputError(source, [Problem("", message)])
    try:
        return build(source, {**data, "year": year, "layout": layout})
    except InputError as exc:
        raise InputError(source, exc.problems) from None


def aggregate_files(
    inputs: list[Path],
    output: Path,
    *,
    base: Path | None = None,
    defaults: Path | None = None,
    force: bool = False,
) -> Aggregated:
    if output.is_dir():
        raise OutputError(f"{output} 是一个文件夹；请给出文件名，如 {output / '汇总.toml'}")
    if output.suffix.lower() != ".toml":
        raise OutputError(f"汇总结果是 TOML 输入文件，文件名应以 .toml 结尾：{output}")
    if output.exists() and not force:
        raise OutputError(f"{output} 已存在；如要覆盖，请加 --force")
    shared = read_defaults(defaults) if defaults is not None else None
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
            problems.append(Problem(str(path), message))
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
    parent = _load_base(base, reports[0], shared) if base is not None else None
    by_agency: dict[str, list[Report]] = {}
    for r in reports:
        by_agency.setdefault(r.agency, []).append(r)
    twice = [
        Problem("", f"机关 “{agency}” 出现在多个输入中（{_names(group)}），不能重复相加")
        for agency, group in by_agency.items()
        if len(group) > 1
    ]
    if parent is not None and parent.agency in by_agency:
        twice.append(
            Problem(
                "",
                f"{_names(by_agency[parent.agency])} 与 --base 是同一机关 “{parent.agency}”，不能重复相加"
                "（以前生成的合计文件是否放在了输入文件夹中？）",
            )
        )
    if twice:
        raise InputError("汇总", twice)
    if parent is not None and _has_numbers(parent):
        notes.append(f"已把 --base（{parent.agency}）本级的数字一并计入合计")
    text = aggregate(reports, parent)
    try:  # what is written must read back and pass the checks (numbers can outgrow the limits)
        build(str(output), tomllib.loads(text, parse_float=Decimal))
    except InputError as exc:
        raise InputError("汇总结果", exc.problems) from None
    write_atomic(output, text.encode("utf-8"))
    if base is None:
        notes.append(f"未给出 --base：机关名称和正文是待填写的占位文字（{L.TO_FILL}），请填写后再生成")
    return Aggregated(output, len(reports), notes, base_included=parent is not None)


def _names(reports: list[Report], limit: int = 5) -> str:
    shown = "、".join(r.source for r in reports[:limit])
    return shown + (f" 等 {len(reports)} 个" if len(reports) > limit else "")
