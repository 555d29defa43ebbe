"""The load pipeline: input file → validated data → computed and checked :class:`Report`."""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xxgk import layouts as L
from xxgk import model as M
from xxgk.checks import agency_problems, compare_with_previous, warnings
from xxgk.compute import Number, compute, placeholder_data
from xxgk.errors import InputError, Problem
from xxgk.files import output_name
from xxgk.inputs import read_data, read_option_file
from xxgk.text import Paragraph, illegal_characters, paragraphs, render_placeholders


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

DEFAULTS_KEYS = ("year", "layout", "date", "fonts", L.TEXT_KEY)


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
    previous: Path | Report | None = None,
) -> Report:
    """Read, validate, compute and check one input file.  Raises InputError.

    ``previous`` is last year's input file, or last year's report already read.
    """
    data, notes = read_data(path)
    lines: dict[tuple[str, ...], tuple[int, bool]] = getattr(data, "lines", {})  # where texts start
    data = dict(data)  # a plain dict: validation takes a slower path for a subclass
    if defaults:
        data = deep_merge(defaults, data)
    try:
        report = build(str(path), data, lines)
    except InputError as exc:
        names = ("_defaults.toml", "_defaults.json")
        shared = [p for p in (path.parent / name for name in names) if p.is_file()]
        if defaults is None and shared:
            hint = f"同一文件夹中有 {shared[0].name}：如果共用值写在那里，请加 --defaults {shared[0]}"
            exc.problems.append(Problem("", hint))
        partial: Report | None = exc.partial
        if partial is not None:  # the cross-year hints too, so that one round shows everything
            exc.warnings[:0] = notes
            exc.warnings += _cross_year(partial, previous, defaults)
        raise
    report.warnings[:0] = notes
    report.warnings += _cross_year(report, previous, defaults)
    return report


def _cross_year(
    report: Report, previous: Path | Report | None, defaults: Mapping[str, Any] | None
) -> list[Problem]:
    if isinstance(previous, Report):
        return compare_with_previous(report, previous)
    if previous is None:
        return []
    try:
        last_year = load(previous, defaults=defaults)
    except InputError as exc:
        raise InputError(f"--previous {previous}（上年输入）", exc.problems) from None
    return compare_with_previous(report, last_year)


def _file_lines(message: str, where: tuple[int, bool] | None) -> str:
    """“本部分文字第 N 行” → the line of the file, when the text's place there is known."""
    if where is None:
        return message
    first, multiline = where

    def line(m: re.Match[str]) -> str:
        n = int(m.group(1))
        if multiline or n == 1:
            return f"文件第 {first + n - 1} 行"
        return f"文件第 {first} 行（这段文字的第 {n} 行）"

    if not multiline:  # a one-line string: count the character inside its quotes
        inside = rf"文件第 {first} 行引号内第 \1 个字符"
        message = re.sub(r"本部分文字第 1 行第 (\d+) 个字符", inside, message)
    return re.sub(r"本部分文字第 (\d+) 行", line, message)


def build(
    source: str, data: Mapping[str, Any], lines: Mapping[tuple[str, ...], tuple[int, bool]] | None = None
) -> Report:
    """Validate and compute a report from plain data.  Raises InputError.

    ``lines`` (from the reader) gives the file line where each text starts, so that a
    problem in a text names the line of the file; without it, the line within the text.
    """
    layout_name = data.get("layout", L.DEFAULT_LAYOUT)
    if not isinstance(layout_name, str) or layout_name not in L.LAYOUTS:
        known = "、".join(f"{n}（{lay.description}）" for n, lay in L.LAYOUTS.items())
        raise InputError(
            source,
            [Problem(M.META_PLACES["layout"], f"没有名为 “{layout_name}” 的版式；可用的版式：{known}")],
        )
    layout = L.LAYOUTS[layout_name]
    # a broken entry does not hide the checks of the others: they are made without it
    validated, problems, broken_cells, broken_meta = M.validate_leniently(layout_name, dict(data))
    if validated is None:
        raise InputError(source, problems)
    plain = validated.model_dump()
    agency = plain["agency"].strip()
    if ("agency",) not in broken_meta:
        where = (lines or {}).get(("agency",))
        problems += [Problem(p.place, _file_lines(p.message, where)) for p in agency_problems(agency)]
    cells, cell_problems = compute(layout, plain, broken_cells)
    problems += cell_problems
    year = plain["year"]
    view: dict[str, Any] | None = None  # built only when some text quotes the data
    notes: list[Problem] = []
    text: dict[str, list[Paragraph]] = {}
    arithmetic = len(problems)  # the problems so far; those of the texts follow
    for section in L.TEXT_SECTIONS:
        if {(L.TEXT_KEY,), (L.TEXT_KEY, section.key)} & broken_meta:
            continue  # reported as it is
        raw = plain[L.TEXT_KEY].get(section.key)
        name = L.text_section_name(section)
        first = (lines or {}).get((L.TEXT_KEY, section.key))
        if raw is None:
            if section is L.PREFACE:  # generated: the agency's name is text, not a template
                preface = L.DEFAULT_PREFACE.format(format=layout.format_title, agency=agency, year=year)
                text[section.key] = paragraphs(preface)
                continue
            raw = ""
        if (bad := illegal_characters(raw)) is not None:
            problems.append(Problem(name, _file_lines(bad, first)))
            continue
        if view is None and ("{" in raw or "}" in raw):
            view = placeholder_data(layout, cells, agency, year)
        rendered, errors = render_placeholders(raw, view or {})
        if errors or rendered is None:
            problems += [Problem(name, _file_lines(error, first)) for error in errors]
            continue
        if (bad := illegal_characters(rendered)) is not None:
            problems.append(Problem(name, bad))
            continue
        paras = paragraphs(rendered)
        if paras and section.heading and paras[0].text.replace(" ", "") == section.heading:
            paras = paras[1:]  # the heading pasted with the text: the document has it already
            notes.append(Problem(name, "正文第一行与标题相同（多为连同标题一起粘贴），已略去这一行"))
        text[section.key] = paras
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
    if problems:  # the hints that do not depend on a broken part are given with the errors
        error = InputError(source, problems)
        if not broken_cells and not broken_meta and len(problems) == arithmetic:
            error.warnings = notes + warnings(report)
            error.partial = report
        raise error
    report.warnings = notes + warnings(report)
    return report
