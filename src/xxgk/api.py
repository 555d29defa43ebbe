"""The library API: every command of the command line is one call here, usable without it.

``from xxgk import render_one`` (see ``xxgk.__all__``) is the way in; each call
raises a subclass of :class:`xxgk.errors.XxgkError` with a complete Chinese
message when the user's input, files or tools are at fault.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xxgk import layouts as L
from xxgk.aggregate import Aggregated, aggregate_files
from xxgk.batch import run_batch
from xxgk.collect import UnitWorkbooks, workbook_from_input, write_unit_workbooks
from xxgk.draft import DRAFT_LINE, refuse_unfilled
from xxgk.errors import InputError, OutputError, Problem, XxgkError
from xxgk.existing import CheckRun, Extracted, check_reports, previous_report
from xxgk.files import drop_stale_pdf, write_atomic
from xxgk.formats import SCHEMA_FILE
from xxgk.inputs import expand_inputs, lock_note
from xxgk.render import template_notes, write_report
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
    "UnitWorkbooks",
    "aggregate_files",
    "available_layouts",
    "check",
    "check_all",
    "check_reports",
    "extract_report",
    "init_from_report",
    "dump_docx",
    "init_text",
    "input_schema",
    "render_one",
    "report_html",
    "run_batch",
    "write_schema",
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
    html: Path | None = None


def check(path: Path, *, previous: Path | None = None, defaults: Mapping[str, Any] | None = None) -> Report:
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
    last_year = _previous(previous)
    out = []
    locks: list[Path] = []
    paths = expand_inputs(inputs, exclude=defaults, locks=locks)
    if locks and notes is not None:
        notes.append(lock_note(locks))
    for path in paths:
        try:
            out.append(Checked(path, report=load(path, previous=last_year, defaults=shared)))
        except XxgkError as exc:
            out.append(Checked(path, error=exc))
    return out


def available_layouts() -> dict[str, L.Layout]:
    """The layouts xxgk knows, by name (the default first)."""
    return dict(sorted(L.LAYOUTS.items(), key=lambda item: item[0] != L.DEFAULT_LAYOUT))


def init_text(layout: str = L.DEFAULT_LAYOUT, year: int | None = None, schema: str | None = None) -> str:
    """The commented input file ``xxgk init`` writes; ``schema``: the JSON Schema file its first
    line points editors at (``#:schema``, relative to the input file)."""
    from xxgk.formats.toml_writer import skeleton

    text = skeleton(layout, year)
    if schema is not None:
        from xxgk.formats.json_schema import schema_comment

        note = "# 第一行供编辑器补全和检查（VS Code + Even Better TOML）；它指向的文件由 xxgk schema -o 生成"
        text = schema_comment(schema) + "\n" + note + "\n" + text
    return text




def schema_location(output: Path | None, schema: Path | None) -> tuple[Path | None, str]:
    """Where ``init --schema`` writes the schema (the default name: beside the input file) and
    how the input's ``#:schema`` line names it (relative to the input file)."""
    folder = output.parent if output is not None else Path()
    if schema is not None and schema == Path(SCHEMA_FILE):
        schema = folder / SCHEMA_FILE
    if schema is None:
        return None, f"./{SCHEMA_FILE}"
    try:
        reference = os.path.relpath(schema, folder).replace(os.sep, "/")
    except ValueError:  # another drive (Windows): an absolute address
        return schema, schema.resolve().as_uri()
    return schema, reference if reference.startswith(".") else f"./{reference}"


def input_schema(layout: str = L.DEFAULT_LAYOUT) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of an input file in the named layout."""
    from xxgk.formats.json_schema import input_schema as schema

    return schema(layout)


def write_schema(output: Path, layout: str = L.DEFAULT_LAYOUT) -> Path:
    """Write the JSON Schema of a layout's input (a generated file: an older one is replaced)."""
    from xxgk.formats.json_schema import schema_text

    if output.is_dir() or not output.suffix:
        raise OutputError(f"请给出 .json 文件名，如 {output / 'xxgk-schema.json'}")
    if output.suffix.lower() != ".json":
        raise OutputError(f"JSON Schema 文件名应以 .json 结尾：{output}")
    if output.exists() and not output.is_file():
        raise OutputError(f"{output} 不是普通文件，未写入")
    write_atomic(output, schema_text(layout).encode("utf-8"))
    return output


def report_html(report: Report, *, fragment: bool = False) -> str:
    """The report as a standalone HTML page, or (``fragment``) the article body for a CMS editor."""
    from xxgk.formats.html_writer import report_html as to_html

    return to_html(report, fragment_only=fragment)


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
    draft: bool = False,
    fonts: str | None = None,
    html: bool = False,
    fragment: bool = False,
) -> Rendered:
    """Check one input and write its report; nothing is written if a check fails.

    An input that still holds 【请填写】 is refused unless ``draft``: a draft's file name
    ends in （草稿） and its first page says 草稿.  ``html``: also the HTML beside the .docx
    (same name, ``.html``), the standalone page or (``fragment``) the article body for a
    CMS editor.
    """
    if pdf:
        from xxgk.pdf import find_soffice

        find_soffice()  # say so before any work when PDF export cannot happen
    shared = read_defaults(defaults) if defaults is not None else None
    if fonts is not None:  # --fonts: for inputs that do not name their fonts
        shared = {**(shared or {}), "fonts": fonts.lower()}
    report = load(path, previous=_previous(previous), defaults=shared)
    target = output if output is not None else Path.cwd()
    if not draft:
        refuse_unfilled(report)
    written = write_report(report, target, template, draft=draft)
    result = Rendered(report, written, warnings=list(report.warnings))
    result.warnings += [Problem("", note) for note in template_notes(template, report)]
    if not pdf and (stale := drop_stale_pdf(written)) is not None:
        result.warnings.append(Problem("", stale.note))
    if html or fragment:
        from xxgk.formats.html_writer import write_html

        mark = DRAFT_LINE if draft else None
        result.html = write_html(report, written, fragment_only=fragment, draft=mark)
    else:
        from xxgk.formats.html_writer import drop_stale_html

        if (stale := drop_stale_html(written)) is not None:
            result.warnings.append(Problem("", stale.note))
    if pdf:
        from xxgk.pdf import convert_one

        result.pdf = convert_one(written)
    return result




def dump_docx(path: Path) -> str:
    """The text dump of a .docx (spec §8), normalised for comparing."""
    from xxgk.files import Refused, read_limited
    from xxgk.formats.docx_dump import MAX_DOCX_BYTES, dump, normalise
    from xxgk.inputs import INPUT_SUFFIXES

    def fail(message: str) -> InputError:
        return InputError(str(path), [Problem("", message)])

    if path.is_dir():
        raise fail("这是一个文件夹，不是 Word 文档（.docx）")
    try:  # a regular file, never more than the limit: a FIFO or /dev/zero is refused
        data = read_limited(path, MAX_DOCX_BYTES)
    except Refused as exc:
        raise fail(str(exc)) from None
    if not data.startswith(b"PK\x03\x04"):
        if path.suffix.lower() in INPUT_SUFFIXES:
            raise fail(f"这是输入文件，不是生成的报告（.docx）；要生成报告请用 xxgk render {path}")
        raise fail("不是 Word 文档（.docx）；.doc、.wps 等格式请先用 Word 或 WPS 另存为 .docx")
    try:
        return normalise(dump(data))
    except Refused as exc:  # a zip bomb, a damaged archive
        raise fail(str(exc)) from None
    except KeyError:
        raise fail("不是 Word 文档（.docx），缺少正文部分") from None
    except Exception:  # a damaged or foreign file: say so, no traceback
        raise fail("Word 文档（.docx）已损坏，无法读取") from None


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
    """Write a fill-in workbook (.xlsx); with ``source`` (any input), already filled."""
    import datetime

    if output.is_dir() or output.suffix.lower() != ".xlsx":
        example = output / "填报表.xlsx" if output.is_dir() else "填报表.xlsx"
        raise OutputError(f"请给出 .xlsx 文件名，如 {example}")
    if output.exists() and not force:
        raise OutputError(f"{output} 已存在；如要覆盖，请加 --force")
    if source is not None:
        from xxgk.formats.xlsx_writer import filled_workbook

        shared = read_defaults(defaults) if defaults is not None else None
        data = workbook_from_input(source, defaults=shared, agency=agency, year=year, layout=layout)
        write_atomic(output, filled_workbook(data))
        return output
    from xxgk.formats.xlsx_writer import workbook_bytes

    the_year = year if year is not None else datetime.date.today().year - 1
    write_atomic(output, workbook_bytes(layout, agency=agency or "", year=the_year))
    return output
