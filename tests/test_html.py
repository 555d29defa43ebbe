"""The HTML of a report: the layout's exact grid, every number, accessible headers, escaping.

Every HTML here is parsed back (lxml.html) and compared with the layout
(``table.cells``) and the report's cell values, never with a second copy of the
labels.  :func:`read_back` is a small reader of xxgk's own HTML: its cells give
the input back, and the report built from it has the same numbers.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import builders as B
from tests import helpers as H
from xxgk import layouts as L
from xxgk import typeset as T
from xxgk.batch import run_batch
from xxgk.compute import format_number
from xxgk.errors import InputError
from xxgk.formats import html_writer as W
from xxgk.report import Report, build, load

LAYOUT_NAMES = sorted(L.LAYOUTS)


@dataclass
class Read:
    """An origin cell of an HTML table, as the browser places it."""

    row: int
    col: int
    rowspan: int
    colspan: int
    tag: str
    text: str
    attrs: dict[str, str]


def parse(text: str, fragment: bool) -> Any:
    if fragment:
        return lxml.html.document_fromstring(f"<html><body>{text}</body></html>")
    return lxml.html.document_fromstring(text)


def grid(table: Any) -> list[Read]:
    """The origin cells of an HTML table, placed as HTML places them (rowspan/colspan)."""
    taken: set[tuple[int, int]] = set()
    out = []
    for r, tr in enumerate(table.iter("tr")):
        c = 0
        for cell in tr:
            if cell.tag not in ("th", "td"):
                continue
            while (r, c) in taken:
                c += 1
            rowspan, colspan = int(cell.get("rowspan", 1)), int(cell.get("colspan", 1))
            out.append(Read(r, c, rowspan, colspan, cell.tag, cell.text_content(), dict(cell.attrib)))
            taken |= {(r + i, c + j) for i in range(rowspan) for j in range(colspan)}
            c += colspan
    return out


def tables(doc: Any) -> dict[str, Any]:
    """HTML tables by their caption."""
    return {t.find("caption").text_content(): t for t in doc.iter("table")}


def read_back(text: str, layout: L.Layout, fragment: bool = False) -> dict[str, str]:
    """Cell values by field key, read from xxgk's HTML by the layout's positions."""
    found = tables(parse(text, fragment))
    out = {}
    for table in layout.tables:
        cells = {(c.row, c.col): c for c in grid(found[table.heading])}
        for cell in table.cells:
            if cell.field is not None:
                out[cell.field.key] = cells[(cell.row, cell.col)].text
    return out


def report_of(rng: random.Random, layout: str, **text: str) -> Report:
    data = B.make_input(rng, f"测试机关{rng.randrange(1000)}", layout=layout, text=text or None)
    return build("test", data)


def check_tables(report: Report, text: str, fragment: bool) -> None:
    doc = parse(text, fragment)
    found = tables(doc)
    assert list(found) == [t.heading for t in report.layout.tables]
    for table in report.layout.tables:
        cells = grid(found[table.heading])
        ids = {c.attrs["id"]: c.text for c in cells if c.tag == "th"}
        assert len(ids) == sum(1 for c in cells if c.tag == "th"), "ids are unique"
        shape = sorted((c.row, c.col, c.rowspan, c.colspan) for c in cells)
        assert shape == sorted((c.row, c.col, c.rowspan, c.colspan) for c in table.cells)
        by_place = {(c.row, c.col): c for c in cells}
        for cell in table.cells:
            read = by_place[(cell.row, cell.col)]
            if cell.field is None:
                assert (read.tag, read.text) == ("th", cell.label)
                assert read.attrs["scope"] in ("row", "col", "rowgroup", "colgroup")
            else:
                assert read.tag == "td"
                assert read.text == format_number(report.cells[cell.field.key]) != ""
                named = [ids[h] for h in read.attrs["headers"].split()]
                assert set(cell.field.place) <= set(named), (cell.field.place, named)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.randoms(use_true_random=False), st.sampled_from(LAYOUT_NAMES), st.booleans())
def test_tables_have_the_layouts_grid_and_every_number(rng: random.Random, layout: str, fragment: bool) -> None:
    report = report_of(rng, layout)
    text = W.report_html(report, fragment_only=fragment)
    check_tables(report, text, fragment)
    values = read_back(text, report.layout, fragment)
    assert values == {k: format_number(report.cells[k]) for k in values}


@pytest.mark.parametrize("layout", LAYOUT_NAMES)
def test_read_back_gives_the_same_report(rng: random.Random, layout: str) -> None:
    """What issue 10's reader will do: the cells of the HTML are the input again."""
    report = report_of(rng, layout)
    lay = report.layout
    values = read_back(W.page(report), lay)
    kinds = {f.key: f.kind for f in lay.input_fields}
    cells = {k: (B.Decimal(v) if kinds[k] is L.Kind.AMOUNT else int(v)) for k, v in values.items() if k in kinds}
    data = {**{k: report.data[k] for k in ("agency", "year", "layout", "date", "text")}, **lay.input_data(cells)}
    again = build("read back", data)
    assert again.cells == report.cells


def test_text_title_and_signature(rng: random.Random) -> None:
    report = build("test", B.make_input(rng, "示例县人民政府"))
    for fragment in (False, True):
        doc = parse(W.report_html(report, fragment_only=fragment), fragment)
        h1 = doc.find(".//h1")
        assert [t.strip() for t in h1.itertext()] == ["示例县人民政府", f"{B.YEAR}年{L.REPORT_NAME}"]
        assert [h.text_content() for h in doc.iter("h2")] == [s.heading for s in L.SECTIONS if s.heading]
        paragraphs = [p.text_content() for p in doc.iter("p")]
        expected = [p.text for s in L.TEXT_SECTIONS for p in report.text[s.key]]
        assert paragraphs[: len(expected)] == expected
        assert paragraphs[len(expected) :] == ["示例县人民政府", f"{B.YEAR + 1}年1月20日"]
        for p in doc.iter("p"):
            if p.text_content().startswith("（一）"):
                assert p[0].tag == "span" and p[0].text == "（一）主动公开情况。"


def test_the_title_has_the_lines_of_the_docx(rng: random.Random) -> None:
    data = B.make_input(rng, "中国（河北）自由贸易试验区正定片区管理委员会综合执法局")
    auto = build("test", data)
    data["title"] = ["中国（河北）自由贸易试验区", "正定片区管理委员会综合执法局"]
    given = build("test", data)
    for report in (auto, given):
        lines = T.title_lines(report.agency, report.year, report.data.get("title"))
        assert len(lines) >= 3  # a long name on two lines, then the report's name
        h1 = parse(W.report_html(report), False).find(".//h1")
        assert [s.strip() for s in h1.itertext()] == lines
    assert [s.strip() for s in parse(W.report_html(given), False).find(".//h1").itertext()][:2] == data["title"]


def test_leads_in_kaiti_and_no_signature_without_a_date(rng: random.Random) -> None:
    data = B.make_input(rng, "甲局", text={"overview": "（一）主动公开情况。正文一。\n\n（二）依申请公开。正文二。"})
    data["date"] = None
    report = build("test", data)
    page = W.page(report)
    doc = parse(page, False)
    leads = [s.text for s in doc.iter("span")]
    assert leads == ["（一）主动公开情况。", "（二）依申请公开。"]
    assert all(s.get("class") == "lead" for s in doc.iter("span"))
    assert "span.lead{" in page and "楷体" in page
    assert doc.iter("p").__next__() is not None
    assert "甲局" not in [p.text_content() for p in doc.iter("p")][-1:]
    fragment = W.fragment(report)
    spans = list(parse(fragment, True).iter("span"))
    assert all("楷体" in (s.get("style") or "") for s in spans) and len(spans) == 2


HOSTILE = "A<script>alert(1)</script> & B \"引号\" 'x' </p><p>注入 &amp; <!-- -->"


@pytest.mark.parametrize("fragment", [False, True])
def test_hostile_text_is_escaped(rng: random.Random, fragment: bool) -> None:
    agency = "X<b>局</b>&\"'"
    data = B.make_input(rng, agency, text={"overview": HOSTILE, "problems": "a < b && c > d", "other": "无"})
    report = build("test", data)
    text = W.report_html(report, fragment_only=fragment)
    assert "<script" not in text and "<b>" not in text and "<!-- -->" not in text
    doc = parse(text, fragment)
    assert not list(doc.iter("script")) and not list(doc.iter("b"))
    paragraphs = [p.text_content() for p in doc.iter("p")]
    assert HOSTILE in paragraphs and "a < b && c > d" in paragraphs
    assert "".join(doc.find(".//h1").itertext()).startswith(agency)
    assert paragraphs[-2] == agency
    if not fragment:
        assert doc.find(".//title").text == f"{B.YEAR}年{agency}{L.REPORT_NAME}"
    else:
        assert text.startswith(W.FRAGMENT_MARK) and text.count("-->") == 1


def test_standalone_page_is_self_contained(rng: random.Random) -> None:
    text = W.page(report_of(rng, L.DEFAULT_LAYOUT))
    assert text.startswith("<!DOCTYPE html>\n")
    doc = parse(text, False)
    assert doc.get("lang") == "zh-CN"
    assert doc.find(".//meta[@charset]").get("charset") == "utf-8"
    assert not list(doc.iter("script", "link", "img", "iframe", "object"))
    assert not [el for el in doc.iter() if isinstance(el.tag, str) and (el.get("src") or el.get("href"))]
    style = doc.find(".//style").text
    assert "@page" in style and "size:A4" in style and "@media print" in style
    assert "url(" not in style and "@import" not in style


def test_fragment_is_conservative_markup(rng: random.Random) -> None:
    text = W.fragment(report_of(rng, L.DEFAULT_LAYOUT))
    doc = parse(text, True)
    assert not [el for el in doc.iter() if isinstance(el.tag, str) and el.get("class")]
    assert not list(doc.iter("style", "script", "link"))
    assert doc.find(".//div").get("lang") == "zh-CN"
    for table in doc.iter("table"):
        assert (table.get("border"), table.get("cellspacing")) == ("1", "0")
        assert "border-collapse:collapse" in table.get("style") and "width:100%" in table.get("style")
        assert all("text-align:center" in (c.get("style") or "") for c in table.iter("th", "td"))
    assert all(p.get("style") for p in doc.iter("p"))


# --------------------------------------------------------------------------
# Command line and batch
# --------------------------------------------------------------------------


def test_render_html_beside_the_docx(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = H.invoke("render", B.EXAMPLE_INPUT, "-o", out, "--html")
    assert result.exit_code == 0, result.output
    docx = next(out.glob("*.docx"))
    page = docx.with_suffix(".html")
    assert f"已生成：{page}" in result.output
    report = load(B.EXAMPLE_INPUT)
    check_tables(report, page.read_text(encoding="utf-8"), False)
    assert H.leftovers(out) == []

    result = H.invoke("render", B.EXAMPLE_INPUT, "-o", out, "--fragment")
    assert result.exit_code == 0, result.output
    text = page.read_text(encoding="utf-8")
    assert text.startswith(W.FRAGMENT_MARK)
    check_tables(report, text, True)


def test_stale_html_removed_if_xxgk_wrote_it_else_kept_with_a_warning(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert H.invoke("render", B.EXAMPLE_INPUT, "-o", out, "--html").exit_code == 0
    page = next(out.glob("*.html"))
    result = H.invoke("render", B.EXAMPLE_INPUT, "-o", out)
    assert result.exit_code == 0 and not page.exists()
    assert "已删除过时的" in result.output and page.name in result.output

    page.write_text("<html><body>编辑手工修改过的页面</body></html>", encoding="utf-8")
    result = H.invoke("render", B.EXAMPLE_INPUT, "-o", out)
    assert result.exit_code == 0 and page.exists()
    assert "不是本次生成的" in result.output and "--html" in result.output


def test_failed_render_writes_no_html(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(B.EXAMPLE_INPUT.read_text(encoding="utf-8").replace("received = [", "received = [-1, "))
    out = tmp_path / "out"
    H.assert_user_error(H.invoke("render", bad, "-o", out, "--html"), "未生成报告")
    assert not out.exists() or not list(out.iterdir())


def test_batch_html_one_failure_does_not_stop_the_others(tmp_path: Path) -> None:
    paths = B.write_batch(tmp_path / "in", 5)
    paths[2].write_text('agency = "坏"\nyear = "x"\n', encoding="utf-8")
    out = tmp_path / "out"
    report = run_batch(paths, out, jobs=2, html=True)
    assert report.count("失败") == 1
    pages = sorted(out.glob("*.html"))
    assert len(pages) == 4 and len(list(out.glob("*.docx"))) == 4
    for o in report.outcomes:
        if o.output is not None:
            assert o.html == o.output.with_suffix(".html") and o.html.is_file()
            check_tables(load(o.source), o.html.read_text(encoding="utf-8"), False)
    assert H.leftovers(out) == []

    result = H.invoke("batch", *paths, "-o", out, "--fragment", "-j", "1")
    assert result.exit_code == 1
    assert all(p.read_text(encoding="utf-8").startswith(W.FRAGMENT_MARK) for p in pages)
    result = H.invoke("batch", *paths, "-o", out, "-j", "1")
    assert not list(out.glob("*.html")) and "已删除过时的" in result.output


def test_colliding_outputs_write_no_html(tmp_path: Path, rng: random.Random) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    a = B.write_toml(folder / "a.toml", B.make_input(rng, "同名局"))
    b = B.write_json(folder / "b.json", B.make_input(rng, "同名局"))
    out = tmp_path / "out"
    report = run_batch([a, b], out, jobs=1, html=True)
    assert report.count("失败") == 2
    assert not list(out.glob("*.html")) and H.leftovers(out) == []


def test_api_exports_html() -> None:
    import xxgk

    report = load(B.EXAMPLE_INPUT)
    assert xxgk.report_html(report) == W.page(report)
    assert xxgk.report_html(report, fragment=True) == W.fragment(report)
    assert re.search(r"<td headers=\"[^\"]+\">0</td>", W.page(report))  # zeros are written


TEXT = st.text(
    st.one_of(
        st.sampled_from("<>&\"'/;= \u3000（一）。abc中文"),
        st.characters(blacklist_categories=("Cc", "Cs", "Cf"), blacklist_characters="{}"),
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.randoms(use_true_random=False), TEXT, TEXT, st.booleans())
def test_any_text_reads_back_as_written(rng: random.Random, agency: str, body: str, fragment: bool) -> None:
    agency = agency.strip() or "局"
    data = B.make_input(rng, agency, text={"overview": body, "problems": f"{body}\n\n{agency}", "other": "无"})
    try:
        report = build("test", data)
    except InputError:  # e.g. a non-character: refused with a message, nothing to publish
        return
    doc = parse(W.report_html(report, fragment_only=fragment), fragment)
    paragraphs = [p.text_content() for p in doc.iter("p")]
    expected = [p.text for s in L.TEXT_SECTIONS for p in report.text[s.key]]
    assert paragraphs == expected + [report.agency, f"{B.YEAR + 1}年1月20日"]
    assert list(doc.find(".//h1").itertext())[0] == report.agency
    assert not list(doc.iter("script"))
