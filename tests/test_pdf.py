"""PDF export: real LibreOffice when installed, a stand-in soffice for the failure paths.

The real-LibreOffice tests skip when ``soffice`` or ``pdftotext`` is missing,
unless XXGK_REQUIRE_PDF=1, in which case they fail.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import xxgk.pdf
from tests import builders as B
from tests import helpers as H
from xxgk.batch import run_batch
from xxgk.errors import ToolMissingError

HEADING = "三、收到和处理政府信息公开申请情况"


def require(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        message = f"{tool} is not installed"
        if os.environ.get("XXGK_REQUIRE_PDF") == "1":
            pytest.fail(f"{message}, and XXGK_REQUIRE_PDF=1")
        pytest.skip(message)
    return found


def pdf_text(pdf: Path) -> str:
    out = subprocess.run(
        [require("pdftotext"), "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True, timeout=60
    )
    return re.sub(r"\s+", "", out.stdout.decode("utf-8"))


# --------------------------------------------------------------------------
# Real LibreOffice
# --------------------------------------------------------------------------


def test_batch_pdf_with_libreoffice(tmp_path: Path) -> None:
    require("soffice")
    require("pdftotext")
    paths = B.write_batch(tmp_path / "in", 3)
    out = tmp_path / "out"
    result = H.invoke("batch", tmp_path / "in", "-o", out, "--pdf", "--jobs", "2")
    assert result.exit_code == 0, result.output
    for i in range(len(paths)):
        agency = B.agency_name(i)
        docx = out / H.docx_name(B.YEAR, agency)
        pdf = docx.with_suffix(".pdf")
        assert docx.is_file() and pdf.is_file()
        assert pdf.read_bytes().startswith(b"%PDF")
        text = pdf_text(pdf)
        assert agency in text
        assert HEADING in text
        assert "四、政府信息公开行政复议、行政诉讼情况" in text
    assert sorted(p.suffix for p in out.iterdir()) == [".docx"] * 3 + [".pdf"] * 3
    assert H.leftovers(out) == []


def test_render_pdf_from_a_relative_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's own example: `xxgk render 2025.toml -o 报告.docx --pdf` in the current folder."""
    require("soffice")
    require("pdftotext")
    source = B.write_toml(tmp_path / "2025.toml", B.make_input(random.Random(1), "相对路径局"))
    monkeypatch.chdir(tmp_path)
    result = H.invoke("render", "2025.toml", "-o", "报告.docx", "--pdf")
    assert result.exit_code == 0, result.output
    assert "相对路径局" in pdf_text(tmp_path / "报告.pdf") and source.is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2025.toml", "报告.docx", "报告.pdf"]


# --------------------------------------------------------------------------
# No LibreOffice
# --------------------------------------------------------------------------


@pytest.fixture
def no_soffice(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


def test_batch_without_soffice_writes_nothing(tmp_path: Path, no_soffice: None) -> None:
    B.write_batch(tmp_path / "in", 2)
    out = tmp_path / "out"
    summary = tmp_path / "s.xlsx"
    result = H.invoke("batch", tmp_path / "in", "-o", out, "--pdf", "--summary", summary)
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert "未找到 LibreOffice（soffice）" in result.stderr
    assert "apt-get install" in result.stderr
    assert "未生成任何文件" in result.stderr
    assert "已生成" not in result.stderr.replace("未生成", "")  # no false claim
    assert not out.exists()
    assert not summary.exists()


def test_run_batch_without_soffice_raises(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda *args, **kwargs: None)
    B.write_batch(tmp_path / "in", 1)
    with pytest.raises(ToolMissingError, match="LibreOffice"):
        run_batch([tmp_path / "in"], tmp_path / "out", pdf=True)
    assert not (tmp_path / "out").exists()


def test_render_without_soffice_writes_nothing(tmp_path: Path, no_soffice: None) -> None:
    [path] = B.write_batch(tmp_path / "in", 1)
    out = tmp_path / "out.docx"
    result = H.invoke("render", path, "-o", out, "--pdf")
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert "未找到 LibreOffice" in result.stderr
    assert "已生成" not in result.stderr  # nothing was: no false claim
    assert not out.exists()


def test_convert_one_without_soffice_names_the_docx(tmp_path: Path, no_soffice: None) -> None:
    docx = tmp_path / "a.docx"
    docx.write_bytes(b"PK")
    with pytest.raises(ToolMissingError) as info:
        xxgk.pdf.convert_one(docx)
    assert "未找到 LibreOffice" in str(info.value)
    assert f".docx 已生成：{docx}" in str(info.value)


# --------------------------------------------------------------------------
# A stand-in soffice: per-file failures, time-outs, noisy output
# --------------------------------------------------------------------------

FAKE_SOFFICE = """\
import json, os, pathlib, subprocess, sys
args = sys.argv[1:]
out = pathlib.Path(args[args.index("--outdir") + 1])
docs = [a for a in args if a.endswith(".docx")]
with open(os.environ["FAKE_SOFFICE_LOG"], "a", encoding="utf-8") as log:
    log.write(json.dumps(args, ensure_ascii=False) + "\\n")
mode = os.environ.get("FAKE_SOFFICE_MODE", "ok")
if mode == "fail":
    sys.stderr.write("soffice: cannot open display\\n")
    sys.exit(1)
if mode == "hang":
    child = subprocess.Popen(["sleep", "60"])
    pathlib.Path(os.environ["FAKE_SOFFICE_CHILD"]).write_text(str(child.pid))
    child.wait()
if mode == "noisy":
    sys.stderr.write("warn: font substituted\\n" * 20000)
    sys.stderr.flush()
for doc in docs:
    name = pathlib.Path(doc)
    if "坏" in name.name:
        sys.stderr.write(f"Error: source file could not be loaded: {doc}\\n")
        continue
    (out / (name.stem + ".pdf")).write_bytes(b"%PDF-1.4\\n% stand-in\\n")
"""


@pytest.fixture
def fake_soffice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Put a stand-in ``soffice`` first on PATH; returns its call log."""
    bindir = tmp_path / "fake-bin"
    bindir.mkdir()
    script = bindir / "soffice"
    script.write_text(f"#!{sys.executable}\n{FAKE_SOFFICE}", encoding="utf-8")
    script.chmod(0o755)
    log = tmp_path / "soffice-calls.jsonl"
    log.touch()
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setenv("FAKE_SOFFICE_LOG", str(log))
    return log


def calls(log: Path) -> list[list[str]]:
    return [json.loads(line) for line in log.read_text("utf-8").splitlines()]


def test_failed_conversion_is_reported_per_file(tmp_path: Path, fake_soffice: Path) -> None:
    folder = tmp_path / "in"
    B.write_batch(folder, 4)
    B.write_toml(folder / "z.toml", B.make_input(random.Random(4), "示例市坏转换局"))
    out = tmp_path / "out"
    summary = tmp_path / "s.csv"
    result = H.invoke("batch", folder, "-o", out, "--pdf", "--jobs", "2", "--summary", summary)
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)

    bad = out / H.docx_name(B.YEAR, "示例市坏转换局")
    assert bad.is_file()  # the .docx stays
    assert not bad.with_suffix(".pdf").exists()
    for i in range(4):
        assert (out / H.docx_name(B.YEAR, B.agency_name(i))).with_suffix(".pdf").is_file()
    failures = [line for line in result.stderr.splitlines() if line.startswith("PDF 失败")]
    assert len(failures) == 1
    assert bad.name in failures[0] and "LibreOffice 未能转换此文件" in failures[0]
    assert "source file could not be loaded" in failures[0]
    assert "PDF 失败 1" in result.stdout
    assert "LibreOffice 未能转换此文件" in summary.read_text("utf-8-sig")

    # two workers, each with its own LibreOffice profile, all files converted once
    made = calls(fake_soffice)
    assert len(made) == 2
    profiles = {a for args in made for a in args if a.startswith("-env:UserInstallation=")}
    assert len(profiles) == 2
    converted = sorted(a for args in made for a in args if a.endswith(".docx"))
    assert converted == sorted(str(p.absolute()) for p in out.glob("*.docx"))


def test_soffice_that_fails_outright(
    tmp_path: Path, fake_soffice: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_SOFFICE_MODE", "fail")
    (tmp_path / "in").mkdir()
    B.write_toml(tmp_path / "in" / "a.toml", B.make_input(random.Random(1), "甲局"))
    report = run_batch([tmp_path / "in"], tmp_path / "out", pdf=True, jobs=1)
    [outcome] = report.outcomes
    assert outcome.pdf is None and outcome.output is not None and outcome.output.is_file()
    assert outcome.pdf_error == "LibreOffice 未能转换此文件（退出码 1：soffice: cannot open display）"
    assert report.exit_code == 1


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_hung_conversion_times_out(
    tmp_path: Path, fake_soffice: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    child_file = tmp_path / "child.pid"
    monkeypatch.setenv("FAKE_SOFFICE_MODE", "hang")
    monkeypatch.setenv("FAKE_SOFFICE_CHILD", str(child_file))
    monkeypatch.setattr(xxgk.pdf, "SECONDS_PER_CHUNK", 0.0)
    monkeypatch.setattr(xxgk.pdf, "SECONDS_PER_FILE", 0.5)
    B.write_batch(tmp_path / "in", 2)
    start = time.monotonic()
    report = run_batch([tmp_path / "in"], tmp_path / "out", pdf=True, jobs=1)
    assert time.monotonic() - start < 15
    assert [o.pdf_error for o in report.outcomes] == ["LibreOffice 转换超时"] * 2
    assert all(o.output is not None and o.output.is_file() for o in report.outcomes)
    # what soffice started is gone too (LibreOffice's launcher starts soffice.bin)
    pid = int(child_file.read_text())
    assert wait_gone(pid), f"child process {pid} of the killed soffice still runs"


def wait_gone(pid: int, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError, IndexError):
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.05)
    return False


def test_noisy_soffice_does_not_hang(
    tmp_path: Path, fake_soffice: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_SOFFICE_MODE", "noisy")
    monkeypatch.setattr(xxgk.pdf, "SECONDS_PER_CHUNK", 0.0)
    monkeypatch.setattr(xxgk.pdf, "SECONDS_PER_FILE", 3.0)
    B.write_batch(tmp_path / "in", 2)
    report = run_batch([tmp_path / "in"], tmp_path / "out", pdf=True, jobs=1)
    assert [o.pdf_error for o in report.outcomes] == [None, None]
    assert all(o.pdf is not None and o.pdf.is_file() for o in report.outcomes)
