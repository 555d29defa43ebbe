"""The standalone HTML page in a real browser: headless Chromium prints it on A4 within the margins.

Skips when Chromium (or pdftotext) is missing, unless XXGK_REQUIRE_BROWSER=1
(set by .ci/run), in which case it fails.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image

from tests import builders as B
from xxgk import layouts as L
from xxgk.compute import format_number
from xxgk.formats.html_writer import page
from xxgk.report import Report, build

MM = 72 / 25.4  # points per millimetre
LEFT, RIGHT = 28 * MM, 26 * MM  # GB/T 9704 margins, as the page's @page rule sets them
BIG = 99_999  # table 三's data columns are made for five digits, its 总计 column for six
APPEAL = 24_999  # table 四's columns for five digits, its 总计 included (4 × 24 999 = 99 996)


def require(*names: str) -> str:
    for name in names:
        if (found := shutil.which(name)) is not None:
            return found
    message = f"{names[0]} is not installed"
    if os.environ.get("XXGK_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{message}, and XXGK_REQUIRE_BROWSER=1")
    pytest.skip(message)


def chromium(tmp_path: Path, *args: str) -> None:
    browser = require("chromium", "chromium-browser")
    command = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        *args,
    ]
    subprocess.run(command, check=True, capture_output=True, timeout=120)


def widest_report() -> Report:
    """A report with the largest numbers each column is made for, and a long agency name."""
    data = B.make_input(random.Random(1), "示例省示例市示例县住房和城乡建设局综合行政执法大队（示例县城市管理局）")
    lay = L.LAYOUTS[data["layout"]]
    for entry in lay.entries:
        node = data
        for key in entry.path[:-1]:
            node = node[key]
        if entry.shape is L.Shape.ROW:  # identities: 一 = （一）予以公开, every other row 0
            first = entry.path in (L.RECEIVED_ROW.path, L.OUTCOME_ROWS[0].path)
            node[entry.key] = [BIG if first else 0] * len(entry.fields)
        else:
            for f in entry.fields:
                big = BIG if entry.total is None else APPEAL
                node[entry.key][f.path[-1]] = Decimal("9999.99") if f.kind is L.Kind.AMOUNT else big
    return build("widest", data)


@pytest.mark.slow
def test_tables_fit_an_a4_print_page(tmp_path: Path) -> None:
    pdftotext = require("pdftotext")
    html = tmp_path / "report.html"
    report = widest_report()
    html.write_text(page(report), encoding="utf-8")
    pdf = tmp_path / "report.pdf"
    chromium(tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", html.as_uri())
    layout = tmp_path / "bbox.html"
    subprocess.run([pdftotext, "-bbox-layout", str(pdf), str(layout)], check=True, timeout=60)
    text = layout.read_text(encoding="utf-8")
    width, height = (float(v) for v in re.search(r'<page width="([\d.]+)" height="([\d.]+)"', text).groups())
    assert abs(width - 210 * MM) < 1 and abs(height - 297 * MM) < 1  # A4
    words = [
        (float(a), float(b), w)
        for a, b, w in re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', text)
    ]
    printed = Counter(w for *_, w in words)
    numbers = Counter(format_number(v) for v in report.cells.values())
    assert numbers[str(BIG)] > 20 and numbers[str(4 * APPEAL)] == 3
    assert {n: printed[n] for n in numbers if printed[n] < numbers[n]} == {}  # every number whole
    outside = [(x0, x1, w) for x0, x1, w in words if x0 < LEFT - 1 or x1 > width - RIGHT + 1]
    assert outside == [], outside[:5]


A4_PIXELS, TALL = 794, 4000  # 210 mm in CSS pixels; tall enough for every table


@pytest.mark.slow
def test_screenshot_at_a4_width(tmp_path: Path) -> None:
    """At the width of an A4 page (794 CSS pixels) nothing is cut off at the right edge."""
    html = tmp_path / "report.html"
    html.write_text(page(widest_report()), encoding="utf-8")
    shot = tmp_path / "report.png"
    chromium(tmp_path, f"--screenshot={shot}", f"--window-size={A4_PIXELS},{TALL}", "--hide-scrollbars", html.as_uri())
    with Image.open(shot) as image:
        assert image.size == (A4_PIXELS, TALL)
        ink = image.convert("L").point(lambda v: 255 if v < 96 else 0)  # text and table borders
        box = ink.getbbox()
        # every table drawn: the rows of table 三 and 四 reach far down the page
        rows = sum(1 for y in range(TALL) if ink.crop((0, y, A4_PIXELS, y + 1)).getbbox())
    assert box is not None and rows > 1000
    left, _, right, _ = box
    assert left > 4 and right < A4_PIXELS - 4, box  # nothing runs into (or past) the window's edge
