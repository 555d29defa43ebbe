"""Reports that already exist: check many, extract one into an input, start next year from last year.

``xxgk check``, ``xxgk extract`` and ``xxgk init --from`` are built here on the
readers (:mod:`xxgk.documents`), the recogniser and the checks (:mod:`xxgk.review`).
Checking many files runs in the process pool of :mod:`xxgk.pool`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from xxgk import layouts as L
from xxgk.compute import Number
from xxgk.documents import DOCUMENT_KINDS, DOCUMENT_SUFFIXES, read_document
from xxgk.errors import InputError, Problem, XxgkError
from xxgk.files import each_once
from xxgk.inputs import LOCK_PREFIX
from xxgk.recognise import Reading, recognise
from xxgk.report import Report, load
from xxgk.review import Review, against_children, against_previous, as_report, review

REWRITE_NOTE = f"{L.TO_FILL}以下是上年的文字，请按本年情况改写，改好后删去本段。"


def is_document(path: Path) -> bool:
    return path.suffix.lower() in DOCUMENT_SUFFIXES


def read_reading(path: Path) -> Reading:
    """A report document → what it says (raises InputError when it cannot be read)."""
    return recognise(read_document(path))


def check_one(path: Path) -> Review:
    """Read and check one report; a file that cannot be read gives a Review with that error."""
    try:
        return review(read_reading(path))
    except InputError as exc:
        return Review(str(path), None, errors=exc.problems)
    except XxgkError as exc:
        return Review(str(path), None, errors=[Problem("", str(exc))])
    except Exception as exc:  # a file that trips a reader: it fails alone, the others are checked
        message = f"读取时出错（xxgk 内部错误 {type(exc).__name__}: {exc}），请把这个文件反馈给维护者"
        return Review(str(path), None, errors=[Problem("", message)])


def expand_reports(items: list[Path]) -> list[Path]:
    """Files as given; a folder stands for the report documents in it (and its subfolders), sorted."""
    out: list[Path] = []
    for item in items:
        if item.is_dir():
            out += sorted(
                p
                for p in item.rglob("*")
                if p.suffix.lower() in DOCUMENT_SUFFIXES
                and not p.name.startswith((LOCK_PREFIX, "."))  # Word's lock files, hidden files
                and p.is_file()
            )
        else:
            out.append(item)
    return each_once(out)


@dataclass
class CheckRun:
    """Every report checked, and the cross-report findings."""

    reviews: list[Review] = field(default_factory=list)
    parent: Review | None = None

    @property
    def failed(self) -> int:
        return sum(1 for r in self.all if r.errors)

    @property
    def all(self) -> list[Review]:
        return self.reviews + ([self.parent] if self.parent is not None else [])


def _crashed(path: Path, exc: BaseException) -> Review:
    return Review(str(path), None, errors=[Problem("", f"读取时处理进程异常退出（{type(exc).__name__}）")])


def check_reports(
    items: list[Path],
    *,
    previous: Path | None = None,
    parent: Path | None = None,
    own: Path | None = None,
    jobs: int | None = None,
    on_result: Callable[[Review], None] | None = None,
) -> CheckRun:
    """Check report documents (files or folders); ``parent`` is checked against their sum."""
    from xxgk.pool import run_all

    paths = expand_reports(items)
    skip = {p.resolve() for p in (previous, parent, own) if p is not None}
    paths = [p for p in paths if p.resolve() not in skip]
    if not paths and parent is None:
        message = f"没有找到报告文件（{DOCUMENT_KINDS}）"
        raise InputError(" ".join(str(i) for i in items), [Problem("", message)])
    results: list[Review | None] = [None] * len(paths)

    def done(i: int, result: Review) -> None:
        results[i] = result
        if on_result is not None:
            on_result(result)

    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    run_all(check_one, paths, jobs=workers, done=done, crashed=_crashed)
    run = CheckRun([r for r in results if r is not None])
    if previous is not None:
        check = against_previous(_previous_review(previous))
        for r in run.reviews:
            r.warnings += check(r)
    if parent is not None:
        run.parent = check_one(parent)
        own_cells = _own_cells(own) if own is not None else None
        if run.parent.reading is not None:
            run.parent.errors += against_children(run.parent, run.reviews, own_cells)
    return run


def read_checked(path: Path, label: str | None = None) -> tuple[Review, Reading]:
    """A report document read and checked, and its reading; one that cannot be read raises
    InputError (named ``label``)."""
    result = check_one(path)
    if result.reading is None:
        raise InputError(label or str(path), result.errors)
    return result, result.reading


def _previous_review(path: Path) -> Review:
    option = f"--previous {path}"
    if is_document(path):
        return read_checked(path, option)[0]
    try:
        report = load(path)
    except InputError as exc:
        raise InputError(option, exc.problems) from None
    return _review_of_report(report)


def _review_of_report(report: Report) -> Review:
    reading = Reading(report.source, "input", report.layout, agency=report.agency, year=report.year)
    reading.text = {k: [p.text for p in v] for k, v in report.text.items()}
    return Review(report.source, reading, cells=dict(report.cells))


def _own_cells(path: Path) -> dict[str, Number]:
    try:
        return dict(previous_report(path).cells)
    except InputError as exc:
        raise InputError(f"--own {path}", exc.problems) from None


def previous_report(path: Path) -> Report:
    """Last year's report from any readable format, for ``--previous`` of validate and render."""
    if not is_document(path):
        return load(path)
    result, reading = read_checked(path)
    return as_report(reading, result.cells)


# --------------------------------------------------------------------------
# extract and init --from
# --------------------------------------------------------------------------


@dataclass
class Extracted:
    text: str  # the input file
    layout: str
    agency: str
    year: int
    notes: list[Problem] = field(default_factory=list)


def _numbers(layout: L.Layout, cells: Mapping[str, Number]) -> dict[str, Any]:
    out: dict[str, Number] = {}
    for f in layout.input_fields:
        value = cells.get(f.key, 0)
        if f.kind is L.Kind.AMOUNT and not isinstance(value, Decimal):
            value = Decimal(value)
        out[f.key] = value
    return layout.input_data(out)


def extract(path: Path) -> Extracted:
    """A report document → an xxgk input with every number and the texts."""
    from xxgk.formats.toml_writer import input_toml

    result, reading = read_checked(path)
    unreadable = [p for p in reading.errors]
    if reading.year is None:
        unreadable.append(Problem("标题", "找不到报告年度"))
    if not reading.agency:
        unreadable.append(Problem("标题", "找不到机关名称"))
    if unreadable:
        raise InputError(str(path), unreadable)
    texts = {s.key: "\n\n".join(reading.text.get(s.key, [])) for s in L.TEXT_SECTIONS}
    text = input_toml(
        reading.layout.name,
        agency=reading.agency,
        year=reading.year or 0,
        date=reading.date,
        text={k: _escape(v) for k, v in texts.items()},
        data=_numbers(reading.layout, reading.input_cells()),
        title=f"由 {path.name} 提取",
    )
    notes = list(reading.warnings) + [
        Problem(p.place, p.message + "（提取的输入中总计由 xxgk 重新计算）") for p in result.errors
    ]
    return Extracted(text, reading.layout.name, reading.agency, reading.year or 0, notes)


def _escape(text: str) -> str:
    """Braces in a report's text are text, not placeholders."""
    return text.replace("{{", "{ {").replace("}}", "} }").replace("{%", "{ %").replace("%}", "% }")


def init_from(path: Path) -> Extracted:
    """Next year's input from last year's report or input."""
    from xxgk.formats.toml_writer import input_toml

    if is_document(path):
        result, reading = read_checked(path)
        if reading.year is None or not reading.agency:
            raise InputError(str(path), [Problem("标题", "找不到机关名称或报告年度")])
        layout, agency, year, cells = reading.layout, reading.agency, reading.year, result.cells
        texts = {s.key: "\n\n".join(reading.text.get(s.key, [])) for s in L.TEXT_SECTIONS}
        notes = list(reading.errors)
    else:
        report = load(path)
        layout, agency, year, cells = report.layout, report.agency, report.year, report.cells
        raw = report.data.get(L.TEXT_KEY, {})
        texts = {s.key: raw.get(s.key) or "" for s in L.TEXT_SECTIONS}
        notes = []
    year += 1
    if not layout.years[0] <= year <= layout.years[1]:
        notes.append(Problem("版式", f"{layout.name} 不适用于 {year} 年度，已改为 {L.DEFAULT_LAYOUT}"))
        layout = L.LAYOUTS[L.DEFAULT_LAYOUT]
    numbers: dict[str, Number] = {f.key: 0 for f in layout.input_fields}
    for carry in layout.carries:
        if carry.before.key in cells:
            numbers[carry.now.key] = cells[carry.before.key]
    for identity in layout.identities:  # nothing new, nothing done yet: all still carried forward
        left = sum(numbers.get(t.field.key, 0) for t in identity.left)
        right = sum(numbers.get(t.field.key, 0) for t in identity.right)
        last = identity.right[-1].field.key
        if left != right and last in numbers:
            numbers[last] += left - right
    new_texts: dict[str, str | None] = {}
    for section in L.TEXT_SECTIONS:
        old = texts.get(section.key) or ""
        if section is L.PREFACE:
            new_texts[section.key] = _next_year(old, year) if old and "{" not in old else None
        else:
            new_texts[section.key] = REWRITE_NOTE + "\n\n" + old if old.strip() else L.TO_FILL
    text = input_toml(
        layout.name,
        agency=agency,
        year=year,
        date=None,
        text=new_texts,
        data=_numbers(layout, numbers),
        title=f"{year}年{L.REPORT_NAME}（由 {path.name} 生成：上年结转、现行有效件数已带入，其余数字请填写）",
    )
    return Extracted(text, layout.name, agency, year, notes)


def _next_year(text: str, year: int) -> str:
    return re.sub(rf"{year - 1}(?=\s*年)", str(year), text)
