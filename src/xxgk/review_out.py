"""What ``xxgk check`` prints and writes: a short block per report, JSON, a summary table."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from xxgk import layouts as L
from xxgk.existing import CheckRun
from xxgk.review import Review
from xxgk.summary import write_table


def _figures(r: Review) -> dict[str, Any]:
    if r.reading is None:
        return {f.name: None for f in L.KEY_FIGURES}
    out: dict[str, Any] = {}
    for figure in L.KEY_FIGURES:
        value = sum(r.cells.get(f.key, 0) for f in figure.fields)
        out[figure.name] = float(value) if isinstance(value, Decimal) else value
    return out


def block(r: Review, role: str = "") -> list[str]:
    reading = r.reading
    state = "有错误" if r.errors else ("有提示" if r.warnings else "通过")
    lines = [f"{role}{r.source}：{state}"]
    if reading is not None:
        lines.append(
            f"  机关：{reading.agency or '（未找到）'}  年度：{reading.year or '（未找到）'}  "
            f"版式：{reading.layout.name}  格式：{reading.kind}"
        )
    lines += [f"  错误：{p}" for p in r.errors]
    lines += [f"  提示：{p}" for p in r.warnings]
    return lines


def text(run: CheckRun) -> str:
    lines: list[str] = []
    for r in run.reviews:
        lines += block(r)
    if run.parent is not None:
        lines += block(run.parent, "上级报告 ")
    lines.append(count_line(run))
    return "\n".join(lines) + "\n"


def count_line(run: CheckRun) -> str:
    everything = run.all
    warned = sum(1 for r in everything if not r.errors and r.warnings)
    errors = sum(len(r.errors) for r in everything)
    warnings = sum(len(r.warnings) for r in everything)
    return (
        f"共检查 {len(everything)} 份：有错误 {run.failed} 份（{errors} 处），"
        f"仅有提示 {warned} 份，通过 {len(everything) - run.failed - warned} 份；提示共 {warnings} 条"
    )


def as_dict(r: Review, role: str = "report") -> dict[str, Any]:
    reading = r.reading
    return {
        "file": r.source,
        "role": role,
        "agency": reading.agency if reading else None,
        "year": reading.year if reading else None,
        "layout": reading.layout.name if reading else None,
        "format": reading.kind if reading else None,
        "date": reading.date.isoformat() if reading and reading.date else None,
        "ok": not r.errors,
        "errors": [{"place": p.place, "message": p.message} for p in r.errors],
        "warnings": [{"place": p.place, "message": p.message} for p in r.warnings],
        "figures": _figures(r),
    }


def to_json(run: CheckRun) -> str:
    reports = [as_dict(r) for r in run.reviews]
    if run.parent is not None:
        reports.append(as_dict(run.parent, "parent"))
    return json.dumps(
        {"reports": reports, "failed": run.failed, "count": len(run.all)}, ensure_ascii=False, indent=2
    )


HEADERS = ("报告文件", "机关", "年度", "版式", "格式", "落款日期", "状态", "错误数", "提示数")


def summary_rows(run: CheckRun) -> tuple[list[str], list[list[Any]]]:
    names = [f.name for f in L.KEY_FIGURES]
    rows = []
    for r in run.all:
        d = as_dict(r)
        state = "有错误" if r.errors else ("有提示" if r.warnings else "通过")
        rows.append(
            [
                d["file"], d["agency"] or "", d["year"], d["layout"] or "", d["format"] or "",
                d["date"] or "", state, len(r.errors), len(r.warnings),
                *[d["figures"][n] for n in names],
                "；".join(str(p) for p in r.errors),
                "；".join(str(p) for p in r.warnings),
            ]
        )
    return [*HEADERS, *names, "错误", "提示"], rows


def write_summary(run: CheckRun, path: Path) -> None:
    headers, rows = summary_rows(run)
    write_table(path, headers, rows, sheet="检查结果")
