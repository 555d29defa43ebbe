"""Drafts: a report that still holds 【请填写】 is refused unless asked for as a draft.

A draft says so twice, so that it cannot be sent by mistake: its file name ends
in （草稿） and its first page opens with a red 草稿 line above the title.
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.sax.saxutils import escape

from xxgk import layouts as L
from xxgk import model as M
from xxgk.checks import unfilled_places
from xxgk.errors import InputError, Problem
from xxgk.files import open_zip, rewrite_zip
from xxgk.formats.docx_dump import MAX_DOCX_BYTES
from xxgk.report import Report

DRAFT = "草稿"
DRAFT_SUFFIX = f"（{DRAFT}）"
DRAFT_LINE = f"{DRAFT}（尚未定稿，请勿报送）"
DRAFT_FOUND = f"这是一份草稿（首页注明 “{DRAFT}”），不应报送"  # check: a report that is a draft
DOCUMENT = "word/document.xml"


def unfilled(report: Report) -> list[Problem]:
    """Every place of the report that still holds the fill-in marker (【请填写】…)."""
    agency = M.META_PLACES["agency"]
    return [
        Problem(place, L.TO_FILL_NAME.format(report.agency))
        if place == agency
        else Problem(place, f"还有 {count} 处 {L.TO_FILL} 待填写")
        for place, count in unfilled_places(report)
    ]


def refuse_unfilled(report: Report) -> None:
    """Raise :class:`InputError` listing each unfilled place (unless there is none)."""
    places = unfilled(report)
    if places:
        hint = f"填写后再生成；只想先看看效果，可加 --draft 生成注明 “{DRAFT}” 的报告"
        raise InputError(report.source, [*places, Problem("", hint)])


def draft_name(name: str) -> str:
    """``…报告.docx`` → ``…报告（草稿）.docx`` (once)."""
    path = Path(name)
    if path.stem.endswith(DRAFT_SUFFIX):
        return name
    return f"{path.stem}{DRAFT_SUFFIX}{path.suffix}"


def _mark_paragraph() -> str:
    run_props = (
        '<w:rPr><w:rFonts w:ascii="黑体" w:eastAsia="黑体" w:hAnsi="黑体"/>'
        '<w:b/><w:color w:val="FF0000"/><w:sz w:val="32"/><w:szCs w:val="32"/></w:rPr>'
    )
    return (
        '<w:p><w:pPr><w:jc w:val="center"/></w:pPr>'
        f"<w:r>{run_props}<w:t>{escape(DRAFT_LINE)}</w:t></w:r></w:p>"
    )


def mark_draft(docx: bytes) -> bytes:
    """The same document with a red 草稿 line above everything on the first page."""

    def change(name: str, data: bytes) -> bytes:
        if name != DOCUMENT:
            return data
        xml = data.decode("utf-8")
        body = re.search(r"<w:body\b[^>]*>", xml)
        if body is None:
            raise ValueError("word/document.xml has no body")
        return (xml[: body.end()] + _mark_paragraph() + xml[body.end() :]).encode("utf-8")

    return rewrite_zip(open_zip(docx), change, MAX_DOCX_BYTES)
