"""Line-level typesetting the renderer does per report (GB/T 9704-2012).

Title lines (7.3.1: break with the meaning intact), the signature block's
geometry (7.3.5.2) and the font table.  Pure functions on strings: no
python-docx, so that rendering stays light.
"""

from __future__ import annotations

import itertools
import unicodedata
from xml.sax.saxutils import escape, quoteattr

from xxgk import layouts as L

TEXT_WIDTH = 8840  # twips: 210 mm − 28 mm − 26 mm
BODY_PT = 16  # 三号
TITLE_PT = 22  # 二号
TITLE_CHARS = TEXT_WIDTH // (TITLE_PT * 20)  # 20 characters of 二号 on a line
SIGNATURE_INDENT = 2  # characters (7.3.5.2: 右空二字; the date starts two characters further right)
MAX_TITLE_LINES = 4


def width(text: str) -> float:
    """Width in em: CJK and full-width characters 1, Latin letters and digits ½."""
    return sum(0.5 if unicodedata.east_asian_width(c) in ("Na", "H") else 1.0 for c in text)


def _depth_ok(name: str, i: int) -> bool:
    """No break inside brackets: 中国（河北）自由贸易试验区 keeps （河北） whole."""
    depth = 0
    for c in name[:i]:
        depth += c in "（(〔[【"
        depth -= c in "）)〕]】"
    return depth == 0


def break_points(name: str) -> list[int]:
    """Positions after which a title line may end: after an administrative word."""
    words = sorted(L.TITLE_BREAK_AFTER, key=len, reverse=True)
    out = []
    for i in range(1, len(name)):
        if name[i:].startswith(L.TITLE_NO_BREAK_BEFORE) or not _depth_ok(name, i):
            continue
        head = name[:i]
        if any(head.endswith(w) for w in words) and not head.endswith(L.TITLE_NO_BREAK_AFTER):
            out.append(i)
    return out


def split_name(name: str, max_chars: float = TITLE_CHARS) -> list[str]:
    """Lines of a long agency name, broken at word boundaries, balanced (a trapezoid or diamond).

    A name that fits stays one line; a name with no usable boundary stays one line too
    (Word then wraps it, and the clerk can give ``title`` explicitly).
    """
    if width(name) <= max_chars:
        return [name]
    points = break_points(name)
    least = int(-(-width(name) // max_chars))
    for count in range(least, MAX_TITLE_LINES + 1):
        best: tuple[tuple[float, ...], list[str]] | None = None
        for cuts in itertools.combinations(points, count - 1):
            bounds = (0, *cuts, len(name))
            lines = [name[a:b] for a, b in itertools.pairwise(bounds)]
            widths = [width(line) for line in lines]
            if max(widths) > max_chars:
                continue
            # most even first; then the shorter line on top (a trapezoid, 上短下长)
            score = (max(widths) - min(widths), *widths)
            if best is None or score < best[0]:
                best = (score, lines)
        if best is not None:
            return best[1]
    return [name]


def title_lines(agency: str, year: int, given: list[str] | None = None) -> list[str]:
    """The title: the agency's lines, then ``<year>年政府信息公开工作年度报告``.

    Lines ``given`` in the input are used as they are; if their last line is not the
    report's name, they are the agency's lines and the report's name follows.
    """
    name_line = f"{year}年{L.REPORT_NAME}"
    if given:
        return list(given) if given[-1].endswith(L.REPORT_NAME) else [*given, name_line]
    return [*split_name(agency), name_line]


BODY_CHARS = TEXT_WIDTH / (BODY_PT * 20)  # 27.6 characters of 三号 on a line


def signature_lines(agency: str) -> list[str]:
    """The agency as the signature prints it: a name too long for one line breaks like the title."""
    return split_name(agency, BODY_CHARS - 2 * SIGNATURE_INDENT)


def signature_indents(agency: str, date: str) -> tuple[int, int]:
    """Right indents (twips) of the agency line and the date line (GB/T 9704 7.3.5.2).

    The agency is right-indented two characters and the date starts two characters to
    the right of the agency's first character; a date that would then end closer than
    two characters to the margin ends there, and the agency moves right with it.
    """
    char = BODY_PT * 20
    name, when = max(width(line) for line in signature_lines(agency)), width(date)
    name_right: float
    date_right: float
    if name - when >= SIGNATURE_INDENT:
        name_right, date_right = SIGNATURE_INDENT, name - when
    else:
        name_right, date_right = when + 2 * SIGNATURE_INDENT - name, SIGNATURE_INDENT
    return round(name_right * char), round(date_right * char)


def signature_paragraph(text: str, style_id: str, right: int, keep_next: bool) -> str:
    """One paragraph of the signature block, as WordprocessingML (pPr in schema order)."""
    keep = "<w:keepNext/>" if keep_next else ""
    return (
        f"<w:p><w:pPr><w:pStyle w:val={quoteattr(style_id)}/>{keep}"
        f'<w:ind w:right="{right}" w:firstLine="0" w:firstLineChars="0"/></w:pPr>'
        f'<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'
    )


# --------------------------------------------------------------------------
# Fonts
# --------------------------------------------------------------------------

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def used_fonts(fonts: L.FontSet) -> list[L.Font]:
    return [L.LATIN_FONT, L.SONG, *fonts.faces]


def font_table(fonts: L.FontSet) -> bytes:
    """``word/fontTable.xml``: every font the document uses, with what Word and WPS need
    to substitute it (alternative name, GB2312 charset, family, PANOSE)."""
    entries = []
    seen = set()
    for f in used_fonts(fonts):
        if f.name in seen:
            continue
        seen.add(f.name)
        usb0, usb1, usb2, usb3, csb0, csb1 = f.sig
        alt = f"<w:altName w:val={quoteattr(f.alt_name)}/>" if f.alt_name != f.name else ""
        entries.append(
            f"<w:font w:name={quoteattr(f.name)}>{alt}"
            f'<w:panose1 w:val="{f.panose}"/><w:charset w:val="{f.charset}"/>'
            f'<w:family w:val="{f.family}"/><w:pitch w:val="{f.pitch}"/>'
            f'<w:sig w:usb0="{usb0}" w:usb1="{usb1}" w:usb2="{usb2}" w:usb3="{usb3}" '
            f'w:csb0="{csb0}" w:csb1="{csb1}"/></w:font>'
        )
    xml = (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        f'<w:fonts xmlns:w="{W_NS}">' + "".join(entries) + "</w:fonts>"
    )
    return xml.encode("utf-8")
