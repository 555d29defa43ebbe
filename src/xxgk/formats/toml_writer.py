"""Input files written by xxgk: the ``init`` skeleton and ``aggregate`` results.

Both come from :func:`input_toml`, which walks the layout, so that every key
and every Chinese comment beside it derives from :mod:`xxgk.layouts`.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from xxgk import layouts as L
from xxgk.model import META_PLACES

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
TO_FILL = L.TO_FILL
AGENCY_PLACEHOLDER = f"{TO_FILL}机关全称"

_SAMPLE_TEXT = {
    L.OVERVIEW.key: (
        f"{{{{ year }}}}年，本机关认真贯彻落实《中华人民共和国政府信息公开条例》，{TO_FILL}\n\n"
        f"（一）主动公开情况。{TO_FILL}\n\n"
        "（二）依申请公开情况。{{ year }}年共收到政府信息公开申请"
        f"{{{{ requests.received.total }}}}件，{TO_FILL}\n\n"
        f"（三）政府信息管理。{TO_FILL}\n\n"
        f"（四）政府信息公开平台建设。{TO_FILL}\n\n"
        f"（五）监督保障。{TO_FILL}"
    ),
    L.PROBLEMS.key: f"{TO_FILL}存在的主要问题，以及改进的措施。",
    L.OTHER.key: (
        "按照《政府信息公开信息处理费管理办法》，本机关{{ year }}年"
        "【请填写：未收取信息处理费，或收取的金额】。"
    ),
}


def toml_string(value: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(value, ensure_ascii=False)


def toml_text(value: str) -> str:
    """A TOML multi-line basic string, one paragraph per line group."""
    escaped = value.replace("\\", "\\\\").replace('"""', '""\\"')
    # control characters (a lone \r included) as escapes: the file must read back as written
    escaped = _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04X}", escaped.replace("\r\n", "\n"))
    return '"""\n' + escaped.strip("\n") + '\n"""'


def toml_number(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value, "f") if value != value.to_integral_value() else str(int(value))
    return str(value)


def _get(data: Mapping[str, Any] | None, *path: str, default: Any = 0) -> Any:
    node: Any = data
    for key in path:
        if not isinstance(node, Mapping) or key not in node:
            return default
        node = node[key]
    return node


def input_toml(
    layout_name: str,
    *,
    agency: str,
    year: int,
    date: datetime.date | None,
    text: Mapping[str, str | None],
    data: Mapping[str, Any] | None = None,
    title: str = "",
) -> str:
    """A complete, commented input file; ``data`` holds the numbers (default all 0)."""
    layout = L.LAYOUTS[layout_name]
    columns = "、".join(c.label for c in L.APPLICANT_COLUMNS)
    out = [
        f"# xxgk 输入文件：{title or f'{year}年{L.REPORT_NAME}'}",
        f"# 版式 {layout.name}：{layout.description}",
        "# 数字直接写，不加引号；没有的数填 0 或整行不写；所有“总计”由 xxgk 计算。",
        "# 检查：xxgk validate 本文件    生成：xxgk render 本文件",
        "",
        f"agency = {toml_string(agency)}  # {META_PLACES['agency']}",
        f"year = {year}  # {META_PLACES['year']}",
        f"layout = {toml_string(layout.name)}  # {META_PLACES['layout']}",
        (f"date = {date.isoformat()}" if date else f"# date = {year + 1}-01-20")
        + f"  # {META_PLACES['date']}；不写则不加落款",
        f'# fonts = "gbk"  # {META_PLACES["fonts"]}：'
        + "或".join(f"{k}（{v.description}）" for k, v in L.FONT_SETS.items())
        + f"；默认 {L.DEFAULT_FONTS}",
        f"# title = [{toml_string(agency)}, {toml_string(f'{year}年{L.REPORT_NAME}')}]"
        f"  # {META_PLACES['title']}：自动分行不合意时，逐行写出标题",
        "",
        "[text]",
        "# 文字按段落写，段与段之间空一行。可以引用表中的数，例如 {{ requests.received.total }}",
        "# （本年新收申请总计）、{{ appeals.review.total }}（行政复议总计）、{{ year }}；",
        "# 这样正文和表格不会不一致。可用的名称见 README。",
    ]
    for section in L.TEXT_SECTIONS:
        value = text.get(section.key)
        name = L.text_section_name(section)
        if value is None:
            if section is L.PREFACE:
                out.append(f'# {section.key} = """……"""  # {name}；不写则自动生成标准前言')
            continue
        out += ["", f"# {name}", f"{section.key} = {toml_text(value)}"]

    out += ["", f"# {L.PROACTIVE.heading}", "[proactive]"]
    for block, item in layout.proactive_items():
        values = ", ".join(
            f"{c.key} = {toml_number(_get(data, 'proactive', item.key, c.key))}" for c in block.columns
        )
        labels = "、".join(c.label for c in block.columns)
        out.append(f"{item.key} = {{ {values} }}  # {block.heading} {item.label}：{labels}")

    def row(rr: L.RequestRow) -> str:
        numbers = _get(data, *rr.path, default=None) or [0] * len(L.APPLICANT_COLUMNS)
        numbers = numbers[: len(L.APPLICANT_COLUMNS)]
        return f"{rr.path[-1]} = [{', '.join(str(n) for n in numbers)}]  # {rr.place[-1]}"

    out += [
        "",
        f"# {L.REQUESTS.heading}",
        f"# 每行 6 个数，依次为：{columns}；",
        "# 可以再写第 7 个数作为总计，xxgk 会核对。",
        "[requests]",
    ]
    out += [row(rr) for rr in L.INPUT_REQUEST_ROWS if len(rr.path) == 2]
    header = ""
    for rr in L.INPUT_REQUEST_ROWS:
        if len(rr.path) == 2:
            continue
        if ".".join(rr.path[:-1]) != header:
            header = ".".join(rr.path[:-1])
            out += ["", f"[{header}]  # {' / '.join(rr.place[:-1])}"]
        out.append(row(rr))

    out += [
        "",
        f"# {L.APPEALS.heading}",
        "# " + "、".join(f"{c.key} {c.label}" for c in L.APPEAL_COLUMNS) + "；总计由 xxgk 计算。",
        "[appeals]",
    ]
    for group in L.APPEAL_GROUPS:
        values = ", ".join(
            f"{c.key} = {_get(data, 'appeals', group.key, c.key)}" for c in L.APPEAL_COLUMNS
        )
        out.append(f"{group.key} = {{ {values} }}  # {group.place_name}")
    return "\n".join(out) + "\n"


def skeleton(layout_name: str = L.DEFAULT_LAYOUT, year: int | None = None) -> str:
    """What ``xxgk init`` writes: every key, all zeros, sample text with placeholders."""
    year = year if year is not None else datetime.date.today().year - 1
    return input_toml(
        layout_name,
        agency=AGENCY_PLACEHOLDER,
        year=year,
        date=None,
        text={s.key: _SAMPLE_TEXT.get(s.key) for s in L.TEXT_SECTIONS},
    )
