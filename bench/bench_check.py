"""How long ``xxgk check`` takes on a folder of .docx reports (target: 1,000 in ≤ 10 s on 2 cores).

    python bench/bench_check.py [N] [--jobs J]

Renders N reports with random, consistent numbers (not timed), then times the
command line ``xxgk check FOLDER --summary …`` end to end, as a supervising
office runs it, and checks that every report passed.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from inputs import balance  # noqa: I001 (bench/inputs.py, beside this script)

from xxgk import layouts as L
from xxgk.render import write_report
from xxgk.report import build

TARGET_SECONDS = 10.0


def random_data(rng: random.Random, i: int) -> dict[str, Any]:
    layout = L.LAYOUTS[L.DEFAULT_LAYOUT]
    cells: dict[str, Any] = {}
    for f in layout.input_fields:
        cells[f.key] = rng.choice((0, 0, rng.randrange(0, 40)))
    balance(layout, cells)  # the identities hold
    data: dict[str, Any] = {
        "agency": f"示例市第{i:04d}测试局",
        "year": 2024,
        "layout": layout.name,
        "text": {
            "overview": "本年度共收到政府信息公开申请{{ requests.received.total }}件。" * 3,
            "problems": "政策解读形式较为单一，公开内容更新不够及时。"
            "下一步将加强培训，完善制度，提升公开质量。",
            "other": "本机关本年度未收取信息处理费。",
        },
    }
    data.update(layout.input_data(cells))
    return data


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=None)
    args = parser.parse_args()
    rng = random.Random(20250120)
    with tempfile.TemporaryDirectory(prefix="xxgk-bench-check-") as tmp:
        folder = Path(tmp) / "reports"
        folder.mkdir()
        start = time.perf_counter()
        for i in range(args.n):
            report = build(f"bench{i}", random_data(rng, i))
            write_report(report, folder / f"r{i:04d}.docx", None)
        made = time.perf_counter() - start
        cmd = [sys.executable, "-m", "xxgk", "check", str(folder), "--summary", str(Path(tmp) / "s.csv")]
        if args.jobs:
            cmd += ["--jobs", str(args.jobs)]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True)
        took = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
        last = next((line for line in done.stdout.splitlines() if line.startswith("共检查")), done.stderr)
        print(f"rendered {args.n} reports in {made:.1f} s (not timed)")
        each = took / args.n * 1000
        print(f"xxgk check: {args.n} .docx in {took:.2f} s ({each:.1f} ms each), exit {done.returncode}")
        print(f"  CPU time of xxgk and its workers: {cpu:.2f} s ({cpu / args.n * 1000:.1f} ms per report); "
              f"load average {load:.1f} on {os.cpu_count()} cores")
        print(f"  {last}")
        ok = done.returncode == 0 and f"通过 {args.n} 份" in done.stdout
        if not ok:
            print(done.stdout[-2000:], done.stderr[-2000:])
            return 1
        if args.n >= 1000 and took > TARGET_SECONDS * args.n / 1000:
            print(f"slower than the target ({TARGET_SECONDS:.0f} s per 1,000)")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
