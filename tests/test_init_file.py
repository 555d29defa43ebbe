"""The file ``xxgk init`` writes: says what # lines are and how to add the signature; rows in report order."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from tests import helpers as H
from xxgk import layouts as L
from xxgk.api import init_text
from xxgk.report import load


def _key_lines(text: str) -> list[tuple[str, ...]]:
    """Every ``key = value`` line's full key path, in file order."""
    table: tuple[str, ...] = ()
    out = []
    for line in text.splitlines():
        if m := re.match(r"\[([\w.]+)\]", line):
            table = tuple(m.group(1).split("."))
        elif m := re.match(r"([\w.]+) = [\[{]", line):
            out.append(table + tuple(m.group(1).split(".")))
    return out


@pytest.mark.parametrize("layout", list(L.LAYOUTS))
def test_entries_in_the_order_of_the_report(layout: str) -> None:
    text = init_text(layout, 2025)
    entries = [e.path for e in L.LAYOUTS[layout].entries]
    assert _key_lines(text) == entries
    data = tomllib.loads(text)  # dotted keys below [requests]: still valid TOML, same structure
    for entry in L.LAYOUTS[layout].entries:
        node = data
        for key in entry.path:
            node = node[key]
        assert node is not None


def test_first_comment_block_explains_comments_and_the_signature(tmp_path: Path) -> None:
    text = init_text(L.DEFAULT_LAYOUT, 2025)
    head = text.split("\n\n", 1)[0]
    assert all(line.startswith("#") for line in head.splitlines())
    assert "以 # 开头的行是说明" in head and "date" in head and "落款" in head and "--draft" in head
    source = tmp_path / "a.toml"
    source.write_text(text, encoding="utf-8")
    assert load(source).date is None
    signed = tmp_path / "signed.toml"
    signed.write_text(re.sub(r"^# (date = )", r"\1", text, flags=re.M), encoding="utf-8")
    report = load(signed)
    assert report.date is not None and report.date.year == 2026


def test_aggregate_output_reads_back_in_report_order(tmp_path: Path) -> None:
    branches = Path(__file__).resolve().parents[1] / "inputs" / "branches"
    out = tmp_path / "合计.toml"
    result = H.invoke(
        "aggregate", branches, "--defaults", branches / "_defaults.toml",
        "--base", branches / "_center.toml", "-o", out,
    )
    assert result.exit_code == 0, result.output
    assert "个单位和本级：" in result.output  # the units counted, and 本级 named beside them
    text = out.read_text(encoding="utf-8")
    assert _key_lines(text) == [e.path for e in load(out).layout.entries]
