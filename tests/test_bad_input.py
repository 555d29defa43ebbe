"""Every kind of bad input: exit 1, a clear Chinese message, no traceback, no file."""

from __future__ import annotations

import codecs
import json
import random
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tests.builders import EXAMPLE_INPUT, consistent_data
from xxgk.cli import cli
from xxgk.formats import docx_dump as dump
from xxgk.report import load

EXAMPLE_TEXT = EXAMPLE_INPUT.read_text(encoding="utf-8")


def render(tmp_path: Path, content: str | bytes, name: str = "in.toml") -> tuple[Result, Path]:
    source = tmp_path / name
    if isinstance(content, str):
        content = content.encode("utf-8")
    source.write_bytes(content)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["render", str(source), "-o", str(out)])
    return result, out


def refused(tmp_path: Path, content: str | bytes, *needles: str, name: str = "in.toml") -> str:
    result, out = render(tmp_path, content, name)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not out.exists() or not any(out.iterdir()), "a file was written"
    for needle in needles:
        assert needle in result.output, f"{needle!r} not in {result.output!r}"
    return result.output


def as_json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False)


@pytest.fixture
def data(rng: random.Random) -> dict[str, Any]:
    return consistent_data(rng, agency="测试局")


def test_toml_syntax_error_with_line_and_column(tmp_path: Path) -> None:
    text = 'agency = "测试局"\nyear = 2024\n[requests]\nreceived = [1, 2, 3 0, 0, 0]\n'
    refused(tmp_path, text, "TOML 格式错误", "第 4 行", "received = [1, 2, 3 0")
    text = 'agency = "测试局"\nyear = 2024\n[requests]\nreceived = [1, 2, 3, 0, 0, 0\n'
    refused(tmp_path, text, "TOML 格式错误", "文件末尾", "右括号")


def test_toml_unquoted_text(tmp_path: Path) -> None:
    refused(tmp_path, "agency = 测试局\nyear = 2024\n", "TOML 格式错误", "第 1 行", "双引号")


def test_json_syntax_error(tmp_path: Path) -> None:
    refused(tmp_path, '{"agency": "测试局",\n "year": 2024,,}', "JSON 格式错误", "第 2 行", name="in.json")


@pytest.mark.parametrize(
    ("value", "shown"),
    [('"5"', "文字 “5”"), ("true", "真/假值"), ("1.5", "小数 1.5"), ('"1,234"', "千位分隔符")],
)
def test_wrong_types_for_counts(tmp_path: Path, value: str, shown: str) -> None:
    text = EXAMPLE_TEXT.replace("licensing = { decisions = 1520 }", f"licensing = {{ decisions = {value} }}")
    refused(tmp_path, text, "第二十条第（五）项 / 行政许可 / 本年处理决定数量", "应为非负整数", shown)


def test_negative_count_named_as_the_report_does(tmp_path: Path) -> None:
    text = EXAMPLE_TEXT.replace("state_secret = [1, 0, 0, 0, 0, 0]", "state_secret = [-1, 0, 0, 0, 0, 0]")
    refused(tmp_path, text, "三、本年度办理结果 / （三）不予公开 / 1.属于国家秘密 / 自然人: 应为非负整数，实为 -1")


def test_every_problem_listed_at_once(tmp_path: Path) -> None:
    text = (
        EXAMPLE_TEXT.replace("state_secret = [1, 0, 0, 0, 0, 0]", "state_secret = [-1, 0, 0, 0, 0, 0]")
        .replace("penalty = { decisions = 342 }", 'penalty = { decisions = "342" }')
        .replace("repeated = [2, 0, 0, 0, 0, 0]", "repeatd = [2, 0, 0, 0, 0, 0]")
    )
    output = refused(tmp_path, text, "3 处问题")
    assert "1.属于国家秘密" in output and "行政处罚" in output and "repeatd" in output


@pytest.mark.parametrize("row", ["[1, 2, 3, 4, 5]", "[1, 2, 3, 4, 5, 6, 21, 8]"])
def test_rows_of_the_wrong_length(tmp_path: Path, row: str) -> None:
    text = EXAMPLE_TEXT.replace("carried_over = [4, 1, 0, 0, 0, 0]", f"carried_over = {row}")
    refused(tmp_path, text, "二、上年结转政府信息公开申请数量", "应有 6 个数")


def test_unknown_key_with_suggestion(tmp_path: Path) -> None:
    text = EXAMPLE_TEXT.replace("received = [", "recieved = [")
    refused(tmp_path, text, "未知的键 “recieved”", "是否应为 “received”")


def test_unknown_top_level_key(tmp_path: Path) -> None:
    refused(tmp_path, 'agncy = "测试局"\nagency = "测试局"\nyear = 2024\n', "未知的键 “agncy”")


@pytest.mark.parametrize("missing", ["agency", "year"])
def test_missing_agency_or_year(tmp_path: Path, data: dict[str, Any], missing: str) -> None:
    del data[missing]
    refused(tmp_path, as_json(data), f"（{missing}）", "缺少此项", name="in.json")


def test_empty_agency(tmp_path: Path, data: dict[str, Any]) -> None:
    data["agency"] = "   "
    refused(tmp_path, as_json(data), "机关全称", "不能为空", name="in.json")


def test_unknown_layout(tmp_path: Path) -> None:
    text = EXAMPLE_TEXT.replace('layout = "gov-2021"', 'layout = "gov-2018"')
    refused(tmp_path, text, "没有名为 “gov-2018” 的版式", "gov-2021")


def test_stated_total_disagrees_in_a_row(tmp_path: Path) -> None:
    text = EXAMPLE_TEXT.replace("received = [86, 9, 1, 0, 3, 2, 101]", "received = [86, 9, 1, 0, 3, 2, 100]")
    refused(tmp_path, text, "一、本年新收政府信息公开申请数量 / 总计", "填写的总计为 100", "= 101")


def test_stated_total_disagrees_in_appeals(tmp_path: Path) -> None:
    text = EXAMPLE_TEXT.replace("pending = 1, total = 5 }", "pending = 1, total = 0 }")
    refused(tmp_path, text, "行政复议 / 总计: 填写的总计为 0", "3 + 1 + 0 + 1 = 5")


def test_broken_identity(tmp_path: Path) -> None:
    text = EXAMPLE_TEXT.replace("carried_forward = [3, 2, 0, 0, 0, 0]", "carried_forward = [3, 1, 0, 0, 0, 0]")
    refused(tmp_path, text, "法人或其他组织 / 商业企业", "勾稽关系不成立")


def test_directory_as_input(tmp_path: Path) -> None:
    folder = tmp_path / "folder.toml"
    folder.mkdir()
    result = CliRunner().invoke(cli, ["render", str(folder), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1 and "文件夹" in result.output
    assert not (tmp_path / "out").exists()


def test_missing_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["render", str(tmp_path / "nope.toml")])
    assert result.exit_code == 1 and "文件不存在" in result.output


def test_binary_and_word_files_as_input(tmp_path: Path) -> None:
    refused(tmp_path, b"\x00\x01\x02binary", "二进制文件")
    docx = (EXAMPLE_INPUT.parents[1] / "templates" / "gov-2021.docx").read_bytes()
    refused(tmp_path, docx, "Word/Excel")


def test_gbk_file_is_decoded_correctly(tmp_path: Path) -> None:
    result, out = render(tmp_path, EXAMPLE_TEXT.encode("gb18030"))
    assert result.exit_code == 0, result.output
    assert "GBK" in result.output  # says so, and suggests UTF-8
    (docx,) = out.iterdir()
    assert docx.name == "2024年示例县人民政府政府信息公开工作年度报告.docx"
    assert dump.dump(docx).startswith("示例县人民政府\n2024年政府信息公开工作年度报告\n")


def test_undecodable_file_says_how_to_save(tmp_path: Path) -> None:
    refused(tmp_path, b'agency = "' + bytes([0x81, 0x20, 0xFF, 0xFE]) + b'"\n', "UTF-8")


@pytest.mark.parametrize("bom", [codecs.BOM_UTF8, None])
def test_utf8_with_and_without_bom(tmp_path: Path, bom: bytes | None) -> None:
    result, out = render(tmp_path, (bom or b"") + EXAMPLE_TEXT.encode("utf-8"))
    assert result.exit_code == 0, result.output
    assert "GBK" not in result.output


def test_utf16_notepad_unicode(tmp_path: Path) -> None:
    result, _ = render(tmp_path, EXAMPLE_TEXT.encode("utf-16"))
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("char", ["\x07", "\x0b", "\x1f", "\x00"])
def test_control_characters_in_text(tmp_path: Path, data: dict[str, Any], char: str) -> None:
    data["text"]["overview"] = f"第一段\n\n第二{char}段"
    refused(tmp_path, as_json(data), "一、总体情况", "控制字符", f"U+{ord(char):04X}", "第 3 行", name="in.json")


@pytest.mark.parametrize(
    "expr",
    [
        "{{ year.__class__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ requests.__dict__ }}",
        "{{ lipsum }}",
    ],
)
def test_placeholders_cannot_reach_python(tmp_path: Path, data: dict[str, Any], expr: str) -> None:
    data["text"]["overview"] = f"共{expr}件"
    output = refused(tmp_path, as_json(data), "一、总体情况", "占位符", name="in.json")
    assert "不能访问程序内部" in output or "不存在" in output
    assert "<class" not in output and "function" not in output


def test_unknown_placeholder_named(tmp_path: Path, data: dict[str, Any]) -> None:
    data["text"]["other"] = "共{{ requests.recieved.total }}件，信息处理费0元。"
    refused(tmp_path, as_json(data), "六、其他需要报告的事项", "recieved", name="in.json")


def test_placeholder_syntax_error(tmp_path: Path, data: dict[str, Any]) -> None:
    data["text"]["overview"] = "第一行\n共{{ requests.received.total 件"
    refused(tmp_path, as_json(data), "一、总体情况", "第 2 行", "成对出现", name="in.json")
    data["text"]["overview"] = "共{{ requests.received.total + }}件"
    refused(tmp_path, as_json(data), "一、总体情况", "写法有误", name="in.json")


def test_placeholder_naming_a_whole_row(tmp_path: Path, data: dict[str, Any]) -> None:
    data["text"]["overview"] = "共收到申请{{ requests.received }}件"
    refused(tmp_path, as_json(data), "一、总体情况", "一整行", "{{ requests.received.total }}", name="in.json")


def test_placeholder_typo_gets_a_suggestion(tmp_path: Path, data: dict[str, Any]) -> None:
    data["text"]["overview"] = "共收到申请{{ requests.recieved.total }}件"
    refused(tmp_path, as_json(data), "“recieved”", "是否应为 “received”", name="in.json")


def test_placeholder_arithmetic_error(tmp_path: Path, data: dict[str, Any]) -> None:
    data["text"]["overview"] = "比例{{ year / 0 }}"
    refused(tmp_path, as_json(data), "除数为 0", name="in.json")


@pytest.mark.parametrize(
    ("amount", "needle"), [("-1", "不能为负数"), ("1.234", "两位小数"), ('"12.5"', "金额数字"), ("nan", "金额数字")]
)
def test_bad_amounts(tmp_path: Path, amount: str, needle: str) -> None:
    text = EXAMPLE_TEXT.replace("fees = { amount = 125.36 }", f"fees = {{ amount = {amount} }}")
    refused(tmp_path, text, "行政事业性收费 / 本年收费金额（单位：万元）", needle)


def test_bad_date(tmp_path: Path, data: dict[str, Any]) -> None:
    data["date"] = "2025年1月20日"
    refused(tmp_path, as_json(data), "落款日期", "日期要写成 2025-01-20", name="in.json")


def test_top_level_must_be_a_table(tmp_path: Path) -> None:
    refused(tmp_path, "[1, 2, 3]", "最外层", name="in.json")


def test_failed_render_leaves_no_file_and_keeps_an_old_one(tmp_path: Path) -> None:
    out = tmp_path / "report.docx"
    out.write_bytes(b"old")
    source = tmp_path / "bad.toml"
    source.write_text(EXAMPLE_TEXT.replace("year = 2024", "year = 24"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["render", str(source), "-o", str(out)])
    assert result.exit_code == 1 and "年份" in result.output
    assert out.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".xxgk")] == []


def test_output_with_wrong_suffix(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["render", str(EXAMPLE_INPUT), "-o", str(tmp_path / "a.doc")])
    assert result.exit_code == 2 and ".docx" in result.output
    from xxgk.errors import OutputError
    from xxgk.render import write_report

    with pytest.raises(OutputError, match="docx"):  # the library refuses it as well
        write_report(load(EXAMPLE_INPUT), tmp_path / "a.doc")
    assert not (tmp_path / "a.doc").exists()


def test_row_pasted_from_a_spreadsheet(tmp_path: Path) -> None:
    text = EXAMPLE_TEXT.replace("carried_over = [4, 1, 0, 0, 0, 0]", 'carried_over = "4\t1\t0\t0\t0\t0"')
    refused(tmp_path, text, "二、上年结转政府信息公开申请数量", "请写成 [4, 1, 0, 0, 0, 0]")


@pytest.mark.parametrize(
    ("line", "needles"),
    [
        ("received = [86	9	1	0	3	2]", ("第 ", "英文逗号")),
        ("received = [86，9，1，0，3，2]", ("英文逗号",)),
        ("date = 2025/01/20", ("日期要写成 2025-01-20",)),
        ("date = 2025-1-20", ("日期要写成 2025-01-20",)),
        ("agency = 示例县", ("双引号",)),
        ("year = 2024\nyear = 2025", ("同一个键写了两次",)),
    ],
)
def test_syntax_errors_explained_in_chinese(tmp_path: Path, line: str, needles: tuple[str, ...]) -> None:
    text = 'agency = "测试局"\nyear = 2024\n' if not line.startswith(("agency", "year")) else ""
    if line.startswith("received"):
        text += "[requests]\n"
    result, _ = render(tmp_path, text + line + "\n")
    assert result.exit_code == 1
    assert "格式错误" in result.output or "问题" in result.output
    for needle in needles:
        assert needle in result.output, result.output


def test_thousands_separator_inside_a_row_is_pointed_out(tmp_path: Path) -> None:
    text = EXAMPLE_TEXT.replace("carried_over = [4, 1, 0, 0, 0, 0]", "carried_over = [1,234, 1, 0, 0, 0, 0]")
    refused(tmp_path, text, "千位分隔符")


def test_raw_control_character_in_the_file(tmp_path: Path) -> None:
    text = EXAMPLE_TEXT.replace("（三）政府信息管理。", "（三）政府信息\x07管理。")
    refused(tmp_path, text, "控制字符 U+0007", "第 ")


def test_json_saved_as_toml_is_read(tmp_path: Path, data: dict[str, Any]) -> None:
    result, out = render(tmp_path, as_json(data), name="in.toml")
    assert result.exit_code == 0, result.output


def test_utf16_without_bom(tmp_path: Path) -> None:
    result, _ = render(tmp_path, EXAMPLE_TEXT.encode("utf-16-le"))
    assert result.exit_code == 0, result.output


def test_amount_keeps_its_two_decimals(tmp_path: Path) -> None:
    text = EXAMPLE_TEXT.replace("fees = { amount = 125.36 }", "fees = { amount = 7730.20 }")
    result, out = render(tmp_path, text)
    assert result.exit_code == 0
    (docx,) = out.iterdir()
    t2 = dump.grid_values(dump.tables(docx)[0])
    assert t2[(13, 1)] == "7730.20"


@pytest.mark.parametrize(
    ("expr", "needle"),
    [
        ("{{ 9 ** (9 ** 9) }}", "乘方过大"),
        ("{{ 'x' * 300000000 }}", "过长"),
        ("{{ 'x' | center(1000000000) }}", "占位符"),
        ("{{ namespace }}", "不存在"),
    ],
)
def test_placeholders_cannot_exhaust_the_machine(
    tmp_path: Path, data: dict[str, Any], expr: str, needle: str
) -> None:
    data["text"]["overview"] = f"共{expr}件"
    refused(tmp_path, as_json(data), "一、总体情况", needle, name="in.json")


def test_small_arithmetic_still_works(tmp_path: Path, data: dict[str, Any]) -> None:
    data["text"]["overview"] = "{{ 2 ** 10 }}、{{ '-' * 3 }}、{{ (year / 3) | round(1) }}"
    result, out = render(tmp_path, as_json(data), name="in.json")
    assert result.exit_code == 0, result.output
    (docx,) = out.iterdir()
    assert "1024、---、674.7" in dump.dump(docx)


def test_whole_amounts_keep_the_decimals_as_written(tmp_path: Path) -> None:
    for written in ("7730.00", "100.0", "0", "12"):
        text = EXAMPLE_TEXT.replace("fees = { amount = 125.36 }", f"fees = {{ amount = {written} }}")
        result, out = render(tmp_path, text)
        assert result.exit_code == 0
        (docx,) = out.iterdir()
        assert dump.grid_values(dump.tables(docx)[0])[(13, 1)] == written
        docx.unlink()


def test_notepad_txt_suffix_is_explained(tmp_path: Path) -> None:
    refused(tmp_path, EXAMPLE_TEXT, "记事本", "请改名为 “in.toml”", name="in.toml.txt")


def test_output_folder_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    result = CliRunner().invoke(cli, ["render", str(EXAMPLE_INPUT), "-o", str(tmp_path / "afile")])
    assert result.exit_code == 1 and "是一个文件，不是文件夹" in result.output


def test_placeholders_compute_with_amounts(tmp_path: Path, data: dict[str, Any]) -> None:
    data["proactive"]["fees"]["amount"] = 1234.5
    data["text"]["overview"] = "收费{{ proactive.fees.amount * 2 }}万元，{{ (proactive.fees.amount / 3) | round(2) }}"
    result, out = render(tmp_path, as_json(data), name="in.json")
    assert result.exit_code == 0, result.output
    (docx,) = out.iterdir()
    assert "收费2469.0万元，411.5" in dump.dump(docx)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('agency = "测\n试"\nyear = 2024\n', '三个引号'),
        ('agency = "测试"\nyear = ２０２４\n', "半角"),
        ('agency ＝ "测试"\n', "半角"),
        ('本年新收 = 1\n', "键名要用英文"),
        ('agency = "测试"\nyear = 2024\n[text]\noverview = """\n第一段\n', '第 4 行 开始的 """'),
        ('agency = "C:\\报告"\nyear = 2024\n', "反斜杠"),
    ],
)
def test_more_syntax_mistakes_explained(tmp_path: Path, text: str, needle: str) -> None:
    refused(tmp_path, text, needle)


def test_appeals_written_as_a_list_gets_an_example(tmp_path: Path) -> None:
    text = EXAMPLE_TEXT.replace(
        "litigation_direct = { upheld = 2, corrected = 0, other = 1, pending = 1 }", "litigation_direct = [2, 0, 1, 1]"
    )
    refused(tmp_path, text, "litigation_direct = { upheld = 0, corrected = 0, other = 0, pending = 0 }")
