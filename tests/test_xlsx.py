"""Excel workbooks in and out: the fill-in workbook, reading it back, what clerks do to it."""

from __future__ import annotations

import io
import os
import random
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import builders as B
from tests import helpers as H
from xxgk import layouts as L
from xxgk import model as M
from xxgk.errors import InputError
from xxgk.formats.xlsx_common import (
    CHECK_LABEL,
    DIFFERENCE_LABEL,
    FAILS,
    HOLDS,
    INFO_SHEET,
    TABLE_TOP,
    cell_name,
    info_label,
    table_sheet,
)
from xxgk.formats.xlsx_reader import Sheet
from xxgk.formats.xlsx_writer import filled_workbook, workbook_bytes
from xxgk.inputs import read_data
from xxgk.report import build, load

LAYOUT = L.LAYOUTS[L.DEFAULT_LAYOUT]


def plain(data: dict[str, Any]) -> dict[str, Any]:
    validated, problems = M.validate(data.get("layout", L.DEFAULT_LAYOUT), data)
    assert validated is not None, problems
    out: dict[str, Any] = validated.model_dump()
    return out


def write_filled(path: Path, data: dict[str, Any]) -> Path:
    path.write_bytes(filled_workbook(plain(data)))
    return path


def where(layout: L.Layout, key: str) -> tuple[str, str]:
    """Sheet and A1 cell in which the writer puts a field."""
    for table in layout.tables:
        for cell in table.cells:
            if cell.field is not None and cell.field.key == key:
                return table_sheet(table), cell_name(TABLE_TOP + cell.row, cell.col)
    raise KeyError(key)


def request_field(row: int, col: int = 0) -> L.Field:
    """A field of table 三 by input row and column, from the walk."""
    entries = [e for e in LAYOUT.entries if e.table == LAYOUT.tables[1].key]
    return entries[row].fields[col]


def edit(path: Path, change: Any) -> Path:
    wb = openpyxl.load_workbook(path)
    change(wb)
    wb.save(path)
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(InputError) as info:
        load(path)
    return [str(p) for p in info.value.problems]


# --------------------------------------------------------------------------
# Round trip
# --------------------------------------------------------------------------

_TEXT = st.text(
    alphabet=st.sampled_from(list("政府信息公开工作年度报告abc123 ，。“”《》\n—%&<>'\"")), min_size=1, max_size=80
).filter(lambda s: s.strip() != "")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    seed=st.integers(0, 2**32),
    layout=st.sampled_from(sorted(L.LAYOUTS)),
    text=_TEXT,
    agency=st.sampled_from(["007号测试局", "示例县人民政府" * 6, "A&B <局>"]),
)
def test_input_workbook_input_gives_the_same_data(
    tmp_path: Path, seed: int, layout: str, text: str, agency: str
) -> None:
    data = B.make_input(random.Random(seed), agency, layout=layout, text={"overview": text, "problems": "问题。"})
    path = write_filled(tmp_path / f"{seed}.xlsx", data)
    read, notes = read_data(path)
    assert notes == []
    assert plain(read) == plain(data)
    report = build(str(path), read)
    assert report.cells == build("toml", data).cells


def test_the_empty_workbook_has_every_sheet_protected_and_only_data_cells_open(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    path.write_bytes(workbook_bytes(L.DEFAULT_LAYOUT, agency="甲局", year=2025))
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:4] == [INFO_SHEET] + [table_sheet(t) for t in LAYOUT.tables]
    for ws in wb.worksheets:
        assert ws.protection.sheet and not ws.protection.password
        assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4) and ws.page_setup.fitToHeight == 1
    inputs = {where(LAYOUT, f.key) for f in LAYOUT.input_fields}
    for table in LAYOUT.tables:
        ws = wb[table_sheet(table)]
        for cell in table.cells:
            xl = ws[cell_name(TABLE_TOP + cell.row, cell.col)]
            if cell.label is not None:
                assert xl.value == cell.label and xl.protection.locked
            elif cell.field is not None and cell.field.kind is L.Kind.TOTAL:
                assert str(xl.value).startswith("=SUM(") and xl.protection.locked
            else:
                assert (ws.title, xl.coordinate) in inputs and not xl.protection.locked
        validated = {str(c) for dv in ws.data_validations.dataValidation for c in dv.sqref.ranges}
        for f in table.fields:
            if f.kind is not L.Kind.TOTAL:
                assert where(LAYOUT, f.key)[1] in validated
        merged = {str(r) for r in ws.merged_cells.ranges}
        for c in table.cells:
            if c.rowspan > 1 or c.colspan > 1:
                end = cell_name(TABLE_TOP + c.row + c.rowspan - 1, c.col + c.colspan - 1)
                assert f"{cell_name(TABLE_TOP + c.row, c.col)}:{end}" in merged
    messages = [dv.error for ws in wb.worksheets for dv in ws.data_validations.dataValidation]
    assert all(m and any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in messages)
    # the empty workbook is a valid input once the agency is there
    report = load(path)
    assert report.agency == "甲局" and report.year == 2025
    assert all(v == 0 for v in report.cells.values())


# --------------------------------------------------------------------------
# LibreOffice: formulas recalculated, files re-saved
# --------------------------------------------------------------------------


def soffice() -> str:
    found = shutil.which("soffice")
    if found is None:
        if os.environ.get("XXGK_REQUIRE_PDF") == "1":
            pytest.fail("soffice is not installed, and XXGK_REQUIRE_PDF=1")
        pytest.skip("soffice is not installed")
    return found


def convert(files: list[Path], to: str, outdir: Path, profile: Path) -> list[Path]:
    subprocess.run(
        [soffice(), f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", to,
         "--outdir", str(outdir), *map(str, files)],
        check=True, capture_output=True, timeout=180,
    )
    return [outdir / f"{f.stem}.{to}" for f in files]


def check_rows(sheet: Sheet) -> tuple[list[Any], list[Any]]:
    """The 勾稽 status and difference rows, found by their labels."""
    rows = [r for r, row in enumerate(sheet.grid) if isinstance(row[0], str) and row[0].startswith(CHECK_LABEL)]
    assert len(rows) == 1
    assert str(sheet.grid[rows[0] + 1][0]).startswith(DIFFERENCE_LABEL)
    return sheet.grid[rows[0]], sheet.grid[rows[0] + 1]


@pytest.mark.slow
def test_libreoffice_computes_the_totals_and_the_check_row(tmp_path: Path, rng: random.Random) -> None:
    from python_calamine import CalamineWorkbook

    data = B.make_input(rng, "甲局")
    good = write_filled(tmp_path / "good.xlsx", data)
    bad = write_filled(tmp_path / "bad.xlsx", data)
    received = request_field(0, 2)  # 一、本年新收 / 科研机构: 5 too many
    sheet_name, a1 = where(LAYOUT, received.key)
    edit(bad, lambda wb: wb[sheet_name].__setitem__(a1, wb[sheet_name][a1].value + 5))
    ods = convert([good], "ods", tmp_path / "ods", tmp_path / "profile")[0]
    xlsx_out = tmp_path / "re-saved"
    saved_good, saved_bad = convert([good, bad], "xlsx", xlsx_out, tmp_path / "profile")
    back = convert([ods], "xlsx", tmp_path / "from-ods", tmp_path / "profile")[0]

    report = build("toml", data)
    wb = CalamineWorkbook.from_path(str(saved_good))
    for table in LAYOUT.tables:
        sheet = Sheet(table_sheet(table), wb.get_sheet_by_name(table_sheet(table)).to_python(skip_empty_area=False))
        for cell in table.cells:
            if cell.field is not None and cell.field.kind is L.Kind.TOTAL:
                assert sheet.value(TABLE_TOP + cell.row, cell.col) == report.cells[cell.field.key], cell.field
    requests = LAYOUT.tables[1]
    sheet = Sheet("表三", wb.get_sheet_by_name(table_sheet(requests)).to_python(skip_empty_area=False))
    status, difference = check_rows(sheet)
    assert status.count(HOLDS) == len(LAYOUT.identities) and FAILS not in status
    assert [d for d in difference[1:] if d != ""] == [0] * len(LAYOUT.identities)

    wb = CalamineWorkbook.from_path(str(saved_bad))
    sheet = Sheet("表三", wb.get_sheet_by_name(table_sheet(requests)).to_python(skip_empty_area=False))
    status, difference = check_rows(sheet)
    col = requests.cells[0].colspan + 2  # 科研机构: the third data column
    assert status.count(FAILS) == 1 and status[col] == FAILS
    assert difference[col] == 5

    # re-saved by LibreOffice (xlsx → xlsx, xlsx → ods, ods → xlsx): the same data, totals stated and right
    for path in (saved_good, ods, back):
        read, _ = read_data(path)
        assert build(str(path), read).cells == report.cells
        assert plain(read)[L.TEXT_KEY] == plain(data)[L.TEXT_KEY]
    with pytest.raises(InputError) as info:
        load(saved_bad)
    assert "勾稽关系不成立" in str(info.value)


@pytest.mark.slow
def test_each_sheet_prints_on_one_a4_page(tmp_path: Path, rng: random.Random) -> None:
    if shutil.which("pdfinfo") is None:
        soffice()  # fails under XXGK_REQUIRE_PDF=1 only when LibreOffice itself is missing
        pytest.skip("pdfinfo is not installed")
    for layout in sorted(L.LAYOUTS):
        data = B.make_input(rng, "庚局", layout=layout, text={"overview": "总体情况。" * 200})
        write_filled(tmp_path / f"{layout}.xlsx", data)
    pdfs = convert(sorted(tmp_path.glob("*.xlsx")), "pdf", tmp_path / "pdf", tmp_path / "profile")
    for pdf in pdfs:
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
        assert pages == len(openpyxl.load_workbook(tmp_path / f"{pdf.stem}.xlsx").sheetnames), pdf
        size = next(line for line in info.splitlines() if line.startswith("Page size:"))
        assert "595" in size and ("841" in size or "842" in size), size  # A4, either way round


# --------------------------------------------------------------------------
# What clerks do to workbooks
# --------------------------------------------------------------------------


@pytest.fixture
def filled(tmp_path: Path, rng: random.Random) -> tuple[Path, dict[str, Any]]:
    data = B.make_input(rng, "乙局")
    return write_filled(tmp_path / "乙局.xlsx", data), data


def test_every_wrong_number_at_once_named_by_sheet_cell_and_place(filled: tuple[Path, dict[str, Any]]) -> None:
    path, _ = filled
    secret = next(e for e in LAYOUT.entries if len(e.place) == 3).fields[0]  # （三）不予公开 / 1.… / 自然人
    negative = request_field(0, 1)
    amount = next(f for f in LAYOUT.input_fields if f.kind is L.Kind.AMOUNT)
    changes = {secret.key: "三", negative.key: -2, amount.key: 1.234}

    def change(wb: Any) -> None:
        for key, value in changes.items():
            sheet, a1 = where(LAYOUT, key)
            wb[sheet][a1] = value

    problems = problems_of(edit(path, change))
    sheet, a1 = where(LAYOUT, secret.key)
    assert f"{sheet}!{a1}（{secret.place_name}）: 应为非负整数，实为 “三”" in problems
    assert secret.place_name.startswith(L.OUTCOME_LABEL) and secret.place[-1] == "自然人"
    assert any(p.startswith(f"{where(LAYOUT, negative.key)[0]}!{where(LAYOUT, negative.key)[1]}（") and "-2" in p
               for p in problems)
    assert any(amount.place_name in p and "两位小数" in p for p in problems)
    assert len(problems) == 3


def test_numbers_as_text_full_width_digits_and_spaces_are_read(filled: tuple[Path, dict[str, Any]]) -> None:
    path, data = filled
    fields = [f for f in LAYOUT.input_fields if f.kind is L.Kind.COUNT][:3]
    typed = ["12", "１２", " 7 \u3000"]

    def change(wb: Any) -> None:
        for f, value in zip(fields, typed, strict=True):
            sheet, a1 = where(LAYOUT, f.key)
            wb[sheet][a1] = value

    read, notes = read_data(edit(path, change))
    cells, _ = LAYOUT.input_values(plain(read))
    assert [cells[f.key] for f in fields] == [12, 12, 7]
    assert any("文本形式" in n.message for n in notes)


def test_rows_moved_a_row_inserted_merges_undone_labels_retyped_and_an_extra_sheet(
    filled: tuple[Path, dict[str, Any]],
) -> None:
    path, data = filled
    requests = LAYOUT.tables[1]
    name = table_sheet(requests)
    first, second = TABLE_TOP + 7 + 1, TABLE_TOP + 8 + 1  # two rows of （三）, 1-based

    def change(wb: Any) -> None:
        ws = wb[name]
        ws.protection.sheet = False
        for merged in list(ws.merged_cells.ranges):
            ws.unmerge_cells(str(merged))
        for col in range(2, requests.ncols + 1):  # swap the rows (label and numbers), formulas too
            a, b = ws.cell(first, col), ws.cell(second, col)
            a.value, b.value = b.value, a.value
        label = ws.cell(TABLE_TOP + 5 + 1, 2)  # （一）予以公开 retyped in half-width with spaces
        label.value = " (一) 予以公开 "
        ws.insert_rows(1, 2)  # the whole table two rows lower
        wb.create_sheet("我的草稿")["A1"] = "（一）予以公开"

    read, notes = read_data(edit(path, change))
    assert plain(read) == plain(data)
    assert notes == []


def test_a_label_edited_is_read_by_its_position_with_a_note(filled: tuple[Path, dict[str, Any]]) -> None:
    path, data = filled
    requests = LAYOUT.tables[1]
    anchor = next(c for c in requests.cells if c.label is not None and c.label.startswith("1.属于"))

    def change(wb: Any) -> None:
        wb[table_sheet(requests)][cell_name(TABLE_TOP + anchor.row, anchor.col)] = "1.国家秘密（涉密）"

    read, notes = read_data(edit(path, change))
    assert plain(read) == plain(data)
    assert any("1.国家秘密（涉密）" in n.message and "已按位置读取" in n.message for n in notes)


def test_a_deleted_sheet_is_named_and_a_renamed_one_found(filled: tuple[Path, dict[str, Any]]) -> None:
    path, data = filled
    appeals = table_sheet(LAYOUT.tables[2])
    proactive = table_sheet(LAYOUT.tables[0])

    def rename(wb: Any) -> None:
        wb[proactive].title = "Sheet2"

    read, notes = read_data(edit(path, rename))
    assert plain(read) == plain(data)
    assert any("Sheet2" in n.message for n in notes)
    problems = problems_of(edit(path, lambda wb: wb.remove(wb[appeals])))
    assert any(f"缺少工作表 “{appeals}”" in p for p in problems)


def test_totals_typed_over_the_formulas_are_checked(filled: tuple[Path, dict[str, Any]]) -> None:
    path, data = filled
    report = build("toml", data)
    row_total = next(e.total for e in LAYOUT.entries if e.total is not None and e.table == LAYOUT.tables[1].key)
    outcome_total = next(s.total for s in LAYOUT.sums if s.total.key not in {e.total.key for e in LAYOUT.entries if e.total})

    def right(wb: Any) -> None:
        for f in (row_total, outcome_total):
            sheet, a1 = where(LAYOUT, f.key)
            wb[sheet][a1] = report.cells[f.key]

    read, _ = read_data(edit(path, right))
    assert build(str(path), read).cells == report.cells

    def wrong(wb: Any) -> None:
        for f in (row_total, outcome_total):
            sheet, a1 = where(LAYOUT, f.key)
            wb[sheet][a1] = report.cells[f.key] + 1

    problems = problems_of(edit(path, wrong))
    assert len(problems) == 2
    for f in (row_total, outcome_total):
        sheet, a1 = where(LAYOUT, f.key)
        assert any(p.startswith(f"{sheet}!{a1}（{f.place_name}）: 填写的总计为 {report.cells[f.key] + 1}")
                   for p in problems), problems


def test_a_workbook_of_another_layout_is_recognised(tmp_path: Path, rng: random.Random) -> None:
    other = next(name for name in L.LAYOUTS if name != L.DEFAULT_LAYOUT)
    data = B.make_input(rng, "丙局", layout=other)
    path = write_filled(tmp_path / "丙局.xlsx", data)
    layout_row = 2 + 2 + 1  # 基本信息: the third key (版式) in 1-based row 5, its value in column B

    def relabel(wb: Any) -> None:
        ws = wb[INFO_SHEET]
        assert ws.cell(layout_row, 1).value == info_label("layout")
        ws.cell(layout_row, 2).value = L.DEFAULT_LAYOUT

    read, notes = read_data(edit(path, relabel))
    assert read["layout"] == other and plain(read) == plain(data)
    assert any(other in n.message for n in notes)

    def foreign(wb: Any) -> None:
        wb[INFO_SHEET].cell(layout_row, 2).value = "no-such-layout"
        ws = wb[table_sheet(LAYOUT.tables[0])]
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.value = cell.value + "（改）"

    problems = problems_of(edit(path, foreign))
    assert any("无法识别表格的版式" in p for p in problems)


def test_old_xls_damaged_zip_bomb_and_not_a_workbook(tmp_path: Path) -> None:
    xls = tmp_path / "旧.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    assert any("另存为" in p and ".xlsx" in p for p in problems_of(xls))
    text = tmp_path / "文本.xlsx"
    text.write_text("agency = 1", encoding="utf-8")
    assert any("不是 Excel 工作簿" in p for p in problems_of(text))
    damaged = tmp_path / "坏.xlsx"
    damaged.write_bytes(b"PK\x03\x04" + os.urandom(300))
    assert any("损坏" in p for p in problems_of(damaged))
    bomb = tmp_path / "炸弹.xlsx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (8 * 1024 * 1024))
    bomb.write_bytes(buffer.getvalue())
    assert any("压缩炸弹" in p for p in problems_of(bomb))


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "管道.xlsx"
    os.mkfifo(fifo)
    assert any("不是普通文件" in p for p in problems_of(fifo))


def test_lock_files_are_skipped_with_a_note_and_a_mixed_folder_is_batched(tmp_path: Path, rng: random.Random) -> None:
    folder = tmp_path / "各单位"
    B.write_batch(folder, 2, json_every=2)
    write_filled(folder / "表格单位.xlsx", B.make_input(rng, "表格单位"))
    (folder / "~$表格单位.xlsx").write_bytes(b"\x05lock")
    result = H.invoke("batch", folder, "-o", tmp_path / "out", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert "~$表格单位.xlsx" in result.output and "临时文件" in result.output
    assert (tmp_path / "out" / H.docx_name(B.YEAR, "表格单位")).is_file()
    assert len(list((tmp_path / "out").glob("*.docx"))) == 3
    result = H.invoke("validate", folder)
    assert result.exit_code == 0 and "~$表格单位.xlsx" in result.output and "共 3 个" in result.output
    result = H.invoke("validate", folder / "~$表格单位.xlsx")
    H.assert_user_error(result, "临时文件")
    result = H.invoke("aggregate", folder, "-o", tmp_path / "合计.toml")
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------


def test_init_writes_a_workbook_by_option_or_suffix(tmp_path: Path) -> None:
    result = H.invoke("init", "--xlsx", "-o", tmp_path / "a.xlsx", "--agency", "丁局", "--year", "2025")
    assert result.exit_code == 0, result.output
    assert load(tmp_path / "a.xlsx").agency == "丁局"
    result = H.invoke("init", "-o", tmp_path / "b.xlsx", "--layout", "xingtai-2022", "--agency", "戊局")
    assert result.exit_code == 0, result.output
    assert read_data(tmp_path / "b.xlsx")[0]["layout"] == "xingtai-2022"
    H.assert_user_error(H.invoke("init", "-o", tmp_path / "b.xlsx"), "已存在")
    result = H.invoke("init", "--xlsx")
    assert result.exit_code == 2 and "-o" in result.output
    result = H.invoke("init", "-o", tmp_path / "c.xlsx")
    assert result.exit_code == 0, result.output
    H.assert_user_error(H.invoke("validate", tmp_path / "c.xlsx"), f"{INFO_SHEET}!B3", "未填写")


def test_init_from_an_input_and_back(tmp_path: Path) -> None:
    result = H.invoke("init", "--from", B.EXAMPLE_INPUT, "-o", tmp_path / "例.xlsx")
    assert result.exit_code == 0, result.output
    again, example = read_data(tmp_path / "例.xlsx")[0], read_data(B.EXAMPLE_INPUT)[0]
    assert build("例", again).cells == build("例", example).cells
    assert plain(again)[L.TEXT_KEY] == plain(example)[L.TEXT_KEY]
    result = H.invoke("render", tmp_path / "例.xlsx", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output


def test_init_for_units_with_last_years_carries(tmp_path: Path, rng: random.Random) -> None:
    last = tmp_path / "2024"
    last.mkdir()
    before = B.make_input(rng, "甲县人民政府", year=2024)
    B.write_toml(last / "甲县.toml", before)
    B.write_toml(last / "坏.toml", {"agency": "坏"})
    units = tmp_path / "单位名单.csv"
    units.write_bytes("单位名称,短名\n甲县人民政府,jiaxian\n乙县人民政府\n\n".encode("gbk"))
    result = H.invoke("init", "--units", units, "-o", tmp_path / "下发", "--previous", last, "--year", "2025")
    assert result.exit_code == 0, result.output
    assert "2 个填报表" in result.output and "1 个已按上年" in result.output
    assert "乙县人民政府" in result.output  # not found last year
    a = read_data(tmp_path / "下发" / "jiaxian.xlsx")[0]
    b = read_data(tmp_path / "下发" / "乙县人民政府.xlsx")[0]
    assert a["agency"] == "甲县人民政府" and a["year"] == 2025
    last_cells = build("2024", before).cells
    cells_a, _ = LAYOUT.input_values(plain(a))
    cells_b, _ = LAYOUT.input_values(plain(b))
    for carry in LAYOUT.carries:
        assert cells_a[carry.now.key] == last_cells[carry.before.key]
        assert cells_b[carry.now.key] == 0
    result = H.invoke("init", "--units", units, "-o", tmp_path / "下发")
    H.assert_user_error(result, "已有", "--force")
    units.write_text("甲县\n甲县\n", encoding="utf-8-sig")
    H.assert_user_error(H.invoke("init", "--units", units, "-o", tmp_path / "新"), "第 2 行", "重复")


def test_a_value_far_to_the_right_and_text_in_a_total_cell(filled: tuple[Path, dict[str, Any]]) -> None:
    path, data = filled
    total = next(e.total for e in LAYOUT.entries if e.total is not None)

    def change(wb: Any) -> None:
        sheet, a1 = where(LAYOUT, total.key)
        wb[sheet][a1] = "见附表"
        wb[sheet].cell(row=3, column=16000, value="备注")

    read, notes = read_data(edit(path, change))
    assert plain(read) == plain(data)
    sheet, a1 = where(LAYOUT, total.key)
    assert [n.place for n in notes] == [f"{sheet}!{a1}（{total.place_name}）"]


_CELL_VALUES = st.one_of(
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=12),
    st.sampled_from(["１２", " 3 ", "1,234", "三", "-0", "1.5", "2025-01-20", "=1+1", "#N/A"]),
    st.dates(),
    st.booleans(),
)


_BASE: dict[str, Any] = {}


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 2**16), values=st.lists(_CELL_VALUES, min_size=1, max_size=6))
def test_whatever_is_typed_into_data_cells_reads_or_is_named(seed: int, values: list[Any]) -> None:
    import tempfile

    rng = random.Random(seed)
    fields = rng.sample(list(LAYOUT.input_fields), len(values))
    if not _BASE:  # one workbook for every example: writing it is the slow part
        data = B.make_input(random.Random(7), "辛局")
        _BASE["bytes"] = filled_workbook(plain(data))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.xlsx"
        path.write_bytes(_BASE["bytes"])

        def change(wb: Any) -> None:
            for f, value in zip(fields, values, strict=True):
                sheet, a1 = where(LAYOUT, f.key)
                wb[sheet][a1] = value

        try:
            read, _ = read_data(edit(path, change))
        except InputError as exc:
            assert exc.problems
            for problem in exc.problems:  # every problem names a cell of a sheet and the report place
                assert "!" in problem.place and "（" in problem.place, problem
            return
        try:
            build(str(path), read)
        except InputError as exc:  # e.g. a number beyond the limit, an identity that no longer holds
            assert exc.problems


def test_a_deleted_row_is_named_not_read_from_the_next_one(filled: tuple[Path, dict[str, Any]]) -> None:
    path, _ = filled
    requests = LAYOUT.tables[1]
    anchor = next(c for c in requests.cells if c.label is not None and c.label.startswith("2.重复"))

    def delete(wb: Any) -> None:
        ws = wb[table_sheet(requests)]
        for merged in list(ws.merged_cells.ranges):
            ws.unmerge_cells(str(merged))
        ws.delete_rows(TABLE_TOP + anchor.row + 1)

    problems = problems_of(edit(path, delete))
    assert any(f"找不到 “{anchor.label}” 这一行" in p for p in problems), problems
