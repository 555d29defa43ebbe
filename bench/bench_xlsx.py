"""Benchmark reading fill-in workbooks (.xlsx): the target is a batch of 1,000 in ≤ 15 s.

Run from the repository root with the project's virtualenv::

    .venv/bin/python bench/bench_xlsx.py            # 1,000 workbooks
    .venv/bin/python bench/bench_xlsx.py -n 100     # a smoke run

It writes N filled workbooks (distinct agencies, random consistent numbers, made
with xxgk's own writer, in parallel; not timed), then measures

1. reading one workbook in-process (``xxgk.inputs.read_data``: zip checks,
   python-calamine, locating every cell by its label), median of all N;
2. ``xxgk validate`` of the folder (read, validate, compute, check), as a subprocess;
3. ``xxgk batch`` of the folder (everything up to the .docx files), as a subprocess,
   wall time from start to exit — the figure the target is about — and the CPU time
   of the process tree;
4. for reference, the same batch of the same inputs written as TOML: on a machine
   shared with other work the wall times vary, their ratio much less.

Exit status 1 with ``--strict`` when the batch misses the target.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.builders: consistent random inputs from the layout walk

TARGET_BATCH_S = 15.0


def _write(args: tuple[Path, int]) -> None:
    from tests import builders as B

    from xxgk import model as M
    from xxgk.formats.xlsx_writer import filled_workbook

    folder, i = args
    data = B.make_input(random.Random(i), f"示例市第{i:04d}测试局")
    validated, problems = M.validate(data["layout"], data)
    assert validated is not None, problems
    (folder / f"unit{i:04d}.xlsx").write_bytes(filled_workbook(validated.model_dump()))
    B.write_toml(folder.with_name("toml") / f"unit{i:04d}.toml", data)


def xxgk(*args: str) -> tuple[float, float]:
    """Wall time and CPU time (user + system, the whole process tree) of one xxgk command."""
    exe = Path(sys.executable).with_name("xxgk")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([str(exe), *args], capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"xxgk {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", type=int, default=1000, help="number of workbooks (default 1000)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when the target is missed")
    parser.add_argument("--keep", type=Path, help="write the inputs here, or reuse those already there")
    args = parser.parse_args()
    from xxgk.inputs import read_data

    with tempfile.TemporaryDirectory(prefix="xxgk-bench-xlsx-") as tmp:
        base = args.keep or Path(tmp)
        folder = base / "in"
        if len(list(folder.glob("*.xlsx"))) != args.n:
            shutil.rmtree(base / "in", ignore_errors=True)
            shutil.rmtree(base / "toml", ignore_errors=True)
            folder.mkdir(parents=True)
            (base / "toml").mkdir()
            t0 = time.perf_counter()
            with Pool(os.cpu_count() or 1) as pool:
                pool.map(_write, [(folder, i) for i in range(args.n)], chunksize=20)
            print(f"wrote {args.n} workbooks in {time.perf_counter() - t0:.1f} s (not part of the target)")
        paths = sorted(folder.iterdir())
        read_data(paths[0])  # warm-up: imports
        times = []
        for path in paths:
            start = time.perf_counter()
            read_data(path)
            times.append(time.perf_counter() - start)
        print(f"read one workbook in-process: median {statistics.median(times) * 1000:.2f} ms, "
              f"max {max(times) * 1000:.2f} ms")
        print(f"load average before the runs: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        validate, cpu = xxgk("validate", str(folder))
        print(f"xxgk validate of {args.n} workbooks (one process): {validate:.2f} s, CPU {cpu:.2f} s")
        toml, toml_cpu = xxgk("batch", str(base / "toml"), "-o", str(Path(tmp) / "out-toml"))
        print(f"xxgk batch of the same {args.n} inputs as TOML: {toml:.2f} s, CPU {toml_cpu:.2f} s")
        batch, cpu = xxgk("batch", str(folder), "-o", str(Path(tmp) / "out"))
        docx = len(list((Path(tmp) / "out").glob("*.docx")))
        assert docx == args.n, docx
        ok = batch <= TARGET_BATCH_S * args.n / 1000
        print(f"xxgk batch of {args.n} workbooks: {batch:.2f} s, CPU {cpu:.2f} s "
              f"(target ≤ {TARGET_BATCH_S * args.n / 1000:.1f} s): {'OK' if ok else 'MISSED'}; "
              f"{batch / toml:.2f} × the TOML batch")
        print(f"load average after the runs: {os.getloadavg()[0]:.1f}")
    return 0 if ok or not args.strict else 1


if __name__ == "__main__":
    sys.exit(main())
