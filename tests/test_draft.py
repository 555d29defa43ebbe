"""An input that still holds 【请填写】 never becomes a report by mistake; --draft makes a marked one."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tests import helpers as H
from tests.builders import SEED_INPUT, consistent_data, write_json
from xxgk import layouts as L
from xxgk.formats import docx_dump

DRAFT_NAME_END = "（草稿）.docx"


def _skeleton(tmp_path: Path) -> Path:
    path = tmp_path / "in" / "new.toml"
    path.parent.mkdir()
    assert H.invoke("init", "-o", path, "--year", "2024").exit_code == 0
    return path


def test_untouched_init_file_is_refused_listing_each_place(tmp_path: Path) -> None:
    source = _skeleton(tmp_path)
    validate = H.invoke("validate", source)
    assert validate.exit_code == 0 and L.TO_FILL in validate.output  # warnings, as before
    result = H.invoke("render", source, "-o", tmp_path / "out")
    H.assert_user_error(result, "机关全称（agency）", "一、总体情况", "五、存在的主要问题及改进情况", "--draft")
    assert "六、其他需要报告的事项" in result.output  # 【请填写：…】 counts too
    assert not (tmp_path / "out").exists()


def test_draft_is_named_and_marked(tmp_path: Path) -> None:
    source = _skeleton(tmp_path)
    result = H.invoke("render", source, "-o", tmp_path / "out", "--draft")
    assert result.exit_code == 0, result.output
    [written] = (tmp_path / "out").iterdir()
    assert written.name.endswith(DRAFT_NAME_END)
    lines = docx_dump.dump(written).splitlines()
    assert lines[0].startswith("草稿")  # above the title, on the first page
    assert lines.index(next(x for x in lines if x.endswith(L.REPORT_NAME))) > 0
    named = H.invoke("render", source, "-o", tmp_path / "报告.docx", "--draft")
    assert named.exit_code == 0 and (tmp_path / f"报告{DRAFT_NAME_END}").is_file()


def test_a_filled_input_is_no_draft(tmp_path: Path) -> None:
    result = H.invoke("render", SEED_INPUT, "-o", tmp_path)
    assert result.exit_code == 0, result.output
    [written] = tmp_path.glob("*.docx")
    assert "草稿" not in written.name and "草稿" not in docx_dump.dump(written)


@pytest.mark.parametrize("where", ["agency", "text"])
def test_batch_refuses_unfilled_inputs_and_renders_the_others(
    tmp_path: Path, rng: random.Random, where: str
) -> None:
    good = consistent_data(rng, agency="甲局")
    bad = consistent_data(rng, agency="乙局")
    if where == "agency":
        bad["agency"] = f"{L.TO_FILL}机关全称"
    else:
        bad["text"]["problems"] = f"{L.TO_FILL_MARK}：主要问题】"
    (tmp_path / "in").mkdir()
    write_json(tmp_path / "in" / "good.json", good)
    write_json(tmp_path / "in" / "bad.json", bad)
    result = H.invoke("batch", tmp_path / "in", "-o", tmp_path / "out")
    assert result.exit_code == 1, result.output
    assert "bad.json" in result.output and "--draft" in result.output
    assert [p.name for p in (tmp_path / "out").glob("*.docx")] == [H.docx_name(good["year"], "甲局")]
    drafts = H.invoke("batch", tmp_path / "in", "-o", tmp_path / "drafts", "--draft")
    assert drafts.exit_code == 0, drafts.output
    names = sorted(p.name for p in (tmp_path / "drafts").glob("*.docx"))
    assert len(names) == 2 and all(n.endswith(DRAFT_NAME_END) for n in names)
    for path in (tmp_path / "drafts").glob("*.docx"):
        assert docx_dump.dump(path).startswith("草稿")


@pytest.mark.parametrize("form", [["--html"], ["--fragment"]])
def test_a_draft_html_says_so_too(tmp_path: Path, form: list[str]) -> None:
    from lxml import html

    source = _skeleton(tmp_path)
    result = H.invoke("render", source, "-o", tmp_path / "out", "--draft", *form)
    assert result.exit_code == 0, result.output
    [page] = (tmp_path / "out").glob("*.html")
    assert page.name.endswith("（草稿）.html")
    first = html.fromstring(page.read_text(encoding="utf-8")).xpath("//p|//h1")[0]
    assert first.text_content().startswith("草稿")  # above the title
    batch = H.invoke("batch", source, "-o", tmp_path / "batch", "--draft", *form)
    assert batch.exit_code == 0, batch.output
    [page] = (tmp_path / "batch").glob("*.html")
    assert html.fromstring(page.read_text(encoding="utf-8")).xpath("//p|//h1")[0].text_content().startswith("草稿")
    final = H.invoke("render", SEED_INPUT, "-o", tmp_path / "final", *form)
    [page] = (tmp_path / "final").glob("*.html")
    assert final.exit_code == 0 and "草稿" not in page.read_text(encoding="utf-8")
