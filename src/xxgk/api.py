"""The library API: what the command line calls, usable without it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xxgk.errors import Problem
from xxgk.render import write_report
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
    result = Rendered(report, written, warnings=report.warnings)
    if pdf:
        from xxgk.pdf import convert_one

        result.pdf = convert_one(written)
    return result
