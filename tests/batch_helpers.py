"""Shared helpers for the batch, aggregate, summary and PDF tests.

:func:`make_input` generates a consistent input (table 三's identity holds in
every column: 一 + 二 = （七）总计 + 四, where （七）总计 is the column sum of every
outcome row); :func:`write_toml` writes it in the spec §5 format.
"""

from __future__ import annotations

import datetime
import io
import json
import multiprocessing
import os
import random
import zipfile
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from tests.conftest import consistent_data
from xxgk import layouts as L
from xxgk.cli import cli

YEAR = 2024
TEXT = {
    "overview": "{{ year }}年共收到政府信息公开申请{{ requests.received.total }}件。",
    "problems": "公开质量有待提高。",
    "other": "按照《政府信息公开信息处理费管理办法》，本机关未收取信息处理费。",
}


def make_input(
    rng: random.Random,
    agency: str,
    *,
    year: int = YEAR,
    layout: str = L.DEFAULT_LAYOUT,
    text: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """A valid, complete input with random numbers; the table-三 identity holds per column."""
    data = consistent_data(rng, layout, agency=agency)
    for block, item in L.LAYOUTS[layout].proactive_items():
        for column in block.columns:
            if column.kind is L.Kind.AMOUNT:  # as TOML and JSON are read: decimals exact
                data["proactive"][item.key][column.key] = Decimal(str(data["proactive"][item.key][column.key]))
    data.update(year=year, date=datetime.date(year + 1, 1, 20), text=dict(TEXT if text is None else text))
    return data


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def assert_usage_error(result: Result, *fragments: str) -> None:
    """Exit 2: the command line names a file of the wrong kind."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.output, (fragment, result.output)


def assert_user_error(result: Result, *fragments: str) -> None:
    """Exit 1 with a message, no traceback."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.output, (fragment, result.output)


# --------------------------------------------------------------------------
# Writing inputs
# --------------------------------------------------------------------------


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (int, Decimal)):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{k} = {_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(type(value))


def toml_text(data: Mapping[str, Any]) -> str:
    """A small TOML writer: scalars and inline tables, tables as [dotted.headers]."""
    lines: list[str] = []

    def table(prefix: str, node: Mapping[str, Any]) -> None:
        scalars = [(k, v) for k, v in node.items() if not isinstance(v, Mapping) or prefix == "proactive"]
        tables = [(k, v) for k, v in node.items() if isinstance(v, Mapping) and prefix != "proactive"]
        if prefix:
            lines.append(f"[{prefix}]")
        for k, v in scalars:
            lines.append(f"{k} = {_value(v)}")
        lines.append("")
        for k, v in tables:
            table(f"{prefix}.{k}" if prefix else k, v)

    table("", data)
    return "\n".join(lines)


def write_toml(path: Path, data: Mapping[str, Any]) -> Path:
    path.write_text(toml_text(data), encoding="utf-8")
    return path


def write_json(path: Path, data: Mapping[str, Any]) -> Path:
    def default(value: Any) -> Any:
        if isinstance(value, Decimal):
            return float(value)
        if isinstance(value, datetime.date):
            return value.isoformat()
        raise TypeError(type(value))

    path.write_text(json.dumps(data, ensure_ascii=False, default=default), encoding="utf-8")
    return path


def agency_name(i: int) -> str:
    return f"示例市第{i:02d}测试局"


def write_batch(folder: Path, n: int, seed: int = 20250120, *, json_every: int = 5) -> list[Path]:
    """``n`` consistent inputs (every ``json_every``-th one as JSON) in ``folder``."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        data = make_input(rng, agency_name(i))
        if json_every and i % json_every == json_every - 1:
            paths.append(write_json(folder / f"unit{i:02d}.json", data))
        else:
            paths.append(write_toml(folder / f"unit{i:02d}.toml", data))
    return paths


# --------------------------------------------------------------------------
# Reading outputs
# --------------------------------------------------------------------------


def docx_name(year: int, agency: str) -> str:
    return f"{year}年{agency}{L.REPORT_NAME}.docx"


def document_xml(docx: Path) -> bytes:
    with zipfile.ZipFile(io.BytesIO(docx.read_bytes())) as archive:
        return archive.read("word/document.xml")


def leftovers(folder: Path) -> list[str]:
    """Temporary files that a run must not leave behind."""
    return sorted(p.name for p in folder.rglob(".xxgk-*"))


def dying_chunk(self: Any) -> list[tuple[int, Any]]:
    """In place of ``xxgk.pool.Chunk.__call__``: a worker renders its chunk (temporary files
    included), then dies."""
    results = [(i, self.work(item)) for i, item in self.items]
    if multiprocessing.parent_process() is not None:
        os._exit(3)
    return results


def killing_job(original: Any) -> Any:
    """In place of ``xxgk.batch.Job.__call__``: kills its process for inputs named *kill*."""

    def call(self: Any, path: Path) -> Any:
        if "kill" in path.name and multiprocessing.parent_process() is not None:
            os._exit(9)
        return original(self, path)

    return call
