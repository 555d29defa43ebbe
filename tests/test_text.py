"""Free text: paragraphs, level-2 leads, placeholders; and the installed package."""

from __future__ import annotations

import random
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.builders import ROOT, consistent_data
from xxgk.errors import InputError
from xxgk.report import build
from xxgk.text import Paragraph, paragraphs, split_lead


def test_blank_lines_split_single_newlines_wrap() -> None:
    got = paragraphs("第一行\n接着写\n\n  second para\ncontinues\n\n\n\n　　全角缩进的段落")
    assert [p.text for p in got] == ["第一行接着写", "second para continues", "全角缩进的段落"]


def test_windows_line_endings() -> None:
    assert [p.text for p in paragraphs("一段\r\n\r\n二段\r\n")] == ["一段", "二段"]


@pytest.mark.parametrize(
    ("text", "lead"),
    [
        ("（一）主动公开情况。2022年，通过……", "（一）主动公开情况。"),
        ("（十二）其他：见下文", "（十二）其他："),
        ("（三）政府信息管理", "（三）政府信息管理"),
        ("（1） 主动公开情况。2022年", ""),
        ("2022年，我中心（一）……", ""),
    ],
)
def test_level_two_leads(text: str, lead: str) -> None:
    p = split_lead(text)
    assert p.lead == lead and p.text == text


@given(st.lists(st.text(alphabet="ab甲乙。（）一 ", min_size=1, max_size=20), min_size=1, max_size=6))
def test_paragraphs_keep_every_visible_character(chunks: list[str]) -> None:
    text = "\n\n".join(chunks)
    got = paragraphs(text)
    assert all(isinstance(p, Paragraph) and p.text for p in got)
    assert "".join(p.text for p in got).replace(" ", "") == text.replace("\n", "").replace(" ", "")


def test_placeholders_quote_the_data(rng: random.Random) -> None:
    data = consistent_data(rng, agency="某某局")
    data["text"]["overview"] = (
        "{{ agency }}{{ year }}年新收{{ requests.received.total }}件，自然人{{ requests.received.natural_person }}件，"
        "办结{{ requests.outcome.total.total }}件，不予公开{{ requests.outcome.withheld.total.total }}件，"
        "复议{{ appeals.review.total }}件，诉讼{{ appeals.litigation_direct.total + appeals.litigation_after_review.total }}件，"
        "收费{{ proactive.fees.amount }}万元。"
    )
    report = build("t", data)
    text = report.text["overview"][0].text
    cells = report.cells
    withheld = sum(v for k, v in cells.items() if k.startswith("requests.outcome.withheld.") and k.endswith(".total"))
    assert text.startswith(f"某某局2024年新收{cells['requests.received.total']}件，")
    assert f"自然人{cells['requests.received.natural_person']}件" in text
    assert f"办结{cells['requests.outcome.total.total']}件" in text
    assert f"复议{cells['appeals.review.total']}件" in text
    litigation = cells["appeals.litigation_direct.total"] + cells["appeals.litigation_after_review.total"]
    assert f"诉讼{litigation}件" in text
    amount = report.cells["proactive.fees.amount"]
    assert f"收费{amount.normalize():f}万元" in text or f"收费{int(amount)}万元" in text
    assert f"新收{cells['requests.received.total']}件" in text
    assert f"不予公开{withheld}件" in text
    assert "{{" not in text


def test_literal_braces_in_text_are_kept_when_not_a_placeholder(rng: random.Random) -> None:
    data = consistent_data(rng)
    data["text"]["overview"] = "集合记号 {a, b} 不是占位符"
    assert build("t", data).text["overview"][0].text == "集合记号 {a, b} 不是占位符"


def test_placeholder_errors_name_the_section(rng: random.Random) -> None:
    data = consistent_data(rng)
    data["text"]["problems"] = "{{ appeals.reveiw.total }}"
    with pytest.raises(InputError) as caught:
        build("t", data)
    (problem,) = caught.value.problems
    assert problem.place == "五、存在的主要问题及改进情况" and "reveiw" in problem.message


@pytest.mark.slow
def test_installed_wheel_finds_its_templates(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("xxgk-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "xxgk/templates/gov-2021.docx" in names and "xxgk/templates/xingtai-2022.docx" in names
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import xxgk.render as r, xxgk.layouts as L;"
        "p = r.template_path(L.LAYOUTS['gov-2021']); print(p); assert p.is_file()"
    )
    run = subprocess.run([sys.executable, "-c", code, str(target)], capture_output=True, text=True, check=True)
    assert run.stdout.strip().startswith(str(target))


def test_numbered_lines_start_paragraphs_without_blank_lines() -> None:
    text = "（四）平台建设情况\n标题单独一行之后的正文\n（五）监督保障。正文\n1.第一项\n2.第二项\n1.5亿元不算编号"
    got = paragraphs(text)
    assert [p.text for p in got] == [
        "（四）平台建设情况",
        "标题单独一行之后的正文",
        "（五）监督保障。正文",
        "1.第一项",
        "2.第二项1.5亿元不算编号",
    ]
    assert got[0].lead == "（四）平台建设情况" and got[1].lead == ""
    assert got[2].lead == "（五）监督保障。"


def test_text_pasted_from_word(rng: random.Random) -> None:
    pasted = (
        "一、总体情况\n"
        "　　2024年，本县认真落实条例。\n"
        "　　全年主动公开信息1200条。\n"
        "1.加强网站建设\n"
        "　　完成网站改版。\n"
        "(二)依申请公开。共收到申请。"
    )
    data = consistent_data(rng)
    data["text"]["overview"] = pasted
    report = build("t", data)
    got = report.text["overview"]
    assert [p.text for p in got] == [
        "2024年，本县认真落实条例。",
        "全年主动公开信息1200条。",
        "1.加强网站建设",
        "完成网站改版。",
        "(二)依申请公开。共收到申请。",
    ]
    assert got[-1].lead == "(二)依申请公开。"
    assert any("与标题相同" in str(w) for w in report.warnings)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("{% if year > 2000 %}新{% endif %}", "不能写 {% … %} 语句"),
        ("{# 备注 #}正文", "不能写 {# … #} 注释"),
        ("{{ agency.upper() }}", "不能调用方法 .upper()"),
        ("{{ agency | upper }}", "不能用过滤器 upper"),
    ],
)
def test_texts_are_expressions_only(rng: random.Random, text: str, needle: str) -> None:
    data = consistent_data(rng)
    data["text"]["overview"] = text
    with pytest.raises(InputError) as caught:
        build("t", data)
    (problem,) = caught.value.problems
    assert needle in problem.message and "过滤器 abs、round" in problem.message
    data["text"]["overview"] = "{{ '新' if year > 2000 else '旧' }}：{{ (year / 3) | round(1) }}"
    assert build("t", data).text["overview"][0].text == "新：674.7"
