"""Build the .docx templates from the layouts (python-docx).

The committed files in ``templates/`` are the output of this module; a test
rebuilds them and compares the XML parts.  Run ``python -m xxgk.template_builder DIR``
after changing a layout or the typography.
"""

from __future__ import annotations

import datetime
import io
import sys
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, Twips

from xxgk import layouts as L

# GB/T 9704-2012 as agencies apply it.
LATIN = "Times New Roman"
TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
LEAD_FONT = "楷体_GB2312"
BODY_FONT = "仿宋_GB2312"
TABLE_FONT = "宋体"
PAGE_NUMBER_FONT = "宋体"
BODY_SIZE = Pt(16)  # 三号
TITLE_SIZE = Pt(22)  # 二号
PAGE_NUMBER_SIZE = Pt(14)  # 四号
LINE_PITCH = Twips(578)  # 28.9 pt: 22 lines in the 225 mm text block
INDENT_CHARS = 200  # hundredths of a character
TEXT_WIDTH = 8840  # twips: 210 mm − 28 mm − 26 mm
CELL_MARGIN = 30  # twips, left and right inside table cells: five digits fit a column
BORDER_SIZE = 4  # eighths of a point: 0.5 pt

STYLE_TITLE = "报告标题"
STYLE_HEADING = "一级标题"
STYLE_BODY = "Normal"
STYLE_LEAD = "二级标题引导"
STYLE_SIGNATURE = "落款"
FIXED_DATE = datetime.datetime(2024, 1, 1)


def _fonts(element: Any, east_asia: str, latin: str = LATIN) -> None:
    """Set fonts on an rPr element, East Asian slot included; drop theme fonts."""
    fonts = element.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        element.insert(0, fonts)
    for attr in list(fonts.attrib):
        if attr.endswith("Theme"):
            del fonts.attrib[attr]
    for slot in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(slot), latin)
    fonts.set(qn("w:eastAsia"), east_asia)


def _style_font(style: Any, east_asia: str, size: Any, bold: bool = False) -> None:
    style.font.size = size
    style.font.bold = bold
    _fonts(style.element.get_or_add_rPr(), east_asia)


def _first_line_indent(pPr: Any, chars: int, size: Any) -> None:
    ind = pPr.find(qn("w:ind"))
    if ind is None:
        ind = OxmlElement("w:ind")
        pPr.append(ind)
    ind.set(qn("w:firstLineChars"), str(chars))
    ind.set(qn("w:firstLine"), str(int(size.twips * chars / 100)))


def _setup_styles(doc: Any) -> None:
    styles = doc.styles
    # Document defaults: explicit fonts, no theme fonts, Chinese language.
    rpr_default = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _fonts(rpr_default, BODY_FONT)
    lang = rpr_default.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr_default.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")

    body = styles[STYLE_BODY]
    _style_font(body, BODY_FONT, BODY_SIZE)
    pf = body.paragraph_format
    pf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = LINE_PITCH
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)
    pf.widow_control = True
    _first_line_indent(body.element.get_or_add_pPr(), INDENT_CHARS, BODY_SIZE)

    title = styles.add_style(STYLE_TITLE, WD_STYLE_TYPE.PARAGRAPH)
    title.base_style = body
    _style_font(title, TITLE_FONT, TITLE_SIZE)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.first_line_indent = Pt(0)
    title.paragraph_format.line_spacing = Pt(36)
    _first_line_indent(title.element.get_or_add_pPr(), 0, TITLE_SIZE)

    heading = styles.add_style(STYLE_HEADING, WD_STYLE_TYPE.PARAGRAPH)
    heading.base_style = body
    _style_font(heading, HEADING_FONT, BODY_SIZE)
    heading.paragraph_format.keep_with_next = True
    heading.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT

    lead = styles.add_style(STYLE_LEAD, WD_STYLE_TYPE.CHARACTER)
    _fonts(lead.element.get_or_add_rPr(), LEAD_FONT)

    signature = styles.add_style(STYLE_SIGNATURE, WD_STYLE_TYPE.PARAGRAPH)
    signature.base_style = body
    signature.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    signature.paragraph_format.right_indent = Pt(16 * 4)
    _first_line_indent(signature.element.get_or_add_pPr(), 0, BODY_SIZE)

    for size in sorted({t.font_size for t in L.LAYOUTS[L.DEFAULT_LAYOUT].tables}):
        style = styles.add_style(table_style_name(size), WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = body
        _style_font(style, TABLE_FONT, Pt(size))
        pf = style.paragraph_format
        pf.alignment = WD_ALIGN_PARAGRAPH.CENTER
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
        _first_line_indent(style.element.get_or_add_pPr(), 0, Pt(size))


def table_style_name(size: float) -> str:
    return f"表格文字{size:g}磅"


def _page(doc: Any) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance = Mm(15)
    section.footer_distance = Mm(25)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.paragraph_format.first_line_indent = Pt(0)
    _first_line_indent(footer._p.get_or_add_pPr(), 0, PAGE_NUMBER_SIZE)

    def run(text: str | None = None, field: str | None = None, instr: str | None = None) -> None:
        r = footer.add_run(text)
        r.font.size = PAGE_NUMBER_SIZE
        _fonts(r._r.get_or_add_rPr(), PAGE_NUMBER_FONT)
        if field is not None:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), field)
            r._r.append(fld)
        if instr is not None:
            it = OxmlElement("w:instrText")
            it.set(qn("xml:space"), "preserve")
            it.text = instr
            r._r.append(it)

    run("— ")
    run(field="begin")
    run(instr=" PAGE ")
    run(field="separate")
    run("1")
    run(field="end")
    run(" —")


def _preserve(run: Any) -> None:
    for t in run._r.findall(qn("w:t")):
        t.set(qn("xml:space"), "preserve")


def _paragraph(doc: Any, text: str = "", style: str = STYLE_BODY) -> Any:
    p = doc.add_paragraph(style=style)
    if text:
        _preserve(p.add_run(text))
    return p


def _text_loop(doc: Any, expr: str) -> None:
    """Paragraphs of free text: one ``w:p`` per paragraph, lead in 楷体."""
    _paragraph(doc, f"{{%p for p in {expr} %}}")
    p = doc.add_paragraph(style=STYLE_BODY)
    _preserve(p.add_run("{{ p.lead }}", style=STYLE_LEAD))
    _preserve(p.add_run("{{ p.body }}"))
    _paragraph(doc, "{%p endfor %}")


def _set(el: Any, tag: str, **attrs: str) -> Any:
    child = el.find(qn(tag))
    if child is None:
        child = OxmlElement(tag)
        el.append(child)
    for k, v in attrs.items():
        child.set(qn(f"w:{k}"), v)
    return child


def _table(doc: Any, table: L.Table) -> None:
    t = doc.add_table(rows=table.nrows, cols=table.ncols)
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    tbl = t._tbl
    tblPr = tbl.tblPr
    _set(tblPr, "w:tblW", w=str(sum(table.widths)), type="dxa")
    _set(tblPr, "w:tblLayout", type="fixed")
    borders = _set(tblPr, "w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        _set(borders, f"w:{side}", val="single", sz=str(BORDER_SIZE), space="0", color="000000")
    margins = _set(tblPr, "w:tblCellMar")
    for side in ("left", "right"):
        _set(margins, f"w:{side}", w=str(CELL_MARGIN), type="dxa")
    for col, width in zip(tbl.tblGrid.findall(qn("w:gridCol")), table.widths, strict=True):
        col.set(qn("w:w"), str(width))

    for cell in table.cells:
        origin = t.cell(cell.row, cell.col)
        if cell.rowspan > 1 or cell.colspan > 1:
            origin = origin.merge(t.cell(cell.row + cell.rowspan - 1, cell.col + cell.colspan - 1))
        p = origin.paragraphs[0]
        p.style = doc.styles[table_style_name(table.font_size)]
        text = cell.label if cell.field is None else f"{{{{ {cell.field.key} }}}}"
        _preserve(p.add_run(text))

    style = doc.styles[table_style_name(table.font_size)]
    for r, tr in enumerate(tbl.tr_lst):
        trPr = tr.get_or_add_trPr()
        _set(trPr, "w:cantSplit")
        if r < table.header_rows:
            _set(trPr, "w:tblHeader")
        offset = 0
        for tc in tr.tc_lst:
            span = tc.grid_span
            tcPr = tc.get_or_add_tcPr()
            _set(tcPr, "w:tcW", w=str(sum(table.widths[offset : offset + span])), type="dxa")
            _set(tcPr, "w:vAlign", val="center")
            for p in tc.findall(qn("w:p")):
                pPr = p.get_or_add_pPr()
                _set(pPr, "w:pStyle", val=style.style_id)
                if table.keep_together and r < table.nrows - 1:
                    _set(pPr, "w:keepNext")
            offset += span


def build_document(layout: L.Layout) -> Any:
    doc = Document()
    _setup_styles(doc)
    _page(doc)
    package = doc.part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:  # the python-docx sample's picture, not ours
            del package.rels[rid]
    props = doc.core_properties
    props.title = "{{ year }}年{{ agency }}" + L.REPORT_NAME
    props.author = "{{ agency }}"
    props.last_modified_by = "xxgk"
    props.comments = f"由 xxgk 按 {layout.name} 版式生成"
    props.created = props.modified = FIXED_DATE
    props.revision = 1
    props.language = "zh-CN"
    props.identifier = ""  # as docxtpl leaves it, so that both render paths agree
    # The default document starts with no paragraphs; everything below is added in order.
    _paragraph(doc, "{{ agency }}", STYLE_TITLE)
    _paragraph(doc, "{{ year }}年" + L.REPORT_NAME, STYLE_TITLE)
    _paragraph(doc)
    tables = {t.key: t for t in layout.tables}
    for section in L.SECTIONS:
        if section.heading is not None:
            _paragraph(doc, section.heading, STYLE_HEADING)
        if section.table is not None:
            _table(doc, tables[section.table])
        else:
            _text_loop(doc, f"{L.TEXT_KEY}.{section.key}")
    _paragraph(doc, f"{{%p if {L.SIGNATURE_KEY} %}}")
    _paragraph(doc)
    _paragraph(doc, f"{{{{ {L.SIGNATURE_KEY}.agency }}}}", STYLE_SIGNATURE)
    _paragraph(doc, f"{{{{ {L.SIGNATURE_KEY}.date }}}}", STYLE_SIGNATURE)
    _paragraph(doc, "{%p endif %}")
    return doc


def build_template(layout: L.Layout) -> bytes:
    buf = io.BytesIO()
    build_document(layout).save(buf)
    return buf.getvalue()


def write_templates(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for layout in L.LAYOUTS.values():
        path = directory / layout.template_name
        path.write_bytes(build_template(layout))
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else Path("templates")
    for path in write_templates(target):
        print(path)


if __name__ == "__main__":
    main()
