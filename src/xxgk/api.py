"""The library API: every command of the command line is one call here, usable without it.

``from xxgk import render_one`` (see ``xxgk.__all__``) is the way in; each call
raises a subclass of :class:`xxgk.errors.XxgkError` with a complete Chinese
message when the user's input, files or tools are at fault.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xxgk import layouts as L
from xxgk.aggregate import Aggregated, aggregate_files
from xxgk.batch import run_batch
from xxgk.collect import UnitWorkbooks, workbook_from_input, write_unit_workbooks
from xxgk.errors import InputError, OutputError, Problem, XxgkError
from xxgk.files import drop_stale_pdf, write_atomic
from xxgk.inputs import expand_inputs, lock_note
from xxgk.render import write_report
from xxgk.report import Report, load, read_defaults
from xxgk.results import BatchReport, Outcome

__all__ = [
    "Aggregated",
    "BatchReport",
    "Checked",
    "Outcome",
    "Rendered",
    "UnitWorkbooks",
    "aggregate_files",
    "available_layouts",
    "check",
    "check_all",
    "dump_docx",
    "init_text",
    "render_one",
    "run_batch",
    "write_skeleton",
    "write_unit_workbooks",
    "write_workbook",
]


@dataclass
class Rendered:
    report: Report
    output: Path
    pdf: Path | None = None
    warnings: list[Problem] = field(default_factory=list)


def check(
    path: Path, *, previous: Path | None = None, defaults: Mapping[str, Any] | None = None
) -> Report:
    """Validate one input; raises :class:`xxgk.errors.InputError` listing every problem."""
    return load(path, previous=previous, defaults=defaults)


@dataclass
class Checked:
    """The result of checking one input: a report, or the error that stopped it."""

    path: Path
    report: Report | None = None
    error: XxgkError | None = None


def check_all(
    inputs: list[Path],
    *,
    previous: Path | None = None,
    defaults: Path | None = None,
    notes: list[str] | None = None,
) -> list[Checked]:
    """Check files and folders of inputs; one failing input does not stop the others.

    ``notes`` receives what was skipped (a ``~$`` lock file of a workbook open in Excel).
    """
    shared = read_defaults(defaults) if defaults is not None else None
    out = []
    locks: list[Path] = []
    paths = expand_inputs(inputs, exclude=defaults, locks=locks)
    if locks and notes is not None:
        notes.append(lock_note(locks))
    for path in paths:
        try:
            out.append(Checked(path, report=load(path, previous=previous, defaults=shared)))
        except XxgkError as exc:
            out.append(Checked(path, error=exc))
    return out


def available_layouts() -> dict[str, L.Layout]:
    """The layouts xxgk knows, by name (the default first)."""
    return dict(sorted(L.LAYOUTS.items(), key=lambda item: item[0] != L.DEFAULT_LAYOUT))


def init_text(layout: str = L.DEFAULT_LAYOUT, year: int | None = None) -> str:
    """The commented input file ``xxgk init`` writes."""
    from xxgk.formats.toml_writer import skeleton

    return skeleton(layout, year)


def write_skeleton(output: Path, text: str, *, force: bool = False) -> Path:
    """Write an input file for the user to edit; an existing one is kept unless ``force``."""
    if output.is_dir() or not output.suffix:
        raise OutputError(f"请给出 .toml 文件名，如 {output / '2025.toml'}")
    if output.suffix.lower() != ".toml":
        raise OutputError(f"生成的是 TOML 文件，文件名应以 .toml 结尾：{output}")
    if output.exists() and not force:
        raise OutputError(f"{output} 已存在；如要覆盖，请加 --force")
    write_atomic(output, text.encode("utf-8"))
    return output


def render_one(
    path: Path,
    output: Path | None = None,
    *,
    previous: Path | None = None,
    defaults: Path | None = None,
    template: Path | None = None,
    pdf: bool = False,
) -> Rendered:
    """Check one input and write its report; nothing is written if a check fails."""
    if pdf:
        from xxgk.pdf import find_soffice

        find_soffice()  # say so before any work when PDF export cannot happen
    shared = read_defaults(defaults) if defaults is not None else None
    report = load(path, previous=previous, defaults=shared)
    target = output if output is not None else Path.cwd()
    written = write_report(report, target, template)
    result = Rendered(report, written, warnings=list(report.warnings))
    if not pdf and (note := drop_stale_pdf(written)) is not None:
        result.warnings.append(Problem("", note))
    if pdf:
        from xxgk.pdf import convert_one

        result.pdf = convert_one(written)
    return result


def dump_docx(path: Path) -> str:
    """The text dump of a .docx (spec §8), normalised for comparing."""
    from xxgk.formats.docx_dump import dump, normalise

    try:
        return normalise(dump(path))
    except XxgkError:
        raise
    except Exception as exc:  # a damaged or foreign file: say so, no traceback
        raise InputError(str(path), [Problem("", f"不是可读取的 .docx 文件：{exc}")]) from None


def write_workbook(
    output: Path,
    *,
    layout: str = L.DEFAULT_LAYOUT,
    year: int | None = None,
    agency: str | None = None,
    source: Path | None = None,
    defaults: Path | None = None,
    force: bool = False,
) -> Path:
    """Write a fill-in workbook (.xlsx); with ``source`` (any input), already filled.

    With a .toml ``output`` and a ``source``, the input is written as a commented TOML
    file instead (e.g. a workbook a unit sent back).
    """
    import datetime

    suffix = output.suffix.lower()
    if output.is_dir() or suffix not in (".xlsx", ".toml"):
        example = output / "填报表.xlsx" if output.is_dir() else "填报表.xlsx"
        raise OutputError(f"请给出 .xlsx 文件名，如 {example}")
    if output.exists() and not force:
        raise OutputError(f"{output} 已存在；如要覆盖，请加 --force")
    if source is not None:
        shared = read_defaults(defaults) if defaults is not None else None
        data = workbook_from_input(source, defaults=shared, agency=agency, year=year, layout=layout)
        if suffix == ".toml":
            from xxgk.formats.toml_writer import input_toml

            text = input_toml(
                data["layout"],
                agency=data["agency"],
                year=data["year"],
                date=data.get("date"),
                text=data[L.TEXT_KEY],
                data=data,
            )
            write_atomic(output, text.encode("utf-8"))
            return output
        from xxgk.formats.xlsx_writer import filled_workbook

        write_atomic(output, filled_workbook(data))
        return output
    if suffix != ".xlsx":
        raise OutputError(f"生成的是 Excel 填报表，文件名应以 .xlsx 结尾：{output}")
    from xxgk.formats.xlsx_writer import workbook_bytes

    the_year = year if year is not None else datetime.date.today().year - 1
    write_atomic(output, workbook_bytes(layout, agency=agency or "", year=the_year))
    return output
