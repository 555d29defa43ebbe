"""``xxgk aggregate``: many agencies' numbers summed into one valid input file."""

from __future__ import annotations

import datetime
import json
import random
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests import builders as B
from tests import helpers as H
from xxgk import layouts as L
from xxgk.aggregate import aggregate_files
from xxgk.errors import InputError, OutputError
from xxgk.layouts import TO_FILL
from xxgk.report import Report, load

N = 7




def read_toml(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text("utf-8"), parse_float=Decimal)


def get(data: dict[str, Any], path: tuple[str, ...], default: Any = None) -> Any:
    node: Any = data
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return default
        node = node[key]
    return node


@pytest.fixture
def units(tmp_path: Path) -> list[Path]:
    return B.write_batch(tmp_path / "units", N, seed=99, json_every=3)


def check_sums(result: Path, inputs: list[dict[str, Any]], layout: str = L.DEFAULT_LAYOUT) -> None:
    """Every number of ``result`` is the sum of the same number in ``inputs``."""
    data = read_toml(result)
    zero = [0] * len(L.APPLICANT_COLUMNS)
    for rr in L.INPUT_REQUEST_ROWS:
        expected = [sum(col) for col in zip(*(get(d, rr.path, zero) for d in inputs), strict=True)]
        assert get(data, rr.path) == expected, rr.path
    for block, item in L.LAYOUTS[layout].proactive_items():
        for column in block.columns:
            path = ("proactive", item.key, column.key)
            expected_value = sum(Decimal(str(get(d, path, 0))) for d in inputs)
            assert Decimal(str(get(data, path))) == expected_value, path
    for group in L.APPEAL_GROUPS:
        for column in L.APPEAL_COLUMNS:
            path = ("appeals", group.key, column.key)
            assert get(data, path) == sum(get(d, path, 0) for d in inputs), path


def check_identities(report: Report) -> None:
    received, carried_over = L.REQUEST_ROWS[0], L.REQUEST_ROWS[1]
    total, carried_forward = L.REQUEST_ROWS[-2], L.REQUEST_ROWS[-1]
    for column in L.REQUEST_COLUMNS:
        a, b, c, d = (
            report.cells[r.field(column).key] for r in (received, carried_over, total, carried_forward)
        )
        assert a + b == c + d, column.key
        assert c == sum(report.cells[r.field(column).key] for r in L.OUTCOME_ROWS)
    for group in L.APPEAL_GROUPS:
        parts = sum(report.cells[group.field(c).key] for c in L.APPEAL_COLUMNS)
        assert report.cells[group.field(L.TOTAL_COLUMN).key] == parts


# --------------------------------------------------------------------------
# Sums, validity, identities
# --------------------------------------------------------------------------


def test_cli_aggregate_sums_every_number(units: list[Path], tmp_path: Path) -> None:
    output = tmp_path / "合计.toml"
    result = H.invoke("aggregate", units[0].parent, "-o", output)
    assert result.exit_code == 0, result.output
    assert f"已汇总 {N} 个单位" in result.stdout
    assert "--base" in result.stderr and TO_FILL in result.stderr

    inputs = [load(p).data for p in units]
    check_sums(output, inputs)

    total = load(output)  # validates
    check_identities(total)
    assert total.year == B.YEAR and total.layout.name == L.DEFAULT_LAYOUT
    reports = [load(p) for p in units]
    for key, value in total.cells.items():  # totals included
        assert value == sum(r.cells[key] for r in reports), key
    assert H.leftovers(tmp_path) == []


def test_aggregate_without_base_asks_for_the_missing_parts(units: list[Path], tmp_path: Path) -> None:
    output = tmp_path / "合计.toml"
    aggregate_files(units, output)
    report = load(output)
    assert TO_FILL in report.agency
    assert report.date is None
    messages = [str(w) for w in report.warnings]
    assert any(TO_FILL in m and "机关全称" in m for m in messages)
    for heading in ("一、总体情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"):
        assert any(m.startswith(heading) and TO_FILL in m for m in messages), heading

    result = H.invoke("validate", output)
    assert result.exit_code == 0, result.output
    assert result.stderr.count(TO_FILL) >= 4
    assert "通过" in result.stdout


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_aggregate_with_base(units: list[Path], tmp_path: Path, suffix: str) -> None:
    base_data = {
        "agency": "示例市汇总中心",
        "year": B.YEAR,
        "date": datetime.date(2025, 1, 25),
        "text": {
            "overview": "全市共收到申请{{ requests.received.total }}件。",
            "problems": "问题与改进。",
            "other": "本机关未收取信息处理费。",
        },
    }
    base = tmp_path / f"base{suffix}"
    (B.write_toml if suffix == ".toml" else B.write_json)(base, base_data)
    output = tmp_path / "合计.toml"
    result = H.invoke("aggregate", *units, "--base", base, "-o", output)
    assert result.exit_code == 0, result.output
    assert TO_FILL not in result.output

    report = load(output)
    assert report.agency == "示例市汇总中心"
    assert report.date == datetime.date(2025, 1, 25)
    assert report.warnings == []
    overview = "".join(p.text for p in report.text["overview"])
    expected = sum(load(p).cells["requests.received.total"] for p in units)
    assert overview == f"全市共收到申请{expected}件。"


def test_aggregate_with_defaults_and_the_bundled_branches(tmp_path: Path) -> None:
    branches = Path(__file__).resolve().parents[1] / "inputs" / "branches"
    defaults = branches / "_defaults.toml"
    center = branches / "_center.toml"
    output = tmp_path / "合计.toml"
    result = H.invoke("aggregate", branches, "--defaults", defaults, "--base", center, "-o", output)
    assert result.exit_code == 0, result.output
    assert "已汇总 5 个单位" in result.stdout  # _defaults.toml and _center.toml are not inputs (wuxian.xlsx is)
    members = [
        load(p, defaults=tomllib.loads(defaults.read_text("utf-8"))) for p in sorted(branches.glob("[!_]*"))
    ]
    total = load(output)
    for key, value in total.cells.items():
        assert value == sum(r.cells[key] for r in members), key
    assert total.agency == "示例市住房公积金管理中心"
    assert total.warnings == []


def test_signed_and_decimal_values_of_the_xingtai_layout(tmp_path: Path) -> None:
    rng = random.Random(5)
    folder = tmp_path / "xt"
    folder.mkdir()
    inputs = []
    for i in range(3):
        data = B.make_input(rng, f"邢台测试{i}", layout="xingtai-2022", year=2022)
        data["proactive"]["licensing"]["change"] = -7 + i  # 本年增/减 may be negative
        data["proactive"]["fees"]["amount"] = Decimal("0.01") * (i + 1) + Decimal(100)
        inputs.append(data)
        B.write_toml(folder / f"{i}.toml", data)
    output = tmp_path / "xt.toml"
    aggregate_files([folder], output)
    check_sums(output, inputs, layout="xingtai-2022")
    total = load(output)
    assert total.layout.name == "xingtai-2022"
    assert total.cells["proactive.licensing.change"] == -18
    assert total.cells["proactive.fees.amount"] == Decimal("300.06")
    check_identities(total)


# --------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------


def test_mismatched_years(units: list[Path], tmp_path: Path) -> None:
    other = B.write_toml(tmp_path / "old.toml", B.make_input(random.Random(1), "旧年度局", year=2023))
    output = tmp_path / "合计.toml"
    result = H.invoke("aggregate", units[0].parent, other, "-o", output)
    H.assert_user_error(result, "年度或版式不一致", "2023年", "2024年", "old.toml")
    assert not output.exists()
    assert H.leftovers(tmp_path) == []


def test_mismatched_layouts(units: list[Path], tmp_path: Path) -> None:
    other = B.write_toml(
        tmp_path / "xt.toml", B.make_input(random.Random(1), "邢台局", layout="xingtai-2022")
    )
    output = tmp_path / "合计.toml"
    result = H.invoke("aggregate", *units[:2], other, "-o", output)
    H.assert_user_error(result, "年度或版式不一致", "xingtai-2022", "gov-2021")
    assert not output.exists()
    with pytest.raises(InputError, match="年度或版式不一致"):
        aggregate_files([*units[:2], other], output)


def test_a_broken_input_is_named_with_its_problem(units: list[Path], tmp_path: Path) -> None:
    broken = B.make_input(random.Random(3), "坏局")
    broken["requests"]["carried_over"][2] += 4
    B.write_toml(tmp_path / "broken.toml", broken)
    output = tmp_path / "合计.toml"
    result = H.invoke("aggregate", *units, tmp_path / "broken.toml", "-o", output)
    H.assert_user_error(result, "broken.toml", "科研机构", "勾稽关系不成立")
    assert not output.exists()


def test_the_same_file_twice_counts_once(units: list[Path], tmp_path: Path) -> None:
    output = tmp_path / "合计.toml"
    result = aggregate_files([units[0].parent, units[0]], output)
    assert result.count == N
    check_sums(output, [load(p).data for p in units])


def test_the_same_agency_twice_is_refused(units: list[Path], tmp_path: Path) -> None:
    copy = tmp_path / "copy.toml"
    copy.write_bytes(units[1].read_bytes())
    output = tmp_path / "合计.toml"
    result = H.invoke("aggregate", *units, copy, "-o", output)
    H.assert_user_error(result, B.agency_name(1), "不能重复相加")
    assert not output.exists()


def test_output_must_be_a_toml_file(units: list[Path], tmp_path: Path) -> None:
    for name in ("合计.json", "合计.txt"):
        result = H.invoke("aggregate", *units, "-o", tmp_path / name)
        H.assert_usage_error(result, ".toml")
        assert not (tmp_path / name).exists()
        with pytest.raises(OutputError, match=r"\.toml"):  # the library says so too
            aggregate_files(units, tmp_path / name)


def test_output_that_is_a_folder_or_exists(units: list[Path], tmp_path: Path) -> None:
    (tmp_path / "dir.toml").mkdir()
    H.assert_user_error(H.invoke("aggregate", *units, "-o", tmp_path / "dir.toml"), "文件夹")
    existing = tmp_path / "old.toml"
    existing.write_text("# keep me\n", encoding="utf-8")
    H.assert_user_error(H.invoke("aggregate", *units, "-o", existing), "--force")
    assert existing.read_text(encoding="utf-8") == "# keep me\n"
    result = H.invoke("aggregate", *units, "-o", existing, "--force")
    assert result.exit_code == 0, result.output
    with pytest.raises(OutputError):
        aggregate_files(units, existing)


def test_folder_given_as_base_or_defaults(units: list[Path], tmp_path: Path) -> None:
    for option in ("--base", "--defaults"):
        result = H.invoke("aggregate", *units, option, tmp_path, "-o", tmp_path / "合计.toml")
        H.assert_user_error(result, option, "文件夹")
        assert not (tmp_path / "合计.toml").exists()


def test_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = H.invoke("aggregate", tmp_path / "empty", "-o", tmp_path / "合计.toml")
    H.assert_user_error(result, "没有找到输入文件")
    assert not (tmp_path / "合计.toml").exists()


def test_sums_beyond_the_limit_are_refused_before_writing(tmp_path: Path) -> None:
    from xxgk.model import MAX_COUNT

    folder = tmp_path / "big"
    for i in range(2):
        data = B.make_input(random.Random(i), f"大局{i}")
        data["proactive"]["licensing"]["decisions"] = MAX_COUNT
        folder.mkdir(exist_ok=True)
        B.write_toml(folder / f"u{i}.toml", data)
    output = tmp_path / "合计.toml"
    result = H.invoke("aggregate", folder, "-o", output)
    H.assert_user_error(result, "汇总结果", "数值过大")
    assert not output.exists()


def test_base_text_with_control_characters_still_reads_back(units: list[Path], tmp_path: Path) -> None:
    base = tmp_path / "base.json"
    base.write_text(json.dumps({"agency": "上级局", "text": {"problems": "第一行\r第二行"}}, ensure_ascii=False), "utf-8")
    output = tmp_path / "合计.toml"
    aggregate_files(units, output, base=base)
    assert read_toml(output)["text"]["problems"].rstrip("\n") == "第一行\r第二行"


def test_base_numbers_are_added_and_the_base_is_checked(units: list[Path], tmp_path: Path) -> None:
    own = B.make_input(random.Random(77), "上级局本级")
    base = B.write_toml(tmp_path / "base.toml", own)
    output = tmp_path / "合计.toml"
    result = aggregate_files(units, output, base=base)
    assert any("本级的数字" in note for note in result.notes)
    members = [load(p) for p in units] + [load(base)]
    total = load(output)
    for key, value in total.cells.items():
        assert value == sum(r.cells[key] for r in members), key
    assert total.agency == "上级局本级"

    own["text"]["overveiw"] = "拼错的键"
    B.write_toml(base, own)
    H.assert_user_error(H.invoke("aggregate", *units, "--base", base, "-o", tmp_path / "b.toml"), "--base", "overveiw")
    own["text"].pop("overveiw")
    own["year"] = B.YEAR - 1
    B.write_toml(base, own)
    H.assert_user_error(H.invoke("aggregate", *units, "--base", base, "-o", tmp_path / "c.toml"), "--base", "年")


def test_a_previous_total_in_the_input_folder_is_refused(units: list[Path], tmp_path: Path) -> None:
    base = tmp_path / "base.json"
    base.write_text(json.dumps({"agency": "上级局"}, ensure_ascii=False), "utf-8")
    first = units[0].parent / "合计.toml"
    aggregate_files(units, first, base=base)
    result = H.invoke("aggregate", units[0].parent, "--base", base, "-o", tmp_path / "again.toml")
    H.assert_user_error(result, "与 --base 是同一机关", "合计文件")
