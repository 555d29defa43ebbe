"""The seed reproduced, the fast path equal to docxtpl's, every cell read back."""

from __future__ import annotations

import io
import json
import random
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from tests.builders import EXAMPLE_INPUT, SEED_DUMP, SEED_INPUT, consistent_data
from xxgk import layouts as L
from xxgk.cli import cli
from xxgk.errors import InputError
from xxgk.formats import docx_dump as dump
from xxgk.render import context, render_bytes, render_reference, template_path
from xxgk.report import build, load


def _c14n(docx: bytes, part: str = "word/document.xml") -> bytes:
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        return etree.tostring(etree.fromstring(z.read(part)), method="c14n")


def test_seed_reproduced_exactly(tmp_path: Path) -> None:
    out = tmp_path / "seed.docx"
    result = CliRunner().invoke(cli, ["render", str(SEED_INPUT), "-o", str(out)])
    assert result.exit_code == 0, result.output
    expected = dump.normalise(SEED_DUMP.read_text(encoding="utf-8"))
    assert dump.normalise(dump.dump(out)) == expected


def test_seed_reproduced_by_reference_path_too() -> None:
    report = load(SEED_INPUT)
    data = render_reference(template_path(report.layout), context(report))
    assert dump.normalise(dump.dump(data)) == dump.normalise(SEED_DUMP.read_text(encoding="utf-8"))


def test_dump_command_prints_the_seed_format(tmp_path: Path) -> None:
    out = tmp_path / "seed.docx"
    out.write_bytes(render_bytes(load(SEED_INPUT)))
    result = CliRunner().invoke(cli, ["dump", str(out)])
    assert result.exit_code == 0
    assert result.output == dump.normalise(SEED_DUMP.read_text(encoding="utf-8"))


@pytest.fixture
def reproducible(monkeypatch: pytest.MonkeyPatch) -> None:
    """Both render paths stamp the same generation time."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")


@pytest.mark.parametrize("source", [SEED_INPUT, EXAMPLE_INPUT])
def test_fast_path_equals_docxtpl(source: Path, reproducible: None) -> None:
    report = load(source)
    fast = render_bytes(report)
    slow = render_reference(template_path(report.layout), context(report))
    assert _c14n(fast) == _c14n(slow)
    with zipfile.ZipFile(io.BytesIO(fast)) as a, zipfile.ZipFile(io.BytesIO(slow)) as b:
        assert sorted(a.namelist()) == sorted(b.namelist())
        for name in a.namelist():
            if name.endswith(".xml"):
                assert _c14n(fast, name) == _c14n(slow, name), name


def test_special_characters_come_out_intact(tmp_path: Path, rng: random.Random, reproducible: None) -> None:
    text = "R&D 部门 <b>加粗</b> tail “引号” \"双引号\" 'single' A&B；x<y>z"
    data = consistent_data(rng, agency="A&B <局> “测试”")
    data["text"]["overview"] = text
    report = build("t", data)
    fast = render_bytes(report)
    slow = render_reference(template_path(report.layout), context(report))
    for docx in (fast, slow):
        lines = dump.dump(docx).split("\n")
        assert text in lines
        assert "A&B <局> “测试”" in lines
    assert _c14n(fast) == _c14n(slow)
    assert _c14n(fast, "docProps/core.xml") == _c14n(slow, "docProps/core.xml")


def test_free_text_becomes_real_paragraphs(rng: random.Random) -> None:
    data = consistent_data(rng)
    data["text"]["problems"] = "第一段第一行\n第一段第二行\n\n　　第二段。\n\n\n（一）措施。第三段"
    docx = render_bytes(build("t", data))
    root = dump.document_root(docx)
    assert not list(root.iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}br"))
    lines = dump.dump(docx).split("\n")
    start = lines.index(L.PROBLEMS.heading) + 1
    assert lines[start : start + 3] == ["第一段第一行第一段第二行", "第二段。", "（一）措施。第三段"]


def test_signature_block_only_with_date(rng: random.Random) -> None:
    data = consistent_data(rng, agency="某某局")
    without = dump.dump(render_bytes(build("t", data))).rstrip("\n").split("\n")
    data["date"] = "2025-01-20"
    with_date = dump.dump(render_bytes(build("t", data))).rstrip("\n").split("\n")
    assert with_date[-2:] == ["某某局", "2025年1月20日"]
    assert without[-1] == data["text"]["other"]  # the document ends with 六's text
    assert with_date[:-3] == without


# --------------------------------------------------------------------------
# Property: every data cell read back equals the input or the derived total
# --------------------------------------------------------------------------


def _cells_by_position(layout: L.Layout) -> list[tuple[int, int, int, L.Field]]:
    return [
        (t_index, c.row, c.col, c.field)
        for t_index, table in enumerate(layout.tables)
        for c in table.cells
        if c.field is not None
    ]


def _expected(data: dict[str, Any], f: L.Field) -> Any:
    """The value a cell must show, computed here from the raw input (not by xxgk)."""
    path = f.path
    if path[0] == "proactive":
        return data["proactive"][path[1]][path[2]]
    if path[0] == "appeals":
        group = data["appeals"][path[1]]
        if path[2] == "total":
            return sum(group[c.key] for c in L.APPEAL_COLUMNS)
        return group[path[2]]
    column = [c.key for c in L.REQUEST_COLUMNS].index(path[-1])
    row_path = path[1:-1]

    def row(p: tuple[str, ...]) -> list[int]:
        node: Any = data["requests"]
        for k in p:
            node = node[k]
        return list(node)

    if row_path == ("outcome", "total"):
        layout = L.LAYOUTS[data["layout"]]
        rows = [row(rr.path[1:]) for rr in layout.request_rows if not rr.computed and rr.path[1] == L.OUTCOME_KEY]
        sums = [sum(r[i] for r in rows) for i in range(6)]
        return sums[column] if column < 6 else sum(sums)
    values = row(row_path)
    return values[column] if column < 6 else sum(values)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32), layout=st.sampled_from(list(L.LAYOUTS)))
def test_every_cell_read_back(seed: int, layout: str) -> None:
    data = consistent_data(random.Random(seed), layout)
    report = build("t", data)
    docx = render_bytes(report)
    tables = [dump.grid_values(t) for t in dump.tables(docx)]
    for t_index, row, col, f in _cells_by_position(L.LAYOUTS[layout]):
        expected = _expected(data, f)
        if f.kind is L.Kind.AMOUNT:  # as written in the JSON input
            expected = json.dumps(expected)
        assert tables[t_index][(row, col)] == str(expected), f.place_name


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    bump=st.integers(1, 50),
    row_index=st.integers(0, len(L.INPUT_REQUEST_ROWS) - 1),
    column=st.integers(0, 5),
)
def test_inconsistent_data_always_refused(seed: int, bump: int, row_index: int, column: int) -> None:
    data = consistent_data(random.Random(seed))
    rr = L.INPUT_REQUEST_ROWS[row_index]
    node: Any = data["requests"]
    for key in rr.path[1:-1]:
        node = node.setdefault(key, {})
    row = list(node.get(rr.path[-1], [0] * 6))
    row[column] += bump
    node[rr.path[-1]] = row
    with pytest.raises(InputError) as caught:
        build("t", data)
    names = [str(p) for p in caught.value.problems]
    assert any("勾稽关系不成立" in n and L.APPLICANT_COLUMNS[column].label in n for n in names)


def test_document_properties_name_the_report(rng: random.Random) -> None:
    report = build("t", consistent_data(rng, agency="R&D <局>"))
    with zipfile.ZipFile(io.BytesIO(render_bytes(report))) as z:
        core = etree.fromstring(z.read("docProps/core.xml"))
    ns = {"dc": "http://purl.org/dc/elements/1.1/"}
    assert core.findtext("dc:title", namespaces=ns) == "2024年R&D <局>政府信息公开工作年度报告"
    assert core.findtext("dc:creator", namespaces=ns) == "R&D <局>"


def test_a_finished_report_is_not_a_template(tmp_path: Path) -> None:
    finished = tmp_path / "old.docx"
    finished.write_bytes(render_bytes(load(EXAMPLE_INPUT)))
    result = CliRunner().invoke(
        cli, ["render", str(EXAMPLE_INPUT), "-o", str(tmp_path / "new.docx"), "--template", str(finished)]
    )
    assert result.exit_code == 1 and "不是模板" in result.output
    assert not (tmp_path / "new.docx").exists()


@pytest.mark.parametrize(
    ("agency", "expected"),
    [
        ("某/局\\..", "2024年某_局_政府信息公开工作年度报告.docx"),
        ("a:b*c?d\"e<f>g|h", "2024年a_b_c_d_e_f_g_h政府信息公开工作年度报告.docx"),
        ("..", "2024年_政府信息公开工作年度报告.docx"),
    ],
)
def test_output_names_are_safe(agency: str, expected: str) -> None:
    from xxgk.files import output_name

    assert output_name(2024, agency) == expected


def test_long_agency_names_fit_a_file_name() -> None:
    from xxgk.files import output_name

    name = output_name(2024, "很长的机关名称" * 40)
    assert len(name.encode("utf-8")) <= 255 and name.endswith("政府信息公开工作年度报告.docx")


def _png_1x1() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xc0\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def test_template_with_a_logo_uses_the_fast_path_and_matches_docxtpl(tmp_path: Path) -> None:
    """An agency adds its logo to a copy of the template: still fast, still equal to docxtpl."""
    from docx import Document
    from docx.shared import Mm

    from xxgk.render import get_template

    logo = tmp_path / "logo.png"
    logo.write_bytes(_png_1x1())
    doc = Document(str(template_path(L.LAYOUTS["gov-2021"])))
    first = doc.paragraphs[0]
    first.insert_paragraph_before().add_run().add_picture(str(logo), width=Mm(20))
    doc.paragraphs[2].add_run().add_picture(str(logo), width=Mm(10))
    own = tmp_path / "own.docx"
    doc.save(str(own))

    report = load(EXAMPLE_INPUT)
    assert get_template(own).fast
    fast = render_bytes(report, own)
    slow = render_reference(own, context(report))
    assert _c14n(fast) == _c14n(slow)
    assert b'id="1001"' in _c14n(fast) and b'id="1002"' in _c14n(fast)


@pytest.mark.parametrize(("layout", "year", "advice"), [("gov-2019", 2024, "gov-2021"), ("gov-2021", 2020, "gov-2019")])
def test_a_format_used_for_the_wrong_year_is_pointed_out(layout: str, year: int, advice: str) -> None:
    data = consistent_data(random.Random(year), layout, year=year)
    warnings = [str(w) for w in build("t", data).warnings]
    assert any(f"{year} 年度报告用的是版式 {layout}" in w and f"应使用版式 {advice}" in w for w in warnings), warnings


def test_the_generated_preface_names_the_layouts_format() -> None:
    older = build("t", consistent_data(random.Random(1), "gov-2019", year=2020))
    newer = build("t", consistent_data(random.Random(1), "gov-2021", year=2024))
    assert "〔2019〕60号" in older.text["preface"][0].text and "〔2021〕30号" in newer.text["preface"][0].text
    assert not any("用的是版式" in str(w) for w in older.warnings + newer.warnings)
