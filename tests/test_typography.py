"""The .docx itself: pagination properties, widths, fonts, schema order, properties, title, signature."""

from __future__ import annotations

import datetime
import io
import random
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from lxml import etree

from tests.builders import EXAMPLE_INPUT, SEED_INPUT, consistent_data, write_json
from xxgk import __version__, ooxml
from xxgk import layouts as L
from xxgk import typeset as T
from xxgk.cli import cli
from xxgk.errors import InputError
from xxgk.formats import docx_dump as dump
from xxgk.render import context, render_bytes, render_reference, template_path
from xxgk.report import build, load

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
EPOCH = 1767225600  # 2026-01-01T00:00:00Z


def parts(docx: bytes) -> dict[str, Any]:
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        return {n: etree.fromstring(z.read(n)) for n in z.namelist() if n.endswith(".xml")}


def report_bytes(rng: random.Random, **over: Any) -> bytes:
    return render_bytes(build("t", consistent_data(rng, **over)))


@pytest.fixture(scope="module")
def samples() -> dict[str, bytes]:
    rng = random.Random(3)
    out = {f"template {name}": template_path(lay).read_bytes() for name, lay in L.LAYOUTS.items()}
    out["seed"] = render_bytes(load(SEED_INPUT))
    out["example"] = render_bytes(load(EXAMPLE_INPUT))
    out["gbk"] = report_bytes(rng, date="2025-01-20", fonts="gbk")
    out["xingtai"] = report_bytes(rng, layout="xingtai-2022", date="2025-01-20")
    return out


# --------------------------------------------------------------------------
# ECMA-376 child order
# --------------------------------------------------------------------------


def test_every_part_in_schema_order(samples: dict[str, bytes]) -> None:
    for name, docx in samples.items():
        for part, root in parts(docx).items():
            assert ooxml.misplaced(root) == [], (name, part)


def test_the_order_check_knows_the_sequences_python_docx_declares() -> None:
    seqs = ooxml.sequences()
    for tag in ("pPr", "rPr", "tblPr", "trPr", "tcPr", "sectPr", "settings", "style"):
        assert len(seqs[W + tag]) > 3, tag
    tblpr = seqs[W + "tblPr"]
    assert tblpr[W + "tblW"] < tblpr[W + "jc"] < tblpr[W + "tblBorders"] < tblpr[W + "tblLayout"]
    assert tblpr[W + "tblLayout"] < tblpr[W + "tblCellMar"] < tblpr[W + "tblLook"]
    ppr = seqs[W + "pPr"]
    assert ppr[W + "spacing"] < ppr[W + "ind"] < ppr[W + "jc"]


def test_misplaced_children_are_found_and_reordered() -> None:
    root = etree.fromstring(
        f'<w:p xmlns:w="{W[1:-1]}"><w:pPr><w:jc w:val="left"/><w:ind w:left="1"/>'
        "<w:spacing w:line='1'/><w:pStyle w:val='a'/></w:pPr></w:p>"
    )
    assert ooxml.misplaced(root)
    assert ooxml.reorder(root) == 1
    assert [c.tag.split("}")[1] for c in root[0]] == ["pStyle", "spacing", "ind", "jc"]
    assert ooxml.misplaced(root) == []


def test_a_users_template_out_of_order_is_put_in_order(tmp_path: Path) -> None:
    """A template edited by another tool, with table properties out of order: the report is valid."""
    bundled = template_path(L.LAYOUTS[L.DEFAULT_LAYOUT])
    own = tmp_path / "own.docx"
    with zipfile.ZipFile(bundled) as src, zipfile.ZipFile(own, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":
                root = etree.fromstring(data)
                for tblpr in root.iter(W + "tblPr"):
                    tblpr.append(tblpr.find(W + "tblW"))  # tblW last: wrong
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
                assert ooxml.misplaced(root)
            dst.writestr(item, data)
    out = render_bytes(load(EXAMPLE_INPUT), own)
    assert ooxml.misplaced(parts(out)["word/document.xml"]) == []


# --------------------------------------------------------------------------
# Pagination
# --------------------------------------------------------------------------


def tables(docx: bytes) -> list[Any]:
    return list(dump.document_root(docx).iter(W + "tbl"))


def test_tables_stay_whole_with_their_headings(samples: dict[str, bytes]) -> None:
    for name in ("seed", "example", "gbk"):
        root = dump.document_root(samples[name])
        for tbl in root.iter(W + "tbl"):
            rows = tbl.findall(W + "tr")
            for i, tr in enumerate(rows):
                assert tr.find(f"{W}trPr/{W}cantSplit") is not None
                for p in tr.iter(W + "p"):
                    keep = p.find(f"{W}pPr/{W}keepNext") is not None
                    assert keep == (i < len(rows) - 1), (name, i)
            heading = tbl.getprevious()
            assert heading.find(f"{W}pPr/{W}pStyle").get(W + "val") == style_id(samples[name], "一级标题")
    styles = parts(samples["example"])["word/styles.xml"]
    heading_style = next(s for s in styles.iter(W + "style") if s.find(W + "name").get(W + "val") == "一级标题")
    assert heading_style.find(f"{W}pPr/{W}keepNext") is not None


def style_id(docx: bytes, name: str) -> str:
    styles = parts(docx)["word/styles.xml"]
    return next(s.get(W + "styleId") for s in styles.iter(W + "style") if s.find(W + "name").get(W + "val") == name)


def test_table_rows_are_compact(samples: dict[str, bytes]) -> None:
    styles = parts(samples["example"])["word/styles.xml"]
    for style in styles.iter(W + "style"):
        if style.find(W + "name").get(W + "val").startswith("表格文字"):
            size = int(style.find(f"{W}rPr/{W}sz").get(W + "val")) / 2
            spacing = style.find(f"{W}pPr/{W}spacing")
            assert spacing.get(W + "lineRule") == "exact"
            assert int(spacing.get(W + "line")) <= size * 20 * 1.3
            assert spacing.get(W + "before", "0") == spacing.get(W + "after", "0") == "0"
    for tbl in tables(samples["example"]):
        mar = tbl.find(f"{W}tblPr/{W}tblCellMar")
        assert all(int(m.get(W + "w")) <= 60 for m in mar)


def test_last_paragraph_of_six_keeps_with_the_signature(rng: random.Random) -> None:
    data = consistent_data(rng, date="2025-01-20")
    data["text"]["other"] = "第一段。\n\n第二段，未收取信息处理费。"
    root = dump.document_root(render_bytes(build("t", data)))
    paras = list(root.find(W + "body").iter(W + "p"))
    texts = ["".join(t.text or "" for t in p.iter(W + "t")) for p in paras]
    last = texts.index("第二段，未收取信息处理费。")

    def keep(i: int) -> bool:
        return paras[i].find(f"{W}pPr/{W}keepNext") is not None

    assert not keep(last - 1) and keep(last) and keep(last + 1) and keep(last + 2)  # text, blank, agency
    assert not keep(last + 3) and texts[last + 3] == "2025年1月20日"
    data.pop("date")
    root = dump.document_root(render_bytes(build("t", data)))
    paras = list(root.find(W + "body").iter(W + "p"))
    assert paras[-1].find(f"{W}pPr/{W}keepNext") is None  # no signature: nothing to keep with


def test_a_lead_alone_on_its_line_keeps_with_the_next(rng: random.Random) -> None:
    data = consistent_data(rng)
    data["text"]["overview"] = "（一）主动公开情况\n\n本年度主动公开信息120条。"
    root = dump.document_root(render_bytes(build("t", data)))
    p = next(p for p in root.iter(W + "p") if "".join(t.text or "" for t in p.iter(W + "t")) == "（一）主动公开情况")
    assert p.find(f"{W}pPr/{W}keepNext") is not None


# --------------------------------------------------------------------------
# Column widths: no label leaves one character on its last line
# --------------------------------------------------------------------------

CELL_MARGIN = 30


def line_breaks(text: str, capacity: float) -> list[str]:
    """Greedy line filling in em (CJK 1, digits ½, "." ¼ as in Times New Roman)."""
    lines, line, used = [], "", 0.0
    for c in text:
        w = 0.25 if c == "." else T.width(c)
        if used + w > capacity + 1e-9 and line:
            lines.append(line)
            line, used = "", 0.0
        line += c
        used += w
    return [*lines, line]


@pytest.mark.parametrize("layout", list(L.LAYOUTS))
def test_no_label_leaves_one_character(layout: str) -> None:
    for table in L.LAYOUTS[layout].tables:
        assert sum(table.widths) <= T.TEXT_WIDTH, table.key
        for cell in table.cells:
            if not cell.label:
                continue
            width = sum(table.widths[cell.col : cell.col + cell.colspan]) - 2 * CELL_MARGIN
            lines = line_breaks(cell.label, width / (table.font_size * 20))
            assert len(lines) == 1 or T.width(lines[-1]) >= 2, (table.key, cell.label, lines)
    requests = L.LAYOUTS[layout].tables[1]
    person = next(c for c in requests.cells if c.label == L.APPLICANT_COLUMNS[0].label)
    assert len(line_breaks(person.label or "", (requests.widths[person.col] - 60) / 210)) == 1


def test_widths_are_written_to_the_document(samples: dict[str, bytes]) -> None:
    for tbl, table in zip(tables(samples["example"]), L.LAYOUTS["gov-2021"].tables, strict=True):
        grid = [int(g.get(W + "w")) for g in tbl.iter(W + "gridCol")]
        assert grid == list(table.widths)
        assert int(tbl.find(f"{W}tblPr/{W}tblW").get(W + "w")) == sum(table.widths) <= T.TEXT_WIDTH


# --------------------------------------------------------------------------
# Fonts
# --------------------------------------------------------------------------


def used_font_names(docx: bytes) -> set[str]:
    names = set()
    for part, root in parts(docx).items():
        if part.startswith("word/") and "fontTable" not in part and "stylesWithEffects" not in part:
            for rf in root.iter(W + "rFonts"):
                names |= {rf.get(W + slot) for slot in ("ascii", "hAnsi", "eastAsia", "cs") if rf.get(W + slot)}
    return names


@pytest.mark.parametrize("sample,fonts", [("example", "gb2312"), ("seed", "gb2312"), ("gbk", "gbk")])
def test_font_table_declares_every_font(samples: dict[str, bytes], sample: str, fonts: str) -> None:
    docx = samples[sample]
    table = parts(docx)["word/fontTable.xml"]
    declared = {f.get(W + "name"): f for f in table.iter(W + "font")}
    used = used_font_names(docx)
    assert used == set(declared)  # every font used is declared, nothing else is
    expected = {f.name for f in L.FONT_SETS[fonts].faces} | {"宋体", "Times New Roman"}
    assert used == expected
    for name, font in declared.items():
        if name != "Times New Roman":
            assert font.find(W + "charset").get(W + "val") == "86", name
            assert font.find(W + "altName") is not None, name
        assert font.find(W + "family") is not None and len(font.find(W + "panose1").get(W + "val")) == 20
    alt = {n: f.find(W + "altName").get(W + "val") for n, f in declared.items() if f.find(W + "altName") is not None}
    if fonts == "gb2312":
        assert alt["仿宋_GB2312"] == "仿宋" and alt["楷体_GB2312"] == "楷体" and alt["黑体"] == "SimHei"
    else:
        assert alt["方正仿宋_GBK"] == "仿宋" and alt["方正楷体_GBK"] == "楷体" and alt["方正黑体_GBK"] == "黑体"
    assert not {"Cambria", "ＭＳ 明朝", "Calibri"} & set(declared)


def test_fonts_from_defaults_and_option(tmp_path: Path, rng: random.Random) -> None:
    source = write_json(tmp_path / "a.json", consistent_data(rng))
    shared = tmp_path / "_defaults.toml"
    shared.write_text('fonts = "gbk"\n', encoding="utf-8")
    runner = CliRunner()
    for args in (["--defaults", str(shared)], ["--fonts", "gbk"], ["--fonts", "GBK"]):
        out = tmp_path / "out.docx"
        result = runner.invoke(cli, ["render", str(source), "-o", str(out), *args])
        assert result.exit_code == 0, result.output
        assert "方正仿宋_GBK" in used_font_names(out.read_bytes())
    result = runner.invoke(cli, ["render", str(source), "-o", str(out), "--fonts", "hei"])
    assert result.exit_code == 2
    out_dir = tmp_path / "batch"
    result = runner.invoke(cli, ["batch", str(source), "-o", str(out_dir), "--fonts", "gbk", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    [docx] = out_dir.glob("*.docx")
    assert "方正黑体_GBK" in used_font_names(docx.read_bytes())


def test_bad_fonts_and_title_are_named(rng: random.Random) -> None:
    with pytest.raises(InputError) as info:
        build("t", consistent_data(rng, fonts="fangsong", title="一行"))
    text = str(info.value)
    assert "字体（fonts）" in text and "gb2312" in text and "gbk" in text
    assert "标题分行（title）" in text


def test_page_numbers_follow_gbt_9704(samples: dict[str, bytes]) -> None:
    docx = samples["example"]
    p = parts(docx)
    assert p["word/settings.xml"].find(W + "evenAndOddHeaders") is not None
    sect = dump.document_root(docx).find(f"{W}body/{W}sectPr")
    refs = {r.get(W + "type"): r.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
            for r in sect.findall(W + "footerReference")}
    assert set(refs) == {"default", "even"}
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        rels = etree.fromstring(z.read("word/_rels/document.xml.rels"))
    target = {r.get("Id"): "word/" + r.get("Target") for r in rels}
    for kind, side, align in (("default", "right", "right"), ("even", "left", "left")):
        footer = p[target[refs[kind]]]
        para = footer.find(W + "p")
        assert para.find(f"{W}pPr/{W}jc").get(W + "val") == align
        assert para.find(f"{W}pPr/{W}ind").get(W + side) == str(T.BODY_PT * 20)  # one character in
        text = "".join(t.text or "" for t in para.iter(W + "t"))
        assert text == "— 1 —"
        for rf in para.iter(W + "rFonts"):
            assert rf.get(W + "ascii") == rf.get(W + "eastAsia") == "宋体"  # 半角宋体 digits
        assert {sz.get(W + "val") for sz in para.iter(W + "sz")} == {"28"}  # 四号


# --------------------------------------------------------------------------
# Title and signature
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,lines",
    [
        ("邢台市住房公积金管理中心", ["邢台市住房公积金管理中心"]),
        ("中国（河北）自由贸易试验区正定片区管理委员会综合执法局", ["中国（河北）自由贸易试验区", "正定片区管理委员会综合执法局"]),
        ("石家庄市鹿泉区经济开发区管理委员会综合执法局", ["石家庄市鹿泉区经济开发区", "管理委员会综合执法局"]),
        ("某某省某某市某某县人民政府办公室政务公开科", ["某某省某某市某某县", "人民政府办公室政务公开科"]),
        ("某某省某某市城市管理综合行政执法局局属某某中心", ["某某省某某市", "城市管理综合行政执法局局属某某中心"]),
    ],
)
def test_long_agency_names_break_at_words(name: str, lines: list[str]) -> None:
    assert T.split_name(name) == lines
    for line in lines:
        assert T.width(line) <= T.TITLE_CHARS


def test_title_lines_in_the_document(rng: random.Random) -> None:
    agency = "中国（河北）自由贸易试验区正定片区管理委员会综合执法局"
    first = dump.dump(report_bytes(rng, agency=agency)).split("\n")[:3]
    assert first == ["中国（河北）自由贸易试验区", "正定片区管理委员会综合执法局", "2024年政府信息公开工作年度报告"]
    given = ["中国（河北）自由贸易试验区正定片区", "管理委员会综合执法局", "2024年政府信息公开工作年度报告"]
    first = dump.dump(report_bytes(rng, agency=agency, title=given)).split("\n")[:3]
    assert first == given
    first = dump.dump(report_bytes(rng, agency=agency, title=given[:2])).split("\n")[:3]
    assert first == given  # the agency's lines only: the report's name follows


@pytest.mark.parametrize(
    "agency,date,name_right,date_right",
    [
        ("邢台市住房公积金管理中心", "2023年1月20日", 2, 12 - 6.5),  # date starts 2 characters right
        ("某局", "2023年12月20日", 2 + 7 - 2 + 2, 2),  # a long date ends 2 characters in
    ],
)
def test_signature_geometry(agency: str, date: str, name_right: float, date_right: float) -> None:
    got = T.signature_indents(agency, date)
    assert got == (round(name_right * 320), round(date_right * 320))
    # the date's first character is two characters right of the agency's first character
    width_chars = T.TEXT_WIDTH / 320
    name_start = width_chars - got[0] / 320 - T.width(agency)
    date_start = width_chars - got[1] / 320 - T.width(date)
    assert date_start - name_start == pytest.approx(2) or got[1] == 640


def test_signature_in_the_document(rng: random.Random) -> None:
    docx = report_bytes(rng, agency="邢台市住房公积金管理中心", date="2023-01-20")
    body = dump.document_root(docx).find(W + "body")
    paras = body.findall(W + "p")
    name, when = paras[-2], paras[-1]
    assert "".join(t.text for t in name.iter(W + "t")) == "邢台市住房公积金管理中心"
    assert name.find(f"{W}pPr/{W}ind").get(W + "right") == "640"
    assert when.find(f"{W}pPr/{W}ind").get(W + "right") == str(round(5.5 * 320))
    assert "".join(t.text or "" for t in paras[-3].iter(W + "t")) == ""  # one blank line


# --------------------------------------------------------------------------
# Document properties
# --------------------------------------------------------------------------

DC = "{http://purl.org/dc/terms/}"


def core_dates(docx: bytes) -> tuple[str, str]:
    core = parts(docx)["docProps/core.xml"]
    return core.find(DC + "created").text, core.find(DC + "modified").text


def test_properties_name_xxgk_and_the_time_of_generation(
    rng: random.Random, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    before = datetime.datetime.now(datetime.UTC).replace(microsecond=0, tzinfo=None)
    docx = report_bytes(rng)
    created, modified = core_dates(docx)
    assert created == modified
    when = datetime.datetime.strptime(created, "%Y-%m-%dT%H:%M:%SZ")
    assert before <= when <= before + datetime.timedelta(seconds=30)
    app = parts(docx)["docProps/app.xml"]
    application = app.find("{http://schemas.openxmlformats.org/officeDocument/2006/extended-properties}Application")
    assert application.text == f"xxgk {__version__}"
    assert b"Microsoft" not in etree.tostring(app)


def test_source_date_epoch_makes_output_reproducible(
    rng: random.Random, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    data = consistent_data(rng)
    first = render_bytes(build("t", data))
    time.sleep(1.1)
    assert render_bytes(build("t", data)) == first
    assert core_dates(first) == ("2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z")
    reference = render_reference(template_path(L.LAYOUTS[L.DEFAULT_LAYOUT]), context(build("t", data)))
    assert core_dates(reference) == core_dates(first)


# --------------------------------------------------------------------------
# The PDF preview's font substitution
# --------------------------------------------------------------------------


def test_preview_substitutes_only_missing_official_fonts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from xxgk.pdf import substitutions, write_fontconfig

    installed = {"Noto Serif CJK SC", "Noto Sans CJK SC", "AR PL UKai CN", "Liberation Serif", "黑体"}
    pairs = substitutions(installed)
    assert pairs["仿宋_GB2312"] == pairs["方正小标宋简体"] == pairs["宋体"] == "Noto Serif CJK SC"
    assert pairs["楷体_GB2312"] == pairs["方正楷体_GBK"] == "AR PL UKai CN"
    assert pairs["方正黑体_GBK"] == "黑体"  # the installed 黑体 stands in for 方正黑体_GBK
    assert substitutions(installed - {"黑体"})["黑体"] == "Noto Sans CJK SC"
    assert pairs["Times New Roman"] == "Liberation Serif"
    assert "黑体" not in pairs  # installed: used as it is
    assert substitutions({"仿宋"})["仿宋_GB2312"] == "仿宋"  # Windows' own 仿宋 first
    system = tmp_path / "fonts.conf"
    system.write_text("<fontconfig/>", encoding="utf-8")
    monkeypatch.setenv("FONTCONFIG_FILE", str(system))
    extra = write_fontconfig(tmp_path / "xxgk.conf", pairs)
    assert extra == {"FONTCONFIG_FILE": str(tmp_path / "xxgk.conf")}
    conf = etree.parse(str(tmp_path / "xxgk.conf")).getroot()
    assert conf.find("include").text == str(system)
    rules = {m.find("test/string").text: m.find("edit/string").text for m in conf.iter("match")}
    assert rules == pairs
