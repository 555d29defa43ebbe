"""Checking a report xxgk did not write: the arithmetic, the text against the tables, dates, years.

Works on a :class:`xxgk.recognise.Reading`.  The arithmetic is the one that guards
xxgk's own reports (:func:`xxgk.compute.compute`, the layout's sums and
identities); cross-year checks reuse :func:`xxgk.checks.compare_with_previous`.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from xxgk import layouts as L
from xxgk.checks import compare_with_previous
from xxgk.compute import Number, add_totals, compute
from xxgk.draft import DRAFT_FOUND
from xxgk.errors import Problem
from xxgk.recognise import Reading, norm
from xxgk.report import Report
from xxgk.text import paragraphs

MIN_PROBLEMS_TEXT = 30  # characters: a 五 shorter than this says nothing
REPEAT_SHARE = 0.5  # assessors flag a text more than half repeated from last year
_SENTENCE = re.compile(r"[^。！？；;!?\n]+[。！？；;!?]?")
_NOTHING = {"无", "无。", "暂无", "暂无。", "没有", "没有。", "/", "-", "—"}


@dataclass
class Review:
    """One report checked: what was read, the errors and the warnings."""

    source: str
    reading: Reading | None
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    cells: dict[str, Number] = field(default_factory=dict)  # every cell, totals computed

    @property
    def ok(self) -> bool:
        return not self.errors


def _sum_text(values: Sequence[Number]) -> str:
    return " + ".join(str(v) for v in values)


def arithmetic(reading: Reading) -> tuple[dict[str, Number], list[Problem]]:
    """Computed cells and the errors of the printed arithmetic (totals, identities, subtotals)."""
    layout = reading.layout
    inputs = reading.input_cells()
    # a cell that could not be read is reported as such, not again as a wrong total or identity
    cells, problems = compute(layout, layout.input_data(inputs), reading.unreadable)
    unknown = set(reading.unreadable)
    add_totals(layout, inputs, unknown)
    stated = reading.stated_totals()
    for s in layout.sums:
        given = stated.get(s.total.key)
        if given is None or given == cells[s.total.key] or s.total.key in unknown:
            continue
        parts = [cells[f.key] for f in s.parts]
        problems.append(
            Problem(
                s.total.place_name,
                f"表中总计为 {given}，但各项之和为 {_sum_text(parts)} = {cells[s.total.key]}",
            )
        )
    for sub in reading.subtotals:
        if any(k in unknown for k in sub.fields):
            continue
        parts = [cells[k] for k in sub.fields if k in cells]
        total = sum(parts)
        if total != sub.stated:
            problems.append(
                Problem(sub.place, f"表中小计为 {sub.stated}，但各项之和为 {_sum_text(parts)} = {total}")
            )
    return cells, problems


def _text(reading: Reading, section: L.Section) -> str:
    return "\n".join(reading.text.get(section.key, []))


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip()]


def text_against_tables(reading: Reading, cells: Mapping[str, Number]) -> list[Problem]:
    """Numbers the text states for the key figures that the tables contradict."""
    out: list[Problem] = []
    for section in L.TEXT_SECTIONS:
        for sentence in _sentences(_text(reading, section)):
            plain = unicodedata.normalize("NFKC", sentence).replace(" ", "")
            for figure, patterns in zip(L.KEY_FIGURES, L.FIGURE_PHRASES, strict=True):
                for pattern in patterns:
                    m = re.search(pattern, plain)
                    if m is None:
                        continue
                    said = int(m.group("n").replace(",", "")) if "n" in m.groupdict() else 0
                    value = sum(cells.get(f.key, 0) for f in figure.fields)
                    if said != value:
                        out.append(
                            Problem(
                                L.text_section_name(section),
                                f"文中 “{sentence}” 写的是 {said}，但表中{figure.name}为 {value}",
                            )
                        )
                    break
    return out


def _deadline(reading: Reading) -> datetime.date | None:
    if reading.year is None:
        return None
    government = reading.agency.endswith(L.GOVERNMENT_SUFFIX)
    month, day = L.DEADLINES[1 if government else 0]
    return datetime.date(reading.year + 1, month, day)


def _national_labels(layout: L.Layout) -> list[Problem]:
    """Where a local layout's labels differ from the national format's cell by cell (same shape)."""
    national = L.LAYOUTS[L.DEFAULT_LAYOUT]
    out = []
    for mine, theirs in zip(layout.tables, national.tables, strict=True):
        if (mine.nrows, mine.ncols) != (theirs.nrows, theirs.ncols):
            continue
        expected = {(c.row, c.col): c.label for c in theirs.cells if c.label}
        for c in mine.cells:
            want = expected.get((c.row, c.col))
            if c.label and want and norm(want) != norm(c.label):
                out.append(Problem(mine.heading, f"与国家格式不同：应为 “{want}”，实为 “{c.label}”"))
    return out


def unfinished(reading: Reading) -> list[Problem]:
    """A draft (its 草稿 line above the title), and each place that still holds 【请填写】."""
    out: list[Problem] = []
    if reading.draft:
        out.append(Problem("标题", f"{DRAFT_FOUND}：“{reading.draft}”"))
    names = {"标题": (reading.agency, reading.title), "落款": (reading.signature_agency,)}
    for place, texts in names.items():
        text = next((t for t in texts if L.TO_FILL_MARK in t), None)
        if text is not None:
            out.append(Problem(place, L.TO_FILL_NAME.format(text)))
    for section in L.SECTIONS:
        if any(L.TO_FILL_MARK in p.replace(" ", "") for p in reading.text.get(section.key, [])):
            out.append(Problem(L.text_section_name(section), L.TO_FILL_LEFT))
    return out


def warnings(reading: Reading, cells: Mapping[str, Number]) -> list[Problem]:
    out: list[Problem] = unfinished(reading)
    layout = reading.layout
    year = reading.year
    first, last = layout.years
    if year is not None and not first <= year <= last:
        if layout.national:
            right = L.national_layout_for(year)
            out.append(
                Problem(
                    "版式",
                    f"{year} 年度报告用的是 {layout.name}（{layout.description}）"
                    + (f"，应使用 {right.name}（{right.description}）" if right else ""),
                )
            )
    if not layout.national:
        out.append(
            Problem("版式", f"表格与国家格式{L.NATIONAL_FORMAT}不同：{layout.description}")
        )
        out += _national_labels(layout)
    if not reading.agency:
        out.append(Problem("标题", "找不到机关名称（标题应为 “<机关>” + “<年度>年" + L.REPORT_NAME + "”）"))
    if year is None:
        out.append(Problem("标题", "找不到报告年度"))
    elif reading.period_year is not None and reading.period_year != year:
        out.append(
            Problem(
                L.PREFACE_NAME,
                f"标题是 {year} 年度，但正文写的统计期限从 {reading.period_year} 年 1 月 1 日起",
            )
        )
    problems_text = _text(reading, L.PROBLEMS).strip()
    name = L.text_section_name(L.PROBLEMS)
    if not problems_text:
        out.append(Problem(name, "内容为空"))
    elif problems_text in _NOTHING:
        out.append(Problem(name, f"只写了 “{problems_text}”：应写明存在的主要问题和改进情况"))
    elif len(norm(problems_text)) < MIN_PROBLEMS_TEXT:
        out.append(Problem(name, f"内容过短（{len(norm(problems_text))} 字）：“{problems_text}”"))
    other = _text(reading, L.OTHER).strip()
    fee_cells = [
        f for e in layout.entries if e.key in L.FEE_ROW_KEYS for f in e.fields
    ]
    charged = sum(cells.get(f.key, 0) for f in fee_cells)
    other_name = L.text_section_name(L.OTHER)
    if charged and (L.FEE_KEYWORD not in other or other in _NOTHING):
        row = next(e for e in layout.entries if e.key in L.FEE_ROW_KEYS)
        out.append(
            Problem(
                other_name,
                f"表三 “{row.place[-1]}” 共 {charged} 件（发出过收费通知），"
                f"但本部分{'只写了 “' + other + '”' if other else '为空'}，未说明{L.FEE_KEYWORD}的收取情况",
            )
        )
    elif L.FEE_KEYWORD not in other:
        out.append(Problem(other_name, f"未提及{L.FEE_KEYWORD}的收取情况"))
    deadline = _deadline(reading)
    if deadline is not None:
        for what, date in (("落款日期", reading.date), ("发布日期", reading.published)):
            if date is not None and date > deadline:
                rule = "人民政府的年度报告" if deadline.month == L.DEADLINES[1][0] else "部门的年度报告"
                out.append(
                    Problem(
                        what,
                        f"{date.year}年{date.month}月{date.day}日 晚于 {deadline.year}年{deadline.month}月"
                        f"{deadline.day}日（条例第五十条：{rule}应在此前公布）",
                    )
                )
    out += text_against_tables(reading, cells)
    return out


def review(reading: Reading) -> Review:
    result = Review(reading.source, reading)
    result.errors += reading.errors
    result.warnings += reading.warnings
    cells, problems = arithmetic(reading)
    result.cells = cells
    result.errors += problems
    result.warnings += warnings(reading, cells)
    return result


# --------------------------------------------------------------------------
# Against last year's report, and a parent against its children
# --------------------------------------------------------------------------


def as_report(reading: Reading, cells: Mapping[str, Number]) -> Report:
    """A :class:`Report` view of a reading, for the checks written for reports."""
    text = {key: paragraphs("\n\n".join(ps)) for key, ps in reading.text.items()}
    return Report(
        source=reading.source,
        layout=reading.layout,
        agency=reading.agency,
        year=reading.year or 0,
        date=reading.date,
        cells=dict(cells),
        text=text,
        data={L.TEXT_KEY: {k: "\n\n".join(v) for k, v in reading.text.items()}},
    )


def _sentences_of(reading: Reading) -> list[str]:
    """The report's sentences worth comparing across years (the standard preface repeats by design)."""
    out = []
    for section in L.TEXT_SECTIONS:
        if section is not L.PREFACE:
            out += [norm(s) for s in _sentences(_text(reading, section))]
    return [s for s in out if len(s) >= 8]


def repeated_share(now: Reading, old: set[str]) -> tuple[float, int]:
    """The share of this year's text (characters) in sentences found word for word last year."""
    mine = _sentences_of(now)
    total = sum(len(s) for s in mine)
    if not total:
        return 0.0, 0
    repeated = sum(len(s) for s in mine if s in old)
    return repeated / total, total


def against_previous(previous: Review) -> Callable[[Review], list[Problem]]:
    """The cross-year check of each report against last year's, which is prepared once."""
    if previous.reading is None:
        return lambda result: []
    before = as_report(previous.reading, previous.cells)
    old = set(_sentences_of(previous.reading))

    def check(result: Review) -> list[Problem]:
        if result.reading is None:
            return []
        out = compare_with_previous(as_report(result.reading, result.cells), before)
        share, total = repeated_share(result.reading, old)
        if share > REPEAT_SHARE:
            out.append(
                Problem(
                    "正文",
                    f"{share:.0%} 的文字（共 {total} 字）与上年报告逐句相同，超过 {REPEAT_SHARE:.0%}",
                )
            )
        return out

    return check


def against_children(
    parent: Review, children: Sequence[Review], own: Mapping[str, Number] | None = None
) -> list[Problem]:
    """Each input cell of the parent against the sum of the children's (and the parent's own)."""
    out: list[Problem] = []
    if parent.reading is None:
        return out
    layout = parent.reading.layout
    usable = [c for c in children if c.reading is not None]
    missing = [c.source for c in children if c.reading is None]
    if missing:
        out.append(Problem("下级报告", f"{len(missing)} 份无法读取，未计入合计：{'、'.join(missing)}"))
    other = [c.source for c in usable if c.reading is not None and c.reading.layout.name != layout.name]
    for f in layout.input_fields:
        parts: list[tuple[str, Number]] = []
        for c in usable:
            assert c.reading is not None
            parts.append((c.reading.agency or c.source, c.cells.get(f.key, 0)))
        if own is not None:
            parts.append(("本级", own.get(f.key, 0)))
        total = sum((v for _, v in parts), start=Decimal(0) if f.kind is L.Kind.AMOUNT else 0)
        mine = parent.cells.get(f.key, 0)
        if mine != total:
            shown = " + ".join(f"{name} {v}" for name, v in parts if v) or "0"
            out.append(Problem(f.place_name, f"本报告为 {mine}，下级报告之和为 {shown} = {total}"))
    if other:
        names = "、".join(other)
        out.append(Problem("版式", f"这些下级报告的版式与本报告不同，对不上的单元格按 0 计：{names}"))
    return out
