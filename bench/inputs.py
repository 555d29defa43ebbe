"""Realistic benchmark inputs, generated from the layout walk (:mod:`xxgk.layouts`).

No row key or label is written here: every key, row and column comes from
``layout.entries``, the identities from ``layout.identities``.  The inputs look
like the ones agencies hand in:

* numbers of a plausible size (most applications from natural persons, many
  empty rows in table 三), balanced so that every identity holds;
* the optional stated totals written: the 7th number of every table-三 row and
  the ``total`` of every table-四 group, as real inputs often have them;
* free text of realistic length: several paragraphs per section, 300–1500
  Chinese characters each, quoting a few numbers with ``{{ … }}`` placeholders;
* distinct agencies, a fixed seed.
"""

from __future__ import annotations

import datetime
import json
import os
import random
import shutil
import sys
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from xxgk import layouts as L

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository: tests.builders
from tests.builders import balance  # noqa: E402 (one home for the identity balancing)

CITIES = (
    "石家庄市", "唐山市", "秦皇岛市", "邯郸市", "邢台市", "保定市", "张家口市", "承德市", "沧州市",
    "廊坊市", "衡水市", "太原市", "大同市", "阳泉市", "长治市", "晋城市", "朔州市", "晋中市",
    "运城市", "忻州市",
)  # fmt: skip
DISTRICTS = ("", "城区", "开发区", "东区", "西区", "南区", "北区", "高新区", "新区", "经济技术开发区")
DEPARTMENTS = (
    "人民政府", "发展和改革委员会", "教育局", "科学技术局", "工业和信息化局", "公安局", "民政局",
    "司法局", "财政局", "人力资源和社会保障局", "自然资源和规划局", "生态环境局", "住房和城乡建设局",
    "交通运输局", "水利局", "农业农村局", "商务局", "文化广电和旅游局", "卫生健康委员会",
    "退役军人事务局", "应急管理局", "审计局", "市场监督管理局", "统计局", "医疗保障局", "行政审批局",
    "住房公积金管理中心", "数据和政务服务局", "林业局", "信访局",
)  # fmt: skip

# Prose of the kind these reports are made of; {a} is the agency.
OPENINGS = (
    "{a}坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻党的二十大精神，认真落实《中华人民共和国"
    "政府信息公开条例》和上级关于政务公开工作的部署要求，坚持以公开为常态、不公开为例外，",
    "{a}高度重视政府信息公开工作，将其纳入年度重点工作统筹安排，主要负责同志多次听取工作汇报，"
    "分管负责同志具体抓落实，",
)
SENTENCES = (
    "围绕优化营商环境、民生保障和重大项目建设等重点领域，持续加大信息公开力度，及时准确发布政策文件和工作动态。",
    "严格落实公文公开属性源头认定机制，拟制公文时同步明确公开方式，对不予公开的说明理由，做到应公开尽公开。",
    "健全政府信息发布保密审查制度，坚持先审查、后公开和一事一审原则，全年未发生失泄密事件。",
    "动态更新政府信息公开指南和目录，按季度清理过时失效信息，确保公开内容准确、完整、及时。",
    "规范依申请公开办理流程，严格执行登记、审核、办理、答复、归档等环节，确保在法定期限内答复申请人。",
    "加强政策解读与回应关切，坚持政策文件与解读材料同步组织、同步审签、同步部署，采用图解、视频等多种形式解读政策。",
    "优化政府门户网站政府信息公开专栏，完善栏目设置，推进与政务服务平台数据互通、资源共享。",
    "加强政务新媒体规范化管理，定期开展检查，对更新不及时、互动回应差的账号督促整改。",
    "组织开展政府信息公开业务培训，邀请专家讲解条例要点和常见问题，提升工作人员业务能力。",
    "将政务公开工作纳入绩效考核，定期通报工作进展，对发现的问题及时督促整改到位。",
    "畅通社会评议渠道，主动接受社会监督，认真对待群众提出的意见建议并及时改进工作。",
    "推进基层政务公开标准化规范化建设，梳理完善基层政务公开标准目录，推动公开事项全覆盖。",
)
PROBLEMS = (
    "政策解读的形式还不够丰富，部分解读材料针对性不强，群众关心的热点问题回应还不够及时。",
    "基层政务公开标准化规范化水平有待提高，部分单位公开内容更新不及时，栏目维护不够到位。",
    "依申请公开答复文书的规范性还需加强，个别答复说理不够充分。",
    "工作人员业务能力与新形势新要求还有差距，培训的系统性和针对性有待加强。",
)
PLANS = (
    "丰富政策解读形式，更多运用图表图解、音频视频、新闻发布会等方式，提升解读的针对性和可读性。",
    "完善信息发布审核机制，明确责任分工，加强对公开内容的日常检查和动态更新。",
    "规范依申请公开办理工作，完善答复文书模板，加强法律审核，提升答复质量。",
    "加大业务培训力度，定期组织学习交流，提升工作人员依法公开的意识和能力。",
)
HEADS = (
    "（一）主动公开情况。",
    "（二）依申请公开情况。",
    "（三）政府信息管理。",
    "（四）平台建设。",
    "（五）监督保障。",
)


def agencies(n: int, rng: random.Random) -> list[str]:
    combos = len(CITIES) * len(DISTRICTS) * len(DEPARTMENTS)
    if n > combos:
        raise SystemExit(f"at most {combos} distinct agencies can be generated")
    names = []
    for k in rng.sample(range(combos), n):
        city, rest = divmod(k, len(DISTRICTS) * len(DEPARTMENTS))
        district, department = divmod(rest, len(DEPARTMENTS))
        names.append(CITIES[city] + DISTRICTS[district] + DEPARTMENTS[department])
    return names


# --------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------


def cells(layout: L.Layout, rng: random.Random) -> dict[str, Any]:
    """Every input cell of the layout with a plausible value; the identities hold."""
    size = rng.choice((3, 10, 30, 100, 300))
    out: dict[str, Any] = {}
    for entry in layout.entries:
        if entry.shape is L.Shape.ROW:  # table 三: columns shrink left to right, many rows empty
            weight = rng.expovariate(1.0) if rng.random() < 0.6 else 0.0
            for i, f in enumerate(entry.fields):
                scale = size * weight / (1 + 4 * i)
                out[f.key] = round(rng.uniform(0, scale)) if rng.random() < 0.8 else 0
            continue
        for f in entry.fields:
            if f.kind is L.Kind.AMOUNT:
                out[f.key] = Decimal(rng.randrange(0, 10**6)) / 100 if rng.random() < 0.3 else Decimal(0)
            elif f.kind is L.Kind.SIGNED:
                out[f.key] = rng.randrange(-20, 20)
            elif entry.total is not None:  # table 四: few cases
                out[f.key] = rng.choice((0, 0, 0, 1, 2, 5))
            else:
                out[f.key] = rng.randrange(0, rng.choice((5, 50, 500, 5000)))
    return balance(layout, out)


def computed(layout: L.Layout, values: dict[str, Any]) -> dict[str, Any]:
    """The input cells with every computed total added."""
    out = dict(values)
    for s in layout.sums:
        out[s.total.key] = sum(out[f.key] for f in s.parts)
    return out


# --------------------------------------------------------------------------
# Text
# --------------------------------------------------------------------------


def _quotable(layout: L.Layout) -> list[L.Field]:
    """Numbers a text quotes: the stated totals of every row, and the counts of table 二."""
    totals = [e.total for e in layout.entries if e.total is not None]
    counts = [f for e in layout.entries if e.total is None for f in e.fields if f.kind is L.Kind.COUNT]
    return totals + counts


def _quote(f: L.Field) -> str:
    label = f.place[-2] if f.kind is L.Kind.TOTAL else f.place[-2] + f.place[-1]
    return f"{label}{{{{ {f.key} }}}}件"


def _paragraph(rng: random.Random, pool: Sequence[str], lo: int, hi: int, head: str = "") -> str:
    return head + "".join(rng.sample(list(pool), rng.randint(lo, min(hi, len(pool)))))


def section_texts(layout: L.Layout, agency: str, rng: random.Random) -> dict[str, str]:
    """Text for every section, 300–1500 characters each, a few placeholders."""
    quotable = _quotable(layout)
    out: dict[str, str] = {}
    for section in L.TEXT_SECTIONS:
        if section is L.PREFACE:
            continue  # usually left to the standard preface
        paras: list[str] = []
        if section is L.OVERVIEW:
            opening = rng.choice(OPENINGS).format(a=agency)
            paras.append("{{ year }}年，" + opening + _paragraph(rng, SENTENCES, 1, 2))
            for head in HEADS:
                quoted = "，".join(_quote(f) for f in rng.sample(quotable, 2))
                paras.append(head + f"全年{quoted}。" + _paragraph(rng, SENTENCES, 1, 4))
        elif section is L.PROBLEMS:
            paras.append("{{ year }}年，" + f"{agency}政府信息公开工作取得一定成效，但仍存在一些问题：")
            paras += [f"{i}. {p}" for i, p in enumerate(rng.sample(PROBLEMS, rng.randint(2, 4)), 1)]
            paras.append("下一步，我们将重点做好以下工作：" + _paragraph(rng, PLANS, 2, 4))
            paras.append(_paragraph(rng, SENTENCES, 2, 4))
        else:
            paras.append(
                f"按照《政府信息公开{L.FEE_KEYWORD}管理办法》，{agency}" + "{{ year }}年"
                f"{rng.choice(('未收取', '未发生收取'))}{L.FEE_KEYWORD}。"
            )
            paras.append(_paragraph(rng, SENTENCES, 3, 6))
            paras.append(_paragraph(rng, SENTENCES, 3, 5))
        out[section.key] = "\n\n".join(paras)
    return out


# --------------------------------------------------------------------------
# The input file
# --------------------------------------------------------------------------


def _number(value: Any) -> str:
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def _string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def input_toml(layout: L.Layout, agency: str, rng: random.Random) -> str:
    """One consistent input file for ``layout``, stated totals written."""
    values = cells(layout, rng)
    full = computed(layout, values)
    year = rng.choice((2023, 2024))
    lines = [
        f"# {year}年{agency}{L.REPORT_NAME}",
        f"agency = {_string(agency)}",
        f"year = {year}",
        f"layout = {_string(layout.name)}",
        f"date = {datetime.date(year + 1, 1, rng.randint(10, 28)).isoformat()}",
        "",
        f"[{L.TEXT_KEY}]",
    ]
    for key, text in section_texts(layout, agency, rng).items():
        lines.append(f'{key} = """\n{text}\n"""')
    header: tuple[str, ...] = ()
    tables = list(dict.fromkeys(e.path[0] for e in layout.entries))  # TOML: a table's own keys first
    for entry in sorted(layout.entries, key=lambda e: (tables.index(e.path[0]), len(e.path) > 2)):
        if entry.path[:-1] != header:
            header = entry.path[:-1]
            lines += ["", f"[{'.'.join(header)}]"]
        numbers = [full[f.key] for f in entry.fields]
        if entry.shape is L.Shape.ROW:
            stated = [full[entry.total.key]] if entry.total is not None else []
            lines.append(f"{entry.key} = [{', '.join(_number(n) for n in numbers + stated)}]")
        else:
            items = [f"{f.path[-1]} = {_number(full[f.key])}" for f in entry.fields]
            if entry.total is not None and entry.stated_key is not None:
                items.append(f"{entry.stated_key} = {full[entry.total.key]}")
            lines.append(f"{entry.key} = {{ {', '.join(items)} }}")
    return "\n".join(lines) + "\n"


def generate(folder: Path, n: int, seed: int, layout: str = L.DEFAULT_LAYOUT) -> list[Path]:
    """``n`` inputs of one layout in ``folder``: 0000.toml, 0001.toml, …"""
    rng = random.Random(seed)
    lay = L.LAYOUTS[layout]
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, agency in enumerate(agencies(n, rng)):
        path = folder / f"{i:04d}.toml"
        path.write_text(input_toml(lay, agency, rng), encoding="utf-8")
        paths.append(path)
    return paths


def subset(paths: Sequence[Path], folder: Path) -> Path:
    """A folder holding exactly ``paths`` (hard links, or copies); reused if it exists."""
    if folder.is_dir():
        return folder
    folder.mkdir(parents=True)
    for p in paths:
        try:
            os.link(p, folder / p.name)
        except OSError:
            shutil.copyfile(p, folder / p.name)
    return folder
