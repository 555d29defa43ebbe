"""The command line: help everywhere, init, validate, --previous, --template, exit codes."""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.builders import EXAMPLE_INPUT, SEED_INPUT, consistent_data, write_json
from xxgk import layouts as L
from xxgk.cli import cli
from xxgk.formats import docx_dump as dump
from xxgk.report import load

COMMANDS = sorted(cli.commands)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert "用法：" in result.output
    assert cli.commands[command].help


@pytest.mark.parametrize("command", ["render", "validate", "init", "batch", "aggregate"])
def test_main_commands_show_an_example(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "--help"])
    assert "示例" in result.output and f"xxgk {command}" in result.output


def test_python_dash_m_and_usage_error_exit_2() -> None:
    run = subprocess.run([sys.executable, "-m", "xxgk", "--help"], capture_output=True, text=True)
    assert run.returncode == 0 and "render" in run.stdout
    run = subprocess.run([sys.executable, "-m", "xxgk", "render"], capture_output=True, text=True)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "命令行有误：缺少参数 输入文件" in run.stderr
    run = subprocess.run(
        [sys.executable, "-m", "xxgk", "render", "a.toml", "--prevous", "b"], capture_output=True, text=True
    )
    assert run.returncode == 2 and "没有选项 --prevous，是否应为 --previous？" in run.stderr


def test_help_does_not_import_heavy_modules() -> None:
    code = (
        "import sys; from xxgk.cli import cli\n"
        "try:\n    cli.main(['--help'], standalone_mode=False)\nexcept SystemExit: pass\n"
        "print('HEAVY:' + ','.join(m for m in ('docxtpl', 'docx', 'pydantic', 'lxml', 'jinja2') if m in sys.modules))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip().splitlines()[-1] == "HEAVY:"


@pytest.mark.parametrize("layout", list(L.LAYOUTS))
def test_init_skeleton_validates_and_renders(tmp_path: Path, layout: str) -> None:
    skeleton = tmp_path / "new.toml"
    runner = CliRunner()
    result = runner.invoke(cli, ["init", "--layout", layout, "-o", str(skeleton), "--year", "2025"])
    assert result.exit_code == 0, result.output
    text = skeleton.read_text(encoding="utf-8")
    data = tomllib.loads(text)
    assert data["layout"] == layout and data["year"] == 2025
    # a Chinese label beside every key of every table cell row
    for rr in L.LAYOUTS[layout].request_rows:
        if not rr.computed:
            assert f"{rr.path[-1]} = [0, 0, 0, 0, 0, 0]  # {rr.place[-1]}" in text
    for block, item in L.LAYOUTS[layout].proactive_items():
        assert f"# {block.heading} {item.label}" in text
    assert runner.invoke(cli, ["validate", str(skeleton)]).exit_code == 0
    result = runner.invoke(cli, ["render", str(skeleton), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1, result.output  # untouched: refused (see test_draft.py)
    assert "--draft" in result.output and not (tmp_path / "out").exists()


def test_init_to_stdout_and_refuses_to_overwrite(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["init"])
    assert result.exit_code == 0 and "outcome.withheld.state_secret = " in result.output
    target = tmp_path / "a.toml"
    target.write_text("keep", encoding="utf-8")
    result = runner.invoke(cli, ["init", "-o", str(target)])
    assert result.exit_code == 1 and "--force" in result.output
    assert target.read_text(encoding="utf-8") == "keep"
    assert runner.invoke(cli, ["init", "-o", str(target), "--force"]).exit_code == 0
    assert runner.invoke(cli, ["init", "--layout", "nope"]).exit_code == 2


def test_validate_many_files_reports_each(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('agency = "x"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(EXAMPLE_INPUT), str(bad), str(SEED_INPUT)])
    assert result.exit_code == 1
    assert f"通过：{EXAMPLE_INPUT}" in result.output
    assert f"通过：{SEED_INPUT}（" in result.output  # with the layout warning
    assert "bad.toml" in result.output and "缺少此项" in result.output


def test_layout_and_fee_warnings(tmp_path: Path, rng: random.Random) -> None:
    data = consistent_data(rng, layout="xingtai-2022")
    data["text"]["other"] = "无。"
    result = CliRunner().invoke(cli, ["validate", str(write_json(tmp_path / "a.json", data))])
    assert result.exit_code == 0
    assert "国家格式" in result.output and "信息处理费" in result.output


def _year_pair(rng: random.Random) -> tuple[dict[str, Any], dict[str, Any]]:
    last = consistent_data(rng, agency="某某局")
    last["year"] = 2023
    this = consistent_data(rng, agency="某某局")
    # this year's 上年结转 = last year's 结转下年度; rebalance 一 to keep the identity
    delta = [a - b for a, b in zip(last["requests"]["carried_forward"], this["requests"]["carried_over"], strict=True)]
    this["requests"]["carried_over"] = list(last["requests"]["carried_forward"])
    this["requests"]["carried_forward"] = [a + max(d, 0) for a, d in zip(this["requests"]["carried_forward"], delta, strict=True)]
    this["requests"]["received"] = [
        a + max(d, 0) - d for a, d in zip(this["requests"]["received"], delta, strict=True)
    ]
    rules = dict(last["proactive"]["rules"])
    this["proactive"]["rules"]["in_force"] = rules["in_force"] + this["proactive"]["rules"]["issued"] - this["proactive"]["rules"]["repealed"]
    docs = last["proactive"]["normative_documents"]
    this["proactive"]["normative_documents"]["in_force"] = (
        docs["in_force"] + this["proactive"]["normative_documents"]["issued"] - this["proactive"]["normative_documents"]["repealed"]
    )
    return last, this


def test_previous_year_checks(tmp_path: Path, rng: random.Random) -> None:
    last, this = _year_pair(rng)
    prev = write_json(tmp_path / "2023.json", last)
    cur = write_json(tmp_path / "2024.json", this)
    assert load(cur, previous=prev).warnings == []
    this["requests"]["carried_over"][0] += 1
    this["requests"]["received"][0] -= 1 if this["requests"]["received"][0] else 0
    if this["requests"]["received"][0] == 0:
        this["requests"]["carried_forward"][0] += 1
    this["proactive"]["rules"]["in_force"] += 2
    this["agency"] = "另一个局"
    this["year"] = 2025
    write_json(cur, this)
    result = CliRunner().invoke(cli, ["validate", str(cur), "--previous", str(prev)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "二、上年结转政府信息公开申请数量 / 自然人: 为" in out and "上年报告" in out
    assert "第二十条第（一）项 / 规章 / 现行有效件数" in out
    assert "机关名称" in out and "应为 2024" in out


def test_user_template_renders_and_is_sandboxed(tmp_path: Path) -> None:
    own = tmp_path / "own.docx"
    shutil.copy(Path(L.__file__).resolve().parents[2] / "templates" / "gov-2021.docx", own)
    runner = CliRunner()
    out = tmp_path / "a.docx"
    result = runner.invoke(cli, ["render", str(EXAMPLE_INPUT), "-o", str(out), "--template", str(own)])
    assert result.exit_code == 0, result.output
    assert dump.dump(out).startswith("示例县人民政府\n")

    def with_body_text(extra: str) -> Path:
        bad = tmp_path / f"bad{abs(hash(extra))}.docx"
        with zipfile.ZipFile(own) as src, zipfile.ZipFile(bad, "w") as dst:
            for item in src.infolist():
                data = src.read(item.filename)
                if item.filename == "word/document.xml":
                    data = data.replace(b"{{ line }}", extra.encode(), 1)
                dst.writestr(item, data)
        return bad

    for expr, needle in [
        ("{{ cycler.__init__.__globals__ }}", "模板"),
        ("{{ agency.__class__.__mro__ }}", "程序内部"),
        ("{{ no_such_name }}", "no_such_name"),
        ("{{ 9 ** (9 ** 9) }}", "超出限制"),
        ("{% set ns = namespace(s='x') %}{{ ns.s }}", "namespace"),
        ("{{ agency + year }}", "模板"),
    ]:
        result = runner.invoke(
            cli, ["render", str(EXAMPLE_INPUT), "-o", str(tmp_path / "b.docx"), "--template", str(with_body_text(expr))]
        )
        assert result.exit_code == 1, (expr, result.output)
        assert needle in result.output and "Traceback" not in result.output
        assert not (tmp_path / "b.docx").exists()


def test_missing_template(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["render", str(EXAMPLE_INPUT), "-o", str(tmp_path), "--template", str(tmp_path / "none.docx")]
    )
    assert result.exit_code == 1 and "模板文件不存在" in result.output


def test_render_default_output_name_in_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["render", str(EXAMPLE_INPUT)])
    assert result.exit_code == 0
    assert (tmp_path / "2024年示例县人民政府政府信息公开工作年度报告.docx").is_file()


def test_layouts_command_lists_layouts() -> None:
    result = CliRunner().invoke(cli, ["layouts"])
    assert result.exit_code == 0
    for name in L.LAYOUTS:
        assert name in result.output


def test_json_and_toml_give_the_same_report(tmp_path: Path) -> None:
    data = tomllib.loads(EXAMPLE_INPUT.read_text(encoding="utf-8"))
    data["date"] = data["date"].isoformat()
    as_json = tmp_path / "example.json"
    as_json.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    from_json = CliRunner().invoke(cli, ["render", str(as_json), "-o", str(tmp_path / "j.docx")])
    from_toml = CliRunner().invoke(cli, ["render", str(EXAMPLE_INPUT), "-o", str(tmp_path / "t.docx")])
    assert from_json.exit_code == 0 and from_toml.exit_code == 0, (from_json.output, from_toml.output)
    assert dump.dump(tmp_path / "j.docx") == dump.dump(tmp_path / "t.docx")


def test_group_help_lists_commands() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    assert {"render", "validate", "init", "batch", "aggregate", "layouts", "dump"} <= set(COMMANDS)
    for name, command in cli.commands.items():  # each command listed with its own summary
        assert re.search(rf"^\s+{name}\s+{re.escape(command.get_short_help_str()[:10])}", result.output, re.M), name


def test_validate_folder_with_defaults_and_the_forgotten_defaults_hint() -> None:
    branches = Path(__file__).resolve().parents[1] / "inputs" / "branches"
    runner = CliRunner()
    result = runner.invoke(cli, ["validate", str(branches), "--defaults", str(branches / "_defaults.toml")])
    assert result.exit_code == 0, result.output
    assert "共 5 个：通过 5，未通过 0" in result.output  # four text inputs and wuxian.xlsx
    result = runner.invoke(cli, ["validate", str(branches / "jiaxian.toml")])
    assert result.exit_code == 1
    assert "缺少此项" in result.output and "请加 --defaults" in result.output
    result = runner.invoke(cli, ["render", str(branches / "jiaxian.toml"), "-o", "/nonexistent/x.docx"])
    assert result.exit_code == 1 and "未生成报告" in result.output


def test_more_warnings(tmp_path: Path, rng: random.Random) -> None:
    data = consistent_data(rng)
    data["text"]["overview"] = "共收到｛｛ requests.received.total ｝｝件"
    data["date"] = "2024-06-30"
    data["year"] = 2099
    report = load(write_json(tmp_path / "a.json", data))
    messages = [str(w) for w in report.warnings]
    assert any("全角" in m and m.startswith("一、总体情况") for m in messages)
    assert any("尚未结束" in m for m in messages)
    assert any("早于 2099 年度结束" in m for m in messages)


def test_key_of_another_layout_is_explained(tmp_path: Path, rng: random.Random) -> None:
    data = consistent_data(rng)
    data["proactive"]["licensing"]["previous_items"] = 3
    result = CliRunner().invoke(cli, ["validate", str(write_json(tmp_path / "a.json", data))])
    assert result.exit_code == 1
    assert "第二十条第（五）项 / 行政许可: “previous_items” 只在版式 xingtai-2022" in result.output


def test_readme_example_validates(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    block = readme.split("```toml\n", 1)[1].split("```", 1)[0]
    assert "[requests.outcome.withheld]" in block
    report = load(_write(tmp_path / "readme.toml", block))
    assert report.cells["requests.received.total"] == 101
    assert [str(w) for w in report.warnings] == []


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_readme_documents_every_input_key() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    keys = {rr.path[-1] for rr in L.INPUT_REQUEST_ROWS}
    keys |= {item.key for lay in L.LAYOUTS.values() for _, item in lay.proactive_items()}
    keys |= {c.key for lay in L.LAYOUTS.values() for b in lay.blocks for c in b.columns}
    keys |= {g.key for g in L.APPEAL_GROUPS} | {c.key for c in L.APPEAL_COLUMNS}
    keys |= {c.key for c in L.REQUEST_COLUMNS} | {s.key for s in L.TEXT_SECTIONS}
    missing = sorted(k for k in keys if f"`{k}`" not in readme and f".{k}`" not in readme and f"{k} =" not in readme)
    assert missing == []


def _zip_with(path: Path, source: Path, replace: dict[str, bytes | None]) -> Path:
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            if item.filename in replace:
                data = replace[item.filename]
                if data is None:
                    continue
            else:
                data = src.read(item.filename)
            dst.writestr(item.filename, data)
    return path


@pytest.mark.parametrize("case", ["not a zip", "no content types", "huge member", "raw markup", "bad xml"])
def test_faulty_user_templates_are_user_errors(tmp_path: Path, case: str) -> None:
    bundled = Path(L.__file__).resolve().parents[2] / "templates" / "gov-2021.docx"
    with zipfile.ZipFile(bundled) as z:
        body = z.read("word/document.xml")
    own = tmp_path / "own.docx"
    if case == "not a zip":
        own.write_bytes(b"plain text")
    elif case == "no content types":
        _zip_with(own, bundled, {"[Content_Types].xml": None})
    elif case == "huge member":
        with zipfile.ZipFile(own, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("word/document.xml", b"\0" * (210 * 2**20))
    elif case == "raw markup":  # |safe lets a value's < through: the output would not open
        _zip_with(own, bundled, {"word/document.xml": body.replace(b"{{ line }}", b"{{ line|safe }}", 1)})
    else:
        _zip_with(own, bundled, {"word/document.xml": body[:-20]})
    source = tmp_path / "in.json"
    data = tomllib.loads(EXAMPLE_INPUT.read_text(encoding="utf-8"))
    data["date"] = data["date"].isoformat()
    data["agency"] = "A<B局"
    source.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out.docx"
    result = CliRunner().invoke(cli, ["render", str(source), "-o", str(out), "--template", str(own)])
    assert result.exit_code == 1, result.output
    assert "模板" in result.output and "内部错误" not in result.output
    assert not out.exists()


@pytest.mark.parametrize(
    "args",
    [
        ["render", "in.toml", "-o", "a.doc"],
        ["init", "-o", "a.txt"],
        ["aggregate", "in.toml", "-o", "a.json"],
        ["batch", "in.toml", "-o", "out", "--summary", "s.txt"],
    ],
)
def test_wrong_kind_of_output_file_is_a_command_line_error(tmp_path: Path, args: list[str]) -> None:
    run = subprocess.run([sys.executable, "-m", "xxgk", *args], capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 2, run.stderr
    assert "命令行有误" in run.stderr and "应为 ." in run.stderr
    assert list(tmp_path.iterdir()) == []


def test_template_of_the_other_layout_is_explained(tmp_path: Path) -> None:
    other = Path(L.__file__).resolve().parents[2] / "templates" / "xingtai-2022.docx"
    own = tmp_path / "own.docx"
    shutil.copy(other, own)
    result = CliRunner().invoke(
        cli, ["render", str(EXAMPLE_INPUT), "-o", str(tmp_path / "a.docx"), "--template", str(own)]
    )
    assert result.exit_code == 1
    assert "版式是否与输入的版式 gov-2021 一致" in result.output
