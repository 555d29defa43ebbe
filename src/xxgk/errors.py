"""The error hierarchy: every error a user can cause carries a Chinese message."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One finding, named by its place in the report (or in the input file)."""

    place: str
    message: str

    def __str__(self) -> str:
        return f"{self.place}: {self.message}" if self.place else self.message


class XxgkError(Exception):
    """Base class: ``str(error)`` is a complete message for the user."""


class InputError(XxgkError):
    """The input (file, syntax or data) is wrong; nothing was written."""

    def __init__(self, source: str, problems: list[Problem], warnings: list[Problem] | None = None) -> None:
        self.source = source
        self.problems = list(problems)
        self.warnings = list(warnings or [])  # hints found beside the errors (shown with them)
        self.partial: Any = None  # the report as far as it was made, when the errors break no part of it
        super().__init__(self.summary())

    def __str__(self) -> str:
        return self.summary()

    def summary(self) -> str:
        head = f"{self.source}: 有 {len(self.problems)} 处问题"
        return "\n".join([head] + [f"  - {p}" for p in self.problems])


class TemplateError(XxgkError):
    """A template cannot be read or rendered."""


class OutputError(XxgkError):
    """An output file cannot be written."""


class ToolMissingError(XxgkError):
    """An external program (LibreOffice) is not installed."""


class ConversionError(XxgkError):
    """A PDF conversion failed."""
