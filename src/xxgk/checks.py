"""Warnings about a computed report: wording, dates, placeholders left to fill, and cross-year checks."""

from __future__ import annotations

import datetime
import unicodedata
from typing import TYPE_CHECKING

from xxgk import layouts as L
from xxgk import model as M
from xxgk.errors import Problem
from xxgk.text import illegal_characters

if TYPE_CHECKING:
    from xxgk.report import Report

MAX_AGENCY = 60  # characters of an agency's full name


def agency_problems(agency: str) -> list[Problem]:
    """What makes an agency's name unusable in a title and a file name (errors)."""
    problems: list[Problem] = []
    if not agency:
        problems.append(Problem(M.META_PLACES["agency"], "不能为空"))
    elif "\n" in agency or "\r" in agency:
        problems.append(Problem(M.META_PLACES["agency"], "应为一行文字，不能换行"))
    elif (bad := illegal_characters(agency)) is not None:
        problems.append(Problem(M.META_PLACES["agency"], bad))
    elif (fmt := next((ch for ch in agency if unicodedata.category(ch) == "Cf"), None)) is not None:
        problems.append(
            Problem(
                M.META_PLACES["agency"],
                f"含有不可见的格式字符 U+{ord(fmt):04X}（多由复制粘贴带入），请删除",
            )
        )
    elif len(agency) > MAX_AGENCY:
        problems.append(Problem(M.META_PLACES["agency"], f"过长（{len(agency)} 字，最多 {MAX_AGENCY} 字）"))
    return problems


def unfilled_places(report: Report) -> list[tuple[str, int]]:
    """Where the report still holds the fill-in marker (【请填写】…), and how many times:
    the agency, and every section the input wrote (the generated preface only repeats the name)."""
    out = []
    if L.TO_FILL_MARK in report.agency:
        out.append((M.META_PLACES["agency"], report.agency.count(L.TO_FILL_MARK)))
    for section in L.TEXT_SECTIONS:
        if report.data.get(L.TEXT_KEY, {}).get(section.key) is None:
            continue
        count = "\n".join(p.text for p in report.text.get(section.key, [])).count(L.TO_FILL_MARK)
        if count:
            out.append((L.text_section_name(section), count))
    return out


def warnings(report: Report) -> list[Problem]:
    out = []
    layout = report.layout
    if not layout.national:
        out.append(
            Problem(
                M.META_PLACES["layout"],
                f"版式 {layout.name} 与国家格式{L.NATIONAL_FORMAT}不同（{layout.description}）；"
                f"如无特别要求，请使用 {L.DEFAULT_LAYOUT}",
            )
        )
    elif not layout.years[0] <= report.year <= layout.years[1]:
        right = L.national_layout_for(report.year)
        advice = f"，应使用版式 {right.name}（{right.description}）" if right is not None else ""
        out.append(
            Problem(
                M.META_PLACES["layout"],
                f"{report.year} 年度报告用的是版式 {layout.name}（{layout.description}）{advice}",
            )
        )
    marked = dict(unfilled_places(report))
    if M.META_PLACES["agency"] in marked:
        out.append(Problem(M.META_PLACES["agency"], L.TO_FILL_NAME.format(report.agency)))
    for section in L.TEXT_SECTIONS:
        name = L.text_section_name(section)
        if section is L.PREFACE and report.data[L.TEXT_KEY].get(section.key) is None:
            continue  # generated
        if name in marked:
            out.append(Problem(name, L.TO_FILL_LEFT))
        elif not "".join(p.text for p in report.text.get(section.key, [])).strip("…. 　"):
            out.append(Problem(name, "内容为空，请填写"))
    for section in L.TEXT_SECTIONS:
        raw = report.data[L.TEXT_KEY].get(section.key) or ""
        if "｛｛" in raw or "｝｝" in raw:
            out.append(
                Problem(
                    L.text_section_name(section),
                    "有全角的 “｛｛” 或 “｝｝”：占位符要用半角（英文）花括号，如 {{ year }}",
                )
            )
    today = datetime.date.today()
    if report.year >= today.year:
        out.append(Problem(M.META_PLACES["year"], f"{report.year} 年度尚未结束，请确认报告年度"))
    if report.date is not None and report.date.year > report.year + 1:
        out.append(
            Problem(
                M.META_PLACES["date"],
                f"{report.date.isoformat()} 晚于 {report.year + 1} 年：报告应在次年 1 月 31 日"
                "（部门）或 3 月 31 日（地方政府）前发布，请确认日期",
            )
        )
    if report.date is not None and report.date <= datetime.date(report.year, 12, 31):
        out.append(
            Problem(
                M.META_PLACES["date"],
                f"{report.date.isoformat()} 早于 {report.year} 年度结束，落款日期通常在次年 1 月",
            )
        )
    other = "".join(p.text for p in report.text.get(L.OTHER.key, []))
    if L.FEE_KEYWORD not in other:
        out.append(
            Problem(
                L.OTHER.heading or "",
                f"未提及{L.FEE_KEYWORD}（应说明按《政府信息公开信息处理费管理办法》收取{L.FEE_KEYWORD}的情况）",
            )
        )
    return out


def compare_with_previous(report: Report, previous: Report) -> list[Problem]:
    """Cross-year checks against last year's input (warnings)."""
    out = []
    if previous.agency != report.agency:
        out.append(
            Problem(M.META_PLACES["agency"], f"与上年报告的机关名称 “{previous.agency}” 不同")
        )
    if previous.year != report.year - 1:
        out.append(
            Problem(
                M.META_PLACES["year"],
                f"--previous 给出的上年输入 {previous.source} 是 {previous.year} 年度，"
                f"本报告是 {report.year} 年度，上年应为 {report.year - 1} 年度",
            )
        )
    for carry in report.layout.carries:
        now = report.cells[carry.now.key]
        then = previous.cells.get(carry.before.key)
        if then is None:  # last year's layout has no such cell
            continue
        expected = (
            then
            + sum(report.cells[f.key] for f in carry.plus)
            - sum(report.cells[f.key] for f in carry.minus)
        )
        if now == expected:
            continue
        if not carry.plus and not carry.minus:
            message = f"为 {now}，但上年报告的 “{carry.before.place_name}” 为 {then}"
        else:
            steps = "".join(f" + {f.place[-1]} {report.cells[f.key]}" for f in carry.plus)
            steps += "".join(f" − {f.place[-1]} {report.cells[f.key]}" for f in carry.minus)
            message = f"为 {now}，但上年 {then}{steps} = {expected}"
        out.append(Problem(carry.now.place_name, message))
    return out
