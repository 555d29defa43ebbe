"""``xxgk aggregate``: the consolidated numbers of many agencies as one input file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xxgk import layouts as L
from xxgk.errors import InputError, OutputError, Problem
from xxgk.report import Report, load
from xxgk.skeleton import TO_FILL, input_toml
from xxgk.sources import display_name, expand_inputs, read_data


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
            key = ".".join(("proactive", item.key, column.key))
            put(("proactive", item.key, column.key), sum(r.cells[key] for r in reports))
    for rr in L.INPUT_REQUEST_ROWS:
        put(
            rr.path,
            [sum(int(r.cells[rr.field(c).key]) for r in reports) for c in L.APPLICANT_COLUMNS],
        )
    for group in L.APPEAL_GROUPS:
        for column in L.APPEAL_COLUMNS:
            put(
                ("appeals", group.key, column.key),
                sum(int(r.cells[group.field(column).key]) for r in reports),
            )
    return out


def aggregate(reports: list[Report], base: Mapping[str, Any] | None = None) -> str:
    """The consolidated input file (TOML text) for checked reports of one year and layout."""
    first = reports[0]
    base = base or {}
    base_text = base.get("text") if isinstance(base.get("text"), Mapping) else {}
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
        date=base.get("date") if hasattr(base.get("date"), "isoformat") else None,
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
    if output.exists() and not force:
        raise OutputError(f"{output} 已存在；如要覆盖，请加 --force")
    shared = read_data(defaults)[0] if defaults is not None else None
    base_data = read_data(base)[0] if base is not None else None
    excluded = {output.resolve()} | {p.resolve() for p in (base, defaults) if p is not None}
    paths = [p for p in expand_inputs(inputs) if p.resolve() not in excluded]
    if not paths:
        raise InputError(", ".join(str(p) for p in inputs), [Problem("", "没有找到输入文件")])
    reports: list[Report] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            reports.append(load(path, defaults=shared))
        except InputError as exc:
            message = f"有 {len(exc.problems)} 处问题，请先用 xxgk validate 检查"
            problems.append(Problem(display_name(path), message))
    if problems:
        raise InputError("汇总", problems)
    kinds = {(r.year, r.layout.name) for r in reports}
    if len(kinds) > 1:
        listing = "；".join(f"{r.source}: {r.year}年 {r.layout.name}" for r in reports)
        raise InputError("汇总", [Problem("", f"各单位的年度或版式不一致，不能相加：{listing}")])
    write_atomic(output, aggregate(reports, base_data).encode("utf-8"))
    notes = []
    if base is None:
        notes.append(f"未给出 --base：机关名称和正文是待填写的占位文字（{TO_FILL}），请填写后再生成")
    return Aggregated(output, len(reports), notes)
