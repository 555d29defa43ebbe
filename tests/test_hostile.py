"""Hostile and unlucky inputs: every case runs the real CLI in a subprocess with a memory
ceiling (RLIMIT_AS) and a timeout, and asserts the exit code, the message and that
nothing was written.  Cases that held before are kept, so that they keep holding.
"""

from __future__ import annotations

import io
import json
import os
import random
import resource
import signal
import socket
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from tests.builders import EXAMPLE_INPUT, ROOT, SEED_INPUT, make_input, write_toml
from xxgk import layouts as L

XXGK = [sys.executable, "-m", "xxgk"]
MEMORY_CEILING = 2 * 2**30  # address space of the CLI process (and what it forks)
TEMPLATE = ROOT / "templates" / "gov-2021.docx"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="resource limits, FIFOs and /proc")


def _ceiling() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CEILING, MEMORY_CEILING))


def xxgk(
    *args: str | Path, cwd: Path, timeout: float = 60, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The CLI under a memory ceiling; a hang fails the test instead of blocking the suite."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), **(env or {})}
    full_env.pop("XXGK_DEBUG", None)
    return subprocess.run(
        [*XXGK, *map(str, args)],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        errors="backslashreplace",
        timeout=timeout,
        preexec_fn=_ceiling,
        stdin=subprocess.DEVNULL,
    )


def refused(run: subprocess.CompletedProcess[str], *needles: str) -> str:
    output = run.stdout + run.stderr
    assert run.returncode == 1, output
    assert "Traceback" not in output and "内部错误" not in output, output
    for needle in needles:
        assert needle in output, (needle, output)
    return output


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def template_with(tmp_path: Path, name: str, body: str = "{{ line }}", **parts: bytes) -> Path:
    """The bundled template with ``{{ line }}`` replaced by ``body`` and parts replaced or added."""
    out = tmp_path / name
    with zipfile.ZipFile(TEMPLATE) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = parts.pop(item.filename, None) or src.read(item.filename)
            if item.filename == "word/document.xml":
                data = data.replace(b"{{ line }}", body.encode(), 1)
            dst.writestr(item, data)
        for extra, data in parts.items():
            dst.writestr(extra, data)
    return out


# --------------------------------------------------------------------------
# Texts: the placeholder language
# --------------------------------------------------------------------------

TEXT_CASES = {
    "center": ("{{ agency.center(10**9) }}", "不能调用方法 .center()"),
    "percent": ("{{ '%0999999999d' % 1 }}", "不能用 % 格式化文字"),
    "format": ("{{ '{:>999999999}'.format(1) }}", "不能调用方法 .format()"),
    "replace": ("{{ agency.replace('', agency) }}", "不能调用方法 .replace()"),
    "round": ("{{ round(-9999999) }}", "不能调用函数 round()"),
    "round_digits": ("{{ year / 7 | round(-999999999) }}", "round 的位数应在 -20 到 20 之间"),
    "statement": ("{% set s = agency %}{{ s }}", "不能写 {% … %} 语句"),
    "for": ("{% for i in [1]*100000 %}{% for j in [1]*100000 %}x{% endfor %}{% endfor %}", "语句"),
    "join": ("{{ range(100000)|join('x'*99999) }}", "不能用过滤器 join"),
    "lipsum": ("{{ lipsum(n=10**7) }}", "不能调用函数 lipsum()"),
    "power": ("{{ 9 ** (9 ** 9) }}", "乘方过大"),
    "inf": ("{{ 1e308 * 10 }}", "不是有限的数"),
    "long": ("{{ year ** 64 * year ** 64 * year ** 64 * year ** 64 * year ** 64 }}", "结果过长"),
    "repeat": ("{{ ([[1]*100000]*100000) | max }}", "不能把列表相乘"),
    "many": ("{{ year + 1 }}" * 301, "占位符过多"),
    "product": ("{{ " + " * ".join(["(10 ** 12) ** 64"] * 5) + " }}", "乘积过大"),
    "sum_start": ("{{ [[1], [2]] | sum(none, []) }}", "过滤器 sum 不能带参数"),
    "internals": ("{{ year.__class__.__mro__ }}", "不能访问程序内部"),
    "decimal_power": ("{{ proactive.fees.amount ** 999999999 }}", "乘方过大"),
}


def test_placeholders_refused_with_what_is_allowed(tmp_path: Path) -> None:
    rng = random.Random(13)
    paths = []
    for name, (text, _) in TEXT_CASES.items():
        data = make_input(rng, f"机关{name}")
        data["text"]["overview"] = f"共{text}件"
        paths.append(write_toml(tmp_path / f"{name}.toml", data))
    start = time.monotonic()
    run = xxgk("validate", *paths, cwd=tmp_path, timeout=60)
    output = refused(run)
    assert time.monotonic() - start < 30
    blocks = output.split("错误：")
    for name, (_, needle) in TEXT_CASES.items():
        (block,) = [b for b in blocks if f"/{name}.toml" in b]
        assert needle in block, (name, block)
    assert "过滤器 abs、round" in output  # the message says what is allowed
    assert f"未通过 {len(TEXT_CASES)}" in output


def test_placeholders_that_clerks_need_still_work(tmp_path: Path) -> None:
    data = make_input(random.Random(1), "某某局")
    data["text"]["overview"] = (
        "共{{ requests.received.total }}件，比例{{ (requests.outcome.total.total / "
        "(requests.received.total + 1) * 100) | round(1) }}%，{{ '较多' if year > 2000 else '较少' }}，"
        "最多{{ [appeals.review.total, 3] | max }}，{{ -0.0 }}，{{ year % 100 }}。"
    )
    out = tmp_path / "out.docx"
    run = xxgk("render", write_toml(tmp_path / "in.toml", data), "-o", out, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    dumped = xxgk("dump", out, cwd=tmp_path).stdout
    assert "较多" in dumped and "，0.0，24。" in dumped and "-0" not in dumped


# --------------------------------------------------------------------------
# Templates: bounded render, no external links
# --------------------------------------------------------------------------

DOUBLING = "{% set s = 'x' * 99999 %}" + "{% set s = s ~ s %}" * 40 + "{{ s | length }}"
LOOPS = "{% for a in [1]*100000 %}{% for b in [1]*100000 %}{% endfor %}{% endfor %}"
GUARDED = {  # refused by the sandbox before any work
    "join": ("{{ range(100000)|join('x'*99999) }}", "join 生成的文字过长"),
    "center": ("{{ agency.center(10**9) }}", "宽度参数过大"),
    "format": ("{{ '{:>999999999}'.format(1) }}", "format"),
    "percent": ("{{ '%0999999999d' % 1 }}", "不能用 % 格式化文字"),
    "lipsum": ("{{ lipsum(n=10**7) }}", "lipsum"),
    "replace": ("{{ ('x'*99999).replace('', 'y'*99999) }}", "replace 生成的文字过长"),
    "power": ("{{ 9 ** (9 ** 9) }}", "乘方过大"),
    "round": ("{{ 7 | round(-999999999) }}", "round 的位数"),
    "escape": ("{{ cycler.__init__.__globals__ }}", "模板"),
}


@pytest.mark.parametrize(
    ("body", "seconds", "needle"),
    [(LOOPS, "1", "超过 1 秒仍未完成"), (DOUBLING, "20", "内存")],
    ids=["time", "memory"],
)
def test_hostile_template_stops_at_the_limit(tmp_path: Path, body: str, seconds: str, needle: str) -> None:
    template = template_with(tmp_path, "hostile.docx", body)
    out = tmp_path / "out"
    start = time.monotonic()
    run = xxgk(
        "render", EXAMPLE_INPUT, "-o", out, "--template", template,
        cwd=tmp_path, env={"XXGK_TEMPLATE_SECONDS": seconds}, timeout=60,
    )  # fmt: skip
    refused(run, needle, str(template))
    assert time.monotonic() - start < 25
    assert files_in(out) == []


def test_template_expressions_bounded_by_the_sandbox(tmp_path: Path) -> None:
    from xxgk.api import render_one
    from xxgk.errors import TemplateError

    for case, (body, needle) in GUARDED.items():
        template = template_with(tmp_path, f"{case}.docx", body)
        with pytest.raises(TemplateError) as caught:
            render_one(EXAMPLE_INPUT, tmp_path / "out", template=template)
        assert needle in str(caught.value), (case, caught.value)
    assert files_in(tmp_path / "out") == []


def test_hostile_template_in_a_batch_fails_each_report_and_nothing_else(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    for i in range(3):
        write_toml(inputs / f"u{i}.toml", make_input(random.Random(i), f"单位{i}"))
    template = template_with(tmp_path, "slow.docx", LOOPS)
    out = tmp_path / "out"
    run = xxgk(
        "batch", inputs, "-o", out, "--template", template, "--summary", out / "汇总.csv", "-j", "2",
        cwd=tmp_path, env={"XXGK_TEMPLATE_SECONDS": "1"}, timeout=90,
    )  # fmt: skip
    output = refused(run, "失败 3", "秒仍未完成")
    assert files_in(out) == ["汇总.csv"], output


def _external_rels(docx: Path) -> list[str]:
    found = []
    with zipfile.ZipFile(docx) as archive:
        for name in archive.namelist():
            if name.endswith(".rels"):
                for rel in etree.fromstring(archive.read(name)):
                    if rel.get("TargetMode") == "External" and not rel.get("Type", "").endswith("/hyperlink"):
                        found.append(rel.get("Target") or "")
    return found


def test_template_external_links_are_stripped_with_a_note(tmp_path: Path) -> None:
    with zipfile.ZipFile(TEMPLATE) as src:
        rels = src.read("word/_rels/document.xml.rels")
        settings = src.read("word/settings.xml")
        settings_rels = src.read("word/_rels/settings.xml.rels") if "word/_rels/settings.xml.rels" in src.namelist() else None
    image = (
        b'<Relationship Id="rIdEvil" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"'
        b' Target="file:///etc/passwd" TargetMode="External"/>'
        b'<Relationship Id="rIdWeb" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"'
        b' Target="https://www.gov.cn/" TargetMode="External"/>'
    )
    attached = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rIdT" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate"'
        b' Target="\\\\attacker\\share\\Normal.dotm" TargetMode="External"/></Relationships>'
    )
    assert settings_rels is None
    blip = (
        '<w:p><w:r><w:drawing><wp:inline xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing">'
        '<wp:extent cx="100" cy="100"/><wp:docPr id="1" name="p"/><a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
        '<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
        '<pic:pic xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:nvPicPr><pic:cNvPr id="1" name="p"/>'
        '<pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
        ' r:link="rIdEvil"/></pic:blipFill><pic:spPr/></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>'
    )
    settings = settings.replace(
        b"<w:zoom",
        b'<w:attachedTemplate xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="rIdT"/><w:zoom',
        1,
    )
    template = template_with(
        tmp_path,
        "linked.docx",
        "{{ line }}</w:t></w:r></w:p>" + blip + "<w:p><w:r><w:t>",
        **{
            "word/_rels/document.xml.rels": rels.replace(b"</Relationships>", image + b"</Relationships>"),
            "word/settings.xml": settings,
            "word/_rels/settings.xml.rels": attached,
        },
    )
    assert len(_external_rels(template)) == 2
    out = tmp_path / "out.docx"
    run = xxgk("render", EXAMPLE_INPUT, "-o", out, "--template", template, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "外部链接已删除" in run.stderr and "file:///etc/passwd" in run.stderr and "附加模板" in run.stderr
    assert _external_rels(out) == []
    with zipfile.ZipFile(out) as archive:
        assert b"attachedTemplate" not in archive.read("word/settings.xml")
        assert b"rIdEvil" not in archive.read("word/document.xml")
        assert b"https://www.gov.cn/" in archive.read("word/_rels/document.xml.rels")  # hyperlinks stay


def test_template_with_a_fetching_field_is_refused(tmp_path: Path) -> None:
    field = '</w:t></w:r><w:r><w:instrText> INCLUDEPICTURE "http://example.com/x.png" </w:instrText></w:r><w:r><w:t>'
    template = template_with(tmp_path, "field.docx", "{{ line }}" + field)
    out = tmp_path / "out"
    refused(xxgk("render", EXAMPLE_INPUT, "-o", out, "--template", template, cwd=tmp_path), "INCLUDEPICTURE")
    assert files_in(out) == []


def test_macro_template_message_names_no_python_object(tmp_path: Path) -> None:
    with zipfile.ZipFile(TEMPLATE) as src:
        types = src.read("[Content_Types].xml")
    types = types.replace(b"document.main+xml", b"document.macroEnabled.main+xml")
    template = template_with(tmp_path, "macro.docm", **{"[Content_Types].xml": types})
    output = refused(xxgk("render", EXAMPLE_INPUT, "-o", tmp_path / "o", "--template", template, cwd=tmp_path), "宏")
    assert "0x" not in output and "BytesIO" not in output


def test_template_with_huge_xml_is_refused_before_rendering(tmp_path: Path) -> None:
    with zipfile.ZipFile(TEMPLATE) as src:
        body = src.read("word/document.xml")
    padding = b"<w:p/>" * (34 * 2**20 // 6)  # 34 MB of XML, a few hundred KB zipped
    huge = body.replace(b"</w:body>", padding + b"</w:body>")
    template = template_with(tmp_path, "huge.docx", **{"word/document.xml": huge})
    assert template.stat().st_size < 2 * 2**20
    start = time.monotonic()
    refused(xxgk("render", EXAMPLE_INPUT, "-o", tmp_path / "o", "--template", template, cwd=tmp_path), "上限")
    assert time.monotonic() - start < 20


def test_template_costly_to_prepare_is_stopped(tmp_path: Path) -> None:
    with zipfile.ZipFile(TEMPLATE) as src:
        body = src.read("word/document.xml")
    runs = b"<w:p><w:r>" + b"<w:t>{</w:t>" * (15 * 2**20 // 12) + b"</w:r></w:p>"  # took minutes
    costly = body.replace(b"</w:body>", runs + b"</w:body>")
    template = template_with(tmp_path, "costly.docx", **{"word/document.xml": costly})
    start = time.monotonic()
    run = xxgk(
        "render", EXAMPLE_INPUT, "-o", tmp_path / "o", "--template", template,
        cwd=tmp_path, env={"XXGK_TEMPLATE_SECONDS": "2"},
    )  # fmt: skip
    refused(run, "准备时超过 2 秒仍未完成")
    assert time.monotonic() - start < 20 and not (tmp_path / "o").exists()


def test_zip_bomb_template_and_dump(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("word/document.xml", "w", force_zip64=True) as fh:
            chunk = b"\0" * 2**20
            for _ in range(300):  # 300 MB that zip to ~300 KB
                fh.write(chunk)
    assert bomb.stat().st_size < 2 * 2**20
    refused(xxgk("dump", bomb, cwd=tmp_path), "解压后过大")
    refused(xxgk("render", EXAMPLE_INPUT, "-o", tmp_path / "o", "--template", bomb, cwd=tmp_path), "过大")
    assert not (tmp_path / "o").exists()


# --------------------------------------------------------------------------
# Special files: refused, never waited on
# --------------------------------------------------------------------------


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.toml"
    os.mkfifo(path)
    return path


def test_fifo_is_refused_everywhere(tmp_path: Path, fifo: Path) -> None:
    good = write_toml(tmp_path / "good.toml", make_input(random.Random(2), "某局"))
    for args in (
        ("validate", fifo),
        ("validate", good, "--defaults", fifo),
        ("validate", good, "--previous", fifo),
        ("render", good, "-o", tmp_path / "o", "--template", fifo),
        ("aggregate", good, "--base", fifo, "-o", tmp_path / "sum.toml"),
        ("dump", fifo),
    ):
        run = xxgk(*args, cwd=tmp_path, timeout=30)
        refused(run, "命名管道")
    assert not (tmp_path / "o").exists() and not (tmp_path / "sum.toml").exists()


def test_devices_and_sockets_are_refused(tmp_path: Path) -> None:
    good = write_toml(tmp_path / "good.toml", make_input(random.Random(3), "某局"))
    sock_path = tmp_path / "s.toml"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(sock_path))
    try:
        assert stat.S_ISSOCK(sock_path.stat().st_mode)
        refused(xxgk("validate", sock_path, cwd=tmp_path, timeout=30), "套接字")
    finally:
        server.close()
    for args in (
        ("validate", "/dev/zero"),
        ("render", good, "-o", tmp_path / "o", "--template", "/dev/zero"),
        ("dump", "/dev/zero"),
    ):
        refused(xxgk(*args, cwd=tmp_path, timeout=30), "设备文件")
    assert not (tmp_path / "o").exists()


def test_cases_that_held_keep_holding(tmp_path: Path) -> None:
    """XXE in a template, a path in the agency's name, a symlink to a device."""
    secret = tmp_path / "secret.txt"
    secret.write_text("机密内容XYZ", "utf-8")
    with zipfile.ZipFile(TEMPLATE) as src:
        body = src.read("word/document.xml")
    doctype = f'<!DOCTYPE w:document [<!ENTITY e SYSTEM "{secret.as_uri()}">]>'.encode()
    xxe = body.replace(b"?>", b"?>" + doctype, 1).replace(b"{{ line }}", b"{{ line }}&e;", 1)
    template = template_with(tmp_path, "xxe.docx", **{"word/document.xml": xxe})
    out = tmp_path / "xxe-out.docx"
    run = xxgk("render", EXAMPLE_INPUT, "-o", out, "--template", template, cwd=tmp_path)
    assert "Traceback" not in run.stderr and "内部错误" not in run.stderr, run.stderr
    if out.exists():
        with zipfile.ZipFile(out) as archive:
            assert all("机密内容XYZ".encode() not in archive.read(n) for n in archive.namelist())
    else:
        assert run.returncode == 1

    data = make_input(random.Random(8), "../../逃逸/机关")
    outdir = tmp_path / "out"
    run = xxgk("render", write_toml(tmp_path / "path.toml", data), "-o", outdir, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert [p.parent for p in tmp_path.rglob("*.docx") if "逃逸" in p.name] == [outdir]

    link = tmp_path / "link.toml"
    link.symlink_to("/dev/zero")
    refused(xxgk("validate", link, cwd=tmp_path, timeout=30), "设备文件")


# --------------------------------------------------------------------------
# Numbers and encodings
# --------------------------------------------------------------------------

AMOUNTS = {
    "1e999999999": "数值过大",
    "1E-999999999": "最多保留两位小数",
    "1E-300": "最多保留两位小数",
    "-1e999999999": "不能为负数",
}


def test_numeric_edges(tmp_path: Path) -> None:
    base = EXAMPLE_INPUT.read_text("utf-8")
    paths = []
    for i, amount in enumerate(AMOUNTS):
        path = tmp_path / f"a{i}.toml"
        path.write_text(base.replace("fees = { amount = 125.36 }", f"fees = {{ amount = {amount} }}"), "utf-8")
        paths.append(path)
    deep = tmp_path / "deep.toml"
    deep.write_text(base + "\nnested = " + "[" * 100_000 + "]" * 100_000 + "\n", "utf-8")
    deep_json = tmp_path / "deep.json"
    deep_json.write_text('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}", "utf-8")
    utf32 = tmp_path / "u32.toml"
    utf32.write_bytes(base.encode("utf-32"))
    signed = tmp_path / "signed.toml"
    signed.write_text(
        SEED_INPUT.read_text("utf-8").replace("change = 0", "change = -100000000", 1), "utf-8"
    )
    output = refused(xxgk("validate", *paths, deep, deep_json, utf32, signed, cwd=tmp_path, timeout=60))
    blocks = output.split("错误：")
    for i, needle in enumerate(AMOUNTS.values()):
        (block,) = [b for b in blocks if f"/a{i}.toml" in b]
        assert needle in block, block
    assert "TOML 嵌套过深" in output and "JSON 嵌套过深" in output
    assert "UTF-32" in output
    (block,) = [b for b in blocks if "signed.toml" in b]
    assert "-99999999 到 99999999 之间的整数" in block and "非负" not in block


def test_negative_zero_amount_is_zero(tmp_path: Path) -> None:
    text = EXAMPLE_INPUT.read_text("utf-8").replace("fees = { amount = 125.36 }", "fees = { amount = -0.0 }")
    (tmp_path / "in.toml").write_text(text, "utf-8")
    out = tmp_path / "o.docx"
    run = xxgk("render", tmp_path / "in.toml", "-o", out, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    dumped = xxgk("dump", out, cwd=tmp_path).stdout
    assert "-0" not in dumped


# --------------------------------------------------------------------------
# Batch: one input never takes the run down
# --------------------------------------------------------------------------


def test_lone_surrogates_fail_only_their_input(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    rng = random.Random(5)
    write_toml(inputs / "good1.toml", make_input(rng, "甲局"))
    write_toml(inputs / "good2.toml", make_input(rng, "乙局"))
    bad = json.loads(json.dumps(make_input(rng, "x"), default=str))
    (inputs / "agency.json").write_text(json.dumps(bad).replace('"x"', '"a\\ud800b"', 1), "utf-8")
    odd = json.loads(json.dumps(make_input(rng, "丙局"), default=str))
    odd["\ud800key"] = 1
    (inputs / "key.json").write_text(json.dumps(odd), "utf-8")
    out = tmp_path / "out"
    run = xxgk("batch", inputs, "-o", out, "--summary", out / "汇总.xlsx", "-j", "2", cwd=tmp_path)
    output = refused(run, "失败 2", "agency.json", "key.json", "\\ud800")
    names = files_in(out)
    assert "汇总.xlsx" in names and len([n for n in names if n.endswith(".docx")]) == 2, output
    from openpyxl import load_workbook

    cells = [str(c.value) for row in load_workbook(out / "汇总.xlsx").active.iter_rows() for c in row]
    assert cells.count("失败") == 2 and any("\\ud800" in c for c in cells)


def test_stale_pdf_that_cannot_be_removed_is_a_warning(tmp_path: Path) -> None:
    data = make_input(random.Random(6), "某某局")
    source = write_toml(tmp_path / "in.toml", data)
    out = tmp_path / "out"
    (out / "2024年某某局政府信息公开工作年度报告.pdf").mkdir(parents=True)
    run = xxgk("render", source, "-o", out, cwd=tmp_path)
    assert run.returncode == 0 and "无法删除" in run.stderr and "内部错误" not in run.stderr, run.stderr
    assert (out / "2024年某某局政府信息公开工作年度报告.docx").is_file()
    batch_out = tmp_path / "batch"
    (batch_out / "2024年某某局政府信息公开工作年度报告.pdf").mkdir(parents=True)
    run = xxgk("batch", source, "-o", batch_out, "--summary", batch_out / "s.csv", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "无法删除" in run.stderr and "有提示 1" in run.stdout
    assert "无法删除" in (batch_out / "s.csv").read_text("utf-8-sig")


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_kill_9_of_a_batch_leaves_no_worker(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    for i in range(8):
        write_toml(inputs / f"u{i}.toml", make_input(random.Random(i), f"单位{i}"))
    slow = template_with(tmp_path, "slow.docx", LOOPS)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "XXGK_TEMPLATE_SECONDS": "120"}
    proc = subprocess.Popen(
        [*XXGK, "batch", str(inputs), "-o", str(tmp_path / "out"), "--template", str(slow), "-j", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=_ceiling,
    )
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(workers) < 4:  # 2 workers, each rendering in a child
            time.sleep(0.2)
            workers = _descendants(proc.pid)
        assert len(workers) >= 2, workers
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        time.sleep(5)
        survivors = [pid for pid in workers if _alive(pid)]
        assert survivors == []
    finally:
        for pid in workers:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        if proc.poll() is None:
            proc.kill()
            proc.wait()


# --------------------------------------------------------------------------
# Any text a clerk can paste: an input error or a valid document, never a crash
# --------------------------------------------------------------------------

_ODD = list("\u2028\u2029\u200f\u202e\u200b\ufeff\x85\x00\x07\x1b\ud800\udfff\ufffe{}%#\n\r\t　<>&\"'")
_PIECES = ["{{", "}}", "{%", "%}", "{{ year }}", "{{ agency }}", "]]>", "&amp;", "\\", "（一）", "一、"]
_TEXT = st.lists(
    st.one_of(
        st.characters(exclude_categories=()),  # surrogates included
        st.sampled_from(_ODD),
        st.sampled_from(_PIECES),
    ),
    max_size=30,
).map("".join)
_PRINTABLE = st.lists(  # no controls or surrogates: mostly a document, with RTL marks and U+2028
    st.one_of(
        st.characters(exclude_categories=("Cc", "Cs", "Co", "Cn")),
        st.sampled_from(["\u2028", "\u200f", "\u202e", "{{ year }}", "<&>", "　", "\n\n"]),
    ),
    max_size=30,
).map("".join)
_ANY = st.one_of(_PRINTABLE, _TEXT)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(agency=_ANY, texts=st.lists(_ANY, min_size=len(L.TEXT_SECTIONS), max_size=len(L.TEXT_SECTIONS)))
def test_random_unicode_in_every_text_field(agency: str, texts: list[str]) -> None:
    from xxgk.errors import InputError
    from xxgk.render import render_bytes
    from xxgk.report import build

    data = make_input(random.Random(7), "某局")
    data["agency"] = "某局" + agency
    data["text"] = {section.key: text for section, text in zip(L.TEXT_SECTIONS, texts, strict=True)}
    try:
        report = build("t", data)
    except InputError as exc:  # exit 1: every problem a message
        assert exc.problems and all(p.message for p in exc.problems)
        return
    docx = render_bytes(report)  # exit 0: a document Word can open
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        for name in archive.namelist():
            if name.endswith((".xml", ".rels")):
                etree.fromstring(archive.read(name), parser)
    assert report.output_name.encode("utf-8")
