"""What a batch produced: one :class:`Outcome` per input and the :class:`BatchReport` of all."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from xxgk.compute import Number

DONE, WARNED, FAILED = "成功", "有提示", "失败"

_UNENCODABLE = re.compile("[\ud800-\udfff]")  # lone surrogates: from JSON escapes or odd file names


def printable(text: str) -> str:
    """Text any UTF-8 file or terminal can take: a lone surrogate is shown as \\udXXX."""
    return _UNENCODABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


@dataclass
class Outcome:
    """What happened to one input."""

    source: Path
    status: str = FAILED
    agency: str = ""
    year: int | None = None
    output: Path | None = None
    expected: str | None = None  # the file name a failed input would have had, if known
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    figures: dict[str, Number] = field(default_factory=dict)
    pdf: Path | None = None
    pdf_error: str | None = None
    temp: Path | None = None  # rendered, not yet in place
    html: Path | None = None  # the HTML beside the .docx (--html)
    html_temp: Path | None = None

    def fail(self, problems: list[str]) -> None:
        self.status = FAILED
        self.problems = problems
        self.output = None


@dataclass
class BatchReport:
    outcomes: list[Outcome]
    notes: list[str] = field(default_factory=list)  # about the batch as a whole
    summary_path: Path | None = None
    summary_error: str | None = None  # the summary could not be written (the reports were)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def pdf_failures(self) -> int:
        return sum(1 for o in self.outcomes if o.pdf_error)

    @property
    def exit_code(self) -> int:
        return 1 if self.count(FAILED) or self.pdf_failures or self.summary_error else 0

    def lines(self) -> list[str]:
        """Every failure and warning, in input order."""
        out = []
        for o in self.outcomes:
            if o.status == FAILED:
                out.append(f"失败：{o.source}: 有 {len(o.problems)} 处问题，未生成报告")
                out += [f"  - {p}" for p in o.problems]
            for w in o.warnings:
                out.append(f"提示：{o.source}: {w}")
            if o.pdf_error:
                out.append(f"PDF 失败：{o.output}: {o.pdf_error}")
        if self.summary_error:
            out.append(f"汇总表未生成：{self.summary_error}")
        out += [f"注意：{note}" for note in self.notes]
        return [printable(line) for line in out]

    def totals_line(self) -> str:
        done, warned, failed = self.count(DONE), self.count(WARNED), self.count(FAILED)
        line = f"共 {len(self.outcomes)} 个：成功 {done}，有提示 {warned}，失败 {failed}"
        if self.pdf_failures:
            line += f"；PDF 失败 {self.pdf_failures}"
        return line
