"""``xxgk batch``: many agencies in one run, the --defaults merge and the --summary table."""

from __future__ import annotations

import csv
import multiprocessing
import os
import random
import stat
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import xxgk.batch
import xxgk.pool
from tests import builders as B
from tests import helpers as H
from xxgk.batch import DONE, FAILED, WARNED, run_batch
from xxgk.errors import InputError, OutputError
from xxgk.formats import docx_dump as dump
from xxgk.report import load

N_GOOD = 32
DUPLICATED = 3  # dup.toml repeats the agency of unit03




@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """32 consistent inputs, one broken file, one input repeating another's agency."""
    folder = tmp_path_factory.mktemp("mixed") / "in"
    B.write_batch(folder, N_GOOD)
    broken = B.make_input(random.Random(7), "示例市坏数据局")
    broken["requests"]["received"][0] += 1  # 一 + 二 ≠ （七）总计 + 四 in column 自然人
    B.write_toml(folder / "broken.toml", broken)
    B.write_toml(folder / "dup.toml", B.make_input(random.Random(8), B.agency_name(DUPLICATED)))
    return folder


def good_names(exclude: tuple[int, ...] = (DUPLICATED,)) -> set[str]:
    return {H.docx_name(B.YEAR, B.agency_name(i)) for i in range(N_GOOD) if i not in exclude}


# --------------------------------------------------------------------------
# 1. A large mixed batch through the command line
# --------------------------------------------------------------------------


def test_cli_batch_mixed(mixed: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = H.invoke("batch", mixed, "-o", out, "--jobs", "2")
    H.assert_user_error(result)

    produced = {p.name for p in out.iterdir()}
    assert produced == good_names()
    assert len(produced) == N_GOOD - 1
    assert not any("坏数据局" in name for name in produced)
    assert H.docx_name(B.YEAR, B.agency_name(DUPLICATED)) not in produced
    assert H.leftovers(out) == []

    err = result.stderr
    broken = str(mixed / "broken.toml")
    lines = err.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith(f"失败：{broken}"))
    assert "未生成报告" in lines[head]
    detail = lines[head + 1]
    assert "三、收到和处理政府信息公开申请情况 / 自然人" in detail
    assert "勾稽关系不成立" in detail
    for name in ("dup.toml", f"unit{DUPLICATED:02d}.toml"):
        assert any(line.startswith(f"失败：{mixed / name}") for line in lines), name
    assert err.count("生成同名文件") == 2
    assert f"共 {N_GOOD + 2} 个：成功 {N_GOOD - 1}，有提示 0，失败 3" in result.stdout


def test_every_produced_report_holds_its_own_numbers(mixed: Path, tmp_path: Path) -> None:
    report = run_batch([mixed], tmp_path / "out", jobs=2)
    inputs = sorted(p for p in mixed.iterdir())
    assert [o.source for o in report.outcomes] == inputs  # input order
    assert [o.status for o in report.outcomes].count(FAILED) == 3
    checked = 0
    for o in report.outcomes:
        if o.status == FAILED:
            assert o.output is None
            continue
        expected = load(o.source)
        assert o.output is not None and o.output.name == expected.output_name
        requests = dump.grid_values(dump.tables(o.output)[1])
        # table 三: D4 is 一、本年新收 / 自然人, J27 is （七）总计 / 总计
        assert requests[(3, 3)] == str(expected.cells["requests.received.natural_person"])
        assert requests[(26, 9)] == str(expected.cells["requests.outcome.total.total"])
        assert expected.agency in dump.dump(o.output)
        checked += 1
    assert checked == N_GOOD - 1


def test_outputs_get_ordinary_file_permissions(tmp_path: Path) -> None:
    """Like any new file (0666 less the umask), not mkstemp's private 0600."""
    umask = os.umask(0o022)
    os.umask(umask)
    B.write_batch(tmp_path / "in", 3)
    run_batch([tmp_path / "in"], tmp_path / "out", jobs=2)
    for docx in (tmp_path / "out").iterdir():
        assert stat.S_IMODE(docx.stat().st_mode) == 0o666 & ~umask, docx.name


def test_duplicates_are_refused_even_against_case_and_unicode_forms(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    rng = random.Random(3)
    B.write_toml(folder / "a.toml", B.make_input(rng, "Test局"))
    B.write_toml(folder / "b.toml", B.make_input(rng, "TEST局"))  # same name on Windows/macOS
    B.write_toml(folder / "c.toml", B.make_input(rng, "乙局"))
    report = run_batch([folder], tmp_path / "out", jobs=1)
    assert [o.status for o in report.outcomes] == [FAILED, FAILED, DONE]
    assert report.exit_code == 1
    assert [p.name for p in (tmp_path / "out").iterdir()] == [H.docx_name(B.YEAR, "乙局")]


# --------------------------------------------------------------------------
# 2. Serial and parallel runs give the same documents
# --------------------------------------------------------------------------


def documents(folder: Path) -> dict[str, bytes]:
    return {p.name: H.document_xml(p) for p in folder.glob("*.docx")}


def test_jobs_do_not_change_the_output(mixed: Path, tmp_path: Path) -> None:
    serial = run_batch([mixed], tmp_path / "serial", jobs=1)
    parallel = run_batch([mixed], tmp_path / "parallel", jobs=3)
    a, b = documents(tmp_path / "serial"), documents(tmp_path / "parallel")
    assert set(a) == set(b) == good_names()
    for name in a:
        assert a[name] == b[name], name
    assert [(o.source, o.status, o.problems) for o in serial.outcomes] == [
        (o.source, o.status, o.problems) for o in parallel.outcomes
    ]


def test_serial_fallback_when_processes_are_unavailable(
    mixed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_processes(*args: Any, **kwargs: Any) -> Any:
        raise OSError("no processes in this sandbox")

    monkeypatch.setattr(xxgk.pool, "ProcessPoolExecutor", no_processes)
    report = run_batch([mixed], tmp_path / "out", jobs=4)
    assert {p.name for p in (tmp_path / "out").iterdir()} == good_names()
    assert report.count(FAILED) == 3


@pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="needs the fork start method"
)
def test_a_dying_worker_leaves_no_temporary_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "in"
    B.write_batch(folder, 8)
    monkeypatch.setattr(xxgk.pool.Chunk, "__call__", H.dying_chunk)
    report = run_batch([folder], tmp_path / "out", jobs=2)
    assert report.count(FAILED) == 0
    assert len(list((tmp_path / "out").glob("*.docx"))) == 8
    assert H.leftovers(tmp_path / "out") == []


# --------------------------------------------------------------------------
# 3. The summary table
# --------------------------------------------------------------------------

HEADERS = [
    "输入文件",
    "机关",
    "年度",
    "状态",
    "错误数",
    "提示数",
    "一、本年新收政府信息公开申请数量",
    "二、上年结转政府信息公开申请数量",
    "三、本年度办理结果 （七）总计",
    "四、结转下年度继续办理",
    "行政复议总计",
    "行政诉讼总计",
    "输出文件",
    "PDF",
    "问题",
    "提示",
]
FIGURE_KEYS = [
    "requests.received.total",
    "requests.carried_over.total",
    "requests.outcome.total.total",
    "requests.carried_forward.total",
    "appeals.review.total",
]


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """Five good inputs (one with a warning) and one broken input."""
    folder = tmp_path / "in"
    B.write_batch(folder, 4)
    warned = B.make_input(random.Random(5), "示例市有提示局", text={"overview": "总体情况。"})
    B.write_json(folder / "warned.json", warned)
    (folder / "zz-broken.toml").write_text('agency = "示例市坏局"\nyear = "2024"\n', encoding="utf-8")
    return folder


def expected_rows(folder: Path) -> dict[str, tuple[str, list[int]]]:
    out = {}
    for path in sorted(folder.iterdir()):
        try:
            report = load(path)
        except InputError:
            continue
        cells = report.cells
        figures = [int(cells[k]) for k in FIGURE_KEYS]
        figures.append(
            int(cells["appeals.litigation_direct.total"] + cells["appeals.litigation_after_review.total"])
        )
        out[str(path)] = (report.agency, figures)
    return out


def check_summary_rows(folder: Path, rows: list[list[Any]]) -> None:
    assert rows[0] == HEADERS
    body = rows[1:]
    assert [r[0] for r in body] == [str(p) for p in sorted(folder.iterdir())]
    expected = expected_rows(folder)
    for row in body:
        record = dict(zip(HEADERS, row, strict=True))
        if record["输入文件"] in expected:
            agency, figures = expected[record["输入文件"]]
            assert record["机关"] == agency
            assert [int(v) for v in row[6:12]] == figures
            assert int(record["年度"]) == B.YEAR
            assert record["输出文件"] == H.docx_name(B.YEAR, agency)
            assert int(record["错误数"]) == 0
            if agency == "示例市有提示局":
                assert record["状态"] == WARNED
                assert int(record["提示数"]) >= 1
                assert "信息处理费" in record["提示"]
            else:
                assert record["状态"] == DONE
                assert int(record["提示数"]) == 0
        else:
            assert record["输入文件"].endswith("zz-broken.toml")
            assert record["状态"] == FAILED
            assert int(record["错误数"]) == 1
            assert "报告年度（year）" in record["问题"]
            assert record["机关"] == "示例市坏局"  # read from the failed input for the summary
            assert all(v in (None, "") for v in row[6:12])


def test_summary_xlsx(small: Path, tmp_path: Path) -> None:
    target = tmp_path / "汇总" / "汇总.xlsx"
    result = H.invoke("batch", small, "-o", tmp_path / "out", "--summary", target)
    assert result.exit_code == 1
    assert f"汇总表：{target}" in result.stdout
    ws = openpyxl.load_workbook(target).active
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert len(rows) == 1 + 6
    check_summary_rows(small, rows)
    assert H.leftovers(target.parent) == []


def test_summary_csv(small: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "汇总.csv"
    report = run_batch([small], tmp_path / "out", summary=target, jobs=2)
    assert report.summary_path == target
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel opens UTF-8 with BOM with the Chinese intact
    with target.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert len(rows) == 1 + 6
    check_summary_rows(small, rows)
    assert H.leftovers(tmp_path / "out") == []


def test_summary_keeps_user_text_as_text(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    B.write_toml(folder / "a.toml", B.make_input(random.Random(1), "=1+2"))
    # a problem message quoting a control character that a spreadsheet cannot hold
    (folder / "b.toml").write_text('agency = "乙"\nyear = "\\u0001"\n', encoding="utf-8")
    xlsx, csv_path = tmp_path / "s.xlsx", tmp_path / "s.csv"
    run_batch([folder], tmp_path / "out1", summary=xlsx, jobs=1)
    run_batch([folder], tmp_path / "out2", summary=csv_path, jobs=1)
    ws = openpyxl.load_workbook(xlsx).active
    assert ws["B2"].value == "=1+2"
    assert ws["B2"].data_type == "s"  # not a formula
    assert ws["D3"].value == FAILED
    with csv_path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert not rows[1][1].startswith("=")
    assert "1+2" in rows[1][1]


# --------------------------------------------------------------------------
# 4. --defaults
# --------------------------------------------------------------------------


def test_defaults_merge_under_each_input(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    defaults = folder / "_defaults.toml"
    defaults.write_text(
        'year = 2023\nlayout = "gov-2021"\ndate = 2024-01-22\n\n'
        '[text]\noverview = "共用总体情况。"\nother = "共用：本机关未收取信息处理费。"\n',
        encoding="utf-8",
    )
    rng = random.Random(11)
    lean = B.make_input(rng, "甲局")  # lacks year, date and text: the defaults fill them
    for key in ("year", "date", "text"):
        del lean[key]
    lean["proactive"]["fees"] = {"amount": Decimal("12.5")}
    lean["appeals"]["review"] = {"upheld": 2, "corrected": 1, "other": 0, "pending": 0}
    B.write_toml(folder / "a.toml", lean)
    full = B.make_input(rng, "乙局", text={"overview": "乙局自己的总体情况。"})
    full["proactive"]["fees"] = {"amount": Decimal("3.25")}
    full["appeals"]["review"] = {"upheld": 5, "corrected": 0, "other": 0, "pending": 1}
    B.write_toml(folder / "b.toml", full)

    out = tmp_path / "out"
    result = H.invoke("batch", folder, "-o", out, "--defaults", defaults)
    assert result.exit_code == 0, result.output
    # the defaults file in the input folder is not an input of its own
    assert "[2/2]" in result.stderr and "_defaults.toml" not in result.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [H.docx_name(2023, "甲局"), H.docx_name(2024, "乙局")]
    )

    a = out / H.docx_name(2023, "甲局")
    text = dump.dump(a)
    assert "共用总体情况。" in text and "共用：本机关未收取信息处理费。" in text
    assert "2024年1月22日" in text
    proactive, _, appeals = (dump.grid_values(t) for t in dump.tables(a))
    assert proactive[(13, 1)] == "12.5"
    assert [appeals[(3, c)] for c in range(5)] == ["2", "1", "0", "0", "3"]

    b = out / H.docx_name(2024, "乙局")
    text = dump.dump(b)
    assert "乙局自己的总体情况。" in text and "共用总体情况。" not in text
    # text is merged key by key: 六 comes from the defaults, 一 from the input
    assert "共用：本机关未收取信息处理费。" in text
    assert "2025年1月20日" in text and "2024年1月22日" not in text
    proactive, _, appeals = (dump.grid_values(t) for t in dump.tables(b))
    assert proactive[(13, 1)] == "3.25"
    assert [appeals[(3, c)] for c in range(5)] == ["5", "0", "0", "1", "6"]


def test_library_defaults_are_merged_too(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    defaults = tmp_path / "shared.json"
    defaults.write_text('{"year": 2022}', encoding="utf-8")
    data = B.make_input(random.Random(2), "丙局")
    del data["year"], data["date"]  # a 2025 date would be pointed out for a 2022 report
    B.write_toml(folder / "c.toml", data)
    report = run_batch([folder], tmp_path / "out", defaults=defaults, jobs=1)
    assert report.outcomes[0].status == DONE
    assert report.outcomes[0].output == tmp_path / "out" / H.docx_name(2022, "丙局")


# --------------------------------------------------------------------------
# 7. Wrong paths and options: a clear message, exit 1, nothing written
# --------------------------------------------------------------------------


def test_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("not an input", encoding="utf-8")
    result = H.invoke("batch", tmp_path / "empty", "-o", tmp_path / "out")
    H.assert_user_error(result, "没有找到输入文件")
    assert not (tmp_path / "out").exists()
    with pytest.raises(InputError):
        run_batch([tmp_path / "empty"], tmp_path / "out")


def test_folder_given_as_defaults(tmp_path: Path) -> None:
    B.write_batch(tmp_path / "in", 2)
    result = H.invoke("batch", tmp_path / "in", "-o", tmp_path / "out", "--defaults", tmp_path / "in")
    H.assert_user_error(result, "--defaults", "文件夹")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name", ["汇总.txt", "汇总", "汇总.xls"])
def test_summary_with_a_bad_suffix(tmp_path: Path, name: str) -> None:
    B.write_batch(tmp_path / "in", 2)
    result = H.invoke("batch", tmp_path / "in", "-o", tmp_path / "out", "--summary", tmp_path / name)
    H.assert_usage_error(result, ".xlsx 或 .csv")
    with pytest.raises(OutputError, match=r"\.xlsx 或 \.csv"):  # the library says so too
        run_batch([tmp_path / "in"], tmp_path / "out", summary=tmp_path / name)
    assert not (tmp_path / "out").exists()
    assert not (tmp_path / name).exists()


def test_summary_that_is_a_folder(tmp_path: Path) -> None:
    B.write_batch(tmp_path / "in", 2)
    (tmp_path / "s.xlsx").mkdir()
    result = H.invoke("batch", tmp_path / "in", "-o", tmp_path / "out", "--summary", tmp_path / "s.xlsx")
    H.assert_user_error(result, "文件夹")
    assert not (tmp_path / "out").exists()


def test_summary_under_a_file(tmp_path: Path) -> None:
    B.write_batch(tmp_path / "in", 2)
    (tmp_path / "plain").write_text("x", encoding="utf-8")
    target = tmp_path / "plain" / "s.csv"
    result = H.invoke("batch", tmp_path / "in", "-o", tmp_path / "out", "--summary", target)
    H.assert_user_error(result, "不是文件夹")
    assert not (tmp_path / "out").exists()


def test_summary_that_cannot_be_written_keeps_the_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import xxgk.summary

    B.write_batch(tmp_path / "in", 2)

    def refuse(path: Path, data: bytes) -> None:
        raise OutputError(f"无法写入 {path}：磁盘已满")

    monkeypatch.setattr(xxgk.summary, "write_atomic", refuse)
    result = H.invoke("batch", tmp_path / "in", "-o", tmp_path / "out", "--summary", tmp_path / "s.csv")
    H.assert_user_error(result, "汇总表未生成", "磁盘已满", "成功 2")
    assert len(list((tmp_path / "out").glob("*.docx"))) == 2


def test_output_folder_that_is_a_file(tmp_path: Path) -> None:
    B.write_batch(tmp_path / "in", 1)
    (tmp_path / "out").write_text("x", encoding="utf-8")
    result = H.invoke("batch", tmp_path / "in", "-o", tmp_path / "out")
    H.assert_user_error(result, "不是文件夹")


def test_missing_input_fails_alone(tmp_path: Path) -> None:
    paths = B.write_batch(tmp_path / "in", 2)
    result = H.invoke("batch", paths[0], tmp_path / "nope.toml", paths[1], "-o", tmp_path / "out")
    H.assert_user_error(result, "nope.toml", "文件不存在")
    assert len(list((tmp_path / "out").glob("*.docx"))) == 2


def test_defaults_may_not_hold_numbers_or_an_agency(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    B.write_toml(folder / "a.toml", B.make_input(random.Random(3), "甲局"))
    defaults = tmp_path / "shared.toml"
    defaults.write_text('agency = "某局"\n[requests]\nreceived = [1, 0, 0, 0, 0, 0]\n', encoding="utf-8")
    out = tmp_path / "out"
    result = H.invoke("batch", folder, "-o", out, "--defaults", defaults)
    assert result.exit_code == 1
    assert "shared.toml" in result.output and "“agency”" in result.output and "“requests”" in result.output
    assert not out.exists() or not any(out.iterdir())
    defaults.write_text('year = "2024"\n', encoding="utf-8")
    result = H.invoke("batch", folder, "-o", out, "--defaults", defaults)
    assert result.exit_code == 1 and "shared.toml" in result.output and "年份" in result.output


def test_progress_bar_on_a_terminal_plain_lines_otherwise(tmp_path: Path) -> None:
    import pty
    import subprocess
    import sys

    folder = tmp_path / "in"
    B.write_batch(folder, 3)
    command = [sys.executable, "-m", "xxgk", "batch", str(folder), "-o", str(tmp_path / "out"), "--jobs", "1"]
    plain = subprocess.run(command, capture_output=True, text=True)
    assert plain.returncode == 0
    assert "[1/3] 已处理" in plain.stderr and "[3/3] 已处理" in plain.stderr

    leader, follower = pty.openpty()
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=follower) as proc:
        os.close(follower)
        chunks = []
        while True:
            try:
                data = os.read(leader, 4096)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        proc.wait()
    os.close(leader)
    screen = b"".join(chunks).decode("utf-8", "replace")
    assert proc.returncode == 0
    assert "生成中" in screen and "100%" in screen  # click's progress bar
    assert "[1/3]" not in screen


@pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="needs the fork start method"
)
def test_an_input_that_kills_its_worker_fails_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "in"
    B.write_batch(folder, 10, json_every=0)
    (folder / "unit04.toml").rename(folder / "unit04-kill.toml")
    monkeypatch.setattr(xxgk.batch.Job, "__call__", H.killing_job(xxgk.batch.Job.__call__))
    report = run_batch([folder], tmp_path / "out", jobs=2)
    failed = [o for o in report.outcomes if o.status == FAILED]
    assert [o.source.name for o in failed] == ["unit04-kill.toml"]
    assert "子进程意外退出" in failed[0].problems[0]
    assert len(list((tmp_path / "out").glob("*.docx"))) == 9
    assert H.leftovers(tmp_path / "out") == []


@pytest.mark.parametrize("signame", ["SIGINT", "SIGTERM"])
def test_interrupting_a_batch_leaves_nothing_behind(tmp_path: Path, signame: str) -> None:
    import signal
    import subprocess
    import sys
    import time

    folder = tmp_path / "in"
    B.write_batch(folder, 400, json_every=0)
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "xxgk", "batch", str(folder), "-o", str(out), "--jobs", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not (out.exists() and any(out.glob(".xxgk-*"))):
        time.sleep(0.01)
    if signame == "SIGINT":
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches the whole process group
    else:
        proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130, stderr[-500:]
    assert "Traceback" not in stderr and "已中断" in stderr
    assert H.leftovers(out) == []


def test_rerun_points_out_stale_files(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    paths = B.write_batch(folder, 3, json_every=0)
    out = tmp_path / "out"
    assert run_batch([folder], out, jobs=1).exit_code == 0
    old_pdf = out / H.docx_name(B.YEAR, B.agency_name(0))
    old_pdf = old_pdf.with_suffix(".pdf")
    old_pdf.write_bytes(b"%PDF old")
    text = paths[1].read_text(encoding="utf-8").replace("received = [", "received = [-1, ", 1)
    paths[1].write_text(text, encoding="utf-8")
    report = run_batch([folder], out, jobs=1)
    broken = report.outcomes[1]
    assert broken.status == FAILED
    assert any("以前生成的旧文件" in p and B.agency_name(1) in p for p in broken.problems)
    assert not old_pdf.exists()
    assert any("已删除过时的" in line for line in report.lines())


def test_mixed_years_and_skipped_underscore_files_are_noted(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    paths = B.write_batch(folder, 3, json_every=0)
    data = B.make_input(random.Random(9), "往年局", year=B.YEAR - 1)
    B.write_toml(folder / "old.toml", data)
    B.write_toml(folder / "_center.toml", B.make_input(random.Random(8), "上级局"))
    report = run_batch([*paths, folder / "old.toml", folder / "_center.toml"], tmp_path / "out", jobs=1)
    lines = "\n".join(report.lines())
    assert "年度不一致" in lines and "old.toml" in lines
    assert "已跳过" in lines and "_center.toml" in lines
    assert len(report.outcomes) == 4


def test_duplicates_point_out_an_old_report_of_that_name(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    B.write_batch(folder, 2, json_every=0)
    out = tmp_path / "out"
    assert run_batch([folder], out, jobs=1).exit_code == 0
    B.write_toml(folder / "copy.toml", B.make_input(random.Random(4), B.agency_name(0)))
    report = run_batch([folder], out, jobs=1)
    duplicates = [o for o in report.outcomes if o.status == FAILED]
    assert len(duplicates) == 2
    for o in duplicates:
        assert any("同名文件" in p for p in o.problems)
        assert any("以前生成的旧文件" in p for p in o.problems)


def test_a_failed_input_of_a_made_agency_is_not_told_of_an_old_file(tmp_path: Path, rng: random.Random) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    good = B.make_input(rng, "丙局")
    bad = B.make_input(rng, "丙局")
    bad["requests"]["received"][0] = -1
    B.write_toml(folder / "a.toml", good)
    B.write_toml(folder / "b.toml", bad)
    report = run_batch([folder], tmp_path / "out", jobs=1)
    failed = next(o for o in report.outcomes if o.status == FAILED)
    assert failed.source.name == "b.toml"
    assert not any("旧文件" in p for p in failed.problems), failed.problems
    assert any("a.toml" in p and "机关名称和年度相同" in p for p in failed.problems), failed.problems
