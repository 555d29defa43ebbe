"""Pagination as LibreOffice lays the reports out, read back from the PDFs.

The text before the tables (一、总体情况) and after them (五) grows one line at a time,
so that every table, heading and the signature meet every position on a page.  All
variants are converted in one batch.  Skipped when LibreOffice or poppler is missing,
unless XXGK_REQUIRE_PDF=1.
"""

from __future__ import annotations

import random
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree

from tests.builders import SEED_INPUT, consistent_data
from tests.test_pdf import require
from xxgk import layouts as L
from xxgk.pdf import convert
from xxgk.render import render_bytes
from xxgk.report import build, load
from xxgk.typeset import signature_lines

pytestmark = pytest.mark.slow

LINE_CHARS = 27  # CJK characters on a line of 三号 in the 156 mm text block
SENTENCES = (
    "坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻落实党中央、国务院关于全面推进政务公开的决策部署。",
    "严格落实《中华人民共和国政府信息公开条例》，围绕群众关切持续深化重点领域信息公开。",
    "进一步规范依申请公开办理流程，做到依法受理、按时答复、规范文书，切实保障申请人合法权益。",
    "加强政府网站和政务新媒体建设管理，及时发布政策文件和解读材料，提升政务公开的针对性和实效性。",
    "组织开展政务公开业务培训，推动各科室和下属单位准确把握公开要求，提高工作人员业务能力。",
    "围绕优化营商环境、民生保障等重点工作，主动公开惠企利民政策，回应社会关切，增强政策透明度。",
    "健全政府信息公开保密审查机制，坚持先审查、后公开，确保公开内容准确规范、安全可靠。",
)
LEADS = ("（一）主动公开情况。", "（二）依申请公开情况。", "（三）政府信息管理。", "（四）平台建设情况。")


def prose(chars: int, start: int = 0) -> str:
    """Realistic report prose of exactly ``chars`` characters, ending with 。."""
    text = ""
    i = start
    while len(text) < chars:
        text += SENTENCES[i % len(SENTENCES)]
        i += 1
    return text[: max(0, chars - 1)] + "。" if chars else ""


def paragraphs(lines: int, start: int = 0) -> str:
    """Paragraphs of about ``lines`` lines: led paragraphs of two to four lines."""
    out, i = [], 0
    while lines > 0:
        size = min(lines, 2 + (start + i) % 3)
        lead = LEADS[i % len(LEADS)]
        out.append(lead + prose(size * LINE_CHARS - 2 - len(lead), start + i))
        lines -= size
        i += 1
    return "\n\n".join(out)


@dataclass
class Word:
    page: int
    x: float
    y: float
    text: str


def words(pdf: Path) -> tuple[list[Word], float]:
    out = subprocess.run(
        [require("pdftotext"), "-bbox", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True
    ).stdout
    root = etree.fromstring(re.sub(rb"<!DOCTYPE[^>]*>", b"", out), etree.XMLParser(recover=True))
    found: list[Word] = []
    height = 842.0
    for n, page in enumerate(root.iter("{*}page")):
        height = float(page.get("height", height))
        for w in page.iter("{*}word"):
            found.append(Word(n, float(w.get("xMin", 0)), float(w.get("yMin", 0)), w.text or ""))
    found.sort(key=lambda w: (w.page, round(w.y), w.x))
    return found, height


def lines_of(ws: list[Word]) -> list[tuple[int, float, str]]:
    """Words joined into lines (same page, same baseline within 2 pt)."""
    out: list[tuple[int, float, str]] = []
    for w in ws:
        if out and out[-1][0] == w.page and abs(out[-1][1] - w.y) < 2:
            out[-1] = (w.page, out[-1][1], out[-1][2] + w.text)
        else:
            out.append((w.page, w.y, w.text))
    return out


HEADINGS = [s.heading for s in L.SECTIONS if s.heading]
PAGE_NUMBER = re.compile(r"^—\d+—$")


def check_pdf(pdf: Path, agency: str, date: str | None, texts: dict[str, str]) -> list[str]:
    """Everything the issue asks of the page, as a list of failures."""
    ws, _ = words(pdf)
    numbers = {(ln[0], round(ln[1])) for ln in lines_of(ws) if PAGE_NUMBER.match(ln[2])}
    ws = [w for w in ws if (w.page, round(w.y)) not in numbers]
    lines = lines_of(ws)
    problems: list[str] = []
    where = {h: next((ln for ln in lines if ln[2] == h), None) for h in HEADINGS}
    for h, ln in where.items():
        if ln is None:
            problems.append(f"heading {h} not found")
    if problems:
        return problems
    # each table whole on the page of its heading: everything up to the next heading
    order = [where[h] for h in HEADINGS]
    for section in (L.PROACTIVE, L.REQUESTS, L.APPEALS):
        i = HEADINGS.index(section.heading or "")
        start, end = order[i], order[i + 1]
        assert start is not None and end is not None
        body = [ln for ln in lines if (start[0], start[1]) < (ln[0], ln[1]) < (end[0], end[1])]
        pages = {ln[0] for ln in body}
        if pages != {start[0]}:
            problems.append(f"table of {section.heading} on pages {sorted(pages)}, heading on {start[0]}")
        # no label leaves one character on a line: a lone non-digit character in a table
        inside = [w for w in ws if (start[0], start[1]) < (w.page, w.y) < (end[0], end[1])]
        for w in inside:
            if len(w.text) == 1 and not w.text.isdigit():
                # 规  章 (the seed's label, spaced on purpose) is one line of two words
                beside = [
                    v for v in inside if v is not w and v.page == w.page and abs(v.y - w.y) < 2
                    and abs(v.x - w.x) < 40 and not v.text.isdigit()
                ]
                if not beside:
                    problems.append(f"lone character {w.text!r} in the table of {section.heading}")
    # no heading (level 1, or a level-2 lead alone on its line) is the last line of a page
    leads = {lead.rstrip("。") for lead in LEADS}
    last = {}
    for ln in lines:
        last[ln[0]] = ln
    for page, ln in last.items():
        if ln[2] in HEADINGS or ln[2] in leads:
            problems.append(f"heading {ln[2]} last on page {page + 1}")
    # the signature is never alone: the end of 六 is on its page
    if date is not None:
        signature = [ln for ln in lines if ln[2] == date.replace(" ", "")]
        if not signature:
            problems.append("date not found")
        else:
            page = signature[-1][0]
            other = texts.get("other", "")
            tail = other.replace("\n", "")[-6:]
            own = {*signature_lines(agency), signature[-1][2]}
            others = [ln for ln in lines if ln[0] == page and ln[2] not in own]
            if not others or not any(tail in ln[2] or ln[2] in tail for ln in others):
                problems.append(f"signature alone on page {page + 1}")
    return problems


def cjk_faces(pdf: Path) -> set[str]:
    out = subprocess.run([require("pdffonts"), str(pdf)], capture_output=True, check=True, text=True).stdout
    names = [line.split()[0].split("+", 1)[-1] for line in out.splitlines()[2:] if line.strip()]
    return {re.sub(r"(jp|sc|cn)?-?Regular.*$", "", n, flags=re.I) for n in names if re.search("CJK|Kai|Song|Hei|Fang", n, re.I)}


def make(rng: random.Random, before: int, after: int, **over: object) -> dict[str, object]:
    data = consistent_data(rng, agency=over.pop("agency", "示例市住房公积金管理中心"))
    data["year"] = 2024
    data["date"] = "2025-01-20"
    data["text"] = {
        "overview": paragraphs(before, before) or "本年度政府信息公开工作有序推进。",
        "problems": paragraphs(after, after) or "政策解读形式仍较单一。",
        "other": "按照《政府信息公开信息处理费管理办法》，本机关本年度未收取信息处理费。",
    }
    data.update(over)
    return data


def test_pages_as_a_clerk_wants_them(tmp_path: Path) -> None:
    require("soffice")
    require("pdftotext")
    require("pdffonts")
    rng = random.Random(7)
    cases: list[tuple[str, dict[str, object]]] = []
    for before in range(24):  # the text before the tables, one line more each time
        cases.append((f"before{before:02d}", make(rng, before, 3)))
    for after in range(12):  # the text after the tables: the signature meets every line
        cases.append((f"after{after:02d}", make(rng, 9, after)))
    long_name = "中国（河北）自由贸易试验区正定片区管理委员会综合执法局"
    cases.append(("long-name", make(rng, 5, 4, agency=long_name)))
    cases.append(("gbk", make(rng, 6, 2, fonts="gbk")))
    docs, expected = [], {}
    for name, data in cases:
        report = build(name, data)
        path = tmp_path / f"{name}.docx"
        path.write_bytes(render_bytes(report))
        docs.append(path)
        date = report.date
        assert date is not None
        expected[path] = (report.agency, f"{date.year}年{date.month}月{date.day}日", data["text"])
    seed = load(SEED_INPUT)
    seed_path = tmp_path / "seed.docx"
    seed_path.write_bytes(render_bytes(seed))
    docs.append(seed_path)
    expected[seed_path] = (seed.agency, None, {})

    results = convert(docs, jobs=2)
    failures = []
    positions = set()  # where 二's heading lands: the sweep must move it over the page
    for result in results:
        assert result.pdf is not None, result.error
        agency, date, texts = expected[result.docx]
        for problem in check_pdf(result.pdf, agency, date, texts):  # type: ignore[arg-type]
            failures.append(f"{result.docx.stem}: {problem}")
        if result.docx.stem.startswith("before"):
            heading = next(ln for ln in lines_of(words(result.pdf)[0]) if ln[2] == L.PROACTIVE.heading)
            positions.add((heading[0], round(heading[1])))
        faces = cjk_faces(result.pdf)
        if len(faces) < 2:
            failures.append(f"{result.docx.stem}: one CJK face only: {faces}")
    assert failures == [], "\n".join(failures)
    assert len(positions) >= 12, positions

    # the long name: two title lines broken after 试验区, not inside 委员会
    ws, _ = words(tmp_path / "long-name.pdf")
    first = [ln[2] for ln in lines_of(ws)][:3]
    assert first == ["中国（河北）自由贸易试验区", "正定片区管理委员会综合执法局", "2024年政府信息公开工作年度报告"]
