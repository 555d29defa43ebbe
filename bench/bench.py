"""Benchmark xxgk against plain docxtpl, and check the performance targets.

Run from the repository root with the project's virtualenv (``make bench``)::

    .venv/bin/python bench/bench.py            # full run (a few minutes)
    .venv/bin/python bench/bench.py --quick    # smoke run with small N
    .venv/bin/python bench/bench.py --no-pdf   # skip the LibreOffice part

The inputs are realistic (:mod:`inputs`): several paragraphs of text per section
with placeholders, stated totals written.  Measurements, in this order:

1. baseline: a fresh ``docxtpl.DocxTemplate`` per report with xxgk's own template
   and context, ``render(ctx, autoescape=True)`` + ``save(path)``: what a docxtpl
   user writes (the input's load is not counted for it);
2. xxgk in-process: ``load`` + ``render_bytes`` + writing, after one warm-up;
3. end to end: ``xxgk batch --jobs 1`` of 1 and of N inputs as subprocesses,
   process start included; per report = (T(N) − T(1)) / (N − 1), best of a few
   runs; the baseline ratio = baseline per report / this;
4. ``xxgk batch`` of 1000 inputs (default jobs), wall time;
5. peak memory of that batch, N=1000 against N=200;
6. ``xxgk --help``, best of 5;
7. with ``soffice`` on PATH: ``xxgk batch --pdf`` of 20 inputs minus the same
   batch without ``--pdf``.

Exit status is 0 whatever the results unless ``--strict`` is given.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import inputs
from procs import Run, check_batch, fresh, load_line, measure_memory, run_timed, xxgk_command

TARGET_PER_REPORT_MS = 5.0  # end-to-end cost of one more report in `xxgk batch --jobs 1`, at most
TARGET_SPEEDUP = 20.0  # plain docxtpl per report / xxgk end to end per report, at least
TARGET_BATCH_S = 10.0  # wall time of `xxgk batch` for 1000 reports, at most
TARGET_MEMORY_RATIO = 1.5  # peak memory at N=1000 / at N=200, at most
TARGET_HELP_S = 0.15  # `xxgk --help`, at most
TARGET_PDF_S = 0.35  # PDF seconds per report on a batch of 20, at most


@dataclass(frozen=True)
class Sizes:
    baseline: int  # reports rendered with plain docxtpl
    single: int  # reports through xxgk's in-process path
    e2e: int  # N of the end-to-end `xxgk batch --jobs 1`
    e2e_repeats: int
    batch: int  # `xxgk batch` timing
    batch_repeats: int
    memory_small: int
    memory_large: int
    pdf: int

    @property
    def inputs(self) -> int:
        return max(self.batch, self.memory_large, self.e2e, self.single + 1, self.baseline + 1, self.pdf)


FULL = Sizes(
    baseline=20, single=200, e2e=200, e2e_repeats=3, batch=1000, batch_repeats=2,
    memory_small=200, memory_large=1000, pdf=20,
)  # fmt: skip
QUICK = Sizes(
    baseline=5, single=30, e2e=50, e2e_repeats=1, batch=100, batch_repeats=1,
    memory_small=40, memory_large=100, pdf=4,
)  # fmt: skip


@dataclass
class Check:
    name: str
    value: str
    target: str
    ok: bool | None  # None: not measured


@dataclass
class Timing:
    """Per-report times in seconds."""

    samples: list[float] = field(default_factory=list)

    @property
    def mean_ms(self) -> float:
        return 1000 * statistics.fmean(self.samples)

    @property
    def median_ms(self) -> float:
        return 1000 * statistics.median(self.samples)

    @property
    def p95_ms(self) -> float:
        ordered = sorted(self.samples)
        return 1000 * ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]

    def line(self) -> str:
        return f"mean {self.mean_ms:7.2f} ms   median {self.median_ms:7.2f} ms   p95 {self.p95_ms:7.2f} ms"


@dataclass
class Context:
    """What the measurements share: the inputs, the work folder, the sizes."""

    work: Path
    paths: list[Path]
    sizes: Sizes
    pdf: bool
    figures: dict[str, float] = field(default_factory=dict)  # for later steps: the baseline

    def folder(self, n: int) -> Path:
        """A folder holding the first ``n`` inputs."""
        return inputs.subset(self.paths[:n], self.work / f"in-{n}")


def heading(title: str, load: bool = True) -> None:
    print(f"\n== {title} " + "=" * max(0, 74 - len(title)), flush=True)
    if load:
        print(load_line(), flush=True)


# --------------------------------------------------------------------------
# 1–2. In-process: plain docxtpl, and xxgk's load + render
# --------------------------------------------------------------------------


def measure_baseline(ctx: Context) -> list[Check]:
    """Plain docxtpl, a fresh DocxTemplate per report (one warm-up report first, not counted)."""
    from docxtpl import DocxTemplate

    from xxgk.render import context, template_path
    from xxgk.report import load

    n = ctx.sizes.baseline
    heading(f"1. baseline: plain docxtpl, fresh DocxTemplate per report ({n} reports)")
    out = ctx.work / "out-baseline"
    out.mkdir(parents=True, exist_ok=True)
    timing, cpu = Timing(), Timing()
    for i, report in enumerate(load(p) for p in ctx.paths[: n + 1]):
        t0, c0 = time.perf_counter(), time.process_time()
        tpl = DocxTemplate(template_path(report.layout))
        tpl.render(context(report), autoescape=True)
        tpl.save(out / report.output_name)
        if i > 0:
            timing.samples.append(time.perf_counter() - t0)
            cpu.samples.append(time.process_time() - c0)
    print(f"context + DocxTemplate + render(autoescape=True) + save, wall: {timing.line()}")
    print(f"                                                         CPU:  {cpu.line()}")
    ctx.figures.update(baseline_ms=timing.median_ms, baseline_cpu_ms=cpu.median_ms)
    return []


def measure_in_process(ctx: Context) -> list[Check]:
    """xxgk in-process: load + render_bytes + write, after one warm-up (not counted)."""
    from xxgk.files import write_atomic
    from xxgk.render import render_bytes
    from xxgk.report import load

    n = ctx.sizes.single
    heading(f"2. xxgk in-process: load + render_bytes + write ({n} reports)")
    out = ctx.work / "out-single"
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    warm = load(ctx.paths[0])
    write_atomic(out / warm.output_name, render_bytes(warm))
    print(f"warm-up (first report, compiles the template): {(time.perf_counter() - t0) * 1000:.0f} ms")
    stages: dict[str, Timing] = {name: Timing() for name in ("load", "render", "write", "total")}
    for path in ctx.paths[1 : n + 1]:
        t0 = time.perf_counter()
        report = load(path)
        t1 = time.perf_counter()
        data = render_bytes(report)
        t2 = time.perf_counter()
        write_atomic(out / report.output_name, data)
        t3 = time.perf_counter()
        for name, seconds in zip(stages, (t1 - t0, t2 - t1, t3 - t2, t3 - t0), strict=True):
            stages[name].samples.append(seconds)
    print(f"load (read + validate + checks + text): {stages['load'].line()}")
    print(f"render only (render_bytes):              {stages['render'].line()}")
    print(f"write (write_atomic):                    {stages['write'].line()}")
    print(f"load + render + write:                   {stages['total'].line()}")
    baseline = ctx.figures["baseline_ms"]
    print(f"ratio baseline / xxgk in-process (median): {baseline / stages['total'].median_ms:6.1f}x")
    print(f"output check: {compare_outputs(ctx.work / 'out-baseline', out)}")
    return []


def compare_outputs(baseline: Path, xxgk: Path) -> str:
    """Both paths must produce the same document text (same tables, same cells)."""
    from xxgk.formats.docx_dump import dump, normalise

    names = sorted(p.name for p in baseline.glob("*.docx"))
    differ = [n for n in names if normalise(dump(baseline / n)) != normalise(dump(xxgk / n))]
    if differ:
        return f"DIFFERENT text dumps for {len(differ)} of {len(names)} reports, e.g. {differ[0]}"
    return f"baseline and xxgk documents have identical text dumps ({len(names)} reports)"


# --------------------------------------------------------------------------
# 3–7. Subprocesses
# --------------------------------------------------------------------------


def _timed_batch(ctx: Context, n: int, *extra: str) -> tuple[Run, str]:
    outdir = fresh(ctx.work / f"out-{n}")
    run = run_timed([*xxgk_command(), "batch", str(ctx.folder(n)), "-o", str(outdir), *extra])
    return run, check_batch(run, outdir, n, pdf="--pdf" in extra)


def measure_end_to_end(ctx: Context) -> list[Check]:
    """`xxgk batch --jobs 1` of 1 and of N inputs, process start included: the cost of one more report."""
    n, repeats = ctx.sizes.e2e, ctx.sizes.e2e_repeats
    heading(f"3. end to end: xxgk batch --jobs 1, N=1 and N={n}, best of {repeats} (subprocess)")
    best: dict[tuple[str, int], float] = {}  # best of the runs, wall and CPU
    valid = True
    for i in range(repeats):
        for size in (1, n):
            run, status = _timed_batch(ctx, size, "--jobs", "1")
            valid = valid and not status.startswith("INVALID")
            print(f"run {i + 1}, N={size:4d}: {run.seconds:6.2f} s wall, {run.cpu_seconds:6.2f} s CPU  "
                  + status)
            for key, value in (("wall", run.seconds), ("cpu", run.cpu_seconds)):
                best[key, size] = min(best.get((key, size), value), value)
    checks = []
    for key, name in (("wall", "wall time"), ("cpu", "CPU time (user + sys)")):
        one, many = best[key, 1], best[key, n]
        per_report = (many - one) / (n - 1) * 1000
        baseline = ctx.figures["baseline_ms" if key == "wall" else "baseline_cpu_ms"]
        ratio = baseline / per_report if per_report > 0 else float("nan")
        print(f"{name}: T(1) = {one:.3f} s; (T({n}) - T(1)) / {n - 1} = {per_report:.2f} ms per report; "
              f"baseline {baseline:.1f} ms / xxgk = {ratio:.1f}x")
        checks += [
            Check(f"per report, batch -j1 ({key})", f"{per_report:.2f} ms", f"<= {TARGET_PER_REPORT_MS:g} ms",
                  valid and 0 < per_report <= TARGET_PER_REPORT_MS),
            Check(f"plain docxtpl / xxgk ({key})", f"{ratio:.1f}x", f">= {TARGET_SPEEDUP:g}x",
                  valid and ratio >= TARGET_SPEEDUP),
            Check(f"batch of one, T(1) ({key})", f"{one:.2f} s", "(none)", None),
        ]
    return checks  # fmt: skip


def measure_batch(ctx: Context) -> list[Check]:
    """`xxgk batch` of 1000 inputs, default jobs: wall time, process start to exit."""
    n = ctx.sizes.batch
    heading(f"4. xxgk batch, {n} reports, default jobs (subprocess wall time)")
    times = []
    for i in range(ctx.sizes.batch_repeats):
        run, status = _timed_batch(ctx, n)
        print(
            f"run {i + 1}: {run.seconds:6.2f} s  = {run.seconds / n * 1000:.2f} ms/report"
            f"  (CPU {run.cpu_seconds:.2f} s = {run.cpu_seconds / run.seconds:.2f} cores busy)  {status}"
        )
        times.append(float("inf") if status.startswith("INVALID") else run.seconds)
    per_1000 = statistics.fmean(times) * 1000 / n
    print(f"mean of {len(times)}: {statistics.fmean(times):.2f} s")
    name = f"{n} reports wall" + ("" if n == 1000 else " (x1000/N)")
    return [Check(name, f"{per_1000:.2f} s", f"<= {TARGET_BATCH_S:g} s for 1000", per_1000 <= TARGET_BATCH_S)]


def measure_memory_ratio(ctx: Context) -> list[Check]:
    """Peak memory of `xxgk batch` at two sizes: it must not grow with the number of reports."""
    small, large = ctx.sizes.memory_small, ctx.sizes.memory_large
    heading(f"5. peak memory of xxgk batch, N={small} vs N={large}")
    mems = [measure_memory(ctx.folder(n), ctx.work / "out-mem", n) for n in (small, large)]
    for m in mems:
        print(
            f"N={m.n:5d}: largest process max RSS {m.maxrss_mb:7.1f} MB | whole tree (parent + workers), "
            f"sampled peak: RSS {m.tree_rss_mb:7.1f} MB, PSS {m.tree_pss_mb:7.1f} MB, "
            f"{m.processes} processes | exit {m.returncode}"
        )
    lo, hi = mems
    ratio_max = hi.maxrss_mb / lo.maxrss_mb
    ratio_pss = hi.tree_pss_mb / lo.tree_pss_mb if lo.tree_pss_mb else float("nan")
    print(f"ratio N={large} / N={small}: max RSS {ratio_max:.2f}x, tree PSS {ratio_pss:.2f}x")
    target = f"<= {TARGET_MEMORY_RATIO:g}x"
    return [
        Check(f"memory N={large}/N={small} (max RSS)", f"{ratio_max:.2f}x", target,
              ratio_max <= TARGET_MEMORY_RATIO),
        Check(f"memory N={large}/N={small} (tree PSS)", f"{ratio_pss:.2f}x", target,
              ratio_pss <= TARGET_MEMORY_RATIO if lo.tree_pss_mb else None),
    ]  # fmt: skip


def measure_help(ctx: Context) -> list[Check]:
    """`xxgk --help` wall time, best of 5."""
    heading("6. xxgk --help (best of 5)")
    runs = [run_timed([*xxgk_command(), "--help"]) for _ in range(5)]
    best = min(r.seconds for r in runs)
    print("runs: " + "  ".join(f"{r.seconds * 1000:.0f} ms" for r in runs), f"-> best {best * 1000:.0f} ms")
    return [Check("xxgk --help", f"{best:.3f} s", f"<= {TARGET_HELP_S:g} s", best <= TARGET_HELP_S)]


def measure_pdf(ctx: Context) -> list[Check]:
    """`xxgk batch --pdf` minus the same batch without --pdf, per report."""
    n = ctx.sizes.pdf
    heading(f"7. PDF: xxgk batch --pdf, {n} reports")
    name, target = f"PDF per report (batch of {n})", f"<= {TARGET_PDF_S:g} s"
    if not ctx.pdf or not (shutil.which("soffice") or shutil.which("libreoffice")):
        print("skipped: " + ("--no-pdf" if not ctx.pdf else "soffice not found"))
        return [Check(name, "-", target, None)]
    plain, status = _timed_batch(ctx, n)
    print(f"without --pdf: {plain.seconds:6.2f} s  {status}")
    withpdf, status = _timed_batch(ctx, n, "--pdf")
    print(f"with --pdf:    {withpdf.seconds:6.2f} s  {status}")
    per_pdf = (withpdf.seconds - plain.seconds) / n
    print(f"PDF time per report (with - without) / {n}: {per_pdf:.3f} s   <- target")
    print(f"whole batch with --pdf / {n}:               {withpdf.seconds / n:.3f} s")
    valid = not status.startswith("INVALID")
    return [Check(name, f"{per_pdf:.3f} s", target, valid and per_pdf <= TARGET_PDF_S)]


MEASUREMENTS: tuple[Callable[[Context], list[Check]], ...] = (
    measure_baseline,
    measure_in_process,
    measure_end_to_end,
    measure_batch,
    measure_memory_ratio,
    measure_help,
    measure_pdf,
)


# --------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------


def environment_lines() -> list[str]:
    import docxtpl
    import jinja2

    try:
        rev = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            cwd=Path(__file__).resolve().parent,
        ).stdout.strip()
    except OSError:
        rev = "?"
    return [
        f"python {platform.python_version()}  docxtpl {docxtpl.__version__}  jinja2 {jinja2.__version__}",
        f"cpus {os.cpu_count()}  {platform.platform()}  xxgk commit {rev or '?'}",
        f"xxgk command: {' '.join(xxgk_command())}",
    ]


def print_checks(checks: Sequence[Check], started: float) -> None:
    heading("targets", load=False)
    verdict = {True: "PASS", False: "FAIL", None: "    "}
    for c in checks:
        print(f"{verdict[c.ok]}  {c.name:36s} {c.value:>10s}   target {c.target}")
    failed = sum(c.ok is False for c in checks)
    measured = sum(c.ok is not None for c in checks)
    took = time.perf_counter() - started
    print(f"\n{measured - failed} of {measured} targets met; bench took {took:.0f} s")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="small N: a smoke run, not the targets")
    parser.add_argument("--no-pdf", action="store_true", help="skip the LibreOffice measurement")
    parser.add_argument("--strict", action="store_true", help="exit 1 when any target fails")
    parser.add_argument("--seed", type=int, default=20240131, help="random seed for the inputs")
    parser.add_argument("--keep", action="store_true", help="keep the work folder and print its path")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    sizes = QUICK if args.quick else FULL
    work = Path(tempfile.mkdtemp(prefix="xxgk-bench-"))
    heading("environment", load=False)
    print("\n".join(environment_lines()))
    quick = "QUICK (sizes below the targets: verdicts are indicative only)"
    print("mode: " + (quick if args.quick else "full"))
    try:
        paths = inputs.generate(work / "inputs", sizes.inputs, args.seed)
        print(f"inputs: {len(paths)} realistic gov-2021 inputs (seed {args.seed}), e.g. {paths[0]}")
        ctx = Context(work, paths, sizes, pdf=not args.no_pdf)
        checks = [check for measure in MEASUREMENTS for check in measure(ctx)]
    finally:
        if args.keep:
            print(f"\nwork folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print_checks(checks, started)
    return 1 if args.strict and any(c.ok is False for c in checks) else 0


if __name__ == "__main__":
    sys.exit(main())
