"""Many agencies in one run: independent checks, parallel rendering, one report.

Every input is loaded, checked and rendered on its own; a bad input never stops
the others.  Workers write each document to a hidden temporary file in the
output folder; the parent renames them into place only after every input is
known, so two inputs that would produce the same file name are both refused
before either is written, and a failed run leaves no partial file.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import secrets
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xxgk import layouts as L
from xxgk.compute import Number
from xxgk.errors import InputError, OutputError, Problem, XxgkError
from xxgk.files import drop_stale_pdf, name_key, output_name
from xxgk.inputs import expand_inputs, read_data
from xxgk.report import Report, load, read_defaults

DONE, WARNED, FAILED = "成功", "有提示", "失败"
TEMP_PREFIX = ".xxgk-"
STALE_SECONDS = 3600.0
MAX_WINDOWS_WORKERS = 61  # ProcessPoolExecutor refuses more on Windows


def key_figures() -> dict[str, Callable[[Mapping[str, Number]], Number]]:
    """Summary columns: the report's own labels → how to read the value from the cells."""
    total = L.TOTAL_COLUMN
    review, direct, after = L.APPEAL_GROUPS

    def cell(f: L.Field) -> Callable[[Mapping[str, Number]], Number]:
        return lambda cells: cells[f.key]

    return {
        L.RECEIVED.label: cell(L.RECEIVED_ROW.field(total)),
        L.CARRIED_OVER.label: cell(L.CARRIED_OVER_ROW.field(total)),
        " ".join(L.OUTCOME_TOTAL_ROW.place): cell(L.OUTCOME_TOTAL_ROW.field(total)),
        L.CARRIED_FORWARD.label: cell(L.CARRIED_FORWARD_ROW.field(total)),
        f"{review.place_name}{L.TOTAL}": cell(review.field(total)),
        f"{L.LITIGATION}{L.TOTAL}": lambda c: c[direct.field(total).key] + c[after.field(total).key],
    }


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
        return out

    def totals_line(self) -> str:
        done, warned, failed = self.count(DONE), self.count(WARNED), self.count(FAILED)
        line = f"共 {len(self.outcomes)} 个：成功 {done}，有提示 {warned}，失败 {failed}"
        if self.pdf_failures:
            line += f"；PDF 失败 {self.pdf_failures}"
        return line


# --------------------------------------------------------------------------
# Work on one input (runs in a worker process, or in-process as the fallback)
# --------------------------------------------------------------------------


def _process(
    path: Path,
    defaults: Mapping[str, Any] | None,
    outdir: Path,
    template: Path | None,
    prefix: str = TEMP_PREFIX,
) -> Outcome:
    from xxgk.files import write_temp
    from xxgk.render import render_bytes

    outcome = Outcome(path)
    try:
        report: Report = load(path, defaults=defaults)
        tmp = write_temp(outdir, render_bytes(report, template), prefix)
    except InputError as exc:
        outcome.fail([str(p) for p in exc.problems])
        outcome.agency, outcome.year = _identity(path, defaults)
        if outcome.agency and outcome.year is not None:
            outcome.expected = output_name(outcome.year, outcome.agency)
        return outcome
    except XxgkError as exc:
        outcome.fail([str(exc)])
        return outcome
    except OSError as exc:
        outcome.fail([f"无法写入输出文件夹 {outdir}：{exc.strerror or exc}"])
        return outcome
    except Exception as exc:  # a bug must not take the other agencies down
        outcome.fail([f"xxgk 内部错误：{type(exc).__name__}: {exc}"])
        return outcome
    outcome.status = WARNED if report.warnings else DONE
    outcome.agency = report.agency
    outcome.year = report.year
    outcome.warnings = [str(w) for w in report.warnings]
    outcome.output = outdir / report.output_name
    outcome.temp = tmp
    outcome.figures = {name: get(report.cells) for name, get in key_figures().items()}
    return outcome


def _identity(path: Path, defaults: Mapping[str, Any] | None) -> tuple[str, int | None]:
    """Agency and year a failed input names, if they can be read (summary, stale files)."""
    try:
        data = read_data(path)[0]
    except InputError:
        return "", None
    agency, year = data.get("agency"), data.get("year", (defaults or {}).get("year"))
    return (
        agency.strip() if isinstance(agency, str) else "",
        year if isinstance(year, int) and not isinstance(year, bool) else None,
    )


def _process_chunk(
    chunk: list[tuple[int, Path]],
    defaults: Mapping[str, Any] | None,
    outdir: Path,
    template: Path | None,
    prefix: str = TEMP_PREFIX,
) -> list[tuple[int, Outcome]]:
    return [(i, _process(p, defaults, outdir, template, prefix)) for i, p in chunk]


def _prepare_templates(template: Path | None) -> None:
    """Compile templates before workers fork, so that each worker inherits them."""
    from xxgk.render import get_template, template_path

    if template is not None:
        try:
            get_template(template)
        except XxgkError:
            pass  # reported per input
        return
    for layout in L.LAYOUTS.values():
        get_template(template_path(layout))


def _pool_context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _run(
    paths: list[Path],
    defaults: Mapping[str, Any] | None,
    outdir: Path,
    template: Path | None,
    jobs: int,
    on_result: Callable[[Outcome], None] | None,
    prefix: str = TEMP_PREFIX,
) -> list[Outcome]:
    results: list[Outcome | None] = [None] * len(paths)

    def done(i: int, outcome: Outcome) -> None:
        results[i] = outcome
        if on_result is not None:
            on_result(outcome)

    indexed = list(enumerate(paths))
    if jobs > 1 and len(paths) > 1:
        size = max(1, min(32, math.ceil(len(paths) / (jobs * 4))))
        chunks = [indexed[i : i + size] for i in range(0, len(indexed), size)]
        work = (defaults, outdir, template, prefix)
        if _pool_round(chunks, jobs, work, done) == _BROKEN:
            # A worker died.  Once more with one input per task; if a worker dies again,
            # each remaining input gets a process of its own, so that only the culprit fails.
            left = [[(i, p)] for i, p in indexed if results[i] is None]
            if _pool_round(left, jobs, work, done) == _BROKEN:
                for i, path in indexed:
                    if results[i] is None:
                        done(i, _isolated(path, *work))
    for i, path in indexed:
        if results[i] is None:
            done(i, _process(path, defaults, outdir, template, prefix))
    return [r for r in results if r is not None]


_DONE, _BROKEN, _NO_POOL = "done", "broken", "no pool"


def _pool_round(
    chunks: list[list[tuple[int, Path]]],
    jobs: int,
    work: tuple[Mapping[str, Any] | None, Path, Path | None, str],
    done: Callable[[int, Outcome], None],
) -> str:
    """Run chunks in a fresh process pool; finished outcomes go to ``done``."""
    if not chunks:
        return _DONE
    workers = min(jobs, len(chunks), MAX_WINDOWS_WORKERS if sys.platform == "win32" else jobs)
    try:
        pool = ProcessPoolExecutor(
            max_workers=workers, mp_context=_pool_context(), initializer=_worker_signals
        )
    except (OSError, NotImplementedError, PermissionError):
        return _NO_POOL  # no processes here: the caller's serial path does the work
    state = _DONE
    try:
        futures = [pool.submit(_process_chunk, chunk, *work) for chunk in chunks]
        for future in futures:
            try:
                finished = future.result()
            except BrokenProcessPool:
                state = _BROKEN
                continue
            for i, outcome in finished:
                done(i, outcome)
    except BaseException:  # Ctrl-C: drop the queued work, let running chunks end
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return state


def _isolated(
    path: Path, defaults: Mapping[str, Any] | None, outdir: Path, template: Path | None, prefix: str
) -> Outcome:
    """One input in a process of its own: if it kills that process, only it fails."""
    try:
        with ProcessPoolExecutor(
            max_workers=1, mp_context=_pool_context(), initializer=_worker_signals
        ) as pool:
            return pool.submit(_process, path, defaults, outdir, template, prefix).result()
    except BrokenProcessPool as exc:
        return _crashed(path, exc)


def _worker_signals() -> None:
    """Workers leave Ctrl-C to the parent, and die of SIGTERM (the pool's way to stop them).

    A forked worker inherits the parent's handlers, among them the one that turns SIGTERM
    into KeyboardInterrupt; a worker that survived the pool's terminate would hang it.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)


def _crashed(path: Path, exc: BaseException) -> Outcome:
    """A worker died (out of memory, killed): this input is not retried in the parent."""
    outcome = Outcome(path)
    message = f"处理此文件的子进程意外退出（{type(exc).__name__}），可能是内存不足"
    outcome.fail([message + "；请单独运行 xxgk render 查看原因"])
    return outcome


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM and SIGHUP end a batch like Ctrl-C: cleanly, with no stray files."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    names = [name for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]
    previous = {name: signal.signal(getattr(signal, name), interrupt) for name in names}
    try:
        yield
    finally:
        for name, handler in previous.items():
            signal.signal(getattr(signal, name), handler)


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
    for o in outcomes:
        if o.status == FAILED and o.expected and (old := outdir / o.expected).exists():
            o.problems.append(f"输出文件夹中的 “{old.name}” 是以前生成的旧文件，未更新，请勿报送")
        if o.temp is None:
            continue
        try:
            if o.status != FAILED and o.output is not None:
                os.replace(o.temp, o.output)
            else:
                o.temp.unlink(missing_ok=True)
        except OSError as exc:
            o.fail([f"无法写入 {o.output}：{exc.strerror or exc}"])
            o.temp.unlink(missing_ok=True)
        o.temp = None


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
    fonts: str | None = None,
    on_result: Callable[[Outcome], None] | None = None,
) -> BatchReport:
    """Check and render every input; see :class:`BatchReport` for the result."""
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
    paths = expand_inputs(inputs, exclude=defaults, skipped=skipped)
    if not paths:
        raise InputError(
            ", ".join(str(p) for p in inputs), [Problem("", "没有找到输入文件（*.toml 或 *.json）")]
        )
    if outdir.exists() and not outdir.is_dir():
        raise OutputError(f"{outdir} 是一个文件，不是文件夹")
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"无法创建输出文件夹 {outdir}：{exc.strerror or exc}") from None
    jobs = jobs or os.cpu_count() or 1
    _prepare_templates(template)
    prefix = f"{TEMP_PREFIX}{secrets.token_hex(4)}-"
    _sweep(outdir, TEMP_PREFIX, older_than=STALE_SECONDS)  # left by a run that was killed
    try:
        with _terminate_as_interrupt():
            outcomes = _run(paths, shared, outdir, template, jobs, on_result, prefix)
            _place(outcomes, outdir)
    finally:
        _sweep(outdir, prefix)
    report = BatchReport(outcomes)
    report.notes += [f"以 _ 开头的文件不作为输入，已跳过：{', '.join(map(str, skipped))}"] if skipped else []
    years: dict[int, list[Outcome]] = {}
    for o in outcomes:
        if o.status != FAILED and o.year is not None:
            years.setdefault(o.year, []).append(o)
    if len(years) > 1:
        listing = "、".join(f"{year} 年 {len(group)} 个" for year, group in sorted(years.items()))
        odd = min(years.values(), key=len)
        report.notes.append(
            f"本批报告的年度不一致：{listing}（如 {odd[0].source}）；是否混入了往年的文件？"
        )
    if not pdf:
        for o in outcomes:
            if o.status != FAILED and o.output is not None and (note := drop_stale_pdf(o.output)):
                report.notes.append(note)
    if pdf:
        from xxgk.pdf import convert

        produced = [o for o in outcomes if o.output is not None and o.status != FAILED]
        for o, converted in zip(
            produced, convert([o.output for o in produced if o.output], jobs), strict=True
        ):
            o.pdf, o.pdf_error = converted.pdf, converted.error
    if summary is not None:
        from xxgk.summary import write_summary

        try:
            write_summary(report, summary)
        except OutputError as exc:  # the reports are written: say so, do not lose the results
            report.summary_error = str(exc)
        else:
            report.summary_path = summary
    return report
