"""Reading reports xxgk did not write: every tolerance, every error and warning, and a clean report."""

from __future__ import annotations

import csv
import datetime
import json
import os
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from tests.builders import consistent_data, make_input, write_toml
from tests.handmade import Hand, hand_from, to_docx, to_html
from tests.helpers import assert_user_error, invoke
from xxgk import layouts as L
from xxgk.existing import check_one, check_reports, extract, init_from
from xxgk.formats.docx_dump import Origin
from xxgk.report import load

LAYOUT = L.LAYOUTS[L.DEFAULT_LAYOUT]
COLUMNS = L.APPLICANT_COLUMNS


def clean_data(rng: random.Random, layout: str = L.DEFAULT_LAYOUT, **over: Any) -> dict[str, Any]:
    data = consistent_data(rng, layout, agency="示例市测试局", **over)
    data["year"] = over.get("year", 2024)
    for block, item in L.LAYOUTS[layout].proactive_items():
        for column in block.columns:
            if column.kind is L.Kind.AMOUNT:  # as a document prints it: exact decimals
                data["proactive"][item.key][column.key] = Decimal(str(data["proactive"][item.key][column.key]))
    return data


def write(hand: Hand, tmp_path: Path, kind: str, name: str = "r", **kw: Any) -> Path:
    if kind == "docx":
        return to_docx(hand, tmp_path / f"{name}.docx", **kw)
    return to_html(hand, tmp_path / f"{name}.html", **kw)


def messages(path: Path) -> tuple[list[str], list[str]]:
    r = check_one(path)
    return [str(p) for p in r.errors], [str(p) for p in r.warnings]


def input_cells(path: Path) -> dict[str, Any]:
    r = check_one(path)
    assert r.reading is not None, r.errors
    return r.reading.input_cells()


def expected_cells(hand: Hand) -> dict[str, Any]:
    return {f.key: hand.cells[f.key] for f in hand.layout.input_fields}


KINDS = ("docx", "html")


# --------------------------------------------------------------------------
# A clean report: nothing flagged
# --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("layout", list(L.LAYOUTS))
def test_clean_handmade_report_is_read_exactly_and_not_flagged(
    tmp_path: Path, rng: random.Random, kind: str, layout: str
) -> None:
    year = 2020 if layout == "gov-2019" else 2024
    hand = hand_from(clean_data(rng, layout, year=year))
    path = write(hand, tmp_path, kind)
    r = check_one(path)
    assert r.reading is not None
    assert r.reading.layout.name == layout
    assert (r.reading.agency, r.reading.year, r.reading.date) == (hand.agency, hand.year, hand.date)
    assert r.reading.input_cells() == expected_cells(hand)
    assert r.errors == []
    if L.LAYOUTS[layout].national:
        assert r.warnings == []
    else:  # the local layout, and where its labels differ from the national format
        assert r.warnings[0].place == "版式"
        assert r.warnings[1:] and all(w.message.startswith("与国家格式不同：应为") for w in r.warnings[1:])
    for key in (L.OVERVIEW.key, L.PROBLEMS.key, L.OTHER.key, L.PREFACE.key):
        assert r.reading.text[key] == hand.text[key]


# --------------------------------------------------------------------------
# Tolerances: the same numbers, however the file writes them
# --------------------------------------------------------------------------


def _spaced(hand: Hand) -> None:
    hand.relabel("规章", "规  章").relabel("商业企业", "商业\n企业").relabel("（七）总计", "(七)总 计")
    hand.relabel("本年收费金额（单位：万元）", "本年收费金额\n(单位:万元)")


def _subtotal_column(hand: Hand, header: str = "小计", inside: bool = True) -> None:
    """A subtotal column after 其他: inside 法人或其他组织 (小计) or beside it (法人小计)."""
    values = {
        3 + i: str(sum(hand.cells[rr.field(c).key] for c in COLUMNS[1:]))
        for i, rr in enumerate(hand.layout.request_rows)
    }
    hand.insert_column("requests", 9, 2 if inside else 1, header, values)
    t = hand.tables["requests"]
    group = next(o for o in t if o.text == L.ORGANISATIONS)
    if inside:
        t[t.index(group)] = Origin(group.row, group.col, 1, group.colspan + 1, group.text)
    else:
        sub = next(o for o in t if o.text == header)
        t[t.index(sub)] = Origin(sub.row, sub.col, 2, 1, header)


def _subtotal_row(hand: Hand) -> None:
    group = next(g for g in L.OUTCOMES if isinstance(g, L.Group))
    rows = [rr for rr in hand.layout.request_rows if len(rr.place) == 3 and rr.place[1] == group.label]
    at = 3 + hand.layout.request_rows.index(rows[-1]) + 1
    cells = [Origin(at, 2, 1, 1, "小计")]
    for i, column in enumerate(L.REQUEST_COLUMNS):
        cells.append(Origin(at, 3 + i, 1, 1, str(sum(hand.cells[rr.field(column).key] for rr in rows))))
    hand.insert_row("requests", at, cells)
    t = hand.tables["requests"]
    label = next(o for o in t if o.text == group.label)  # the group's label spans its 小计 too
    t[t.index(label)] = Origin(label.row, label.col, label.rowspan + 1, 1, label.text)


def _numbers_written_oddly(hand: Hand) -> None:
    received = L.RECEIVED_ROW.field(COLUMNS[0]).key
    hand.cells[received] = 1234 + hand.cells[received] * 0
    hand.printed.clear()


TOLERANCES = {
    "spaces, widths and line breaks in labels": _spaced,
    "no vertical merges": lambda h: [h.no_vertical_merges(t.key) for t in h.layout.tables],
    "subtotal column 小计 under 法人或其他组织": _subtotal_column,
    "subtotal column 法人小计": lambda h: _subtotal_column(h, "法人小计", inside=False),
    "subtotal row": _subtotal_row,
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", list(TOLERANCES))
def test_tolerances(tmp_path: Path, rng: random.Random, kind: str, name: str) -> None:
    hand = hand_from(clean_data(rng))
    TOLERANCES[name](hand)
    path = write(hand, tmp_path, kind)
    r = check_one(path)
    assert r.reading is not None and r.reading.layout.name == L.DEFAULT_LAYOUT
    assert r.reading.input_cells() == expected_cells(hand)
    assert r.errors == [], r.errors
    assert r.warnings == [], r.warnings


def test_grid_before_is_followed(tmp_path: Path, rng: random.Random) -> None:
    hand = hand_from(clean_data(rng))
    path = to_docx(hand, tmp_path / "r.docx", grid_before=True)
    assert b"gridBefore" in __import__("zipfile").ZipFile(path).read("word/document.xml")
    assert input_cells(path) == expected_cells(hand)
    assert messages(path) == ([], [])


@pytest.mark.parametrize("kind", KINDS)
def test_thousands_separators_and_full_width_digits(tmp_path: Path, rng: random.Random, kind: str) -> None:
    data = clean_data(rng)
    hand = hand_from(data)
    licensing = next(f for f in LAYOUT.input_fields if f.place[-2] == L.LICENSING.label)
    hand.cells[licensing.key] = 12345
    penalty = next(f for f in LAYOUT.input_fields if f.place[-2] == L.PENALTY.label)
    hand.cells[penalty.key] = 67
    hand.set(licensing.key, "12,345").set(penalty.key, "６７")
    path = write(hand, tmp_path, kind)
    cells = input_cells(path)
    assert (cells[licensing.key], cells[penalty.key]) == (12345, 67)
    assert messages(path) == ([], [])


@pytest.mark.parametrize("kind", KINDS)
def test_blank_and_placeholder_cells_are_zero_with_a_warning(tmp_path: Path, rng: random.Random, kind: str) -> None:
    hand = hand_from(clean_data(rng))
    coercion = next(f for f in LAYOUT.input_fields if f.place[-2] == L.COERCION.label)
    review_pending = L.APPEAL_GROUPS[0].field(L.APPEAL_COLUMNS[-1])
    repealed = next(f for f in LAYOUT.input_fields if f.place[-1] == L.REPEALED.label)
    hand.cells.update({coercion.key: 0, review_pending.key: 0, repealed.key: 0})
    hand.cells[L.APPEAL_GROUPS[0].field(L.TOTAL_COLUMN).key] = sum(
        hand.cells[L.APPEAL_GROUPS[0].field(c).key] for c in L.APPEAL_COLUMNS
    )
    hand.set(coercion.key, "").set(review_pending.key, "—").set(repealed.key, "/")
    path = write(hand, tmp_path, kind)
    errors, warnings = messages(path)
    assert errors == []
    blank = next(w for w in warnings if "空白" in w)
    assert coercion.place_name in blank and "应填 0" in blank
    placeholder = "".join(w for w in warnings if "不是数字" in w)
    assert f"{review_pending.place_name}（“—”）" in placeholder
    assert f"{repealed.place_name}（“/”）" in placeholder
    assert input_cells(path)[coercion.key] == 0


# --------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------


def test_wrong_totals_are_errors_with_both_sides(tmp_path: Path, rng: random.Random) -> None:
    data = clean_data(rng)
    hand = hand_from(data)
    review = L.APPEAL_GROUPS[0]
    for c, v in zip(L.APPEAL_COLUMNS, (10, 1, 0, 0), strict=True):
        hand.cells[review.field(c).key] = v
    hand.set(review.field(L.TOTAL_COLUMN).key, "0")  # the county's 2023 report
    received_total = L.RECEIVED_ROW.field(L.TOTAL_COLUMN)
    hand.set(received_total.key, str(hand.cells[received_total.key] + 2))
    grand = L.OUTCOME_TOTAL_ROW.field(COLUMNS[0])
    hand.set(grand.key, str(hand.cells[grand.key] + 1))
    errors, _ = messages(to_docx(hand, tmp_path / "r.docx"))
    assert f"{review.field(L.TOTAL_COLUMN).place_name}: 表中总计为 0，但各项之和为 10 + 1 + 0 + 0 = 11" in errors
    assert any(e.startswith(received_total.place_name + ": 表中总计为") for e in errors)
    assert any(e.startswith(grand.place_name + ": 表中总计为") for e in errors)
    assert len(errors) == 3, errors


def test_broken_identity_names_the_column(tmp_path: Path, rng: random.Random) -> None:
    data = clean_data(rng)
    data["requests"]["received"][0] += 3
    hand = hand_from_unbalanced(data)
    errors, _ = messages(to_docx(hand, tmp_path / "r.docx"))
    identity = next(i for i in LAYOUT.identities if i.left[0].field == L.RECEIVED_ROW.field(COLUMNS[0]))
    assert any(e.startswith(identity.place + ": 勾稽关系不成立") and "相差 3" in e for e in errors), errors


def hand_from_unbalanced(data: dict[str, Any]) -> Hand:
    from xxgk.compute import compute

    layout = L.LAYOUTS[data["layout"]]
    cells, _ = compute(layout, data)
    hand = hand_from(consistent_data(random.Random(1), data["layout"], agency=data["agency"]))
    hand.cells = cells
    hand._refill()
    return hand


@pytest.mark.parametrize("kind", KINDS)
def test_non_numeric_and_negative_cells_are_errors(tmp_path: Path, rng: random.Random, kind: str) -> None:
    hand = hand_from(clean_data(rng))
    licensing = next(f for f in LAYOUT.input_fields if f.place[-2] == L.LICENSING.label)
    secret = next(f for f in LAYOUT.input_fields if "1.属于国家秘密" in f.place and f.place[-1] == COLUMNS[0].label)
    hand.set(licensing.key, "若干").set(secret.key, "-2")
    errors, _ = messages(write(hand, tmp_path, kind))
    assert f"{licensing.place_name}: 应为数字，实为 “若干”" in errors
    assert f"{secret.place_name}: 不能为负数，实为 -2" in errors


@pytest.mark.parametrize("kind", KINDS)
def test_an_unreadable_cell_is_reported_once(tmp_path: Path, rng: random.Random, kind: str) -> None:
    """A cell that is not a number is that error alone: no 勾稽 or 总计 error from reading it as 0."""
    data = clean_data(rng)
    received = LAYOUT.identities[0].left[0].field
    data["requests"]["received"][0] = 5 + data["requests"]["received"][0]  # a number to lose
    data["requests"]["carried_forward"][0] += 5
    hand = hand_from(data)
    hand.set(received.key, "五")
    errors, _ = messages(write(hand, tmp_path, kind))
    assert errors == [f"{received.place_name}: 应为数字，实为 “五”"], errors


def test_wrong_subtotal_is_an_error(tmp_path: Path, rng: random.Random) -> None:
    hand = hand_from(clean_data(rng))
    _subtotal_column(hand)
    t = hand.tables["requests"]
    sub = next(o for o in t if o.col == 9 and o.row == 3)
    t[t.index(sub)] = Origin(sub.row, sub.col, 1, 1, str(int(sub.text) + 5))
    errors, _ = messages(to_docx(hand, tmp_path / "r.docx"))
    assert any("小计" in e and "表中小计为" in e and L.RECEIVED.label in e for e in errors), errors


# --------------------------------------------------------------------------
# Warnings
# --------------------------------------------------------------------------


def test_label_typo_shows_expected_and_found(tmp_path: Path, rng: random.Random) -> None:
    hand = hand_from(clean_data(rng))
    hand.relabel("2.没有现成信息需要另行制作", "2.没有现成信息需另行制作")
    path = to_docx(hand, tmp_path / "r.docx")
    _, warnings = messages(path)
    assert warnings == [
        f"{L.REQUESTS.heading}: 表中文字与格式不同：应为 “2.没有现成信息需要另行制作”，实为 “2.没有现成信息需另行制作”"
    ]
    assert input_cells(path) == expected_cells(hand)


def test_2019_format_in_a_2023_report_and_mixed_layouts(tmp_path: Path, rng: random.Random) -> None:
    hand = hand_from(clean_data(rng, "gov-2019", year=2023))
    _, warnings = messages(to_docx(hand, tmp_path / "a.docx"))
    assert any(w.startswith("版式: 2023 年度报告用的是 gov-2019") and "应使用 gov-2021" in w for w in warnings)
    mixed = hand_from(clean_data(rng, "gov-2019", year=2023))
    modern = hand_from(clean_data(rng, year=2023))
    mixed.tables["requests"] = modern.tables["requests"]
    _, warnings = messages(to_docx(mixed, tmp_path / "b.docx"))
    assert any("混用了不同版式的表格" in w for w in warnings), warnings


def test_headings_missing_renamed_out_of_order(tmp_path: Path, rng: random.Random) -> None:
    hand = hand_from(clean_data(rng))
    hand.headings[L.PROBLEMS.key] = "五、存在的问题及改进情况"
    del hand.headings[L.OTHER.key]
    hand.text[L.PROBLEMS.key] += hand.text[L.OTHER.key]
    hand.order.remove(L.OVERVIEW.key)
    hand.order.insert(hand.order.index(L.APPEALS.key) + 1, L.OVERVIEW.key)
    _, warnings = messages(to_docx(hand, tmp_path / "r.docx"))
    assert f"{L.OTHER.heading}: 找不到这个标题" in warnings
    assert f"{L.PROBLEMS.heading}: 标题与格式不同：应为 “{L.PROBLEMS.heading}”，实为 “五、存在的问题及改进情况”" in warnings
    assert any(w.startswith("标题: 标题顺序与格式不同") for w in warnings)


@pytest.mark.parametrize(("text", "needle"), [([], "内容为空"), (["无"], "只写了 “无”"), (["继续努力。"], "内容过短")])
def test_problems_section_empty_nothing_or_short(tmp_path: Path, rng: random.Random, text: list[str], needle: str) -> None:
    hand = hand_from(clean_data(rng))
    hand.text[L.PROBLEMS.key] = text
    _, warnings = messages(to_docx(hand, tmp_path / "r.docx"))
    assert [w for w in warnings if w.startswith(L.PROBLEMS.heading or "")] == [
        next(w for w in warnings if needle in w)
    ]


def test_fee_rows_with_nothing_said_in_six(tmp_path: Path, rng: random.Random) -> None:
    data = clean_data(rng)
    fee_row = next(e for e in LAYOUT.entries if e.key in L.FEE_ROW_KEYS)
    node = data
    for k in fee_row.path[:-1]:
        node = node[k]
    node[fee_row.key][0] += 2
    data["requests"]["received"][0] += 2
    hand = hand_from(data)
    hand.text[L.OTHER.key] = ["无"]
    _, warnings = messages(to_docx(hand, tmp_path / "r.docx"))
    count = sum(node[fee_row.key])
    assert any(w.startswith(f"{L.OTHER.heading}: 表三 “{fee_row.place[-1]}” 共 {count} 件") for w in warnings), warnings


def test_text_that_contradicts_the_tables(tmp_path: Path, rng: random.Random) -> None:
    data = clean_data(rng)
    hand = hand_from(data)
    received = hand.cells[L.RECEIVED_ROW.field(L.TOTAL_COLUMN).key]
    review_total = hand.cells[L.APPEAL_GROUPS[0].field(L.TOTAL_COLUMN).key]
    hand.text[L.OVERVIEW.key] = [
        f"本年度受理政府信息公开申请{received + 17}件，全部按时答复。",
        f"共发生行政复议{review_total}件。",  # agrees: not flagged
        "未发生政府信息公开行政诉讼。" if hand.cells[L.APPEAL_GROUPS[1].field(L.TOTAL_COLUMN).key] + hand.cells[L.APPEAL_GROUPS[2].field(L.TOTAL_COLUMN).key] else "本年度无行政诉讼。",
    ]
    _, warnings = messages(to_docx(hand, tmp_path / "r.docx"))
    flagged = [w for w in warnings if w.startswith(L.OVERVIEW.heading or "")]
    assert any(f"受理政府信息公开申请{received + 17}件" in w and f"为 {received}" in w for w in flagged), flagged
    litigation = hand.cells[L.APPEAL_GROUPS[1].field(L.TOTAL_COLUMN).key] + hand.cells[L.APPEAL_GROUPS[2].field(L.TOTAL_COLUMN).key]
    assert len(flagged) == (2 if litigation else 1), flagged


def test_title_year_against_the_statistics_period(tmp_path: Path, rng: random.Random) -> None:
    hand = hand_from(clean_data(rng))
    hand.text[L.PREFACE.key] = ["报告中所列数据统计期限为2023年1月1日至12月31日。"]
    _, warnings = messages(to_docx(hand, tmp_path / "r.docx"))
    assert f"{L.PREFACE_NAME}: 标题是 2024 年度，但正文写的统计期限从 2023 年 1 月 1 日起" in warnings


@pytest.mark.parametrize(
    ("agency", "date", "late"),
    [
        ("示例市测试局", datetime.date(2025, 1, 31), False),
        ("示例市测试局", datetime.date(2025, 2, 10), True),
        ("示例县" + L.GOVERNMENT_SUFFIX, datetime.date(2025, 2, 10), False),
        ("示例县" + L.GOVERNMENT_SUFFIX, datetime.date(2025, 4, 1), True),
    ],
)
def test_late_publication(tmp_path: Path, rng: random.Random, agency: str, date: datetime.date, late: bool) -> None:
    hand = hand_from(clean_data(rng))
    hand.agency, hand.date = agency, date
    _, warnings = messages(to_docx(hand, tmp_path / "r.docx"))
    flagged = [w for w in warnings if w.startswith("落款日期")]
    assert bool(flagged) == late, warnings
    if late:
        assert "条例第五十条" in flagged[0]


# --------------------------------------------------------------------------
# Last year, parent and children
# --------------------------------------------------------------------------


def test_previous_year_carry_and_repeated_text(tmp_path: Path, rng: random.Random) -> None:
    last = hand_from(clean_data(rng, year=2023))
    last_path = to_docx(last, tmp_path / "2023.docx")
    now = hand_from(clean_data(rng, year=2024))
    now.text = dict(last.text)
    now.text[L.PREFACE.key] = [p.replace("2023", "2024") for p in last.text[L.PREFACE.key]]
    carried = L.CARRIED_OVER_ROW.field(COLUMNS[0])
    forward = last.cells[L.CARRIED_FORWARD_ROW.field(COLUMNS[0]).key]
    now.set(carried.key, str(forward + 1))
    rules = {f.place[-1]: f.key for f in LAYOUT.input_fields if f.place[-2] == L.RULES.label}
    in_force = last.cells[rules[L.IN_FORCE.label]] + now.cells[rules[L.ISSUED.label]] - now.cells[rules[L.REPEALED.label]]
    now.set(rules[L.IN_FORCE.label], str(in_force + 3))
    now_path = to_html(now, tmp_path / "2024.html")
    run = check_reports([now_path], previous=last_path, jobs=1)
    warnings = [str(w) for w in run.reviews[0].warnings]
    assert any(w.startswith(f"{carried.place_name}: 为 {forward + 1}，但上年报告的") for w in warnings), warnings
    assert any(w.startswith(f"{L.ITEM_1} / {L.RULES.label} / {L.IN_FORCE.label}: 为 {in_force + 3}，但上年") and w.endswith(f"= {in_force}") for w in warnings), warnings
    assert any(w.startswith("正文: 100% 的文字") for w in warnings), warnings


def test_parent_against_children(tmp_path: Path, rng: random.Random) -> None:
    kids = [hand_from(clean_data(rng)) for i in range(3)]
    for i, k in enumerate(kids):
        k.agency = f"示例县第{i}局"
    paths = [to_docx(k, tmp_path / f"kid{i}.docx") for i, k in enumerate(kids)]
    total = hand_from(clean_data(rng))
    total.agency = "示例县" + L.GOVERNMENT_SUFFIX
    for f in LAYOUT.input_fields:
        total.cells[f.key] = sum(k.cells[f.key] for k in kids)
    from xxgk.compute import compute

    total.cells, _ = compute(LAYOUT, LAYOUT.input_data(total.cells))
    total._refill()
    parent = to_docx(total, tmp_path / "total.docx")
    run = check_reports(paths, parent=parent, jobs=1)
    assert run.parent is not None and run.parent.errors == []
    licensing = next(f for f in LAYOUT.input_fields if f.place[-2] == L.LICENSING.label)
    total.set(licensing.key, str(total.cells[licensing.key] + 4))
    to_docx(total, parent)
    run = check_reports(paths, parent=parent, jobs=1)
    assert run.parent is not None
    assert [str(e) for e in run.parent.errors] == [
        f"{licensing.place_name}: 本报告为 {total.cells[licensing.key] + 4}，下级报告之和为 "
        + " + ".join(f"{k.agency} {k.cells[licensing.key]}" for k in kids if k.cells[licensing.key])
        + f" = {total.cells[licensing.key]}"
    ]


# --------------------------------------------------------------------------
# The command line: check, extract, init --from
# --------------------------------------------------------------------------


def test_check_folder_json_and_summaries(tmp_path: Path, rng: random.Random) -> None:
    folder = tmp_path / "收到的报告"
    folder.mkdir()
    good = hand_from(clean_data(rng))
    to_docx(good, folder / "a.docx")
    bad = hand_from(clean_data(rng))
    bad.agency = "=HYPERLINK(1)"
    bad.set(L.RECEIVED_ROW.field(L.TOTAL_COLUMN).key, "99999")
    to_html(bad, folder / "b.htm", encoding="gb18030")
    (folder / "notes.txt").write_text("不是报告", encoding="utf-8")
    result = invoke("check", folder, "--summary", tmp_path / "s.xlsx")
    assert result.exit_code == 1
    assert "共检查 2 份：有错误 1 份（1 处）" in result.output
    assert "a.docx：通过" in result.output and "b.htm：有错误" in result.output
    wb = load_workbook(tmp_path / "s.xlsx")
    rows = list(wb.active.values)
    assert rows[0][:3] == ("报告文件", "机关", "年度")
    assert rows[2][1] == "=HYPERLINK(1)" and wb.active["B3"].data_type == "s"
    result = invoke("check", folder, "--json", "--summary", tmp_path / "s.csv")
    data = json.loads(result.output)
    assert [r["ok"] for r in data["reports"]] == [True, False]
    assert data["reports"][1]["errors"][0]["place"] == L.RECEIVED_ROW.field(L.TOTAL_COLUMN).place_name
    with open(tmp_path / "s.csv", encoding="utf-8-sig") as fh:
        assert list(csv.reader(fh))[2][1] == "'=HYPERLINK(1)"


def test_check_refuses_what_it_cannot_read(tmp_path: Path) -> None:
    (tmp_path / "x.docx").write_bytes(b"not a zip")
    (tmp_path / "s.pdf").write_bytes(_pdf_without_text())
    result = invoke("check", tmp_path / "x.docx", tmp_path / "s.pdf", tmp_path / "none.html")
    assert_user_error(result, "x.docx：有错误", "没有文字层", "文件不存在")
    fifo = tmp_path / "f.docx"
    if hasattr(os, "mkfifo"):
        os.mkfifo(fifo)
        assert_user_error(invoke("check", fifo), "不是普通文件")
    assert_user_error(invoke("extract", tmp_path / "r.xls"), "不认识的文件类型")


def _pdf_file(objects: list[bytes]) -> bytes:
    """A PDF of the given numbered objects (1 is the catalog), with its cross-reference table."""
    out = b"%PDF-1.4\n"
    offsets = []
    for i, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def _pdf_without_text() -> bytes:
    """A one-page PDF with a drawn rectangle and no text: what a scanner gives, minus the image."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
    ]
    stream = b"10 10 100 100 re f"
    objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    return _pdf_file(objects)


@pytest.mark.parametrize("kind", KINDS)
def test_extract_handmade_report_validates_with_the_same_numbers(tmp_path: Path, rng: random.Random, kind: str) -> None:
    hand = hand_from(clean_data(rng))
    coercion = next(f for f in LAYOUT.input_fields if f.place[-2] == L.COERCION.label)
    hand.cells[coercion.key] = 0
    hand.set(coercion.key, "")
    path = write(hand, tmp_path, kind)
    result = invoke("extract", path, "-o", tmp_path / "x.toml")
    assert result.exit_code == 0, result.output
    assert "空白" in result.output
    report = load(tmp_path / "x.toml")
    assert {k: report.cells[k] for k in expected_cells(hand)} == expected_cells(hand)
    assert [p.text for p in report.text[L.OVERVIEW.key]] == hand.text[L.OVERVIEW.key]
    assert (report.agency, report.year, report.date) == (hand.agency, hand.year, hand.date)


def test_init_from_last_years_report(tmp_path: Path, rng: random.Random) -> None:
    hand = hand_from(clean_data(rng, year=2023))
    path = to_docx(hand, tmp_path / "2023.docx")
    result = invoke("init", "--from", path, "-o", tmp_path / "2024.toml")
    assert result.exit_code == 0, result.output
    report = load(tmp_path / "2024.toml", previous=tmp_path / "2023.toml" if False else None)
    assert (report.agency, report.year, report.layout.name) == (hand.agency, 2024, L.DEFAULT_LAYOUT)
    for carry in LAYOUT.carries:
        assert report.cells[carry.now.key] == hand.cells[carry.before.key]
    assert any(L.TO_FILL in str(w) and w.place == L.OVERVIEW.heading for w in report.warnings)
    assert hand.text[L.OVERVIEW.key][0] in "".join(p.text for p in report.text[L.OVERVIEW.key])
    # validate with --previous reading last year's .docx: the carries agree
    result = invoke("validate", tmp_path / "2024.toml", "--previous", path)
    assert result.exit_code == 0, result.output
    assert "上年报告" not in result.output
    made = init_from(tmp_path / "2024.toml")
    assert made.year == 2025


# --------------------------------------------------------------------------
# Round trip: what xxgk renders, xxgk reads back
# --------------------------------------------------------------------------


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32), layout=st.sampled_from(list(L.LAYOUTS)))
def test_render_then_extract_gives_the_same_data(tmp_path_factory: Any, seed: int, layout: str) -> None:
    from xxgk.render import write_report

    tmp = tmp_path_factory.mktemp("rt")
    rng = random.Random(seed)
    year = 2020 if layout == "gov-2019" else 2024
    data = make_input(rng, f"示例市第{seed % 97}测试局", layout=layout, year=year)
    data["text"]["problems"] = "一是公开质量有待提高。\n\n二是（一）解读形式单一。"
    source = write_toml(tmp / "in.toml", data)
    report = load(source)
    docx = write_report(report, tmp / "out.docx", None)
    got = extract(docx)
    (tmp / "x.toml").write_text(got.text, encoding="utf-8")
    again = load(tmp / "x.toml")
    assert again.cells == report.cells
    assert (again.agency, again.year, again.date, again.layout.name) == (
        report.agency, report.year, report.date, report.layout.name,
    )
    for section in L.TEXT_SECTIONS:
        assert [p.text for p in again.text[section.key]] == [p.text for p in report.text[section.key]]
    assert check_one(docx).errors == []


# --------------------------------------------------------------------------
# Through LibreOffice: HTML, PDF and .doc made from a rendered report
# --------------------------------------------------------------------------


def _soffice() -> str:
    import shutil

    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        if os.environ.get("XXGK_REQUIRE_PDF") == "1":
            pytest.fail("LibreOffice (soffice) is not installed, and XXGK_REQUIRE_PDF=1")
        pytest.skip("LibreOffice (soffice) is not installed")
    return found


def _convert(soffice: str, docs: list[Path], target: str) -> list[Path]:
    import subprocess

    outdir = docs[0].parent / target
    profile = (docs[0].parent / "profile").resolve().as_uri()
    subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", target,
         "--outdir", str(outdir), *map(str, docs)],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300,
    )
    return [outdir / (d.stem + "." + target) for d in docs]


@pytest.mark.slow
def test_rendered_reports_through_libreoffice_read_back(tmp_path: Path) -> None:
    """render → HTML, PDF and .doc with LibreOffice → extract: the same numbers; HTML and .doc the same text.

    Random inputs of every layout (one LibreOffice run per format converts them all).
    """
    from xxgk.render import write_report

    soffice = _soffice()
    rng = random.Random(20250120)
    reports, docs = [], []
    for i, layout in enumerate([*L.LAYOUTS, L.DEFAULT_LAYOUT, L.DEFAULT_LAYOUT]):
        year = 2020 if layout == "gov-2019" else 2024
        data = make_input(rng, f"示例市第{i}测试局", layout=layout, year=year)
        report = load(write_toml(tmp_path / f"in{i}.toml", data))
        reports.append(report)
        docs.append(write_report(report, tmp_path / f"r{i}.docx", None))
    for target in ("html", "pdf", "doc"):
        for report, made in zip(reports, _convert(soffice, docs, target), strict=True):
            got = extract(made)
            (tmp_path / "x.toml").write_text(got.text, encoding="utf-8")
            again = load(tmp_path / "x.toml")
            assert again.cells == report.cells, (target, made)
            assert (again.agency, again.year, again.layout.name) == (report.agency, report.year, report.layout.name)
            assert check_one(made).errors == [], target
            if target != "pdf":  # PDF keeps no paragraphs: its lines are joined by guess
                for section in L.TEXT_SECTIONS:
                    assert [p.text for p in again.text[section.key]] == [p.text for p in report.text[section.key]]
                assert again.date == report.date


def test_old_word_files_without_libreoffice_say_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    monkeypatch.setattr(shutil, "which", lambda name: None)
    doc = tmp_path / "r.doc"
    doc.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    assert_user_error(invoke("check", doc), "LibreOffice", "另存为 .docx")


def test_parent_with_its_own_numbers(tmp_path: Path, rng: random.Random) -> None:
    from xxgk.compute import compute

    kid = hand_from(clean_data(rng))
    own_data = clean_data(rng)
    own = write_toml(tmp_path / "own.toml", own_data)
    own_cells = load(own).cells
    total = hand_from(clean_data(rng))
    for f in LAYOUT.input_fields:
        total.cells[f.key] = kid.cells[f.key] + own_cells[f.key]
    total.cells, _ = compute(LAYOUT, LAYOUT.input_data(total.cells))
    total._refill()
    result = invoke(
        "check", to_docx(kid, tmp_path / "kid.docx"), "--parent", to_docx(total, tmp_path / "total.docx"),
        "--own", own,
    )
    assert result.exit_code == 0, result.output
    assert "上级报告" in result.output
    result = invoke("check", tmp_path / "kid.docx", "--parent", tmp_path / "total.docx")
    assert result.exit_code == 1 and "下级报告之和为" in result.output


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    seed=st.integers(0, 2**32),
    changes=st.sets(st.sampled_from(sorted(TOLERANCES)), max_size=3),
    kind=st.sampled_from(KINDS),
    grid_before=st.booleans(),
)
def test_tolerances_combined_read_the_same_numbers(
    tmp_path_factory: Any, seed: int, changes: set[str], kind: str, grid_before: bool
) -> None:
    tmp = tmp_path_factory.mktemp("tol")
    hand = hand_from(clean_data(random.Random(seed)))
    if sum("subtotal column" in n for n in changes) > 1:  # a report has one subtotal column at most
        changes = {n for n in changes if n != "subtotal column 法人小计"}
    if any("subtotal column" in n for n in changes):  # the builders do not place both at once
        changes.discard("subtotal row")
    for name in sorted(changes, key=lambda n: ("merges" in n, n)):  # merges undone last
        TOLERANCES[name](hand)
    path = to_docx(hand, tmp / "r.docx", grid_before=grid_before) if kind == "docx" else to_html(hand, tmp / "r.html")
    r = check_one(path)
    assert r.reading is not None
    assert r.reading.input_cells() == expected_cells(hand)
    assert (r.errors, r.warnings) == ([], [])


def test_portal_publication_date_and_headings_written_with_a_point(tmp_path: Path, rng: random.Random) -> None:
    hand = hand_from(clean_data(rng))
    hand.headings[L.OVERVIEW.key] = (L.OVERVIEW.heading or "").replace("、", ". ")
    _, warnings = messages(to_html(hand, tmp_path / "a.html", published="2025-01-25"))
    assert warnings == [f"{L.OVERVIEW.heading}: 标题与格式不同：应为 “{L.OVERVIEW.heading}”，实为 “{hand.headings[L.OVERVIEW.key]}”"]
    _, warnings = messages(to_html(hand, tmp_path / "b.html", published="2025-02-12"))
    assert any(w.startswith("发布日期: 2025年2月12日 晚于 2025年1月31日") for w in warnings), warnings


@pytest.mark.parametrize("source", ["xingtai-2022.toml", "gov-2021-example.toml"])
def test_extracted_input_renders_the_same_document(tmp_path: Path, source: str) -> None:
    from tests.builders import INPUTS
    from xxgk import dump_docx

    first = tmp_path / "a.docx"
    assert invoke("render", INPUTS / source, "-o", first).exit_code == 0
    assert invoke("extract", first, "-o", tmp_path / "a.toml").exit_code == 0
    second = tmp_path / "b.docx"
    result = invoke("render", tmp_path / "a.toml", "-o", second)
    assert result.exit_code == 0, result.output
    assert dump_docx(second) == dump_docx(first)


def test_report_inside_a_frame_table(tmp_path: Path, rng: random.Random) -> None:
    """Some templates put the whole report in a one-cell table: its content is read."""
    import copy
    import zipfile

    from lxml import etree

    hand = hand_from(clean_data(rng))
    inner = to_docx(hand, tmp_path / "inner.docx")
    with zipfile.ZipFile(inner) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    root = etree.fromstring(parts["word/document.xml"])
    body = root.find(f"{{{w}}}body")
    content = [c for c in body if c.tag != f"{{{w}}}sectPr"]
    frame = etree.SubElement(body, f"{{{w}}}tbl")
    cell = etree.SubElement(etree.SubElement(frame, f"{{{w}}}tr"), f"{{{w}}}tc")
    for c in content:
        cell.append(copy.deepcopy(c))
        body.remove(c)
    body.insert(0, frame)
    parts["word/document.xml"] = etree.tostring(root)
    framed = tmp_path / "framed.docx"
    with zipfile.ZipFile(framed, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    assert input_cells(framed) == expected_cells(hand)
    assert messages(framed) == ([], [])


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_damaged_files_end_in_a_message(data: st.DataObject) -> None:
    """Bytes changed or cut anywhere in a .docx, an HTML page or a PDF: a reading or a Chinese message."""
    from xxgk.documents import parse_document
    from xxgk.errors import InputError
    from xxgk.recognise import recognise

    original, suffix = data.draw(st.sampled_from(_samples()))
    damaged = bytearray(original)
    for _ in range(data.draw(st.integers(1, 20))):
        damaged[data.draw(st.integers(0, len(damaged) - 1))] = data.draw(st.integers(0, 255))
    damaged = damaged[: data.draw(st.integers(1, len(damaged)))]
    try:
        recognise(parse_document(bytes(damaged), "x", suffix))
    except InputError as exc:
        assert exc.problems and exc.problems[0].message


_SAMPLES: list[tuple[bytes, str]] = []


def _samples() -> list[tuple[bytes, str]]:
    if not _SAMPLES:
        import tempfile

        hand = hand_from(clean_data(random.Random(5)))
        with tempfile.TemporaryDirectory() as tmp:
            _SAMPLES.append((to_docx(hand, Path(tmp) / "a.docx").read_bytes(), ".docx"))
            _SAMPLES.append((to_html(hand, Path(tmp) / "a.html").read_bytes(), ".html"))
        _SAMPLES.append((_pdf_without_text(), ".pdf"))
    return _SAMPLES


@pytest.mark.parametrize(
    "title",
    [
        ["示例市测试局", "2024年政府信息公开工作年度报告"],
        ["示例市测试局2024年政府信息公开工作年度报告"],
        ["示例市测试局2024年", "政府信息公开工作年度报告"],
        ["示例市测试局2024年度政府信息公开工作年度报告"],
    ],
)
def test_titles_as_agencies_write_them(tmp_path: Path, rng: random.Random, title: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    hand = hand_from(clean_data(rng))
    monkeypatch.setattr(Hand, "title", lambda self: title)
    r = check_one(to_docx(hand, tmp_path / "r.docx"))
    assert r.reading is not None
    assert (r.reading.agency, r.reading.year) == ("示例市测试局", 2024)
    assert r.warnings == []


@pytest.mark.parametrize("kind", KINDS)
def test_table_two_in_one_table_per_block(tmp_path: Path, rng: random.Random, kind: str) -> None:
    """Some reports print each 第二十条 block as a table of its own."""
    hand = hand_from(clean_data(rng))
    cells = hand.tables[L.PROACTIVE.key]
    starts = sorted(o.row for o in cells if o.text in {b.heading for b in LAYOUT.blocks})
    hand.pieces[L.PROACTIVE.key] = [
        [Origin(o.row - a, o.col, o.rowspan, o.colspan, o.text) for o in cells if a <= o.row < b]
        for a, b in zip(starts, [*starts[1:], len(cells)], strict=True)
    ]
    path = write(hand, tmp_path, kind)
    assert input_cells(path) == expected_cells(hand)
    assert messages(path) == ([], [])


@pytest.mark.parametrize("kind", KINDS)
def test_table_three_split_in_two_tables(tmp_path: Path, rng: random.Random, kind: str) -> None:
    """Table 三 cut in two tables (a page break made by hand): the second has no header."""
    hand = hand_from(clean_data(rng))
    cut = 14
    first, second = [], []
    for o in hand.tables[L.REQUESTS.key]:
        end = o.row + o.rowspan
        if end <= cut:
            first.append(o)
        elif o.row >= cut:
            second.append(Origin(o.row - cut, o.col, o.rowspan, o.colspan, o.text))
        else:  # a merge across the cut: the label above, a blank merged cell below
            first.append(Origin(o.row, o.col, cut - o.row, o.colspan, o.text))
            second.append(Origin(0, o.col, end - cut, o.colspan, ""))
    hand.pieces[L.REQUESTS.key] = [first, second]
    path = write(hand, tmp_path, kind)
    assert input_cells(path) == expected_cells(hand)
    assert messages(path) == ([], [])


# --------------------------------------------------------------------------
# Blank cells of table 三: data cells, never labels
# --------------------------------------------------------------------------


def _zero_first_received(data: dict[str, Any]) -> dict[str, Any]:
    """一、本年新收 / 自然人 = 0, its applications carried over from last year instead (still balanced)."""
    requests = data[L.REQUESTS.key]
    rows = list(requests)
    received, carried = rows[0], rows[1]
    requests[carried][0] += requests[received][0]
    requests[received][0] = 0
    return data


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("text", ["", "/", "-", "—", "无"])
def test_blank_natural_person_cell_in_the_first_row_of_table_three(
    tmp_path: Path, rng: random.Random, kind: str, text: str
) -> None:
    """Only the 自然人 cell of 一、本年新收… emptied: the row's numbers stay in their columns."""
    hand = hand_from(_zero_first_received(clean_data(rng)))
    natural = L.RECEIVED_ROW.field(COLUMNS[0])
    assert hand.cells[natural.key] == 0
    hand.set(natural.key, text)
    path = write(hand, tmp_path, kind)
    errors, warnings = messages(path)
    assert errors == []
    assert input_cells(path) == expected_cells(hand)
    if text:
        assert any("不是数字" in w and f"{natural.place_name}（“{text}”）" in w for w in warnings), warnings
    else:
        assert any(w.endswith(f"1 个单元格空白（没有的数应填 0）：{natural.place_name}") for w in warnings), warnings


def _zero_table(data: dict[str, Any], key: str) -> None:
    def zero(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: zero(v) for k, v in value.items()}
        if isinstance(value, list):
            return [zero(v) for v in value]
        return type(value)(0)

    data[key] = zero(data[key])


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("merges", [True, False])
@pytest.mark.parametrize("key", [t.key for t in LAYOUT.tables])
def test_a_table_left_blank_is_all_zero(
    tmp_path: Path, rng: random.Random, kind: str, merges: bool, key: str
) -> None:
    """An agency with no application leaves every data cell of table 三 empty (or of 二, 四):
    read as 0, warned, extracted."""
    data = clean_data(rng)
    _zero_table(data, key)
    hand = hand_from(data)
    table = next(t for t in LAYOUT.tables if t.key == key)
    for f in table.fields:
        hand.printed[f.key] = ""
    hand._refill()
    if not merges:  # the merged labels written as a label and blank cells below it
        hand.no_vertical_merges(table.key)
    path = write(hand, tmp_path, kind)
    errors, warnings = messages(path)
    assert errors == []
    inputs = [f for f in table.fields if f.kind is not L.Kind.TOTAL]
    blank = next(w for w in warnings if "空白" in w)
    assert blank.startswith(f"{table.heading}: {len(inputs)} 个单元格空白")
    assert input_cells(path) == expected_cells(hand)
    assert all(input_cells(path)[f.key] == 0 for f in inputs)
    result = invoke("extract", path, "-o", tmp_path / "x.toml")
    assert result.exit_code == 0, result.output
    report = load(tmp_path / "x.toml")
    assert {k: report.cells[k] for k in expected_cells(hand)} == expected_cells(hand)


# --------------------------------------------------------------------------
# Drafts and unfilled forms
# --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_draft_line_and_fill_in_marks_are_warned_by_place(tmp_path: Path, rng: random.Random, kind: str) -> None:
    from xxgk.draft import DRAFT_FOUND, DRAFT_LINE

    hand = hand_from(clean_data(rng))
    hand.above_title = [DRAFT_LINE]
    hand.agency = f"{L.TO_FILL}机关全称"
    hand.text[L.OVERVIEW.key] = [f"本年度，本机关{L.TO_FILL}。"]
    hand.text[L.OTHER.key] = [f"本机关{L.TO_FILL_MARK}：未收取信息处理费，或收取的金额】。"]
    path = write(hand, tmp_path, kind)
    r = check_one(path)
    assert r.reading is not None and r.reading.agency == hand.agency  # the 草稿 line is not the agency
    assert r.errors == []
    warnings = [str(w) for w in r.warnings]
    assert f"标题: {DRAFT_FOUND}：“{DRAFT_LINE}”" in warnings
    assert f"标题: 仍是待填写的占位文字 “{hand.agency}”" in warnings
    left = {w.place for w in r.warnings if w.message == L.TO_FILL_LEFT}
    assert left == {L.OVERVIEW.heading, L.OTHER.heading}
    assert "仍有待填写的内容（【请填写】）" == L.TO_FILL_LEFT


@pytest.mark.parametrize("form", [[], ["--html"]])
def test_check_warns_of_a_draft_xxgk_rendered(tmp_path: Path, form: list[str]) -> None:
    """``xxgk render --draft`` of an untouched ``init`` file, then ``xxgk check``: a draft, places to fill."""
    from xxgk.draft import DRAFT_FOUND

    source = tmp_path / "new.toml"
    assert invoke("init", "-o", source, "--year", "2024").exit_code == 0
    assert invoke("render", source, "-o", tmp_path / "out", "--draft", *form).exit_code == 0
    for path in sorted((tmp_path / "out").iterdir()):
        r = check_one(path)
        assert r.errors == [], (path, r.errors)
        places = {w.place for w in r.warnings if w.message == L.TO_FILL_LEFT}
        assert {L.OVERVIEW.heading, L.PROBLEMS.heading, L.OTHER.heading} <= places
        assert any(w.message.startswith(DRAFT_FOUND) for w in r.warnings), r.warnings


def test_a_final_report_is_no_draft(tmp_path: Path, rng: random.Random) -> None:
    hand = hand_from(clean_data(rng))
    hand.text[L.OVERVIEW.key] = ["本年度起草稿件数量有所增加。", *hand.text[L.OVERVIEW.key]]
    hand.above_title = ["附件"]
    r = check_one(to_docx(hand, tmp_path / "r.docx"))
    assert r.reading is not None and r.reading.draft == ""
    assert r.warnings == []


# --------------------------------------------------------------------------
# PDF text: paragraphs guessed from where the lines stand
# --------------------------------------------------------------------------


def _pdf_of_lines(lines: list[tuple[float, str]], size: float = 12.0) -> bytes:
    """A one-page PDF by hand: each line (its left edge, its text) in a CJK font that is not embedded
    (STSong-Light, UCS-2 codes, every character one em wide)."""
    ops = [
        f"BT /F1 {size:g} Tf {x0:g} {780 - i * size * 1.8:g} Td <{text.encode('utf-16-be').hex().upper()}> Tj ET"
        for i, (x0, text) in enumerate(lines)
    ]
    stream = "\n".join(ops).encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >>"
        b" /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H"
        b" /DescendantFonts [6 0 R] >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light"
        b" /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /DW 1000 >>",
    ]
    return _pdf_file(objects)


def test_pdf_line_ending_at_the_right_margin_runs_on(tmp_path: Path) -> None:
    """A line that fills the text width runs on into the next line, even when it happens to end a
    sentence; a line indented by two characters starts a paragraph."""
    from xxgk.documents import read_document

    left, size = 90.0, 12.0  # 28 characters to a line: 90 … 426
    indent = left + 2 * size
    first = "本机关认真贯彻落实政府信息公开条例，持续推进政务公开"  # 26 after the indent: to the margin
    full_stop = "主动公开政府信息一千二百条，其中规章二件、规范文件十件。"  # 28: to the margin, ends with 。
    rest = "其余为工作动态。"
    second = "依申请公开工作规范有序，答复及时，未发生因答复引起的纠纷。"[:26]
    third = "第三段从这里开始。"
    assert (len(first), len(full_stop), len(second)) == (26, 28, 26)
    lines = [(left, L.OVERVIEW.heading or ""), (indent, first), (left, full_stop), (left, rest),
             (indent, second), (indent, third)]
    path = tmp_path / "r.pdf"
    path.write_bytes(_pdf_of_lines(lines, size))
    assert read_document(path).paragraphs == [L.OVERVIEW.heading, first + full_stop + rest, second, third]
