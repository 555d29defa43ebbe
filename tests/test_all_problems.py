"""Every problem of a file at once; messages that lead with the real cause; lines of the file."""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tests import helpers as H
from tests.builders import consistent_data, make_input, write_json, write_toml
from xxgk import layouts as L
from xxgk.errors import InputError
from xxgk.report import build, load
from xxgk.sandbox import TEXT_FILTERS

LAYOUT = L.LAYOUTS[L.DEFAULT_LAYOUT]
ROWS = [e for e in LAYOUT.entries if e.shape is L.Shape.ROW]
RECORDS_WITH_TOTAL = [e for e in LAYOUT.entries if e.shape is L.Shape.RECORD and e.total is not None]
PLAIN_RECORDS = [e for e in LAYOUT.entries if e.shape is L.Shape.RECORD and e.total is None]


def node(data: dict[str, Any], path: tuple[str, ...]) -> Any:
    for key in path[:-1]:
        data = data[key]
    return data


def messages(data: dict[str, Any]) -> list[str]:
    try:
        build("x", data)
    except InputError as exc:
        return [str(p) for p in exc.problems]
    return []


def bump(data: dict[str, Any], field: L.Field) -> None:
    """Add 1 to one input cell (breaks the identities it is part of)."""
    entry = next(e for e in LAYOUT.entries if field in e.fields)
    if entry.shape is L.Shape.ROW:
        node(data, entry.path)[entry.key][entry.fields.index(field)] += 1
    else:
        node(data, entry.path)[entry.key][field.path[-1]] += 1


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10**6), row=st.sampled_from(ROWS), record=st.sampled_from(RECORDS_WITH_TOTAL),
       plain=st.sampled_from(PLAIN_RECORDS))
def test_structural_errors_do_not_hide_the_other_checks(
    seed: int, row: L.Entry, record: L.Entry, plain: L.Entry
) -> None:
    data = consistent_data(random.Random(seed))
    node(data, row.path)[row.key] = node(data, row.path)[row.key][:5]  # a row with 5 numbers
    first = plain.fields[0]
    node(data, plain.path)[plain.key][first.path[-1]] = "12a"  # a wrong type
    data[row.path[0]]["colour"] = 1  # an unknown key
    values = node(data, record.path)[record.key]
    values[record.stated_key] = sum(values[f.path[-1]] for f in record.fields) + 1  # a wrong total
    found = messages(data)
    assert any(m.startswith(row.place_name) and "应有 6 个数" in m for m in found), found
    assert any(m.startswith(first.place_name) and "“12a”" in m for m in found), found
    assert any("“colour”" in m for m in found), found
    assert any(m.startswith(record.total.place_name) and "填写的总计" in m for m in found), found
    # the identities depend on the broken row: skipped, not reported against its zeros
    assert not any("勾稽关系" in m for m in found), found
    assert len(found) == 4, found


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10**6), plain=st.sampled_from(PLAIN_RECORDS), column=st.integers(0, 5))
def test_identities_checked_beside_a_broken_entry(seed: int, plain: L.Entry, column: int) -> None:
    data = consistent_data(random.Random(seed))
    node(data, plain.path)[plain.key] = [1, 2]  # a list where a table is expected
    identity = LAYOUT.identities[column]
    bump(data, identity.right[-1].field)
    found = messages(data)
    assert len(found) == 2, found
    assert found[0].startswith(plain.place_name)
    assert found[1].startswith(identity.place) and "勾稽关系不成立" in found[1]


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10**6), row=st.sampled_from(ROWS), bad=st.integers(0, 5), other=st.integers(0, 5))
def test_one_bad_cell_hides_only_the_checks_that_use_it(seed: int, row: L.Entry, bad: int, other: int) -> None:
    """A wrong value in one cell of a row: the identities of the other columns are still checked."""
    data = consistent_data(random.Random(seed))
    node(data, row.path)[row.key][bad] = "三"
    identity = LAYOUT.identities[other]
    terms = [t.field for t in identity.right + identity.left if t.field in LAYOUT.input_fields]
    bump(data, next(f for f in terms if f != row.fields[bad]))  # break the identity elsewhere
    found = messages(data)
    assert any(m.startswith(row.fields[bad].place_name) and "“三”" in m for m in found), found
    # every row of table 三 feeds its column's identity: that one is skipped, any other is made
    reported = any(m.startswith(f"{identity.place}: 勾稽关系不成立") for m in found)
    assert reported is (other != bad), found


def test_the_whole_file_at_once_on_the_command_line(tmp_path: Path, rng: random.Random) -> None:
    data = make_input(rng, "甲局")
    row, record = ROWS[0], RECORDS_WITH_TOTAL[0]
    node(data, row.path)[row.key] = [1, 2, 3, 4, 5]
    values = node(data, record.path)[record.key]
    values[record.stated_key] = sum(values[f.path[-1]] for f in record.fields) + 2
    data["year"] = "2024"
    result = H.invoke("validate", write_toml(tmp_path / "a.toml", data))
    H.assert_user_error(result, "有 3 处问题", row.place_name, record.total.place_name, "报告年度")


def test_a_chinese_date_is_reported_as_such(tmp_path: Path) -> None:
    for written in ("2026年1月20日", "2026/1/20", "2026.1.20"):
        source = tmp_path / "a.toml"
        source.write_text(f'agency = "甲局"\nyear = 2025\ndate = {written}\n', encoding="utf-8")
        result = H.invoke("validate", source)
        H.assert_user_error(result, "第 3 行")
        problem = result.output.split("）：", 1)[1]
        assert problem.startswith("日期要写成 2026-01-20"), result.output
        assert "一行只能写一个" not in result.output
    quoted = write_json(tmp_path / "a.json", {"agency": "甲局", "year": 2025, "date": "2026年1月20日"})
    H.assert_user_error(H.invoke("validate", quoted), "落款日期（date）: 日期要写成 2026-01-20")


def test_parser_messages_never_in_english(tmp_path: Path) -> None:
    for text in ("a = [1, 2\n", "a = \n", "[x]\n[x]\n", "a = {b = 1, b = 2}\n", "a = 1 2\n", "[x\n", 'a = "\\uZZZZ"\n'):
        source = tmp_path / "a.toml"
        source.write_text(text, encoding="utf-8")
        result = H.invoke("validate", source)
        assert result.exit_code == 1
        problem = result.output.rsplit("）：", 1)[1]  # after the place and the quoted line
        words = [w for w in problem.split() if w.isascii() and w.isalpha() and w not in ("TOML", "xxgk", "init")]
        assert words == [], result.output


def test_placeholder_errors_name_the_line_of_the_file(tmp_path: Path, rng: random.Random) -> None:
    data = make_input(rng, "甲局")
    text = "第一段。\n\n第二段，引用 {{ requests.recieved.total }} 件。"
    data["text"]["overview"] = text
    source = write_toml(tmp_path / "a.toml", data)
    lines = source.read_text(encoding="utf-8").splitlines()
    expected = next(i for i, line in enumerate(lines, 1) if "recieved" in line)
    assert lines[expected - 1].startswith("overview = ")  # a one-line string with \n escapes
    result = H.invoke("validate", source)
    H.assert_user_error(result, f"文件第 {expected} 行（这段文字的第 3 行）", "recieved")


def test_every_placeholder_problem_of_a_text_at_once(tmp_path: Path, rng: random.Random) -> None:
    data = make_input(rng, "甲局")
    data["text"]["overview"] = "收到{{ requests.recieved.total }}件，\n其中{{ requests.outcome.total }}件，共{{ year }}年。"
    result = H.invoke("validate", write_toml(tmp_path / "a.toml", data))
    H.assert_user_error(result, "“recieved”", "是否应为 “received”", "一整行")
    assert result.output.count("一、总体情况: 文件第 ") == 2, result.output


def test_placeholder_line_in_a_multiline_text(tmp_path: Path, rng: random.Random) -> None:
    data = make_input(rng, "甲局")
    data["text"]["overview"] = "PLACEHOLDER"
    body = '"""\n第一段。\n\n第二段。\n{{ year }}年有 {{ nope }} 件。\n"""'
    source = tmp_path / "a.toml"
    source.write_text(
        write_toml(tmp_path / "b.toml", data).read_text(encoding="utf-8").replace('"PLACEHOLDER"', body),
        encoding="utf-8",
    )
    lines = source.read_text(encoding="utf-8").splitlines()
    expected = next(i for i, line in enumerate(lines, 1) if "nope" in line)
    report_error = H.invoke("validate", source)
    H.assert_user_error(report_error, f"文件第 {expected} 行", "nope")
    # JSON strings have no lines of their own: the line within the text is named
    as_json = write_json(tmp_path / "a.json", {**data, "text": {**data["text"], "overview": "一\n二 {{ nope }}"}})
    H.assert_user_error(H.invoke("validate", as_json), "本部分文字第 2 行")
    assert load  # the pipeline the command line uses


def test_placeholder_syntax_errors_in_chinese(tmp_path: Path, rng: random.Random) -> None:
    for placeholder in ("{{ year + }}", "{{ year ? 1 }}", "{{ year year }}", "{{ agency + 1 }}", "{% if %}x{% endif %}"):
        data = make_input(rng, "甲局")
        data["text"]["overview"] = f"本年 {placeholder} 件。"
        result = H.invoke("validate", write_toml(tmp_path / "a.toml", data))
        H.assert_user_error(result, "一、总体情况", "文件第 ")
        message = result.output.split("占位符", 1)[1].split("提示：")[0].replace(placeholder, "")
        # the placeholder language's own words (what the message says is allowed) are not English prose
        language = {"README", "requests", "received", "total", "and", "or", "not", "if", "else", "x", *TEXT_FILTERS}
        words = [w for w in re.findall(r"[A-Za-z]+", message) if w not in language]
        assert words == [], result.output


def test_a_control_character_in_the_agency_names_the_line(tmp_path: Path) -> None:
    source = tmp_path / "a.toml"
    source.write_text('year = 2024\nagency = "甲\\u0001局"\n', encoding="utf-8")
    H.assert_user_error(H.invoke("validate", source), "机关全称（agency）: 文件第 2 行引号内第 2 个字符")


def test_a_missing_comma_in_json_names_the_line_that_lacks_it(tmp_path: Path) -> None:
    source = tmp_path / "a.json"
    source.write_text('{\n  "agency": "甲局"\n  "year": 2024,\n  "date": "2025-01-20"\n}\n', encoding="utf-8")
    H.assert_user_error(H.invoke("validate", source), "第 2 行第 17 列", "这一行末尾缺少英文逗号")


def test_hints_come_with_the_errors(tmp_path: Path, rng: random.Random) -> None:
    """An arithmetic error does not hold back the hints: the clerk sees everything in one round."""
    last = make_input(rng, "甲局", year=2023)
    this = make_input(rng, "乙局")  # another agency than last year's: a cross-year hint
    this["requests"]["received"][0] += 1  # and an identity that does not hold
    result = H.invoke(
        "validate", write_toml(tmp_path / "this.toml", this), "--previous", write_toml(tmp_path / "last.toml", last)
    )
    H.assert_user_error(result, "勾稽关系不成立", "提示：", "与上年报告的机关名称 “甲局” 不同")
    broken = make_input(rng, "丙局")
    broken["requests"]["received"] = "三"  # a broken row: hints that could depend on it are not guessed
    result = H.invoke("validate", write_toml(tmp_path / "broken.toml", broken))
    H.assert_user_error(result, "一、本年新收政府信息公开申请数量")
    assert "提示：" not in result.output, result.output
