"""Many agencies in one run: independent checks, parallel rendering, one report.

Every input is loaded, checked and rendered on its own (a :class:`Job`); a bad
input never stops the others.  Workers (:mod:`xxgk.pool`) write each document
to a hidden temporary file in the output folder; the parent renames them into
place only after every input is known, so two inputs that would produce the same
file name are both refused before either is written, and a failed run leaves no
partial file.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xxgk import layouts as L
from xxgk.draft import DRAFT_LINE, draft_name, refuse_unfilled
from xxgk.errors import InputError, OutputError, Problem, XxgkError
from xxgk.files import drop_stale_pdf, name_key, output_name
from xxgk.inputs import expand_inputs, lock_note, read_data
from xxgk.pool import run_all, terminate_as_interrupt
from xxgk.report import Report, load, read_defaults
from xxgk.results import DONE, FAILED, WARNED, BatchReport, Outcome
from xxgk.summary import key_figures

__all__ = ["DONE", "FAILED", "WARNED", "BatchReport", "Job", "Outcome", "run_batch"]

TEMP_PREFIX = ".xxgk-"
STALE_SECONDS = 3600.0


@dataclass(frozen=True)
class Job:
    """The work on one input, as handed to a worker: load, check, render to a temporary file."""

    outdir: Path
    defaults: Mapping[str, Any] | None = None
    template: Path | None = None
    prefix: str = TEMP_PREFIX
    draft: bool = False  # inputs with 【请填写】 are rendered as drafts instead of refused
    html: bool = False  # also the HTML beside each .docx
    fragment: bool = False  # the HTML as a fragment for a CMS editor

    def __call__(self, path: Path) -> Outcome:
        outcome = Outcome(path)
        try:
            self._run(path, outcome)
        except Exception as exc:  # a bug must not take the other agencies down
            outcome.fail([f"xxgk 内部错误：{type(exc).__name__}: {exc}"])
            for temp in (outcome.temp, outcome.html_temp):
                if temp is not None:
                    temp.unlink(missing_ok=True)
            outcome.temp = outcome.html_temp = None
        return outcome

    def _run(self, path: Path, outcome: Outcome) -> None:
        """Everything that can fail for one input, each failure reported for it alone."""
        from xxgk.files import write_temp
        from xxgk.render import render_bytes, template_notes

        html_tmp: Path | None = None
        try:
            report: Report = load(path, defaults=self.defaults)
            if not self.draft:
                refuse_unfilled(report)  # before any rendering
            name = report.output_name
            document = render_bytes(report, self.template, draft=self.draft)
            tmp = write_temp(self.outdir, document, self.prefix)
            if self.html or self.fragment:
                from xxgk.formats.html_writer import report_html

                try:
                    mark = DRAFT_LINE if self.draft else None
                    html = report_html(report, fragment_only=self.fragment, draft=mark)
                    html_tmp = write_temp(self.outdir, html.encode("utf-8"), self.prefix)
                except BaseException:
                    tmp.unlink(missing_ok=True)
                    raise
        except InputError as exc:
            outcome.fail([str(p) for p in exc.problems])
            outcome.agency, outcome.year = _identity(path, self.defaults)
            if outcome.agency and outcome.year is not None:
                outcome.expected = output_name(outcome.year, outcome.agency)
            return
        except XxgkError as exc:
            outcome.fail([str(exc)])
            return
        except OSError as exc:
            outcome.fail([f"无法写入输出文件夹 {self.outdir}：{exc.strerror or exc}"])
            return
        outcome.temp = tmp
        outcome.html_temp = html_tmp
        outcome.warnings = [str(w) for w in report.warnings] + template_notes(self.template, report)
        outcome.status = WARNED if outcome.warnings else DONE
        outcome.agency = report.agency
        outcome.year = report.year
        outcome.output = self.outdir / (draft_name(name) if self.draft else name)
        outcome.figures = {name: get(report.cells) for name, get in key_figures().items()}


def _identity(path: Path, defaults: Mapping[str, Any] | None) -> tuple[str, int | None]:
    """Agency and year a failed input names, if they can be read (summary, stale files)."""
    try:
        data = read_data(path)[0]
    except (InputError, OSError):
        return "", None
    agency, year = data.get("agency"), data.get("year", (defaults or {}).get("year"))
    return (
        agency.strip() if isinstance(agency, str) else "",
        year if isinstance(year, int) and not isinstance(year, bool) else None,
    )


def _crashed(path: Path, exc: BaseException) -> Outcome:
    """A worker died (out of memory, killed): this input is not retried in the parent."""
    outcome = Outcome(path)
    message = f"处理此文件的子进程意外退出（{type(exc).__name__}），可能是内存不足"
    outcome.fail([message + "；请单独运行 xxgk render 查看原因"])
    return outcome


def _prepare_templates(
    template: Path | None, paths: list[Path], shared: Mapping[str, Any] | None, jobs: int
) -> None:
    """Compile the template before workers fork, so that each worker inherits it.

    Without workers nothing is done here: a process compiles a template on first use.  Of
    the bundled templates, the one of the first input's layout is prepared (a batch is
    nearly always of one layout); a worker compiles any other on first use.
    """
    if jobs <= 1 or len(paths) <= 1:
        return
    from xxgk.render import get_template, template_path

    if template is not None:
        try:
            get_template(template)
        except XxgkError:
            pass  # reported per input
        return
    get_template(template_path(_first_layout(paths[0], shared)))


def _first_layout(path: Path, shared: Mapping[str, Any] | None) -> L.Layout:
    try:
        data = read_data(path)[0]
    except InputError:
        data = {}
    name = data.get("layout", (shared or {}).get("layout", L.DEFAULT_LAYOUT))
    return L.LAYOUTS[name if isinstance(name, str) and name in L.LAYOUTS else L.DEFAULT_LAYOUT]


def _place(outcomes: list[Outcome], outdir: Path) -> None:
    """Refuse colliding outputs, then move every rendered file into place."""
    by_name: dict[str, list[Outcome]] = {}
    for o in outcomes:
        if o.output is not None:
            by_name.setdefault(name_key(o.output), []).append(o)
    for group in by_name.values():
        if len(group) > 1:
            for o in group:
                others = "、".join(str(x.source) for x in group if x is not o)
                name = o.output.name if o.output else ""
                o.fail([f"与 {others} 生成同名文件 “{name}”，都未生成；请检查机关名称和年度"])
                o.expected = name
    made = {name_key(o.output): o for o in outcomes if o.status != FAILED and o.output is not None}
    for o in outcomes:
        try:
            _place_one(o, outdir, made)
        except Exception as exc:  # one input's trouble is that input's
            o.fail([f"无法写入 {o.output}：{type(exc).__name__}: {exc}"])
            o.html = None
        for temp in (o.temp, o.html_temp):
            if temp is not None:
                temp.unlink(missing_ok=True)
        o.temp = o.html_temp = None


def _place_one(o: Outcome, outdir: Path, made: dict[str, Outcome]) -> None:
    if o.status == FAILED and o.expected:
        other = made.get(name_key(outdir / o.expected))
        if other is not None:  # not an old file: another input of this run has the same agency and year
            same = f"与 {other.source} 的机关名称和年度相同（“{o.expected}” 由它生成）"
            o.problems.append(f"{same}；请检查机关名称")
        elif (old := outdir / o.expected).exists():
            o.problems.append(f"输出文件夹中的 “{old.name}” 是以前生成的旧文件，未更新，请勿报送")
    if o.temp is None or o.status == FAILED or o.output is None:
        return  # the caller removes the temporary files
    try:
        os.replace(o.temp, o.output)
        o.temp = None
        if o.html_temp is not None:
            from xxgk.formats.html_writer import html_path

            o.html = html_path(o.output)
            os.replace(o.html_temp, o.html)
            o.html_temp = None
    except OSError as exc:
        o.fail([f"无法写入 {o.output}：{exc.strerror or exc}"])
        o.html = None


def _sweep(outdir: Path, prefix: str, older_than: float = 0.0) -> None:
    """Remove temporary files no outcome owns: this run's, or old ones of a killed run."""
    try:
        stray = list(outdir.glob(f"{prefix}*.tmp"))
    except OSError:
        return
    now = time.time()
    for path in stray:
        try:
            if older_than and now - path.stat().st_mtime < older_than:
                continue  # perhaps another batch writing to the same folder right now
            path.unlink(missing_ok=True)
        except OSError:
            continue


def _check_summary_path(summary: Path) -> None:
    """Refuse a summary that cannot be written before any work is done."""
    if summary.suffix.lower() not in (".xlsx", ".csv"):
        raise OutputError(f"汇总表应为 .xlsx 或 .csv 文件：{summary}")
    if summary.is_dir():
        raise OutputError(f"汇总表 {summary} 是一个文件夹；请给出文件名，如 {summary / '汇总.xlsx'}")
    for parent in summary.parents:
        if parent.exists():
            if not parent.is_dir():
                raise OutputError(f"无法写入汇总表 {summary}：{parent} 是一个文件，不是文件夹")
            break


def run_batch(
    inputs: list[Path],
    outdir: Path,
    *,
    defaults: Path | None = None,
    jobs: int | None = None,
    pdf: bool = False,
    summary: Path | None = None,
    template: Path | None = None,
    on_start: Callable[[int], None] | None = None,
    fonts: str | None = None,
    on_result: Callable[[Outcome], None] | None = None,
    draft: bool = False,
    html: bool = False,
    fragment: bool = False,
) -> BatchReport:
    """Check and render every input; see :class:`BatchReport` for the result.

    ``html``: also the HTML of each report beside its .docx (``fragment``: the article body
    for a CMS editor); written with the .docx, in the same input's error handling."""
    if summary is not None:
        _check_summary_path(summary)
    if pdf:
        from xxgk.pdf import find_soffice

        # fail before any work when PDF export cannot happen
        find_soffice(note="未生成任何文件。")
    shared = read_defaults(defaults) if defaults is not None else None
    if fonts is not None:  # --fonts: for inputs that do not name their fonts
        shared = {**(shared or {}), "fonts": fonts.lower()}
    skipped: list[Path] = []
    locks: list[Path] = []
    paths = expand_inputs(inputs, exclude=defaults, skipped=skipped, locks=locks)
    if not paths:
        raise InputError(
            ", ".join(str(p) for p in inputs), [Problem("", "没有找到输入文件（*.toml、*.json 或 *.xlsx）")]
        )
    if outdir.exists() and not outdir.is_dir():
        raise OutputError(f"{outdir} 是一个文件，不是文件夹")
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"无法创建输出文件夹 {outdir}：{exc.strerror or exc}") from None
    jobs = jobs or os.cpu_count() or 1
    if on_start is not None:
        on_start(len(paths))  # the number of inputs, for a progress bar
    _prepare_templates(template, paths, shared, jobs)
    prefix = f"{TEMP_PREFIX}{secrets.token_hex(4)}-"
    _sweep(outdir, TEMP_PREFIX, older_than=STALE_SECONDS)  # left by a run that was killed
    job = Job(outdir, shared, template, prefix, draft=draft, html=html, fragment=fragment)
    results: list[Outcome | None] = [None] * len(paths)

    def done(i: int, outcome: Outcome) -> None:
        results[i] = outcome
        if on_result is not None:
            on_result(outcome)

    try:
        with terminate_as_interrupt():
            run_all(job, paths, jobs=jobs, done=done, crashed=_crashed)
            outcomes = [r for r in results if r is not None]
            _place(outcomes, outdir)
    finally:
        _sweep(outdir, prefix)
    report = BatchReport(outcomes)
    report.notes += [f"以 _ 开头的文件不作为输入，已跳过：{', '.join(map(str, skipped))}"] if skipped else []
    report.notes += [lock_note(locks)] if locks else []
    years: dict[int, list[Outcome]] = {}
    for o in outcomes:
        if o.status != FAILED and o.year is not None:
            years.setdefault(o.year, []).append(o)
    if len(years) > 1:
        listing = "、".join(f"{year} 年 {len(group)} 个" for year, group in sorted(years.items()))
        odd = min(years.values(), key=len)
        report.notes.append(f"本批报告的年度不一致：{listing}（如 {odd[0].source}）；是否混入了往年的文件？")
    from xxgk.formats.html_writer import drop_stale_html

    kinds = ((drop_stale_pdf, pdf), (drop_stale_html, html or fragment))
    droppers = [drop for drop, made in kinds if not made]
    for o in outcomes:  # an old PDF or page beside a report just written shows the old numbers
        for drop in droppers:
            if o.status != FAILED and o.output is not None and (stale := drop(o.output)):
                if stale.removed:
                    report.notes.append(stale.note)
                else:  # still there: a warning for that report
                    o.warnings.append(stale.note)
                    o.status = WARNED
    if pdf:
        _convert(outcomes, jobs)
    if summary is not None:
        from xxgk.summary import write_summary

        try:
            write_summary(report, summary)
        except OutputError as exc:  # the reports are written: say so, do not lose the results
            report.summary_error = str(exc)
        except Exception as exc:  # whatever it is, the results must still be shown
            report.summary_error = f"{type(exc).__name__}: {exc}"
        else:
            report.summary_path = summary
    return report


def _convert(outcomes: list[Outcome], jobs: int) -> None:
    """PDFs of the reports written; a failure is each report's, never the batch's."""
    from xxgk.pdf import convert

    produced = [o for o in outcomes if o.output is not None and o.status != FAILED]
    try:
        converted = convert([o.output for o in produced if o.output], jobs)
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as exc:  # e.g. no room for LibreOffice's working folder
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else f"{type(exc).__name__}: {exc}"
        for o in produced:
            o.pdf_error = f"无法导出 PDF：{reason}"
        return
    for o, result in zip(produced, converted, strict=True):
        o.pdf, o.pdf_error = result.pdf, result.error
