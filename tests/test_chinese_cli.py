"""The whole command-line interface speaks Chinese: every help page and every usage error.

An ASCII word may appear only if it is an option name, a command name, a layout
name, an input key, a file name, a command-line example or one of the few names
of formats and programs (TOML, Word…).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from xxgk import layouts as L
from xxgk.cli import cli
from xxgk.model import META_PLACES

PROPER_NAMES = {
    "TOML", "JSON", "Word", "WPS", "Excel", "LibreOffice", "PDF", "CPU", "UTF", "README", "GBK", "HTML", "CMS",
    "Schema", "VS", "Code", "Even", "Better",  # JSON Schema; VS Code + Even Better TOML
}


def _allowed_words() -> set[str]:
    words = {"xxgk", *cli.commands, *L.LAYOUTS, *META_PLACES, *PROPER_NAMES}
    for command in [cli, *cli.commands.values()]:
        for param in command.params:
            words.update(param.opts + param.secondary_opts)
    words.update({"-h", "--help"})
    for layout in L.LAYOUTS.values():
        for key in layout.fields:
            words.update(key.split("."))
    words.update(s.key for s in L.TEXT_SECTIONS)
    words.update(L.FONT_SETS)  # font set names, and the ASCII parts of the official font names
    for fonts in L.FONT_SETS.values():
        for font in (fonts.title, fonts.heading, fonts.lead, fonts.body):
            words.update(re.findall(r"[A-Za-z0-9]+", font.name))
    return words


ALLOWED = _allowed_words()
_WORD = re.compile(r"[-\w.*/<>]*[A-Za-z][-\w.*/<>]*")
_FILE = re.compile(r"[^\s]*(\.[A-Za-z]{3,4}|/)\b.*|.*/.*|\.[a-z]{3,4}")


def english_words(text: str, typed: list[str] = []) -> list[str]:  # noqa: B006 (never changed)
    """The ASCII words of ``text`` that are none of the allowed kinds (or quoted from ``typed``)."""
    out = []
    for line in text.splitlines():
        if re.match(r"\s*xxgk [a-z]", line):  # an example command line (and its Chinese note)
            continue
        for word in _WORD.findall(line):
            bare = word.strip(".<>*_")
            quoted = any(bare in arg for arg in typed)
            if not re.search(r"[A-Za-z]", bare) or bare in ALLOWED or word in ALLOWED or quoted:
                continue
            if re.search(r"[^\x00-\x7f]", bare) and all(  # 仿宋_GB2312: a Chinese name with allowed parts
                part in ALLOWED for part in re.findall(r"[A-Za-z0-9]+", bare)
            ):
                continue
            if _FILE.fullmatch(word) or "." in bare or "/" in bare:  # a file name or a path
                continue
            if re.fullmatch(r"[A-Za-z_]+(\.[A-Za-z_]+)+|\{\{.*", bare):  # a dotted key
                continue
            out.append(word)
    return out


def test_the_scan_finds_english() -> None:
    assert english_words("Usage: xxgk render [OPTIONS] INPUT") == ["Usage", "OPTIONS", "INPUT"]
    assert english_words("  --jobs INTEGER RANGE  [default: 3]") == ["INTEGER", "RANGE", "default"]
    assert english_words("用法：xxgk render [选项] 输入文件  --output 2025.toml gov-2021") == []
    assert english_words("没有选项 --prevous", ["--prevous"]) == []


@pytest.mark.parametrize("command", ["", *sorted(cli.commands)])
def test_every_help_page_is_chinese(command: str) -> None:
    args = [command, "--help"] if command else ["--help"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "用法：" in result.output and "选项：" in result.output
    assert english_words(result.output) == [], result.output
    assert not re.search(r"示例：\n\s*\n", result.output), "a blank line after 示例："


USAGE_ERRORS = [
    (["render"], "缺少参数 输入文件"),
    (["render", "a.toml", "--prevous", "b.toml"], "没有选项 --prevous，是否应为 --previous？"),
    (["init", "--layout", "gov2021"], "“gov2021” 不是可选的值；可选：gov-2021、xingtai-2022"),
    (["init", "--year", "1999"], "应为 2008–2100 之间的整数，实为 “1999”"),
    (["init", "--year", "二〇二五"], "应为 2008–2100 之间的整数"),
    (["batch", "a.toml", "-j", "0", "-o", "out"], "应为 1–64 之间的整数"),
    (["render", "a.toml", "-o"], "选项 -o 后面要写一个值"),
    (["render", "a.toml", "b.toml"], "多余的参数：b.toml"),
    (["batch", "a.toml"], "缺少选项 -o / --output"),
    (["rendr", "a.toml"], "没有命令 rendr，是否应为 render？"),
    (["init", "--force=yes"], "选项 --force 不带值"),
    (["render", "a.toml", "-o", "a.doc"], "应为 .docx 文件或一个文件夹"),
    (["init", "-o", "a.txt"], "应为 .toml 或 .xlsx 文件"),  # init writes workbooks too
    (["batch", "a.toml", "-o", "out", "--summary", "s.txt"], "应为 .xlsx 或 .csv 文件"),
    ([], "用法：xxgk [选项] 命令 [参数]..."),
]


@pytest.mark.parametrize(("args", "expected"), USAGE_ERRORS)
def test_every_usage_error_is_chinese(tmp_path: Path, args: list[str], expected: str) -> None:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert expected in result.output
    assert "Traceback" not in result.output
    assert english_words(result.output, args) == [], result.output


def test_usage_error_through_the_installed_entry_point() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "xxgk", "init", "--year", "20x5"], capture_output=True, text=True
    )
    assert run.returncode == 2
    assert run.stderr.startswith("用法：xxgk init [选项]")
    assert english_words(run.stderr, ["20x5"]) == [], run.stderr


def test_version_and_file_kind_errors(tmp_path: Path) -> None:
    version = CliRunner().invoke(cli, ["--version"])
    assert english_words(version.output) == [] and version.output.startswith("xxgk ")
    toml = tmp_path / "mine.toml"
    toml.write_text('agency = "甲"\n', encoding="utf-8")
    for target, expected in (
        (toml, "这是输入文件，不是生成的报告"),
        (tmp_path, "这是一个文件夹"),
        (tmp_path / "no.docx", "文件不存在"),
    ):
        result = CliRunner().invoke(cli, ["dump", str(target)])
        assert result.exit_code == 1 and expected in result.output, result.output
        assert "zip" not in result.output and english_words(result.output) == [], result.output
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"PK\x03\x04" + b"\0" * 40)
    result = CliRunner().invoke(cli, ["dump", str(broken)])
    assert result.exit_code == 1 and "不是 Word 文档" in result.output, result.output


def test_a_template_of_the_wrong_kind(tmp_path: Path) -> None:
    from tests.builders import EXAMPLE_INPUT

    toml = tmp_path / "mine.toml"
    toml.write_text('agency = "甲"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["render", str(EXAMPLE_INPUT), "-o", str(tmp_path), "--template", str(toml)])
    assert result.exit_code == 1 and "不是 Word 文档" in result.output, result.output
    assert english_words(result.output) == [], result.output
