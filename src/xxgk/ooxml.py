"""The child order ECMA-376 prescribes, for the WordprocessingML parts xxgk writes.

Word is stricter than LibreOffice: a ``w:tblPr`` whose ``w:tblBorders`` comes after
``w:tblLayout``, or a ``w:pPr`` with ``w:jc`` before ``w:ind``, may be ignored or
reported as unreadable content.  The sequences are the ones python-docx declares
(``_tag_seq`` in its ``docx.oxml`` modules, read from its source because the
classes delete them), plus the few python-docx does not model.

:func:`reorder` puts the children of every known element in schema order (a stable
sort: unknown children, e.g. ``mc:AlternateContent``, stay after the known child
they follow); :func:`misplaced` lists what is out of order.
"""

from __future__ import annotations

import ast
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lxml import etree

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def safe_parser() -> etree.XMLParser:
    """An lxml parser for XML from a file xxgk did not write: no entities, no network, no huge trees."""
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
NAMESPACES = {
    "w": W_NS,
    "m": "http://schemas.openxmlformats.org/officeDocument/2006/math",
    "sl": "http://schemas.openxmlformats.org/schemaLibrary/2006/main",
}

# python-docx class → the element it models (the classes that declare a _tag_seq)
_CLASSES = {
    "CT_PPr": "w:pPr",
    "CT_RPr": "w:rPr",
    "CT_TblPr": "w:tblPr",
    "CT_TrPr": "w:trPr",
    "CT_TcPr": "w:tcPr",
    "CT_SectPr": "w:sectPr",
    "CT_Settings": "w:settings",
    "CT_Style": "w:style",
    "CT_Styles": "w:styles",
}

_MODULES = ("table.py", "section.py", "settings.py", "styles.py", "text/font.py", "text/parfmt.py")

# ECMA-376 Part 1 sequences python-docx does not declare.
_EXTRA: dict[str, tuple[str | tuple[str, ...], ...]] = {
    "w:tblBorders": (
        "w:top",
        ("w:start", "w:left"),
        "w:bottom",
        ("w:end", "w:right"),
        "w:insideH",
        "w:insideV",
    ),
    "w:tcBorders": (
        "w:top",
        ("w:start", "w:left"),
        "w:bottom",
        ("w:end", "w:right"),
        "w:insideH",
        "w:insideV",
        "w:tl2br",
        "w:tr2bl",
    ),
    "w:pBdr": ("w:top", "w:left", "w:bottom", "w:right", "w:between", "w:bar"),
    "w:tblCellMar": ("w:top", ("w:start", "w:left"), "w:bottom", ("w:end", "w:right")),
    "w:tcMar": ("w:top", ("w:start", "w:left"), "w:bottom", ("w:end", "w:right")),
    "w:font": (
        "w:altName",
        "w:panose1",
        "w:charset",
        "w:family",
        "w:notTrueType",
        "w:pitch",
        "w:sig",
        "w:embedRegular",
        "w:embedBold",
        "w:embedItalic",
        "w:embedBoldItalic",
    ),
    "w:fonts": ("w:font",),
    "w:docDefaults": ("w:rPrDefault", "w:pPrDefault"),
    "w:tbl": ("w:tblPr", "w:tblGrid", ("w:tr", "w:customXml", "w:sdt", "w:bookmarkStart", "w:bookmarkEnd")),
    "w:tc": ("w:tcPr", ("w:p", "w:tbl", "w:sdt", "w:customXml", "w:bookmarkStart", "w:bookmarkEnd")),
}
# header and footer references (a choice group) come first in a section's properties
_SECT_FIRST = (("w:headerReference", "w:footerReference"),)


def _clark(tag: str) -> str:
    prefix, local = tag.split(":")
    return f"{{{NAMESPACES[prefix]}}}{local}"


def _python_docx_sequences() -> dict[str, tuple[str, ...]]:
    spec = find_spec("docx.oxml")
    assert spec is not None and spec.submodule_search_locations is not None
    root = Path(next(iter(spec.submodule_search_locations)))
    out: dict[str, tuple[str, ...]] = {}
    for module in _MODULES:
        path = root.joinpath(*module.split("/"))
        if not path.is_file():
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.ClassDef) or node.name not in _CLASSES:
                continue
            for stmt in node.body:
                if (
                    isinstance(stmt, ast.Assign)
                    and any(isinstance(t, ast.Name) and t.id == "_tag_seq" for t in stmt.targets)
                    and isinstance(stmt.value, ast.Tuple)
                ):
                    out[_CLASSES[node.name]] = tuple(
                        e.value
                        for e in stmt.value.elts
                        if isinstance(e, ast.Constant) and isinstance(e.value, str)
                    )
    return out


@cache
def sequences() -> dict[str, dict[str, int]]:
    """Element (Clark name) → {child Clark name: rank}; equal ranks may come in any order."""
    raw: dict[str, tuple[str | tuple[str, ...], ...]] = dict(_EXTRA)
    for tag, seq in _python_docx_sequences().items():
        raw[tag] = (*_SECT_FIRST, *seq) if tag == "w:sectPr" else seq
    missing = set(_CLASSES.values()) - set(raw)
    if missing:  # python-docx changed: fail loudly rather than check nothing
        raise RuntimeError(f"python-docx no longer declares the child order of {sorted(missing)}")
    out: dict[str, dict[str, int]] = {}
    for tag, entries in raw.items():
        ranks: dict[str, int] = {}
        for rank, entry in enumerate(entries):
            for name in (entry,) if isinstance(entry, str) else entry:
                ranks[_clark(name)] = rank
        out[_clark(tag)] = ranks
    return out


def _keys(parent: Any, ranks: dict[str, int]) -> list[int]:
    keys, last = [], -1
    for child in parent:
        rank = ranks.get(child.tag) if isinstance(child.tag, str) else None
        last = rank if rank is not None else last
        keys.append(last)
    return keys


def reorder(root: Any) -> int:
    """Put the children of every known element under ``root`` in schema order; returns moves."""
    table = sequences()
    moved = 0
    for el in root.iter():
        ranks = table.get(el.tag) if isinstance(el.tag, str) else None
        if not ranks or len(el) < 2:
            continue
        keys = _keys(el, ranks)
        if keys == sorted(keys):
            continue
        children = [c for _, c in sorted(zip(keys, list(el), strict=True), key=lambda kc: kc[0])]
        for child in children:
            el.append(child)  # lxml moves the element: tails of comments aside, nothing is lost
        moved += 1
    return moved


def misplaced(root: Any) -> list[str]:
    """Every element whose children break the schema order, as ``parent: a before b``."""
    table = sequences()
    out = []
    for el in root.iter():
        ranks = table.get(el.tag) if isinstance(el.tag, str) else None
        if not ranks:
            continue
        previous = None
        for child in el:
            rank = ranks.get(child.tag) if isinstance(child.tag, str) else None
            if rank is None:
                continue
            if previous is not None and rank < previous[0]:
                out.append(f"{_local(el.tag)}: {_local(previous[1])} before {_local(child.tag)}")
            if previous is None or rank >= previous[0]:
                previous = (rank, child.tag)
    return out


def _local(tag: str) -> str:
    uri, _, local = tag[1:].partition("}")
    prefix = next((p for p, u in NAMESPACES.items() if u == uri), "?")
    return f"{prefix}:{local}"
