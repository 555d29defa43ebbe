"""The library API: what the command line calls, usable without it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xxgk.errors import OutputError, Problem, XxgkError
from xxgk.files import drop_stale_pdf, write_atomic
from xxgk.inputs import expand_inputs
from xxgk.render import template_notes, write_report
from xxgk.report import Report, load, read_defaults


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
    inputs: list[Path], *, previous: Path | None = None, defaults: Path | None = None
) -> list[Checked]:
    """Check files and folders of inputs; one failing input does not stop the others."""
    shared = read_defaults(defaults) if defaults is not None else None
    out = []
    for path in expand_inputs(inputs, exclude=defaults):
        try:
            out.append(Checked(path, report=load(path, previous=previous, defaults=shared)))
        except XxgkError as exc:
            out.append(Checked(path, error=exc))
    return out


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
    result.warnings += [Problem("", note) for note in template_notes(template)]
    if not pdf and (note := drop_stale_pdf(written)) is not None:
        result.warnings.append(Problem("", note))
    if pdf:
        from xxgk.pdf import convert_one

        result.pdf = convert_one(written)
    return result
