"""Collecting numbers from units: fill-in workbooks for a list of units, pre-filled.

A parent office lists its units in a CSV file (name, optional short file name);
each unit gets a workbook (:mod:`xxgk.formats.xlsx_writer`) with its name, the
year, and what the layout carries over from last year (``layout.carries``, e.g.
二、上年结转 ← last year's 四、结转下年度继续办理) taken from last year's inputs,
matched by agency name.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xxgk import layouts as L
from xxgk import model as M
from xxgk.errors import InputError, OutputError, Problem, XxgkError
from xxgk.files import Refused, read_limited, safe_filename, write_atomic
from xxgk.formats.xlsx_common import normalise
from xxgk.inputs import expand_inputs, read_data

MAX_UNITS_BYTES = 1024 * 1024
MAX_UNITS = 2000
UNITS_HEADER = {"单位", "单位名称", "名称", "机关", "机关名称", "机关全称", "agency"}
WORKBOOK_SUFFIX = ".xlsx"


@dataclass(frozen=True)
class Unit:
    name: str
    file: str  # file name without the suffix


@dataclass
class UnitWorkbook:
    unit: Unit
    path: Path
    previous: Path | None = None  # last year's input the carries came from


@dataclass
class UnitWorkbooks:
    written: list[UnitWorkbook] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)


def read_units(path: Path) -> list[Unit]:
    """The list of units: one a line, ``名称[,短文件名]``; UTF-8 (with or without BOM) or GBK."""
    source = f"--units {path}"

    def fail(message: str, place: str = "") -> InputError:
        return InputError(source, [Problem(place, message)])

    if path.is_dir():
        raise fail("应为一个 .csv 文件（每行一个单位名称，可加一列短文件名）")
    try:  # a regular file, never more than the limit: a FIFO or a device is refused
        raw = read_limited(path, MAX_UNITS_BYTES, "单位名单")
    except Refused as exc:
        raise fail(str(exc)) from None
    if raw.startswith(b"PK") or raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise fail("这是 Excel 文件；请在 Excel 中 另存为 “CSV UTF-8（逗号分隔）”")
    for codec in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(codec)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any bytes
        raise fail("文件编码无法识别；请保存为 UTF-8")
    units: list[Unit] = []
    problems: list[Problem] = []
    seen_names: dict[str, int] = {}
    seen_files: dict[str, int] = {}
    rows = list(csv.reader(io.StringIO(text)))
    for number, row in enumerate(rows, 1):
        cells = [c.strip() for c in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if not units and not problems and normalise(cells[0]) in UNITS_HEADER:
            continue  # a header row
        name = cells[0]
        place = f"第 {number} 行"
        if not name:
            problems.append(Problem(place, "单位名称为空"))
            continue
        short = cells[1] if len(cells) > 1 and cells[1] else name
        short = safe_filename(short.removesuffix(WORKBOOK_SUFFIX))
        key = normalise(name)
        if key in seen_names:
            problems.append(Problem(place, f"单位 “{name}” 与第 {seen_names[key]} 行重复"))
            continue
        if short.casefold() in seen_files:
            first = seen_files[short.casefold()]
            problems.append(Problem(place, f"文件名 “{short}” 与第 {first} 行相同，请给出不同的短名"))
            continue
        seen_names[key] = number
        seen_files[short.casefold()] = number
        units.append(Unit(name, short))
    if not units and not problems:
        problems.append(Problem("", "名单中没有单位（每行写一个单位名称）"))
    if len(units) > MAX_UNITS:
        problems.append(Problem("", f"单位过多（{len(units)} 个，最多 {MAX_UNITS} 个）"))
    if problems:
        raise InputError(source, problems)
    return units


def last_year(folder: Path, notes: list[Problem]) -> dict[str, tuple[Path, dict[str, Any]]]:
    """Last year's inputs in a folder, by normalised agency name → (file, cells)."""
    from xxgk.report import load, read_defaults

    if not folder.is_dir():
        raise InputError(f"--previous {folder}", [Problem("", "应为上一年度各单位输入文件所在的文件夹")])
    shared = None
    for name in ("_defaults.toml", "_defaults.json"):
        if (folder / name).is_file():
            shared = read_defaults(folder / name)
            break
    out: dict[str, tuple[Path, dict[str, Any]]] = {}
    for path in expand_inputs([folder]):
        try:
            report = load(path, defaults=shared)
        except XxgkError as exc:
            first = exc.problems[0] if isinstance(exc, InputError) and exc.problems else exc
            notes.append(Problem(str(path), f"上年输入有问题，未用于预填：{first}"))
            continue
        out[normalise(report.agency)] = (path, dict(report.cells))
    return out


def carry_notes(layout: L.Layout) -> tuple[str, ...]:
    """What the help sheet says about pre-filled cells."""
    lines = []
    for carry in layout.carries:
        if carry.plus or carry.minus:
            plus = "、".join(f.place[-1] for f in carry.plus)
            minus = "、".join(f.place[-1] for f in carry.minus)
            lines.append(f"·{carry.now.place_name}：已填上年的数，请加上本年{plus}、减去本年{minus}")
    head = "8. 以下格子已按上年报告预填（上年结转等），请核对："
    plain = sorted({" / ".join(c.now.place[:-1]) for c in layout.carries if not (c.plus or c.minus)})
    return (head, *(f"·{p}：上年的 “结转下年度继续办理”" for p in plain), *lines)


def carried_cells(layout: L.Layout, before: Mapping[str, Any]) -> dict[str, Any]:
    """This year's cells that last year's report gives (``now`` ← ``before``)."""
    return {c.now.key: before[c.before.key] for c in layout.carries if c.before.key in before}


def write_unit_workbooks(
    units_file: Path,
    outdir: Path,
    *,
    layout: str = L.DEFAULT_LAYOUT,
    year: int | None = None,
    previous: Path | None = None,
    force: bool = False,
) -> UnitWorkbooks:
    """One pre-filled workbook per unit of the list; nothing is written if a file exists."""
    from xxgk.formats.xlsx_writer import workbook_bytes

    units = read_units(units_file)
    if outdir.exists() and not outdir.is_dir():
        raise OutputError(f"{outdir} 是一个文件；--units 时 -o 应为一个文件夹")
    result = UnitWorkbooks()
    targets = [outdir / f"{u.file}{WORKBOOK_SUFFIX}" for u in units]
    existing = [t for t in targets if t.exists()]
    if existing and not force:
        shown = "、".join(t.name for t in existing[:5]) + ("等" if len(existing) > 5 else "")
        raise OutputError(f"{outdir} 中已有 {shown}；如要覆盖，请加 --force")
    the_year = year if year is not None else datetime.date.today().year - 1
    the_layout = L.LAYOUTS[layout]
    before = last_year(previous, result.notes) if previous is not None else {}
    for unit, target in zip(units, targets, strict=True):
        found = before.get(normalise(unit.name))
        cells = carried_cells(the_layout, found[1]) if found else {}
        notes = carry_notes(the_layout) if found else ()
        data = workbook_bytes(layout, agency=unit.name, year=the_year, cells=cells, notes=notes)
        write_atomic(target, data)
        result.written.append(UnitWorkbook(unit, target, found[0] if found else None))
    if previous is not None:
        missing = [w.unit.name for w in result.written if w.previous is None]
        if missing:
            shown = "、".join(missing[:10]) + ("等" if len(missing) > 10 else "")
            result.notes.append(
                Problem(str(previous), f"{len(missing)} 个单位没有找到上年的输入（按机关全称匹配）：{shown}")
            )
    return result


def workbook_from_input(
    source: Path, *, defaults: Mapping[str, Any] | None = None, agency: str | None = None,
    year: int | None = None, layout: str | None = None,
) -> dict[str, Any]:
    """The validated data of any input xxgk reads (for writing it as a workbook or TOML)."""
    from xxgk.report import deep_merge

    data, _notes = read_data(source)
    if defaults:
        data = deep_merge(defaults, data)
    if agency is not None:
        data["agency"] = agency
    if year is not None:
        data["year"] = year
    if layout is not None and "layout" not in data:
        data["layout"] = layout
    name = data.get("layout", L.DEFAULT_LAYOUT)
    if not isinstance(name, str) or name not in L.LAYOUTS:
        raise InputError(str(source), [Problem(M.META_PLACES["layout"], f"没有名为 “{name}” 的版式")])
    validated, problems = M.validate(name, data)
    if validated is None:
        raise InputError(str(source), problems)
    plain: dict[str, Any] = validated.model_dump()
    return plain
