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

    for table in layout.tables:
        entries = [e for e in layout.entries if e.table == table.key]
        out += ["", f"# {table.heading}", *_table_note(entries), f"[{table.key}]"]
        header: tuple[str, ...] = (table.key,)
        for entry in sorted(entries, key=lambda e: len(e.path)):  # TOML: a table's own keys first
            if entry.path[:-1] != header:
                header = entry.path[:-1]
                out += ["", f"[{'.'.join(header)}]  # {' / '.join(layout.containers[header])}"]
            out.append(_entry_line(entry, data))
    return "\n".join(out) + "\n"


def _table_note(entries: list[L.Entry]) -> list[str]:
    """What the clerk must know to fill a table's entries."""
    first = entries[0]
    labels = "、".join(f.place[-1] for f in first.fields)
    if first.shape is L.Shape.ROW:
        return [
            f"# 每行 {len(first.fields)} 个数，依次为：{labels}；",
            f"# 可以再写第 {len(first.fields) + 1} 个数作为总计，xxgk 会核对。",
        ]
    if first.total is not None:
        keys = "、".join(f"{f.path[-1]} {f.place[-1]}" for f in first.fields)
        return [f"# {keys}；总计由 xxgk 计算，也可以写 {first.stated_key} = … 由 xxgk 核对。"]
    return []


def _entry_line(entry: L.Entry, data: Mapping[str, Any] | None) -> str:
    if entry.shape is L.Shape.ROW:
        numbers = _get(data, *entry.path, default=None) or [0] * len(entry.fields)
        shown = ", ".join(toml_number(n) for n in numbers[: len(entry.fields)])
        return f"{entry.key} = [{shown}]  # {entry.place[-1]}"
    values = ", ".join(
        f"{f.path[-1]} = {toml_number(_get(data, *f.path))}" for f in entry.fields
    )
    labels = "、".join(f.place[-1] for f in entry.fields)
    return f"{entry.key} = {{ {values} }}  # {' '.join(entry.place)}：{labels}"


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
