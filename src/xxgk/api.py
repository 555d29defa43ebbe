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
from xxgk.errors import InputError, OutputError, Problem, XxgkError
from xxgk.existing import CheckRun, Extracted, check_reports, previous_report
from xxgk.files import drop_stale_pdf, write_atomic
from xxgk.inputs import expand_inputs
from xxgk.render import write_report
from xxgk.report import Report, load, read_defaults
from xxgk.results import BatchReport, Outcome

__all__ = [
    "Aggregated",
    "BatchReport",
    "CheckRun",
    "Checked",
    "Extracted",
    "Outcome",
    "Rendered",
    "aggregate_files",
    "available_layouts",
    "check",
    "check_all",
    "check_reports",
    "extract_report",
    "init_from_report",
    "dump_docx",
    "init_text",
    "render_one",
    "run_batch",
    "write_skeleton",
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
    return load(path, previous=_previous(previous), defaults=defaults)


def _previous(path: Path | None) -> Path | Report | None:
    """Last year's input as given, or last year's report read from a .docx, HTML or PDF."""
    from xxgk.existing import is_document

    if path is None or not is_document(path):
        return path
    try:
        return previous_report(path)
    except InputError as exc:
        raise InputError(f"--previous {path}（上年报告）", exc.problems) from None


def extract_report(path: Path) -> Extracted:
    """An existing report (.docx, .doc, .wps, HTML, PDF) → an xxgk input (text and notes)."""
    from xxgk.existing import extract

    return extract(path)


def init_from_report(path: Path) -> Extracted:
    """Next year's input from last year's report or input file."""
    from xxgk.existing import init_from

    return init_from(path)


@dataclass
class Checked:
    """The result of checking one input: a report, or the error that stopped it."""

    path: Path
    report: Report | None = None
    error: XxgkError | None = None


def check_all(
    inputs: list[Path], *, previous: Path | None = None, defaults: Path | None = None
) -> list[Checked]:
    """Check files and folders of inputs; one failing input does not stop the others."""
    shared = read_defaults(defaults) if defaults is not None else None
    last_year = _previous(previous)
    out = []
    for path in expand_inputs(inputs, exclude=defaults):
        try:
            out.append(Checked(path, report=load(path, previous=last_year, defaults=shared)))
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
    report = load(path, previous=_previous(previous), defaults=shared)
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


