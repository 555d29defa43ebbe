"""From input data to a checked report: derived totals, identities, warnings."""

from __future__ import annotations

import datetime
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from xxgk import layouts as L
from xxgk import model as M
from xxgk.errors import InputError, Problem
from xxgk.skeleton import TO_FILL, TO_FILL_MARK
from xxgk.sources import display_name, read_data, read_option_file
from xxgk.text import Paragraph, illegal_characters, paragraphs, render_placeholders

Number = int | Decimal


@dataclass
class Report:
    """One agency's checked report: every cell value, the text, the warnings."""

    source: str
    layout: L.Layout
    agency: str
    year: int
    date: datetime.date | None
    cells: dict[str, Number]  # every data cell (inputs and totals) by field key
    text: dict[str, list[Paragraph]]
    warnings: list[Problem] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)  # the validated input, as plain data

    @property
    def output_name(self) -> str:
        return output_name(self.year, self.agency)


MAX_NAME_BYTES = 240  # file systems allow 255 bytes for a name
MAX_AGENCY = 60  # characters of an agency's full name


def output_name(year: int, agency: str) -> str:
    """``<year>年<agency>政府信息公开工作年度报告.docx``, safe as a file name everywhere."""
    head, tail = f"{year}年", f"{L.REPORT_NAME}.docx"
    room = MAX_NAME_BYTES - len((head + tail).encode("utf-8"))
    name = safe_filename(agency).encode("utf-8")[:room].decode("utf-8", "ignore")
    return f"{head}{name}{tail}"


_RESERVED = set('<>:"/\\|?*')


def safe_filename(name: str) -> str:
    cleaned = "".join("_" if (ch in _RESERVED or ord(ch) < 32) else ch for ch in name)
    cleaned = cleaned.strip(" .")
    while ".." in cleaned:
        cleaned = cleaned.replace("..", ".")
    return cleaned or "_"


def deep_merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """``over`` wins; tables merge key by key."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


# --------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------

DEFAULTS_KEYS = ("year", "layout", "date", L.TEXT_KEY)


def read_defaults(path: Path) -> dict[str, Any]:
    """Shared values for many agencies: year, layout, date and text, nothing else."""
    option = "--defaults"
    data = read_option_file(option, path)
    source = f"{option} {path}"
    allowed = "、".join(DEFAULTS_KEYS)
    problems = [
        Problem(
            "",
            f"共用值文件只能写 {allowed}；“{key}” 是各单位自己的内容，应写在各单位的文件中",
        )
        for key in data
        if key not in DEFAULTS_KEYS
    ]
    layout = data.get("layout", L.DEFAULT_LAYOUT)
    if not isinstance(layout, str) or layout not in L.LAYOUTS:
        problems.append(Problem(M.META_PLACES["layout"], f"没有名为 “{layout}” 的版式"))
    else:  # check the types here, so that errors name this file and not every unit
        shared = {k: v for k, v in data.items() if k in DEFAULTS_KEYS}
        problems += M.validate(layout, {"agency": "-", "year": M.MIN_YEAR, **shared})[1]
    if problems:
        raise InputError(source, problems)
    return data



def load(
    path: Path,
    *,
    defaults: Mapping[str, Any] | None = None,
    previous: Path | None = None,
) -> Report:
    """Read, validate, compute and check one input file.  Raises InputError."""
    data, notes = read_data(path)
    if defaults:
        data = deep_merge(defaults, data)
    try:
        report = build(display_name(path), data)
    except InputError as exc:
        names = ("_defaults.toml", "_defaults.json")
        shared = [p for p in (path.parent / name for name in names) if p.is_file()]
        if defaults is None and shared:
            hint = f"同一文件夹中有 {shared[0].name}：如果共用值写在那里，请加 --defaults {shared[0]}"
            exc.problems.append(Problem("", hint))
        raise
    report.warnings[:0] = notes
    if previous is not None:
        try:
            last_year = load(previous, defaults=defaults)
        except InputError as exc:
            raise InputError(f"--previous {previous}（上年输入）", exc.problems) from None
        report.warnings += compare_with_previous(report, last_year)
    return report


def build(source: str, data: Mapping[str, Any]) -> Report:
    """Validate and compute a report from plain data.  Raises InputError."""
    layout_name = data.get("layout", L.DEFAULT_LAYOUT)
    if not isinstance(layout_name, str) or layout_name not in L.LAYOUTS:
        known = "、".join(f"{n}（{lay.description}）" for n, lay in L.LAYOUTS.items())
        raise InputError(
            source,
            [Problem(M.META_PLACES["layout"], f"没有名为 “{layout_name}” 的版式；可用的版式：{known}")],
        )
    layout = L.LAYOUTS[layout_name]
    validated, problems = M.validate(layout_name, dict(data))
    if validated is None:
        raise InputError(source, problems)
    plain = validated.model_dump()
    problems = []
    agency = plain["agency"].strip()
    if not agency:
        problems.append(Problem(M.META_PLACES["agency"], "不能为空"))
    elif "\n" in agency or "\r" in agency:
        problems.append(Problem(M.META_PLACES["agency"], "应为一行文字，不能换行"))
    elif (bad := illegal_characters(agency)) is not None:
        problems.append(Problem(M.META_PLACES["agency"], bad))
    elif (fmt := next((ch for ch in agency if unicodedata.category(ch) == "Cf"), None)) is not None:
        problems.append(
            Problem(
                M.META_PLACES["agency"],
                f"含有不可见的格式字符 U+{ord(fmt):04X}（多由复制粘贴带入），请删除",
            )
        )
    elif len(agency) > MAX_AGENCY:
        problems.append(Problem(M.META_PLACES["agency"], f"过长（{len(agency)} 字，最多 {MAX_AGENCY} 字）"))

    cells, cell_problems = compute(layout, plain)
    problems += cell_problems
    year = plain["year"]
    view: dict[str, Any] | None = None  # built only when some text quotes the data
    notes: list[Problem] = []
    text: dict[str, list[Paragraph]] = {}
    for section in L.TEXT_SECTIONS:
        raw = plain[L.TEXT_KEY].get(section.key)
        name = L.text_section_name(section)
        if raw is None:
            if section is L.PREFACE:  # generated: the agency's name is text, not a template
                text[section.key] = paragraphs(L.DEFAULT_PREFACE.format(agency=agency, year=year))
                continue
            raw = ""
        if (bad := illegal_characters(raw)) is not None:
            problems.append(Problem(name, bad))
            continue
        if view is None and ("{" in raw or "}" in raw):
            view = placeholder_data(layout, cells, agency, year)
        rendered, error = render_placeholders(raw, view or {})
        if error is not None or rendered is None:
            problems.append(Problem(name, error or ""))
            continue
        if (bad := illegal_characters(rendered)) is not None:
            problems.append(Problem(name, bad))
            continue
        paras = paragraphs(rendered)
        if paras and section.heading and paras[0].text.replace(" ", "") == section.heading:
            paras = paras[1:]  # the heading pasted with the text: the document has it already
            notes.append(Problem(name, "正文第一行与标题相同（多为连同标题一起粘贴），已略去这一行"))
        text[section.key] = paras
    if problems:
        raise InputError(source, problems)
    report = Report(
        source=source,
        layout=layout,
        agency=agency,
        year=year,
        date=plain["date"],
        cells=cells,
        text=text,
        data=plain,
    )
    report.warnings = notes + warnings(report)
    return report


# --------------------------------------------------------------------------
# Arithmetic
# --------------------------------------------------------------------------


def _get(data: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = data
    for key in path:
        node = node[key]
    return node


def compute(layout: L.Layout, data: Mapping[str, Any]) -> tuple[dict[str, Number], list[Problem]]:
    """Every cell value, totals computed; stated totals and identities checked."""
    cells: dict[str, Number] = {}
    problems: list[Problem] = []

    for block, item in layout.proactive_items():
        for column in block.columns:
            path = (L.PROACTIVE.key, item.key, column.key)
            cells[".".join(path)] = _get(data, path)

    outcome_sums = [0] * len(L.APPLICANT_COLUMNS)
    for rr in L.INPUT_REQUEST_ROWS:
        values: list[int] = _get(data, rr.path)
        numbers = values[: len(L.APPLICANT_COLUMNS)]
        total = sum(numbers)
        if len(values) > len(numbers) and values[-1] != total:
            problem = _total_mismatch(rr.field(L.TOTAL_COLUMN), values[-1], numbers)
            hint = (
                f"（第 {len(L.APPLICANT_COLUMNS) + 1} 个数是总计；"
                "如果数字里用了千位分隔符，如 1,234，请去掉逗号）"
            )
            problems.append(Problem(problem.place, problem.message + hint))
        for column, value in zip(L.REQUEST_COLUMNS, numbers + [total], strict=True):
            cells[rr.field(column).key] = value
        if rr in L.OUTCOME_ROWS:
            outcome_sums = [a + b for a, b in zip(outcome_sums, numbers, strict=True)]
    total_row = L.OUTCOME_TOTAL_ROW
    for column, value in zip(L.REQUEST_COLUMNS, outcome_sums + [sum(outcome_sums)], strict=True):
        cells[total_row.field(column).key] = value

    received, carried_over, carried_forward = L.RECEIVED_ROW, L.CARRIED_OVER_ROW, L.CARRIED_FORWARD_ROW
    for column in L.APPLICANT_COLUMNS:
        a = cells[received.field(column).key]
        b = cells[carried_over.field(column).key]
        c = cells[total_row.field(column).key]
        d = cells[carried_forward.field(column).key]
        if a + b != c + d:
            place = " / ".join((L.REQUESTS.heading or "",) + L.column_place(column))
            problems.append(
                Problem(
                    place,
                    f"勾稽关系不成立：{L.RECEIVED.label} {a} + {L.CARRIED_OVER.label} {b} = {a + b}，"
                    f"但{L.OUTCOME_TOTAL.label} {c} + {L.CARRIED_FORWARD.label} {d} = {c + d}，"
                    f"相差 {abs(a + b - c - d)}",
                )
            )

    for group in L.APPEAL_GROUPS:
        numbers = [_get(data, (L.APPEALS.key, group.key, c.key)) for c in L.APPEAL_COLUMNS]
        for column, value in zip(L.APPEAL_COLUMNS, numbers, strict=True):
            cells[group.field(column).key] = value
        total_field = group.field(L.TOTAL_COLUMN)
        cells[total_field.key] = sum(numbers)
        stated = _get(data, (L.APPEALS.key, group.key, L.TOTAL_COLUMN.key))
        if stated is not None and stated != sum(numbers):
            problems.append(_total_mismatch(total_field, stated, numbers))
    return cells, problems


def _total_mismatch(f: L.Field, stated: int, numbers: list[int]) -> Problem:
    parts = " + ".join(str(n) for n in numbers)
    return Problem(f.place_name, f"填写的总计为 {stated}，但各项之和为 {parts} = {sum(numbers)}")


def format_number(value: Number) -> str:
    """As the cell shows it: amounts as written (at most two decimals)."""
    if isinstance(value, Decimal):
        return format(value, "f")  # 7730.20 and 100.0 as written; a whole number without point
    return str(value)


def nested(cells: Mapping[str, Any]) -> dict[str, Any]:
    """Dotted keys → nested dicts."""
    out: dict[str, Any] = {}
    for key, value in cells.items():
        node = out
        *parents, last = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    return out


def group_totals(cells: Mapping[str, Number]) -> dict[str, int]:
    """Column sums of each outcome group (（三）…（六）), for placeholders and summaries."""
    out: dict[str, int] = {}
    for entry in L.OUTCOMES:
        if isinstance(entry, L.Group):
            base = (L.REQUESTS.key, L.OUTCOME_KEY, entry.key)
            for column in L.REQUEST_COLUMNS:
                out[".".join(base + (L.OUTCOME_TOTAL.key, column.key))] = sum(
                    int(cells[".".join(base + (row.key, column.key))]) for row in entry.rows
                )
    return out


def placeholder_data(
    layout: L.Layout, cells: Mapping[str, Number], agency: str, year: int
) -> dict[str, Any]:
    """What text placeholders may read: the cells by their keys, plus agency and year."""
    values: dict[str, Any] = dict(cells)  # amounts stay Decimal: placeholders may compute
    values.update(group_totals(cells))
    data = {k: _namespace(v) for k, v in nested(values).items()}
    data.update(agency=agency, year=year)
    return data


def _namespace(node: Any) -> Any:
    if isinstance(node, dict):
        return SimpleNamespace(**{k: _namespace(v) for k, v in node.items()})
    return node


# --------------------------------------------------------------------------
# Warnings
# --------------------------------------------------------------------------


def warnings(report: Report) -> list[Problem]:
    out = []
    layout = report.layout
    if not layout.national:
        out.append(
            Problem(
                M.META_PLACES["layout"],
                f"版式 {layout.name} 与国家格式{L.NATIONAL_FORMAT}不同（{layout.description}）；"
                f"如无特别要求，请使用 {L.DEFAULT_LAYOUT}",
            )
        )
    elif report.year < L.NATIONAL_FROM_YEAR:
        out.append(
            Problem(
                M.META_PLACES["year"],
                f"{report.year} 年度报告适用 2019 年试行格式，本工具按 2021 年国家格式生成",
            )
        )
    if TO_FILL_MARK in report.agency:
        out.append(Problem(M.META_PLACES["agency"], f"仍是待填写的占位文字 “{report.agency}”"))
    for section in L.TEXT_SECTIONS:
        name = L.text_section_name(section)
        content = "".join(p.text for p in report.text.get(section.key, []))
        if section is L.PREFACE and report.data[L.TEXT_KEY].get(section.key) is None:
            continue  # generated
        if TO_FILL_MARK in content:
            out.append(Problem(name, f"仍有待填写的内容（{TO_FILL}）"))
        elif not content.strip("…. 　"):
            out.append(Problem(name, "内容为空，请填写"))
    for section in L.TEXT_SECTIONS:
        raw = report.data[L.TEXT_KEY].get(section.key) or ""
        if "｛｛" in raw or "｝｝" in raw:
            out.append(
                Problem(
                    L.text_section_name(section),
                    "有全角的 “｛｛” 或 “｝｝”：占位符要用半角（英文）花括号，如 {{ year }}",
                )
            )
    today = datetime.date.today()
    if report.year >= today.year:
        out.append(Problem(M.META_PLACES["year"], f"{report.year} 年度尚未结束，请确认报告年度"))
    if report.date is not None and report.date.year > report.year + 1:
        out.append(
            Problem(
                M.META_PLACES["date"],
                f"{report.date.isoformat()} 晚于 {report.year + 1} 年：报告应在次年 1 月 31 日"
                "（部门）或 3 月 31 日（地方政府）前发布，请确认日期",
            )
        )
    if report.date is not None and report.date <= datetime.date(report.year, 12, 31):
        out.append(
            Problem(
                M.META_PLACES["date"],
                f"{report.date.isoformat()} 早于 {report.year} 年度结束，落款日期通常在次年 1 月",
            )
        )
    other = "".join(p.text for p in report.text.get(L.OTHER.key, []))
    if L.FEE_KEYWORD not in other:
        out.append(
            Problem(
                L.OTHER.heading or "",
                f"未提及{L.FEE_KEYWORD}（应说明按《政府信息公开信息处理费管理办法》收取{L.FEE_KEYWORD}的情况）",
            )
        )
    return out


def compare_with_previous(report: Report, previous: Report) -> list[Problem]:
    """Cross-year checks against last year's input (warnings)."""
    out = []
    if previous.agency != report.agency:
        out.append(
            Problem(M.META_PLACES["agency"], f"与上年报告的机关名称 “{previous.agency}” 不同")
        )
    if previous.year != report.year - 1:
        out.append(
            Problem(
                M.META_PLACES["year"],
                f"--previous 给出的上年输入 {previous.source} 是 {previous.year} 年度，"
                f"本报告是 {report.year} 年度，上年应为 {report.year - 1} 年度",
            )
        )
    carried_over, carried_forward = L.CARRIED_OVER_ROW, L.CARRIED_FORWARD_ROW
    for column in L.APPLICANT_COLUMNS:
        now = report.cells[carried_over.field(column).key]
        then = previous.cells[carried_forward.field(column).key]
        if now != then:
            out.append(
                Problem(
                    carried_over.field(column).place_name,
                    f"为 {now}，但上年报告的 “{carried_forward.place_name}” 为 {then}",
                )
            )
    block = report.layout.blocks[0]
    for item in block.items:
        issued, repealed, in_force = (
            report.cells[f"{L.PROACTIVE.key}.{item.key}.{c.key}"] for c in block.columns
        )
        before = previous.cells.get(f"{L.PROACTIVE.key}.{item.key}.{L.IN_FORCE.key}")
        if before is not None and in_force != before + issued - repealed:
            expected = before + issued - repealed
            out.append(
                Problem(
                    f"{block.heading} / {item.label} / {L.IN_FORCE.label}",
                    f"为 {in_force}，但上年 {before} + {L.ISSUED.label} {issued}"
                    f" − {L.REPEALED.label} {repealed} = {expected}",
                )
            )
    return out

