"""Golden layout tests: the produced XML against the spec's tables, merges and labels."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from tests.builders import EXAMPLE_INPUT, ROOT, SEED_INPUT
from tests.spec_tables import EXPECTED, HEADINGS, T3_MERGES, parse_a1
from xxgk import layouts as L
from xxgk.formats import docx_dump as dump
from xxgk.render import render_bytes, template_path
from xxgk.report import load
from xxgk.template_builder import build_template

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def rendered() -> dict[str, bytes]:
    return {
        "gov-2021": render_bytes(load(EXAMPLE_INPUT)),
        "xingtai-2022": render_bytes(load(SEED_INPUT)),
    }


@pytest.mark.parametrize("layout", list(EXPECTED))
def test_tables_match_spec_cell_for_cell(rendered: dict[str, bytes], layout: str) -> None:
    tables = dump.tables(rendered[layout])
    assert len(tables) == 3
    for tbl, expected in zip(tables, EXPECTED[layout], strict=True):
        got = {(o.row, o.col): o for o in dump.origins(tbl)}
        want = {parse_a1(ref)[:2]: (parse_a1(ref), text) for ref, text in expected}
        assert set(got) == set(want), f"origins differ: {set(got) ^ set(want)}"
        for key, ((_, _, rowspan, colspan), text) in want.items():
            o = got[key]
            assert (o.rowspan, o.colspan) == (rowspan, colspan), (key, o)
            if text is None:
                assert re.fullmatch(r"-?\d+(\.\d{1,2})?", o.text), f"data cell {key} is {o.text!r}"
            else:
                assert o.text == text


@pytest.mark.parametrize("layout", list(EXPECTED))
def test_table_three_merges_as_listed(rendered: dict[str, bytes], layout: str) -> None:
    tbl = dump.tables(rendered[layout])[1]
    merged = sorted(
        (o.row, o.col, o.rowspan, o.colspan)
        for o in dump.origins(tbl)
        if o.rowspan > 1 or o.colspan > 1
    )
    assert merged == sorted(parse_a1(m) for m in T3_MERGES)


@pytest.mark.parametrize("layout", list(EXPECTED))
def test_merges_are_gridspan_and_vmerge(rendered: dict[str, bytes], layout: str) -> None:
    """Horizontal merges are one w:tc with gridSpan; vertical ones restart + continue cells."""
    root = dump.document_root(rendered[layout])
    for tbl in root.iter(f"{W}tbl"):
        ncols = len(tbl.findall(f"{W}tblGrid/{W}gridCol"))
        for tr in tbl.findall(f"{W}tr"):
            width = 0
            for tc in tr.findall(f"{W}tc"):
                span = tc.find(f"{W}tcPr/{W}gridSpan")
                width += int(span.get(f"{W}val")) if span is not None else 1
            assert width == ncols
    t3 = dump.tables(rendered[layout])[1]
    first_rows = t3.findall(f"{W}tr")
    a1 = first_rows[0].findall(f"{W}tc")[0]
    assert a1.find(f"{W}tcPr/{W}gridSpan").get(f"{W}val") == "3"
    assert a1.find(f"{W}tcPr/{W}vMerge").get(f"{W}val") == "restart"
    cont = first_rows[1].findall(f"{W}tc")[0]
    vm = cont.find(f"{W}tcPr/{W}vMerge")
    assert vm is not None and vm.get(f"{W}val") in (None, "continue")


@pytest.mark.parametrize("layout", list(EXPECTED))
def test_layout_data_matches_spec(layout: str) -> None:
    """The layout definitions themselves (not only their output) agree with the spec."""
    for table, expected in zip(L.LAYOUTS[layout].tables, EXPECTED[layout], strict=True):
        got = {(c.row, c.col, c.rowspan, c.colspan): c.label for c in table.cells}
        want = {parse_a1(ref): text for ref, text in expected}
        assert got == want


def test_headings_in_order(rendered: dict[str, bytes]) -> None:
    for data in rendered.values():
        lines = dump.dump(data).split("\n")
        positions = [lines.index(h) for h in HEADINGS]
        assert positions == sorted(positions)


@pytest.mark.parametrize("layout", list(L.LAYOUTS))
def test_committed_template_matches_fresh_build(layout: str) -> None:
    committed = zipfile.ZipFile(template_path(L.LAYOUTS[layout]))
    fresh = zipfile.ZipFile(io.BytesIO(build_template(L.LAYOUTS[layout])))
    assert sorted(committed.namelist()) == sorted(fresh.namelist())
    for name in fresh.namelist():
        if name.endswith((".xml", ".rels")):
            a = etree.tostring(etree.fromstring(committed.read(name)), method="c14n")
            b = etree.tostring(etree.fromstring(fresh.read(name)), method="c14n")
            assert a == b, f"{name} differs: run `make templates`"
        else:
            assert committed.read(name) == fresh.read(name), name
    assert template_path(L.LAYOUTS[layout]).parent == ROOT / "templates"


def test_each_label_typed_once_in_the_code_base() -> None:
    """Every fixed label lives in xxgk/layouts.py, once; no other module spells it."""
    labels = {c.label for lay in L.LAYOUTS.values() for t in lay.tables for c in t.cells if c.label}
    labels |= {s.heading for s in L.SECTIONS if s.heading}
    sources = {p: p.read_text(encoding="utf-8") for p in (ROOT / "src" / "xxgk").glob("*.py")}
    layouts_py = ROOT / "src" / "xxgk" / "layouts.py"
    for label in labels:
        literal = re.compile(r"[\"']" + re.escape(label) + r"[\"']")
        assert len(literal.findall(sources[layouts_py])) == 1, label
        for path, text in sources.items():
            if path != layouts_py:
                assert not literal.search(text), f"{label} typed again in {path.name}"


def test_document_typography(rendered: dict[str, bytes]) -> None:
    data = rendered["gov-2021"]
    root = dump.document_root(data)
    sect = root.find(f"{W}body/{W}sectPr")
    size = sect.find(f"{W}pgSz")
    assert (size.get(f"{W}w"), size.get(f"{W}h")) == ("11906", "16838")  # A4
    mar = sect.find(f"{W}pgMar")
    mm = {k: round(int(mar.get(f"{W}{k}")) / 56.692) for k in ("top", "bottom", "left", "right")}
    assert mm == {"top": 37, "bottom": 35, "left": 28, "right": 26}
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        styles = z.read("word/styles.xml").decode()
        footer = z.read("word/footer1.xml").decode()
    for font in ("仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312", "宋体"):
        assert f'w:eastAsia="{font}"' in styles
    assert "PAGE" in footer and "— " in footer and " —" in footer
    # Body: 三号 with fixed line spacing and a 2-character first-line indent.
    assert 'w:lineRule="exact"' in styles and 'w:firstLineChars="200"' in styles
    for tbl in root.iter(f"{W}tbl"):
        widths = [int(g.get(f"{W}w")) for g in tbl.findall(f"{W}tblGrid/{W}gridCol")]
        assert sum(widths) <= 8845  # fits 156 mm of text width
        assert tbl.find(f"{W}tblPr/{W}tblBorders/{W}insideV").get(f"{W}val") == "single"
    # every data column holds a five-digit number on one line (digits are 0.5 em wide)
    margin = int(root.find(f"{W}body/{W}tbl/{W}tblPr/{W}tblCellMar/{W}left").get(f"{W}w"))
    for table in L.LAYOUTS["gov-2021"].tables:
        for cell in table.cells:
            if cell.field is not None:
                width = sum(table.widths[cell.col : cell.col + cell.colspan]) - 2 * margin
                assert width >= 5 * 0.5 * table.font_size * 20, (table.key, cell)
    t3, t4 = dump.tables(data)[1:]
    for tbl in (t3, t4):
        rows = tbl.findall(f"{W}tr")
        assert all(r.find(f"{W}trPr/{W}tblHeader") is not None for r in rows[:3])
        assert rows[3].find(f"{W}trPr/{W}tblHeader") is None


def test_lead_in_kai_font(rendered: dict[str, bytes]) -> None:
    root = dump.document_root(rendered["gov-2021"])
    for p in root.iter(f"{W}p"):
        runs = p.findall(f"{W}r")
        if runs and "".join(t.text or "" for t in runs[0].iter(f"{W}t")) == "（一）主动公开情况。":
            assert runs[0].find(f"{W}rPr/{W}rStyle").get(f"{W}val")
            return
    raise AssertionError("the lead （一）主动公开情况。 is not a run of its own")


def test_template_file_location_is_packaged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import xxgk.render

    source = template_path(L.LAYOUTS["gov-2021"])
    assert source.is_file() and source.parent == ROOT / "templates"  # in the source tree
    installed = tmp_path / "site-packages" / "xxgk"
    (installed / "templates").mkdir(parents=True)
    monkeypatch.setattr(xxgk.render, "_package_dir", lambda: installed)
    assert template_path(L.LAYOUTS["gov-2021"]) == installed / "templates" / "gov-2021.docx"
