"""Running xxgk as a subprocess for the benchmark: wall and CPU time, load, memory of the process tree."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


def xxgk_command() -> list[str]:
    script = Path(sys.executable).parent / "xxgk"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "xxgk"]


@dataclass
class Run:
    seconds: float
    returncode: int
    stdout: str
    stderr: str
    cpu_seconds: float  # user + sys of the process and its children


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_timed(cmd: Sequence[str]) -> Run:
    """Wall time from process start to exit (output captured, stdin closed)."""
    cpu0 = _children_cpu()
    t0 = time.perf_counter()
    proc = subprocess.run(list(cmd), capture_output=True, text=True, stdin=subprocess.DEVNULL)
    seconds = time.perf_counter() - t0
    return Run(seconds, proc.returncode, proc.stdout, proc.stderr, _children_cpu() - cpu0)


def _cpu_ticks() -> tuple[int, int]:
    with open("/proc/stat") as fh:
        values = [int(v) for v in fh.readline().split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return sum(values), idle


def load_line(seconds: float = 0.5) -> str:
    """How busy the machine is with other work, sampled while this script sleeps."""
    try:
        total0, idle0 = _cpu_ticks()
        time.sleep(seconds)
        total1, idle1 = _cpu_ticks()
    except (OSError, ValueError, IndexError):
        one = os.getloadavg()[0]
        return f"load average {one:.2f}"
    busy = (1 - (idle1 - idle0) / max(1, total1 - total0)) * (os.cpu_count() or 1)
    note = "  (other work is running: figures may be inflated)" if busy > 0.2 else ""
    return f"other CPU use before this step: {busy:.2f} cores busy{note}"


def fresh(folder: Path) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    return folder


def check_batch(run: Run, outdir: Path, n: int, pdf: bool = False) -> str:
    """Make sure a timed batch did the work: exit 0 and every file produced."""
    docx = len(list(outdir.glob("*.docx")))
    pdfs = len(list(outdir.glob("*.pdf")))
    problems = []
    if run.returncode != 0:
        problems.append(f"exit status {run.returncode}")
    if docx != n:
        problems.append(f"{docx} .docx files, expected {n}")
    if pdf and pdfs != n:
        problems.append(f"{pdfs} .pdf files, expected {n}")
    if problems:
        tail = "\n".join((run.stdout + run.stderr).strip().splitlines()[-15:])
        return "INVALID RUN: " + "; ".join(problems) + "\n" + tail
    return f"ok ({docx} .docx" + (f", {pdfs} .pdf" if pdf else "") + f"; {run.stdout.strip()})"


# --------------------------------------------------------------------------
# Memory
# --------------------------------------------------------------------------

WRAPPER = """\
import resource, subprocess, sys
proc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(proc.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2 :].split()
        tree.setdefault(int(fields[1]), []).append(int(entry.name))
    return tree


def _descendants(root: int) -> list[int]:
    tree = _children()
    out, todo = [], list(tree.get(root, []))
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(tree.get(pid, []))
    return out


def _rss_pss_kb(pid: int) -> tuple[int, int]:
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


@dataclass
class Memory:
    n: int
    maxrss_mb: float  # the largest single process (getrusage, RUSAGE_CHILDREN)
    tree_rss_mb: float  # sampled peak of the sum of RSS over parent + workers
    tree_pss_mb: float  # same with PSS (shared pages counted once)
    processes: int  # most processes seen at once
    returncode: int


def measure_memory(inputs: Path, outdir: Path, n: int) -> Memory:
    """One batch in a fresh wrapper process; sample the tree under it every 10 ms."""
    sampler_ok = Path("/proc/self/smaps_rollup").exists()
    cmd = [sys.executable, "-c", WRAPPER, *xxgk_command(), "batch", str(inputs), "-o", str(fresh(outdir))]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    peak_rss = peak_pss = most = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak_rss, peak_pss, most
        while not stop.is_set():
            pids = _descendants(proc.pid)
            sums = [_rss_pss_kb(p) for p in pids]
            peak_rss = max(peak_rss, sum(r for r, _ in sums))
            peak_pss = max(peak_pss, sum(p for _, p in sums))
            most = max(most, len(pids))
            stop.wait(0.01)

    thread = threading.Thread(target=sample, daemon=True)
    if sampler_ok:
        thread.start()
    stdout, _ = proc.communicate()
    stop.set()
    if sampler_ok:
        thread.join()
    code, maxrss = (int(x) for x in stdout.split())
    return Memory(n, maxrss / 1024, peak_rss / 1024, peak_pss / 1024, most, code)


# --------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------


