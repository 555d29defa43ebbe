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

from xxgk import __version__, ooxml
from xxgk import layouts as L
from xxgk import typeset as T

# GB/T 9704-2012 as agencies apply it; the font names are in layouts.FONT_SETS.
FONTS = L.FONT_SETS[L.DEFAULT_FONTS]  # the templates name the default set; the renderer swaps
LATIN = L.LATIN_FONT.name
TITLE_FONT = FONTS.title.name
HEADING_FONT = FONTS.heading.name
LEAD_FONT = FONTS.lead.name
BODY_FONT = FONTS.body.name
TABLE_FONT = L.SONG.name
PAGE_NUMBER_FONT = L.SONG.name  # 半角宋体: the digits too
BODY_SIZE = Pt(T.BODY_PT)  # 三号
TITLE_SIZE = Pt(T.TITLE_PT)  # 二号
PAGE_NUMBER_SIZE = Pt(14)  # 四号
PAGE_NUMBER_INDENT = Twips(T.BODY_PT * 20)  # 7.5: 单页码居右空一字，双页码居左空一字
LINE_PITCH = Twips(578)  # 28.9 pt: 22 lines in the 225 mm text block
INDENT_CHARS = 200  # hundredths of a character
CELL_MARGIN = 30  # twips, left and right inside table cells: five digits fit a column
BORDER_SIZE = 4  # eighths of a point: 0.5 pt
TABLE_LINE = 1.25  # table line pitch, in ems of the table's font size

STYLE_TITLE = "报告标题"
STYLE_HEADING = "一级标题"
STYLE_BODY = "Normal"
STYLE_LEAD = "二级标题引导"
STYLE_SIGNATURE = L.SIGNATURE_STYLE
FIXED_DATE = datetime.datetime(2024, 1, 1)  # the template's own; a report gets its generation time


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
    signature.paragraph_format.right_indent = Twips(T.SIGNATURE_INDENT * T.BODY_PT * 20)  # 右空二字
    _first_line_indent(signature.element.get_or_add_pPr(), 0, BODY_SIZE)

    for size in sorted({t.font_size for t in L.LAYOUTS[L.DEFAULT_LAYOUT].tables}):
        style = styles.add_style(table_style_name(size), WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = body
        _style_font(style, TABLE_FONT, Pt(size))
        pf = style.paragraph_format
        pf.alignment = WD_ALIGN_PARAGRAPH.CENTER
        # compact rows: a fixed line of 1.25 em, about Word's single spacing in 宋体, so that
        # Word and the preview agree whatever face stands in (Noto CJK's single line is 1.45 em)
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(size * TABLE_LINE)
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
    # GB/T 9704 7.5: odd pages right-aligned one character in, even pages left-aligned.
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer.paragraphs[0], WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(section.even_page_footer.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT)


def _page_number(footer: Any, alignment: Any) -> None:
    """``— 1 —``: 四号 半角宋体 digits between 一字线."""
    footer.alignment = alignment
    pf = footer.paragraph_format
    if alignment == WD_ALIGN_PARAGRAPH.RIGHT:
        pf.right_indent = PAGE_NUMBER_INDENT
    else:
        pf.left_indent = PAGE_NUMBER_INDENT
    pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
    _first_line_indent(footer._p.get_or_add_pPr(), 0, PAGE_NUMBER_SIZE)

    def run(text: str | None = None, field: str | None = None, instr: str | None = None) -> None:
        r = footer.add_run(text)
        r.font.size = PAGE_NUMBER_SIZE
        _fonts(r._r.get_or_add_rPr(), PAGE_NUMBER_FONT, PAGE_NUMBER_FONT)
        if field is not None:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), field)
            r._r.append(fld)
        if instr is not None:
            it = OxmlElement("w:instrText")
            it.set(qn("xml:space"), "preserve")
            it.text = instr
            r._r.append(it)
        _preserve(r)

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
    """Paragraphs of free text: one ``w:p`` per paragraph, lead in 楷体.

    A paragraph marked ``keep`` (a level-2 heading on a line of its own, the last
    paragraph before the signature) is kept with the next one.
    """
    _paragraph(doc, f"{{%p for p in {expr} %}}")
    _paragraph(doc, "{%p if p.keep %}")
    for keep in (True, False):
        p = doc.add_paragraph(style=STYLE_BODY)
        if keep:
            p.paragraph_format.keep_with_next = True
        _preserve(p.add_run("{{ p.lead }}", style=STYLE_LEAD))
        _preserve(p.add_run("{{ p.body }}"))
        if keep:
            _paragraph(doc, "{%p else %}")
    _paragraph(doc, "{%p endif %}")
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
    for side in ("top", "left", "bottom", "right"):
        _set(margins, f"w:{side}", w=str(0 if side in ("top", "bottom") else CELL_MARGIN), type="dxa")
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
                if table.keep_together and r < table.nrows - 1:  # one page, with its heading
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
    _paragraph(doc, "{%p for line in title %}")
    _paragraph(doc, "{{ line }}", STYLE_TITLE)
    _paragraph(doc, "{%p endfor %}")
    _paragraph(doc)
    tables = {t.key: t for t in layout.tables}
    for section in L.SECTIONS:
        if section.heading is not None:
            _paragraph(doc, section.heading, STYLE_HEADING)
        if section.table is not None:
            _table(doc, tables[section.table])
        else:
            _text_loop(doc, f"{L.TEXT_KEY}.{section.key}")
    # GB/T 9704 7.3.5.2: one blank line, the agency, the date; kept with the end of 六.
    _paragraph(doc, f"{{%p if {L.SIGNATURE_KEY} %}}")
    _paragraph(doc).paragraph_format.keep_with_next = True
    _paragraph(doc, f"{{{{p {L.SIGNATURE_KEY}.agency_paragraph }}}}", STYLE_SIGNATURE)
    _paragraph(doc, f"{{{{p {L.SIGNATURE_KEY}.date_paragraph }}}}", STYLE_SIGNATURE)
    _paragraph(doc, "{%p endif %}")
    _package_parts(doc)
    _prune(doc)
    for element in _xml_parts(doc):
        ooxml.reorder(element)
    return doc


def _xml_parts(doc: Any) -> list[Any]:
    """The parsed parts xxgk writes: document, styles, settings, numbering, footers."""
    parts = [doc.element, doc.styles.element, doc.settings.element]
    section = doc.sections[0]
    parts += [section.footer._element, section.even_page_footer._element]
    return parts


APP_XML = (
    "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    "<Application>xxgk {version}</Application><DocSecurity>0</DocSecurity>"
    "<ScaleCrop>false</ScaleCrop><LinksUpToDate>false</LinksUpToDate>"
    "<SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged></Properties>"
)


LEFTOVER_RELS = (
    "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects",
    RT.NUMBERING,
    RT.CUSTOM_XML,
)


def _prune(doc: Any) -> None:
    """Drop what python-docx's sample document brings and the report does not use: ~170
    unused styles (with fonts such as Courier and Symbol), bullet numbering, a second copy
    of the styles, a bibliography part."""
    styles = doc.styles.element
    by_id = {s.get(qn("w:styleId")): s for s in styles.findall(qn("w:style"))}
    keep = {sid for sid, s in by_id.items() if s.get(qn("w:default")) == "1"}
    roots = [doc.element, doc.sections[0].footer._element, doc.sections[0].even_page_footer._element]
    for root in roots:
        for tag in ("w:pStyle", "w:rStyle", "w:tblStyle"):
            keep |= {el.get(qn("w:val")) for el in root.iter(qn(tag))}
    todo = list(keep)
    while todo:
        style = by_id.get(todo.pop())
        if style is None:
            continue
        for tag in ("w:basedOn", "w:next", "w:link"):
            ref = style.find(qn(tag))
            if ref is not None and ref.get(qn("w:val")) not in keep:
                keep.add(ref.get(qn("w:val")))
                todo.append(ref.get(qn("w:val")))
    for sid, style in by_id.items():
        if sid not in keep:
            styles.remove(style)
    assert not list(styles.iter(qn("w:numPr")))  # nothing left refers to the numbering
    for rid, rel in list(doc.part.rels.items()):
        if rel.reltype in LEFTOVER_RELS:
            del doc.part.rels[rid]


def _package_parts(doc: Any) -> None:
    """Font table, application name, settings: ours, not the python-docx sample's."""
    package = doc.part.package
    for part in package.iter_parts():
        name = str(part.partname)
        if name == "/word/fontTable.xml":
            part._blob = T.font_table(FONTS)
        elif name == "/docProps/app.xml":
            part._blob = APP_XML.format(version=__version__).encode("utf-8")
    settings = doc.settings.element
    lang = settings.find(qn("w:themeFontLang"))
    if lang is not None:
        lang.set(qn("w:eastAsia"), "zh-CN")


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
