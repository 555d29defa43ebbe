"""Benchmark xxgk against plain docxtpl, and check the performance targets.

Run from the repository root with the project's virtualenv::

    .venv/bin/python bench/bench.py            # full run (a few minutes)
    .venv/bin/python bench/bench.py --quick    # smoke run with small N
    .venv/bin/python bench/bench.py --no-pdf   # skip the LibreOffice part

Everything runs on this machine in one go:

1. baseline: a fresh ``docxtpl.DocxTemplate`` per report with xxgk's own template
   and context, ``render(ctx, autoescape=True)`` + ``save(path)`` (plain docxtpl,
   default Jinja env), i.e. what a docxtpl user writes;
2. xxgk in-process: ``xxgk.report.load`` + ``xxgk.render.render_bytes`` + writing
   the file, after one warm-up call;
3. ``xxgk batch`` of N inputs as a real subprocess, wall time start to exit;
4. peak memory of that batch for two sizes: the largest process's max RSS
   (``getrusage(RUSAGE_CHILDREN)`` in a fresh wrapper process) and the sampled
   peak of the sum over the whole process tree (RSS and PSS from /proc);
5. ``xxgk --help`` wall time, best of 5;
6. with ``soffice`` on PATH: ``xxgk batch --pdf`` of 20 inputs minus the same
   batch without ``--pdf``.

The inputs are generated with a fixed seed: distinct agencies, free text with
placeholders, and table 三 consistent per column (新收 + 上年结转 = 办理结果总计 +
结转下年度).  Exit status is 0 whatever the results unless ``--strict`` is given.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

# --------------------------------------------------------------------------
# Targets
# --------------------------------------------------------------------------

TARGET_SPEEDUP = 15.0  # baseline / xxgk per report, at least
TARGET_BATCH_S = 10.0  # wall time of `xxgk batch` for 1000 reports, at most
TARGET_MEMORY_RATIO = 1.5  # peak memory at N=1000 / at N=200, at most
TARGET_HELP_S = 0.15  # `xxgk --help`, at most
TARGET_PDF_S = 0.35  # PDF seconds per report on a batch of 20, at most


@dataclass(frozen=True)
class Sizes:
    baseline: int  # reports rendered with plain docxtpl
    single: int  # reports through xxgk's in-process path
    batch: int  # `xxgk batch` timing
    memory_small: int
    memory_large: int
    pdf: int
    batch_repeats: int


FULL = Sizes(
    baseline=20, single=200, batch=1000, memory_small=200, memory_large=1000, pdf=20, batch_repeats=2
)
QUICK = Sizes(baseline=5, single=30, batch=100, memory_small=40, memory_large=100, pdf=4, batch_repeats=1)

# --------------------------------------------------------------------------
# Input generation (spec: annual-report.md §5)
# --------------------------------------------------------------------------

# Table 三 outcome rows in document order: (TOML table, key, relative weight).
OUTCOME_ROWS: tuple[tuple[str, str, float], ...] = (
    ("requests.outcome", "disclosed", 40.0),
    ("requests.outcome", "partially_disclosed", 6.0),
    ("requests.outcome.withheld", "state_secret", 0.5),
    ("requests.outcome.withheld", "prohibited_by_law", 0.5),
    ("requests.outcome.withheld", "security_stability", 0.5),
    ("requests.outcome.withheld", "third_party_rights", 1.5),
    ("requests.outcome.withheld", "internal_affairs", 1.0),
    ("requests.outcome.withheld", "process_information", 1.5),
    ("requests.outcome.withheld", "enforcement_files", 1.0),
    ("requests.outcome.withheld", "administrative_query", 2.0),
    ("requests.outcome.unavailable", "not_held", 12.0),
    ("requests.outcome.unavailable", "needs_creation", 2.0),
    ("requests.outcome.unavailable", "still_unclear", 1.5),
    ("requests.outcome.not_processed", "petition_complaint", 3.0),
    ("requests.outcome.not_processed", "repeated", 2.0),
    ("requests.outcome.not_processed", "publication", 0.5),
    ("requests.outcome.not_processed", "excessive", 0.5),
    ("requests.outcome.not_processed", "reconfirmation", 1.0),
    ("requests.outcome.other", "no_correction", 2.0),
    ("requests.outcome.other", "unpaid_fee", 0.5),
    ("requests.outcome.other", "other", 1.5),
)
COLUMNS = 6  # 自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他
COLUMN_SCALE = (1.0, 0.12, 0.02, 0.02, 0.06, 0.05)

CITIES = (
    "石家庄市",
    "唐山市",
    "秦皇岛市",
    "邯郸市",
    "邢台市",
    "保定市",
    "张家口市",
    "承德市",
    "沧州市",
    "廊坊市",
    "衡水市",
    "太原市",
    "大同市",
    "阳泉市",
    "长治市",
    "晋城市",
    "朔州市",
    "晋中市",
    "运城市",
    "忻州市",
)
DISTRICTS = ("", "城区", "开发区", "东区", "西区", "南区", "北区", "高新区", "新区", "经济技术开发区")
DEPARTMENTS = (
    "人民政府",
    "发展和改革委员会",
    "教育局",
    "科学技术局",
    "工业和信息化局",
    "公安局",
    "民政局",
    "司法局",
    "财政局",
    "人力资源和社会保障局",
    "自然资源和规划局",
    "生态环境局",
    "住房和城乡建设局",
    "交通运输局",
    "水利局",
    "农业农村局",
    "商务局",
    "文化广电和旅游局",
    "卫生健康委员会",
    "退役军人事务局",
    "应急管理局",
    "审计局",
    "市场监督管理局",
    "统计局",
    "医疗保障局",
    "行政审批局",
    "住房公积金管理中心",
    "数据和政务服务局",
    "林业局",
    "信访局",
)

OVERVIEW = """
{{{{ year }}}}年，{agency}认真贯彻落实《中华人民共和国政府信息公开条例》，坚持以公开为常态、不公开为例外，\
围绕{focus}，持续深化政务公开，以公开促落实、强监管、优服务。

（一）主动公开情况。全年制发行政规范性文件{{{{ proactive.normative_documents.issued }}}}件，\
现行有效{{{{ proactive.normative_documents.in_force }}}}件，均已在门户网站集中公开；\
公开行政许可决定{{{{ proactive.licensing.decisions }}}}件、\
行政处罚决定{{{{ proactive.penalty.decisions }}}}件。

（二）依申请公开情况。{{{{ year }}}}年共新收政府信息公开申请{{{{ requests.received.total }}}}件，\
上年结转{{{{ requests.carried_over.total }}}}件；办结{{{{ requests.outcome.total.total }}}}件，\
其中予以公开{{{{ requests.outcome.disclosed.total }}}}件；\
结转下年度继续办理{{{{ requests.carried_forward.total }}}}件。

（三）政府信息管理。{management}

（四）平台建设。{platform}

（五）监督保障。因政府信息公开引发行政复议{{{{ appeals.review.total }}}}件，已逐案分析原因并整改。
"""
PROBLEMS = """
{{{{ year }}}}年，{agency}政府信息公开工作取得一定成效，但仍存在{problem}等问题。

下一步，将{plan}，加强业务培训，提升依申请公开答复质量。
"""
OTHER = """
按照《政府信息公开信息处理费管理办法》，{agency}{{{{ year }}}}年{fee}。
"""
FOCUS = ("优化营商环境", "民生保障", "重大项目建设", "乡村振兴", "生态环境保护", "住房保障", "公共卫生")
MANAGEMENT = (
    "严格落实公文公开属性源头认定和保密审查制度，动态更新行政规范性文件目录。",
    "建立政府信息公开台账，按季度清理更新过时信息。",
    "完善信息发布协调机制，规范政策解读与文件同步发布。",
)
PLATFORM = (
    "优化门户网站政府信息公开专栏，栏目与政务服务平台数据互通。",
    "推进政务新媒体规范化建设，及时回应公众关切。",
    "升级依申请公开在线办理系统，实现申请全程留痕。",
)
PROBLEM = ("政策解读形式单一", "基层公开标准化规范化水平不高", "信息更新不够及时", "依申请答复文书不够规范")
PLAN = ("丰富图解、视频等解读形式", "推动基层政务公开标准目录动态调整", "完善信息发布审核机制")
FEE = ("未收取信息处理费", "收取信息处理费0元", "未发生收取信息处理费的情况")


def agencies(n: int, rng: random.Random) -> list[str]:
    combos = len(CITIES) * len(DISTRICTS) * len(DEPARTMENTS)
    if n > combos:
        raise SystemExit(f"at most {combos} distinct agencies can be generated")
    names = []
    for k in rng.sample(range(combos), n):
        city, rest = divmod(k, len(DISTRICTS) * len(DEPARTMENTS))
        district, department = divmod(rest, len(DEPARTMENTS))
        names.append(CITIES[city] + DISTRICTS[district] + DEPARTMENTS[department])
    assert len(set(names)) == n
    return names


def _row(values: Sequence[int]) -> str:
    return "[" + ", ".join(str(v) for v in values) + "]"


def _split(total: int, weights: Sequence[float], rng: random.Random) -> list[int]:
    """``total`` spread over rows with jittered weights; exact sum."""
    jittered = [w * rng.expovariate(1.0) for w in weights]
    scale = sum(jittered) or 1.0
    parts = [int(total * w / scale) for w in jittered]
    parts[0] += total - sum(parts)
    return parts


def input_toml(agency: str, rng: random.Random) -> str:
    """One consistent input for the gov-2021 layout."""
    year = rng.choice((2023, 2024))
    size = rng.choice((3, 10, 30, 100, 300))
    received = [round(rng.uniform(0, size) * s) for s in COLUMN_SCALE]
    carried_over = [rng.randint(0, v // 8) for v in received]
    carried_forward = [rng.randint(0, (a + b) // 6) for a, b in zip(received, carried_over, strict=True)]
    handled = [a + b - c for a, b, c in zip(received, carried_over, carried_forward, strict=True)]
    weights = [w for _, _, w in OUTCOME_ROWS]
    by_column = [_split(h, weights, rng) for h in handled]
    outcome = [[by_column[c][r] for c in range(COLUMNS)] for r in range(len(OUTCOME_ROWS))]
    for c in range(COLUMNS):  # the identity the report prints, per column
        assert received[c] + carried_over[c] == sum(row[c] for row in outcome) + carried_forward[c]

    def amount() -> str:
        return f"{rng.uniform(0, 9999):.2f}" if rng.random() < 0.3 else "0"

    stated_total = [sum(received)] if rng.random() < 0.5 else []
    lines = [
        f'agency = "{agency}"',
        f"year = {year}",
        'layout = "gov-2021"',
    ]
    if rng.random() < 0.8:
        lines.append(f"date = {year + 1}-01-{rng.randint(10, 28):02d}")
    text = {
        "overview": OVERVIEW.format(
            agency=agency,
            focus=rng.choice(FOCUS),
            management=rng.choice(MANAGEMENT),
            platform=rng.choice(PLATFORM),
        ),
        "problems": PROBLEMS.format(agency=agency, problem=rng.choice(PROBLEM), plan=rng.choice(PLAN)),
        "other": OTHER.format(agency=agency, fee=rng.choice(FEE)),
    }
    lines += ["", "[text]"] + [f'{key} = """{value}"""' for key, value in text.items()]
    issued, repealed = rng.randint(0, 20), rng.randint(0, 5)
    lines += [
        "",
        "[proactive]",
        f"rules = {{ issued = 0, repealed = 0, in_force = {rng.randint(0, 3)} }}",
        f"normative_documents = {{ issued = {issued}, repealed = {repealed}, "
        f"in_force = {issued + rng.randint(0, 150)} }}",
        f"licensing = {{ decisions = {rng.randint(0, 5000)} }}",
        f"penalty = {{ decisions = {rng.randint(0, 800)} }}",
        f"coercion = {{ decisions = {rng.randint(0, 60)} }}",
        f"fees = {{ amount = {amount()} }}",
        "",
        "[requests]",
        f"received = {_row(received + stated_total)}",
        f"carried_over = {_row(carried_over)}",
        f"carried_forward = {_row(carried_forward)}",
    ]
    table = ""
    for (name, key, _), values in zip(OUTCOME_ROWS, outcome, strict=True):
        if not any(values) and rng.random() < 0.7:
            continue  # an omitted row is all zeros
        if name != table:
            lines += ["", f"[{name}]"]
            table = name
        lines.append(f"{key} = {_row(values)}")
    lines += ["", "[appeals]"]
    for group in ("review", "litigation_direct", "litigation_after_review"):
        nums = [rng.choice((0, 0, 0, 1, 2, 5)) for _ in range(4)]
        stated = f", total = {sum(nums)}" if rng.random() < 0.3 else ""
        lines.append(
            f"{group} = {{ upheld = {nums[0]}, corrected = {nums[1]}, other = {nums[2]}, "
            f"pending = {nums[3]}{stated} }}"
        )
    return "\n".join(lines) + "\n"


def generate(folder: Path, n: int, seed: int) -> list[Path]:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, agency in enumerate(agencies(n, rng)):
        path = folder / f"{i:04d}.toml"
        path.write_text(input_toml(agency, rng), encoding="utf-8")
        paths.append(path)
    return paths


def subset(paths: Sequence[Path], folder: Path) -> Path:
    """A folder holding exactly ``paths`` (hard links, or copies); reused if it exists."""
    if folder.is_dir():
        return folder
    folder.mkdir(parents=True)
    for p in paths:
        try:
            os.link(p, folder / p.name)
        except OSError:
            shutil.copyfile(p, folder / p.name)
    return folder


# --------------------------------------------------------------------------
# Measurements
# --------------------------------------------------------------------------


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


def measure_baseline(paths: Sequence[Path], out: Path) -> Timing:
    """Plain docxtpl, a fresh DocxTemplate per report (one warm-up report first, not counted)."""
    from docxtpl import DocxTemplate

    from xxgk.render import context, template_path
    from xxgk.report import load

    out.mkdir(parents=True, exist_ok=True)
    reports = [load(p) for p in paths]
    timing = Timing()
    for i, report in enumerate(reports):
        target = out / report.output_name
        t0 = time.perf_counter()
        tpl = DocxTemplate(template_path(report.layout))
        tpl.render(context(report), autoescape=True)
        tpl.save(target)
        if i > 0:
            timing.samples.append(time.perf_counter() - t0)
    return timing


@dataclass
class SingleResult:
    load: Timing
    render: Timing
    write: Timing
    total: Timing
    warmup_s: float


def measure_single(paths: Sequence[Path], out: Path) -> SingleResult:
    """xxgk in-process: load + render_bytes + write, after one warm-up (first path, not counted)."""
    from xxgk.files import write_atomic
    from xxgk.render import render_bytes
    from xxgk.report import load

    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    warm = load(paths[0])
    write_atomic(out / warm.output_name, render_bytes(warm))
    warmup = time.perf_counter() - t0
    result = SingleResult(Timing(), Timing(), Timing(), Timing(), warmup)
    for path in paths[1:]:
        t0 = time.perf_counter()
        report = load(path)
        t1 = time.perf_counter()
        data = render_bytes(report)
        t2 = time.perf_counter()
        write_atomic(out / report.output_name, data)
        t3 = time.perf_counter()
        result.load.samples.append(t1 - t0)
        result.render.samples.append(t2 - t1)
        result.write.samples.append(t3 - t2)
        result.total.samples.append(t3 - t0)
    return result


def compare_outputs(baseline: Path, xxgk: Path) -> str:
    """Both paths must produce the same document text (same tables, same cells)."""
    from xxgk.formats.docx_dump import dump, normalise

    names = sorted(p.name for p in baseline.glob("*.docx"))
    differ = [n for n in names if normalise(dump(baseline / n)) != normalise(dump(xxgk / n))]
    if differ:
        return f"DIFFERENT text dumps for {len(differ)} of {len(names)} reports, e.g. {differ[0]}"
    return f"baseline and xxgk documents have identical text dumps ({len(names)} reports)"


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


@dataclass
class Check:
    name: str
    value: str
    target: str
    ok: bool | None  # None: not measured


def verdict(ok: bool | None) -> str:
    return {True: "PASS", False: "FAIL", None: "SKIP"}[ok]


def heading(title: str, load: bool = True) -> None:
    print(f"\n== {title} " + "=" * max(0, 74 - len(title)), flush=True)
    if load:
        print(load_line(), flush=True)


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


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="small N: a smoke run, not the targets")
    parser.add_argument("--no-pdf", action="store_true", help="skip the LibreOffice measurement")
    parser.add_argument("--strict", action="store_true", help="exit 1 when any target fails")
    parser.add_argument("--seed", type=int, default=20240131, help="random seed for the inputs")
    parser.add_argument("--batch-n", type=int, help="reports in the timed batch (default 1000)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder and print its path")
    args = parser.parse_args(argv)

    sizes = QUICK if args.quick else FULL
    if args.batch_n:
        sizes = Sizes(**{**sizes.__dict__, "batch": args.batch_n})
    n_inputs = max(sizes.batch, sizes.memory_large, sizes.single + 1, sizes.baseline + 1, sizes.pdf)
    work = Path(tempfile.mkdtemp(prefix="xxgk-bench-"))
    checks: list[Check] = []
    started = time.perf_counter()
    try:
        heading("environment", load=False)
        for line in environment_lines():
            print(line)
        mode = "QUICK (sizes below the targets: verdicts are indicative only)" if args.quick else "full"
        print(f"mode: {mode}")

        heading("inputs", load=False)
        t0 = time.perf_counter()
        paths = generate(work / "inputs", n_inputs, args.seed)
        print(
            f"generated {len(paths)} consistent gov-2021 inputs (seed {args.seed}) "
            f"in {time.perf_counter() - t0:.1f} s: {work / 'inputs'}"
        )
        batch_dir = subset(paths[: sizes.batch], work / f"in-{sizes.batch}")
        small_dir = subset(paths[: sizes.memory_small], work / f"in-{sizes.memory_small}")
        large_dir = subset(paths[: sizes.memory_large], work / f"in-{sizes.memory_large}")
        pdf_dir = subset(paths[: sizes.pdf], work / f"in-{sizes.pdf}")

        heading(f"1. baseline: plain docxtpl, fresh DocxTemplate per report ({sizes.baseline} reports)")
        baseline = measure_baseline(paths[: sizes.baseline + 1], work / "out-baseline")
        print(f"context + DocxTemplate + render(autoescape=True) + save: {baseline.line()}")

        heading(f"2. xxgk in-process: load + render_bytes + write ({sizes.single} reports)")
        single = measure_single(paths[: sizes.single + 1], work / "out-single")
        print(f"warm-up (first report, compiles the template): {single.warmup_s * 1000:.0f} ms")
        print(f"load (read + validate + checks + text): {single.load.line()}")
        print(f"render only (render_bytes):              {single.render.line()}")
        print(f"write (write_atomic):                    {single.write.line()}")
        print(f"load + render + write:                   {single.total.line()}")
        speedup = baseline.mean_ms / single.total.mean_ms
        speedup_render = baseline.mean_ms / single.render.mean_ms
        speedup_e2e = (baseline.mean_ms + single.load.mean_ms) / single.total.mean_ms
        print(f"ratio baseline / xxgk (load+render+write):        {speedup:6.1f}x   <- target")
        print(f"ratio baseline / xxgk (render only):              {speedup_render:6.1f}x")
        print(f"ratio (load + baseline) / xxgk (load+render+write): {speedup_e2e:6.1f}x  (both pay load)")
        same = compare_outputs(work / "out-baseline", work / "out-single")
        print(f"output check: {same}")
        checks.append(
            Check(
                "per report vs docxtpl",
                f"{speedup:.1f}x",
                f">= {TARGET_SPEEDUP:g}x",
                speedup >= TARGET_SPEEDUP,
            )
        )

        heading(f"3. xxgk batch, {sizes.batch} reports, default jobs (subprocess wall time)")
        times = []
        for i in range(sizes.batch_repeats):
            outdir = fresh(work / "out-batch")
            run = run_timed([*xxgk_command(), "batch", str(batch_dir), "-o", str(outdir)])
            status = check_batch(run, outdir, sizes.batch)
            print(
                f"run {i + 1}: {run.seconds:6.2f} s"
                f"  = {run.seconds / sizes.batch * 1000:.2f} ms/report"
                f"  (CPU {run.cpu_seconds:.2f} s = {run.cpu_seconds / run.seconds:.2f} cores busy)  {status}"
            )
            if status.startswith("INVALID"):
                times.append(float("inf"))
            else:
                times.append(run.seconds)
        batch_s = statistics.fmean(times)
        print(f"mean of {len(times)}: {batch_s:.2f} s")
        checks.append(
            Check(
                f"{sizes.batch} reports wall" + ("" if sizes.batch == 1000 else " (x1000/N)"),
                f"{batch_s * 1000 / sizes.batch:.2f} s",
                f"<= {TARGET_BATCH_S:g} s for 1000",
                batch_s * 1000 / sizes.batch <= TARGET_BATCH_S,
            )
        )

        heading(f"4. peak memory of xxgk batch, N={sizes.memory_small} vs N={sizes.memory_large}")
        mems = [
            measure_memory(small_dir, work / "out-mem", sizes.memory_small),
            measure_memory(large_dir, work / "out-mem", sizes.memory_large),
        ]
        for m in mems:
            print(
                f"N={m.n:5d}: largest process max RSS {m.maxrss_mb:7.1f} MB | whole tree (parent + workers), "
                f"sampled peak: RSS {m.tree_rss_mb:7.1f} MB, PSS {m.tree_pss_mb:7.1f} MB, "
                f"{m.processes} processes | exit {m.returncode}"
            )
        small, large = mems
        ratio_max = large.maxrss_mb / small.maxrss_mb
        ratio_pss = large.tree_pss_mb / small.tree_pss_mb if small.tree_pss_mb else float("nan")
        ratio_rss = large.tree_rss_mb / small.tree_rss_mb if small.tree_rss_mb else float("nan")
        print(
            f"ratio N={large.n} / N={small.n}: max RSS {ratio_max:.2f}x, tree RSS {ratio_rss:.2f}x, "
            f"tree PSS {ratio_pss:.2f}x"
        )
        checks.append(
            Check(
                f"memory N={large.n} / N={small.n} (max RSS)",
                f"{ratio_max:.2f}x",
                f"<= {TARGET_MEMORY_RATIO:g}x",
                ratio_max <= TARGET_MEMORY_RATIO,
            )
        )
        checks.append(
            Check(
                f"memory N={large.n} / N={small.n} (tree PSS)",
                f"{ratio_pss:.2f}x",
                f"<= {TARGET_MEMORY_RATIO:g}x",
                ratio_pss <= TARGET_MEMORY_RATIO if small.tree_pss_mb else None,
            )
        )

        heading("5. xxgk --help (best of 5)")
        helps = [run_timed([*xxgk_command(), "--help"]) for _ in range(5)]
        help_s = min(r.seconds for r in helps)
        print(
            "runs: "
            + "  ".join(f"{r.seconds * 1000:.0f} ms" for r in helps)
            + f"  -> best {help_s * 1000:.0f} ms"
        )
        checks.append(
            Check("xxgk --help", f"{help_s:.3f} s", f"<= {TARGET_HELP_S:g} s", help_s <= TARGET_HELP_S)
        )

        heading(f"6. PDF: xxgk batch --pdf, {sizes.pdf} reports")
        soffice = shutil.which("soffice") or shutil.which("libreoffice")
        if args.no_pdf or soffice is None:
            print("skipped: " + ("--no-pdf" if args.no_pdf else "soffice not found"))
            checks.append(Check("PDF per report", "-", f"<= {TARGET_PDF_S:g} s", None))
        else:
            plain = run_timed([*xxgk_command(), "batch", str(pdf_dir), "-o", str(fresh(work / "out-pdf0"))])
            print(
                f"without --pdf: {plain.seconds:6.2f} s  {check_batch(plain, work / 'out-pdf0', sizes.pdf)}"
            )
            withpdf = run_timed(
                [*xxgk_command(), "batch", str(pdf_dir), "-o", str(fresh(work / "out-pdf1")), "--pdf"]
            )
            status = check_batch(withpdf, work / "out-pdf1", sizes.pdf, pdf=True)
            print(f"with --pdf:    {withpdf.seconds:6.2f} s  {status}")
            per_pdf = (withpdf.seconds - plain.seconds) / sizes.pdf
            per_all = withpdf.seconds / sizes.pdf
            print(f"PDF time per report (with - without) / {sizes.pdf}: {per_pdf:.3f} s   <- target")
            print(f"whole batch with --pdf / {sizes.pdf}:               {per_all:.3f} s")
            valid = not status.startswith("INVALID")
            checks.append(
                Check(
                    f"PDF per report (batch of {sizes.pdf})",
                    f"{per_pdf:.3f} s",
                    f"<= {TARGET_PDF_S:g} s",
                    valid and per_pdf <= TARGET_PDF_S,
                )
            )
    finally:
        if args.keep:
            print(f"\nwork folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    heading("targets", load=False)
    for c in checks:
        print(f"{verdict(c.ok)}  {c.name:36s} {c.value:>10s}   target {c.target}")
    failed = [c for c in checks if c.ok is False]
    print(
        f"\n{len(checks) - len(failed)} of {len(checks)} targets met or skipped; "
        f"bench took {time.perf_counter() - started:.0f} s"
    )
    return 1 if (args.strict and failed) else 0


if __name__ == "__main__":
    sys.exit(main())
