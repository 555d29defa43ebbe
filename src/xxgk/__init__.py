"""xxgk: 政府信息公开工作年度报告 from structured data.

The library API (:mod:`xxgk.api`) is exported here, loaded on first use so that
``import xxgk`` (and ``xxgk --help``) stays instant; the command line is
:mod:`xxgk.cli`.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

__all__ = [
    "Aggregated",
    "BatchReport",
    "CheckRun",
    "Checked",
    "Extracted",
    "Outcome",
    "Rendered",
    "UnitWorkbooks",
    "aggregate_files",
    "available_layouts",
    "check",
    "check_all",
    "check_reports",
    "extract_report",
    "init_from_report",
    "dump_docx",
    "init_text",
    "input_schema",
    "render_one",
    "report_html",
    "run_batch",
    "write_schema",
    "write_skeleton",
    "write_unit_workbooks",
    "write_workbook",
]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from xxgk import api

        return getattr(api, name)
    raise AttributeError(f"module 'xxgk' has no attribute {name!r}")
