"""Reading a .docx back: the text dump of spec §8 and the merged cells of tables."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from xxgk.files import open_zip, read_limited, read_member
from xxgk.ooxml import safe_parser

MAX_DOCX_BYTES = 50 * 2**20
MAX_XML_BYTES = 32 * 2**20  # word/document.xml decompressed: a 4 MB zip bomb stops here

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}


def _q(tag: str) -> str:
    return f"{{{W}}}{tag}"


def document_root(docx: Path | bytes) -> etree._Element:
    """The parsed body part; a special file, a huge file or a zip bomb raises ``Refused``."""
    data = read_limited(docx, MAX_DOCX_BYTES) if isinstance(docx, Path) else docx
    with open_zip(data) as archive:
        xml = read_member(archive, "word/document.xml", MAX_XML_BYTES)
    parser = safe_parser()
    return etree.fromstring(xml, parser)


def paragraph_text(p: etree._Element) -> str:
    out = []
    for el in p.iter(_q("t"), _q("tab"), _q("br")):
        if el.tag == _q("t"):
            out.append(el.text or "")
        elif el.tag == _q("tab"):
            out.append("\t")
        else:
            out.append("\n")
    return "".join(out)


def cell_text(tc: etree._Element) -> str:
    return "\n".join(paragraph_text(p) for p in tc.findall(_q("p")))


def dump(docx: Path | bytes) -> str:
    """The body in document order: paragraphs as lines, tables cell by cell."""
    body = document_root(docx).find(_q("body"))
    assert body is not None
    lines: list[str] = []
    for child in body:
        if child.tag == _q("p"):
            lines.append(paragraph_text(child))
        elif child.tag == _q("tbl"):
            for tr in child.findall(_q("tr")):
                for tc in tr.findall(_q("tc")):
                    lines.append("\t" + cell_text(tc))
                lines.append("")
    return "\n".join(lines) + "\n"


def normalise(text: str) -> str:
    """Spec §8: drop the _GoBack bookmark, strip trailing spaces, collapse empty lines."""
    text = text.replace("[bookmark: _GoBack]", "")
    lines = [line.rstrip(" ") for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if line == "" and out and out[-1] == "":
            continue
        out.append(line)
    return "\n".join(out).strip("\n") + "\n"


@dataclass(frozen=True)
class Origin:
    """A table cell as the reader sees it: origin row/col (0-based), spans, text."""

    row: int
    col: int
    rowspan: int
    colspan: int
    text: str


def tables(docx: Path | bytes) -> list[etree._Element]:
    body = document_root(docx).find(_q("body"))
    assert body is not None
    return body.findall(_q("tbl"))


def origins(tbl: etree._Element) -> list[Origin]:
    """Walk rows and direct-child cells tracking the grid offset; join vMerge continuations."""
    found: dict[tuple[int, int], Origin] = {}
    open_merges: dict[tuple[int, int], tuple[int, int]] = {}  # (col, span) -> origin key
    for r, tr in enumerate(tbl.findall(_q("tr"))):
        offset = 0
        trpr = tr.find(_q("trPr"))
        before = trpr.find(_q("gridBefore")) if trpr is not None else None
        if before is not None:
            offset = int(before.get(_q("val"), "0"))
        for tc in tr.findall(_q("tc")):
            tcpr = tc.find(_q("tcPr"))
            span = 1
            vmerge = None
            if tcpr is not None:
                gs = tcpr.find(_q("gridSpan"))
                if gs is not None:
                    span = int(gs.get(_q("val"), "1"))
                vm = tcpr.find(_q("vMerge"))
                if vm is not None:
                    vmerge = vm.get(_q("val"), "continue")
            if vmerge == "continue" and (offset, span) in open_merges:
                key = open_merges[(offset, span)]
                o = found[key]
                found[key] = Origin(o.row, o.col, o.rowspan + 1, o.colspan, o.text)
            else:
                found[(r, offset)] = Origin(r, offset, 1, span, cell_text(tc))
                if vmerge == "restart":
                    open_merges[(offset, span)] = (r, offset)
                else:
                    open_merges.pop((offset, span), None)
            offset += span
    return list(found.values())


def grid_values(tbl: etree._Element) -> dict[tuple[int, int], str]:
    """Text of every origin cell by (row, col)."""
    return {(o.row, o.col): o.text for o in origins(tbl)}

