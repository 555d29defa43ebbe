"""The report layouts, as data: the one place where every fixed label is written.

A layout is the exact shape of tables 二, 三 and 四: their labels, their merged
cells and which data key fills which cell.  The template builder, the renderer,
the input model, the checks, the error messages, the ``init`` skeleton and the
document reader all derive from the definitions in this module.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import Any

# --------------------------------------------------------------------------
# Document-level wording (spec §2)
# --------------------------------------------------------------------------

REPORT_NAME = "政府信息公开工作年度报告"
NATIONAL_FORMAT = "《中华人民共和国政府信息公开工作年度报告格式》（国办公开办函〔2021〕30号）"
FORMAT_2019 = "《中华人民共和国政府信息公开工作年度报告格式（试行）》（国办公开办函〔2019〕60号）"
DEFAULT_PREFACE = (
    "根据《中华人民共和国政府信息公开条例》和{format}要求，"
    "{agency}编制并发布本年度报告。报告中所列数据统计期限为{year}年1月1日至12月31日。"
)
FEE_KEYWORD = "信息处理费"
TO_FILL = "【请填写】"  # what a clerk still has to fill in (init, aggregate)
TO_FILL_MARK = TO_FILL[:-1]  # also catches 【请填写：…】
TO_FILL_LEFT = f"仍有待填写的内容（{TO_FILL}）"  # a text that still holds the marker
TO_FILL_NAME = "仍是待填写的占位文字 “{}”"  # an agency name that is still the marker


@dataclass(frozen=True)
class Section:
    """A part of the report: its heading (if any) and the text key that fills it."""

    key: str
    heading: str | None
    table: str | None = None


# Text sections in document order; ``key`` is the key under ``[text]``.
PREFACE = Section("preface", None)
OVERVIEW = Section("overview", "一、总体情况")
PROACTIVE = Section("proactive", "二、主动公开政府信息情况", table="proactive")
REQUESTS = Section("requests", "三、收到和处理政府信息公开申请情况", table="requests")
APPEALS = Section("appeals", "四、政府信息公开行政复议、行政诉讼情况", table="appeals")
PROBLEMS = Section("problems", "五、存在的主要问题及改进情况")
OTHER = Section("other", "六、其他需要报告的事项")

SECTIONS: tuple[Section, ...] = (PREFACE, OVERVIEW, PROACTIVE, REQUESTS, APPEALS, PROBLEMS, OTHER)
TEXT_SECTIONS: tuple[Section, ...] = tuple(s for s in SECTIONS if s.table is None)
PREFACE_NAME = "前言"

# Names shared by the input (top-level keys) and the template context.
TEXT_KEY = "text"
SIGNATURE_KEY = "signature"
SIGNATURE_NAME = "落款"


def text_section_name(section: Section) -> str:
    return section.heading or PREFACE_NAME


# --------------------------------------------------------------------------
# Cells and fields
# --------------------------------------------------------------------------


class Kind(enum.Enum):
    COUNT = "count"  # a whole number >= 0
    SIGNED = "signed"  # a whole number, may be negative (本年增/减)
    AMOUNT = "amount"  # a decimal >= 0 (万元)
    TOTAL = "total"  # computed; may be stated in the input, then checked


@dataclass(frozen=True)
class Field:
    """One data cell: where its value lives and what the report calls it."""

    path: tuple[str, ...]  # data path, e.g. ("requests", "received", "natural_person")
    place: tuple[str, ...]  # labels from the report: row labels, then the column label
    kind: Kind

    @cached_property
    def key(self) -> str:  # read for every cell of every report: joined once
        return ".".join(self.path)

    @cached_property
    def place_name(self) -> str:
        return " / ".join(self.place)


@dataclass(frozen=True)
class Cell:
    """An origin cell of a table grid (0-based row/col) with its span."""

    row: int
    col: int
    label: str | None = None
    field: Field | None = None
    rowspan: int = 1
    colspan: int = 1


@dataclass(frozen=True)
class Table:
    key: str
    heading: str
    ncols: int
    nrows: int
    widths: tuple[int, ...]  # twentieths of a point, one per grid column
    header_rows: int  # rows repeated at the top of each page
    font_size: float  # points
    cells: tuple[Cell, ...]
    # on one page with its heading (rows that cannot split, keep-with-next through the
    # table); a table longer than a page would set False and rely on its header rows
    keep_together: bool = True

    @property
    def fields(self) -> tuple[Field, ...]:
        return tuple(c.field for c in self.cells if c.field is not None)

    def merges(self) -> list[str]:
        """Merged ranges in A1 notation, in grid order."""
        out = []
        for c in sorted(self.cells, key=lambda c: (c.row, c.col)):
            if c.rowspan > 1 or c.colspan > 1:
                out.append(f"{a1(c.row, c.col)}:{a1(c.row + c.rowspan - 1, c.col + c.colspan - 1)}")
        return out


def a1(row: int, col: int) -> str:
    return f"{chr(ord('A') + col)}{row + 1}"


# --------------------------------------------------------------------------
# Table 二: 主动公开政府信息情况
# --------------------------------------------------------------------------

CONTENT = "信息内容"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: Kind = Kind.COUNT


@dataclass(frozen=True)
class Item:
    key: str
    label: str


@dataclass(frozen=True)
class Block:
    """A block of table 二: heading row, column header row, item rows."""

    heading: str
    columns: tuple[Column, ...]  # one column spans the three value grid columns
    items: tuple[Item, ...]


ISSUED = Column("issued", "本年制发件数")
REPEALED = Column("repealed", "本年废止件数")
IN_FORCE = Column("in_force", "现行有效件数")
DECISIONS = Column("decisions", "本年处理决定数量")
FEE_AMOUNT = Column("amount", "本年收费金额（单位：万元）", Kind.AMOUNT)

ITEM_1 = "第二十条第（一）项"
ITEM_5 = "第二十条第（五）项"
ITEM_6 = "第二十条第（六）项"
ITEM_8 = "第二十条第（八）项"

LICENSING = Item("licensing", "行政许可")
PENALTY = Item("penalty", "行政处罚")
COERCION = Item("coercion", "行政强制")
FEES = Item("fees", "行政事业性收费")
RULES = Item("rules", "规章")
NORMATIVE = Item("normative_documents", "规范性文件")
DECISIONS_PLAIN = Column("decisions", "处理决定数量")

BLOCK_6 = Block(ITEM_6, (DECISIONS,), (PENALTY, COERCION))
BLOCK_8 = Block(ITEM_8, (FEE_AMOUNT,), (FEES,))

GOV_2021_BLOCKS = (
    Block(
        ITEM_1,
        (ISSUED, REPEALED, IN_FORCE),
        (RULES, Item("normative_documents", "行政规范性文件")),
    ),
    Block(ITEM_5, (DECISIONS,), (LICENSING,)),
    BLOCK_6,
    BLOCK_8,
)

PREVIOUS_ITEMS = Column("previous_items", "上一年项目数量")
CHANGE = Column("change", "本年增/减", Kind.SIGNED)

XINGTAI_2022_BLOCKS = (
    Block(
        ITEM_1,
        (ISSUED, REPEALED, IN_FORCE),
        (Item("rules", "规  章"), NORMATIVE),
    ),
    Block(
        ITEM_5,
        (
            PREVIOUS_ITEMS,
            CHANGE,
            DECISIONS_PLAIN,
        ),
        (LICENSING,),
    ),
    BLOCK_6,
    BLOCK_8,
)

# The 2019 试行 format (国办公开办函〔2019〕60号), used for the 2019 and 2020 reports.
GOV_2019_BLOCKS = (
    Block(
        ITEM_1,
        (
            Column("made", "本年新制作数量"),
            Column("published", "本年新公开数量"),
            Column("public_total", "对外公开总数量"),
        ),
        (RULES, NORMATIVE),
    ),
    Block(
        ITEM_5,
        (PREVIOUS_ITEMS, CHANGE, DECISIONS_PLAIN),
        (LICENSING, Item("other_services", "其他对外管理服务事项")),
    ),
    Block(ITEM_6, (PREVIOUS_ITEMS, CHANGE, DECISIONS_PLAIN), (PENALTY, COERCION)),
    Block(ITEM_8, (PREVIOUS_ITEMS, CHANGE), (FEES,)),
    Block(
        "第二十条第（九）项",
        (
            Column("procurement_items", "采购项目数量"),
            Column("procurement_amount", "采购总金额", Kind.AMOUNT),
        ),
        (Item("procurement", "政府集中采购"),),
    ),
)

PROACTIVE_WIDTHS = (2840, 2000, 2000, 2000)  # twips; 8840 is the text width


def _column_spans(n: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Where a block's value columns start and how many of the three grid columns each spans."""
    spans = {1: (3,), 2: (1, 2), 3: (1, 1, 1)}[n]
    starts = tuple(1 + sum(spans[:i]) for i in range(n))
    return starts, spans


def proactive_table(blocks: tuple[Block, ...]) -> Table:
    cells: list[Cell] = []
    row = 0
    for block in blocks:
        cells.append(Cell(row, 0, label=block.heading, colspan=4))
        row += 1
        cells.append(Cell(row, 0, label=CONTENT))
        starts, spans = _column_spans(len(block.columns))
        for column, start, span in zip(block.columns, starts, spans, strict=True):
            cells.append(Cell(row, start, label=column.label, colspan=span))
        row += 1
        for item in block.items:
            cells.append(Cell(row, 0, label=item.label))
            for column, start, span in zip(block.columns, starts, spans, strict=True):
                f = Field(
                    ("proactive", item.key, column.key),
                    (block.heading, item.label, column.label),
                    column.kind,
                )
                cells.append(Cell(row, start, field=f, colspan=span))
            row += 1
    return Table(
        key="proactive",
        heading=PROACTIVE.heading or "",
        ncols=4,
        nrows=row,
        widths=PROACTIVE_WIDTHS,
        header_rows=0,
        font_size=12,
        cells=tuple(cells),
    )


# --------------------------------------------------------------------------
# Table 三: 收到和处理政府信息公开申请情况
# --------------------------------------------------------------------------

IDENTITY_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
APPLICANTS = "申请人情况"
ORGANISATIONS = "法人或其他组织"
TOTAL = "总计"

APPLICANT_COLUMNS: tuple[Column, ...] = (
    Column("natural_person", "自然人"),
    Column("commercial", "商业企业"),
    Column("research", "科研机构"),
    Column("social_welfare", "社会公益组织"),
    Column("legal_services", "法律服务机构"),
    Column("other", "其他"),
)
TOTAL_COLUMN = Column("total", TOTAL, Kind.TOTAL)
REQUEST_COLUMNS: tuple[Column, ...] = APPLICANT_COLUMNS + (TOTAL_COLUMN,)


def column_place(column: Column) -> tuple[str, ...]:
    """How the report names a column of table 三 (its header labels)."""
    if column in APPLICANT_COLUMNS[1:]:
        return (ORGANISATIONS, column.label)
    return (column.label,)


@dataclass(frozen=True)
class Row:
    """An input row of table 三: six numbers (and an optional stated 总计)."""

    key: str
    label: str


@dataclass(frozen=True)
class Group:
    """A group of outcome rows (（三）…（六）): a label and its numbered rows."""

    key: str
    label: str
    rows: tuple[Row, ...]


RECEIVED = Row("received", "一、本年新收政府信息公开申请数量")
CARRIED_OVER = Row("carried_over", "二、上年结转政府信息公开申请数量")
OUTCOME_LABEL = "三、本年度办理结果"
OUTCOME_KEY = "outcome"
CARRIED_FORWARD = Row("carried_forward", "四、结转下年度继续办理")
OUTCOME_TOTAL = Row("total", "（七）总计")

OTHER_PROCESSING = "（六）其他处理"
OUTCOMES: tuple[Row | Group, ...] = (
    Row("disclosed", "（一）予以公开"),
    Row("partially_disclosed", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    Group(
        "withheld",
        "（三）不予公开",
        (
            Row("state_secret", "1.属于国家秘密"),
            Row("prohibited_by_law", "2.其他法律行政法规禁止公开"),
            Row("security_stability", "3.危及“三安全一稳定”"),
            Row("third_party_rights", "4.保护第三方合法权益"),
            Row("internal_affairs", "5.属于三类内部事务信息"),
            Row("process_information", "6.属于四类过程性信息"),
            Row("enforcement_files", "7.属于行政执法案卷"),
            Row("administrative_query", "8.属于行政查询事项"),
        ),
    ),
    Group(
        "unavailable",
        "（四）无法提供",
        (
            Row("not_held", "1.本机关不掌握相关政府信息"),
            Row("needs_creation", "2.没有现成信息需要另行制作"),
            Row("still_unclear", "3.补正后申请内容仍不明确"),
        ),
    ),
    Group(
        "not_processed",
        "（五）不予处理",
        (
            Row("petition_complaint", "1.信访举报投诉类申请"),
            Row("repeated", "2.重复申请"),
            Row("publication", "3.要求提供公开出版物"),
            Row("excessive", "4.无正当理由大量反复申请"),
            Row("reconfirmation", "5.要求行政机关确认或重新出具已获取信息"),
        ),
    ),
    Group(
        "other",
        OTHER_PROCESSING,
        (
            Row(
                "no_correction",
                "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            ),
            Row(
                "unpaid_fee",
                "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
            ),
            Row("other", "3.其他"),
        ),
    ),
)


@dataclass(frozen=True)
class RequestRow:
    """A row of table 三 as the report places it: data path and label path."""

    path: tuple[str, ...]  # ("requests", "outcome", "withheld", "state_secret")
    place: tuple[str, ...]  # (三、本年度办理结果, （三）不予公开, 1.属于国家秘密)
    computed: bool = False  # the （七）总计 row

    @cache  # noqa: B019 (rows and groups are module-level constants)
    def field(self, column: Column) -> Field:
        kind = Kind.TOTAL if self.computed or column.kind is Kind.TOTAL else Kind.COUNT
        return Field(self.path + (column.key,), self.place + column_place(column), kind)

    @property
    def place_name(self) -> str:
        return " / ".join(self.place)


def request_rows(outcomes: tuple[Row | Group, ...] = OUTCOMES) -> tuple[RequestRow, ...]:
    """Every row of table 三 in document order."""
    rows = [
        RequestRow(("requests", RECEIVED.key), (RECEIVED.label,)),
        RequestRow(("requests", CARRIED_OVER.key), (CARRIED_OVER.label,)),
    ]
    for entry in outcomes:
        if isinstance(entry, Row):
            rows.append(
                RequestRow(("requests", OUTCOME_KEY, entry.key), (OUTCOME_LABEL, entry.label))
            )
        else:
            for sub in entry.rows:
                rows.append(
                    RequestRow(
                        ("requests", OUTCOME_KEY, entry.key, sub.key),
                        (OUTCOME_LABEL, entry.label, sub.label),
                    )
                )
    rows.append(
        RequestRow(
            ("requests", OUTCOME_KEY, OUTCOME_TOTAL.key),
            (OUTCOME_LABEL, OUTCOME_TOTAL.label),
            computed=True,
        )
    )
    rows.append(RequestRow(("requests", CARRIED_FORWARD.key), (CARRIED_FORWARD.label,)))
    return tuple(rows)


REQUEST_ROWS = request_rows()


def _request_row(*keys: str) -> RequestRow:
    return next(r for r in REQUEST_ROWS if r.path[1:] == keys)


RECEIVED_ROW = _request_row(RECEIVED.key)
CARRIED_OVER_ROW = _request_row(CARRIED_OVER.key)
OUTCOME_TOTAL_ROW = _request_row(OUTCOME_KEY, OUTCOME_TOTAL.key)
CARRIED_FORWARD_ROW = _request_row(CARRIED_FORWARD.key)
INPUT_REQUEST_ROWS = tuple(r for r in REQUEST_ROWS if not r.computed)
OUTCOME_ROWS = tuple(r for r in INPUT_REQUEST_ROWS if r.path[1] == OUTCOME_KEY)
# Twips (8840 in all, the text width), at 10.5 pt (210 twips a character) and 30-twip cell
# margins: 三、本年度办理结果 three characters a line; （三）不予公开 as 4 + 3; every
# numbered label of column C of at most 12 characters after "1." on one line, longer ones
# with several characters on their last line; 自然人 on one line; data columns fit five
# digits, the 总计 column six.
REQUESTS_WIDTHS = (720, 920, 2780, 720) + (600,) * 5 + (700,)


def requests_table(
    rows: tuple[RequestRow, ...] = REQUEST_ROWS, outcomes: tuple[Row | Group, ...] = OUTCOMES
) -> Table:
    cells: list[Cell] = [
        Cell(0, 0, label=IDENTITY_NOTE, rowspan=3, colspan=3),
        Cell(0, 3, label=APPLICANTS, colspan=7),
        Cell(1, 3, label=APPLICANT_COLUMNS[0].label, rowspan=2),
        Cell(1, 4, label=ORGANISATIONS, colspan=5),
        Cell(1, 9, label=TOTAL, rowspan=2),
    ]
    cells += [Cell(2, 4 + i, label=c.label) for i, c in enumerate(APPLICANT_COLUMNS[1:])]
    row = 3
    outcome_start = None
    for rr in rows:
        if len(rr.place) == 1:  # 一、二、四: label across A:C
            cells.append(Cell(row, 0, label=rr.place[0], colspan=3))
        else:
            if outcome_start is None:
                outcome_start = row
            if len(rr.place) == 2:  # （一）（二）（七）: label across B:C
                cells.append(Cell(row, 1, label=rr.place[1], colspan=2))
            else:
                group = next(g for g in outcomes if isinstance(g, Group) and g.label == rr.place[1])
                if rr.place[2] == group.rows[0].label:
                    cells.append(Cell(row, 1, label=group.label, rowspan=len(group.rows)))
                cells.append(Cell(row, 2, label=rr.place[2]))
        for i, column in enumerate(REQUEST_COLUMNS):
            cells.append(Cell(row, 3 + i, field=rr.field(column)))
        row += 1
    assert outcome_start is not None
    outcome_rows = sum(1 for rr in rows if len(rr.place) > 1)
    cells.append(Cell(outcome_start, 0, label=OUTCOME_LABEL, rowspan=outcome_rows))
    return Table(
        key="requests",
        heading=REQUESTS.heading or "",
        ncols=10,
        nrows=row,
        widths=REQUESTS_WIDTHS,
        header_rows=3,
        font_size=10.5,
        cells=tuple(sorted(cells, key=lambda c: (c.row, c.col))),
    )


# --------------------------------------------------------------------------
# Table 四: 行政复议、行政诉讼
# --------------------------------------------------------------------------

APPEAL_COLUMNS: tuple[Column, ...] = (
    Column("upheld", "结果维持"),
    Column("corrected", "结果纠正"),
    Column("other", "其他结果"),
    Column("pending", "尚未审结"),
)
APPEAL_ALL_COLUMNS = APPEAL_COLUMNS + (TOTAL_COLUMN,)
REVIEW = Item("review", "行政复议")
LITIGATION = "行政诉讼"
LITIGATION_DIRECT = Item("litigation_direct", "未经复议直接起诉")
LITIGATION_AFTER_REVIEW = Item("litigation_after_review", "复议后起诉")


@dataclass(frozen=True)
class AppealGroup:
    key: str
    place: tuple[str, ...]

    @cache  # noqa: B019 (rows and groups are module-level constants)
    def field(self, column: Column) -> Field:
        return Field(("appeals", self.key, column.key), self.place + (column.label,), column.kind)

    @property
    def place_name(self) -> str:
        return " / ".join(self.place)


APPEAL_GROUPS: tuple[AppealGroup, ...] = (
    AppealGroup(REVIEW.key, (REVIEW.label,)),
    AppealGroup(LITIGATION_DIRECT.key, (LITIGATION, LITIGATION_DIRECT.label)),
    AppealGroup(LITIGATION_AFTER_REVIEW.key, (LITIGATION, LITIGATION_AFTER_REVIEW.label)),
)


def appeals_table() -> Table:
    cells: list[Cell] = [
        Cell(0, 0, label=REVIEW.label, colspan=5),
        Cell(0, 5, label=LITIGATION, colspan=10),
    ]
    cells += [Cell(1, i, label=c.label, rowspan=2) for i, c in enumerate(APPEAL_ALL_COLUMNS)]
    cells.append(Cell(1, 5, label=LITIGATION_DIRECT.label, colspan=5))
    cells.append(Cell(1, 10, label=LITIGATION_AFTER_REVIEW.label, colspan=5))
    for g in range(2):
        cells += [Cell(2, 5 + g * 5 + i, label=c.label) for i, c in enumerate(APPEAL_ALL_COLUMNS)]
    for g, group in enumerate(APPEAL_GROUPS):
        cells += [Cell(3, g * 5 + i, field=group.field(c)) for i, c in enumerate(APPEAL_ALL_COLUMNS)]
    return Table(
        key="appeals",
        heading=APPEALS.heading or "",
        ncols=15,
        nrows=4,
        widths=(589,) * 15,
        header_rows=3,
        font_size=10.5,
        cells=tuple(sorted(cells, key=lambda c: (c.row, c.col))),
    )


# --------------------------------------------------------------------------
# Layouts
# --------------------------------------------------------------------------


# --------------------------------------------------------------------------
# The walk: what every reader, writer and check iterates over
# --------------------------------------------------------------------------


class Shape(enum.Enum):
    """How an entry is written in an input file."""

    ROW = "row"  # a list of numbers, one per column; one more number is the stated total
    RECORD = "record"  # named values; an optional ``total`` key is the stated total


@dataclass(frozen=True)
class Entry:
    """One key of the input that holds a row of the report's cells, e.g. ``received = [...]``."""

    path: tuple[str, ...]  # data path of the row: ("requests", "outcome", "withheld", "state_secret")
    place: tuple[str, ...]  # the row's labels in the report
    table: str  # the key of the table that shows it
    shape: Shape
    fields: tuple[Field, ...]  # the input cells, in column order
    total: Field | None = None  # the row's computed total, which the input may state

    @property
    def key(self) -> str:
        return self.path[-1]

    @property
    def place_name(self) -> str:
        return " / ".join(self.place)

    @property
    def stated_key(self) -> str | None:
        """The key a stated total is written under (RECORD entries)."""
        return self.total.path[-1] if self.total is not None else None


@dataclass(frozen=True)
class Sum:
    """A computed cell: the sum of other cells (computed earlier in the walk, or input)."""

    total: Field
    parts: tuple[Field, ...]


@dataclass(frozen=True)
class Term:
    label: str  # how the report names the row, e.g. 一、本年新收政府信息公开申请数量
    field: Field


@dataclass(frozen=True)
class Identity:
    """A printed identity that must hold, e.g. table 三: 一 + 二 = （七）总计 + 四, per column."""

    place: str
    left: tuple[Term, ...]
    right: tuple[Term, ...]


@dataclass(frozen=True)
class Carry:
    """A cross-year relation: this year's ``now`` = last year's ``before`` + ``plus`` − ``minus``."""

    now: Field
    before: Field  # a field of last year's report
    plus: tuple[Field, ...] = ()
    minus: tuple[Field, ...] = ()


@dataclass(frozen=True)
class Figure:
    """A key figure of a report (summary columns): a name and the cells it adds up."""

    name: str
    fields: tuple[Field, ...]


def _request_entries(rows: tuple[RequestRow, ...] = REQUEST_ROWS) -> tuple[Entry, ...]:
    out = []
    for rr in (r for r in rows if not r.computed):
        out.append(
            Entry(
                rr.path,
                rr.place,
                REQUESTS.key,
                Shape.ROW,
                tuple(rr.field(c) for c in APPLICANT_COLUMNS),
                rr.field(TOTAL_COLUMN),
            )
        )
    return tuple(out)


def _appeal_entries() -> tuple[Entry, ...]:
    return tuple(
        Entry(
            (APPEALS.key, g.key),
            g.place,
            APPEALS.key,
            Shape.RECORD,
            tuple(g.field(c) for c in APPEAL_COLUMNS),
            g.field(TOTAL_COLUMN),
        )
        for g in APPEAL_GROUPS
    )


def _requests_sums(rows: tuple[RequestRow, ...] = REQUEST_ROWS) -> tuple[Sum, ...]:
    inputs = [r for r in rows if not r.computed]
    outcome_rows = [r for r in inputs if r.path[1] == OUTCOME_KEY]
    sums = [Sum(rr.field(TOTAL_COLUMN), tuple(rr.field(c) for c in APPLICANT_COLUMNS)) for rr in inputs]
    total = OUTCOME_TOTAL_ROW
    sums += [Sum(total.field(c), tuple(rr.field(c) for rr in outcome_rows)) for c in APPLICANT_COLUMNS]
    sums.append(Sum(total.field(TOTAL_COLUMN), tuple(total.field(c) for c in APPLICANT_COLUMNS)))
    return tuple(sums)


def _identities() -> tuple[Identity, ...]:
    def term(rr: RequestRow, column: Column) -> Term:
        return Term(rr.place[-1], rr.field(column))

    return tuple(
        Identity(
            " / ".join((REQUESTS.heading or "",) + column_place(c)),
            (term(RECEIVED_ROW, c), term(CARRIED_OVER_ROW, c)),
            (term(OUTCOME_TOTAL_ROW, c), term(CARRIED_FORWARD_ROW, c)),
        )
        for c in APPLICANT_COLUMNS
    )


def _group_sums(outcomes: tuple[Row | Group, ...] = OUTCOMES) -> tuple[Sum, ...]:
    """Column sums of each outcome group (（三）…（六）): not printed, but texts may quote them."""
    out = []
    for entry in outcomes:
        if isinstance(entry, Group):
            base = (REQUESTS.key, OUTCOME_KEY, entry.key, OUTCOME_TOTAL.key)
            for column in REQUEST_COLUMNS:
                parts = tuple(
                    RequestRow(
                        (REQUESTS.key, OUTCOME_KEY, entry.key, row.key),
                        (OUTCOME_LABEL, entry.label, row.label),
                    ).field(column)
                    for row in entry.rows
                )
                place = (OUTCOME_LABEL, entry.label, TOTAL) + column_place(column)
                out.append(Sum(Field(base + (column.key,), place, Kind.TOTAL), parts))
    return tuple(out)


def _key_figures() -> tuple[Figure, ...]:
    review, direct, after = APPEAL_GROUPS
    return (
        Figure(RECEIVED.label, (RECEIVED_ROW.field(TOTAL_COLUMN),)),
        Figure(CARRIED_OVER.label, (CARRIED_OVER_ROW.field(TOTAL_COLUMN),)),
        Figure(" ".join(OUTCOME_TOTAL_ROW.place), (OUTCOME_TOTAL_ROW.field(TOTAL_COLUMN),)),
        Figure(CARRIED_FORWARD.label, (CARRIED_FORWARD_ROW.field(TOTAL_COLUMN),)),
        Figure(f"{review.place_name}{TOTAL}", (review.field(TOTAL_COLUMN),)),
        Figure(f"{LITIGATION}{TOTAL}", (direct.field(TOTAL_COLUMN), after.field(TOTAL_COLUMN))),
    )


@dataclass(frozen=True)
class Layout:
    name: str
    description: str
    national: bool
    blocks: tuple[Block, ...]
    outcomes: tuple[Row | Group, ...] = OUTCOMES  # the rows of table 三's 三、本年度办理结果
    years: tuple[int, int] = (2021, 9999)  # the report years the format is meant for
    format_title: str = NATIONAL_FORMAT  # the format the generated preface names
    tables: tuple[Table, ...] = field(init=False)

    def __post_init__(self) -> None:
        rows = request_rows(self.outcomes)
        object.__setattr__(
            self,
            "tables",
            (proactive_table(self.blocks), requests_table(rows, self.outcomes), appeals_table()),
        )
        object.__setattr__(self, "_rows", rows)

    @property
    def request_rows(self) -> tuple[RequestRow, ...]:
        rows: tuple[RequestRow, ...] = getattr(self, "_rows")  # noqa: B009
        return rows

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        """Pickled by name (results sent back from worker processes stay small)."""
        return (layout_named, (self.name,))

    @property
    def template_name(self) -> str:
        return f"{self.name}.docx"

    @cached_property
    def fields(self) -> dict[str, Field]:
        """Every data cell by its dotted key."""
        return {f.key: f for t in self.tables for f in t.fields}

    def proactive_items(self) -> list[tuple[Block, Item]]:
        return [(b, i) for b in self.blocks for i in b.items]

    # ---- the walk ----------------------------------------------------------

    @cached_property
    def entries(self) -> tuple[Entry, ...]:
        """Every input entry in report order: table 二's items, table 三's rows, table 四's groups."""
        proactive = tuple(
            Entry(
                (PROACTIVE.key, item.key),
                (block.heading, item.label),
                PROACTIVE.key,
                Shape.RECORD,
                tuple(self.fields[f"{PROACTIVE.key}.{item.key}.{c.key}"] for c in block.columns),
            )
            for block, item in self.proactive_items()
        )
        return proactive + _request_entries(self.request_rows) + _appeal_entries()

    @cached_property
    def input_fields(self) -> tuple[Field, ...]:
        """Every cell the input fills, in report order."""
        return tuple(f for e in self.entries for f in e.fields)

    @cached_property
    def containers(self) -> dict[tuple[str, ...], tuple[str, ...]]:
        """Every table of the input above the entries (``requests.outcome.withheld``) → its labels."""
        out: dict[tuple[str, ...], tuple[str, ...]] = {}
        headings = {s.key: s.heading or "" for s in SECTIONS if s.table is not None}
        for entry in self.entries:
            for depth in range(1, len(entry.path)):
                prefix = entry.path[:depth]
                if prefix not in out:
                    out[prefix] = (headings[prefix[0]],) if depth == 1 else entry.place[: depth - 1]
        return out

    @cached_property
    def sums(self) -> tuple[Sum, ...]:
        """Every computed cell, each after the cells it adds up."""
        appeals = tuple(Sum(e.total, e.fields) for e in self.entries if e.table == APPEALS.key and e.total)
        return _requests_sums(self.request_rows) + appeals

    @property
    def identities(self) -> tuple[Identity, ...]:
        return _IDENTITIES

    @cached_property
    def group_sums(self) -> tuple[Sum, ...]:
        return _GROUP_SUMS if self.outcomes == OUTCOMES else _group_sums(self.outcomes)

    @property
    def key_figures(self) -> tuple[Figure, ...]:
        return KEY_FIGURES

    @cached_property
    def carries(self) -> tuple[Carry, ...]:
        """What this year's report takes over from last year's."""
        out = [Carry(CARRIED_OVER_ROW.field(c), CARRIED_FORWARD_ROW.field(c)) for c in APPLICANT_COLUMNS]
        block = self.blocks[0]
        if block.columns == (ISSUED, REPEALED, IN_FORCE):
            for item in block.items:
                issued, repealed, in_force = (
                    self.fields[f"{PROACTIVE.key}.{item.key}.{c.key}"] for c in block.columns
                )
                out.append(Carry(in_force, in_force, plus=(issued,), minus=(repealed,)))
        return tuple(out)

    def input_values(self, data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """Validated input data → (input cells by key, stated totals by the total's key)."""
        cells: dict[str, Any] = {}
        stated: dict[str, Any] = {}
        for entry in self.entries:
            node: Any = data
            for key in entry.path:
                node = node[key]
            if entry.shape is Shape.ROW:
                values = list(node)
                for f, value in zip(entry.fields, values, strict=False):
                    cells[f.key] = value
                if entry.total is not None and len(values) > len(entry.fields):
                    stated[entry.total.key] = values[len(entry.fields)]
            else:
                for f in entry.fields:
                    cells[f.key] = node[f.path[-1]]
                stated_key = entry.stated_key
                if entry.total is not None and stated_key is not None and node.get(stated_key) is not None:
                    stated[entry.total.key] = node[stated_key]
        return cells, stated

    def input_data(self, cells: Mapping[str, Any]) -> dict[str, Any]:
        """Input cells by key → data in the input's structure (rows as lists, no totals)."""
        out: dict[str, Any] = {}
        for entry in self.entries:
            node = out
            for key in entry.path[:-1]:
                node = node.setdefault(key, {})
            if entry.shape is Shape.ROW:
                node[entry.key] = [cells[f.key] for f in entry.fields]
            else:
                node[entry.key] = {f.path[-1]: cells[f.key] for f in entry.fields}
        return out


_IDENTITIES = _identities()
_GROUP_SUMS = _group_sums()
KEY_FIGURES = _key_figures()


# 2019 试行 format: table 三's （六）其他处理 is one row.
OUTCOMES_2019: tuple[Row | Group, ...] = OUTCOMES[:-1] + (Row("other_processing", OTHER_PROCESSING),)

# Reading reports xxgk did not write (xxgk check / extract)
SUBTOTAL_WORDS = ("小计", "合计")  # a subtotal row or column some reports add
FEE_ROW_KEYS = ("unpaid_fee",)  # rows of table 三 that mean fee notices were sent
GOVERNMENT_SUFFIX = "人民政府"  # a people's government's own report: due by 3月31日 (条例第五十条)
DEADLINES = ((1, 31), (3, 31))  # (month, day) of the following year: departments, governments
STATISTICS_PERIOD = r"统计(?:期限|时限|期间|区间)?(?:为|是|自|从)?\s*(?P<year>\d{4})\s*年\s*1\s*月\s*1\s*日"
_N = r"(?P<n>\d[\d,，]*)\s*(?:件|条|份|宗|起)"  # not 个 or 次: 15个工作日, 培训3次
_GAP = r"[^。；;，,：:0-9]{0,16}?"
# How texts commonly state the key figures (KEY_FIGURES order); a pattern without ``n`` means 0.
FIGURE_PHRASES: tuple[tuple[str, ...], ...] = (
    (
        rf"(?:收到|受理|接收|接到|新收){_GAP}申请(?:共计|总计|合计|共|数量为|数为|为)?{_N}",
        rf"(?:共|新)(?:收到|受理|接收|接到|收){_N}{_GAP}申请",
        r"(?:未|没有)(?:收到|受理|接到|接收)[^。；;0-9]{0,16}?申请",
    ),
    (rf"上年(?:度)?结转{_GAP}{_N}",),
    (rf"(?:已|共|全部|均已)?办结{_GAP}{_N}",),
    (rf"结转下(?:一)?年(?:度)?{_GAP}{_N}",),
    (
        rf"{REVIEW.label}{_GAP}{_N}",
        rf"(?:未|没有)(?:发生|收到|产生|出现)[^。；;0-9]{{0,20}}?{REVIEW.label}",
    ),
    (
        rf"{LITIGATION}{_GAP}{_N}",
        rf"(?:未|没有)(?:发生|收到|产生|出现)[^。；;0-9]{{0,20}}?{LITIGATION}",
    ),
)

def layout_named(name: str) -> Layout:
    return LAYOUTS[name]


DEFAULT_LAYOUT = "gov-2021"
MIN_YEAR, MAX_YEAR = 2008, 2100  # 《条例》 took effect in 2008

LAYOUTS: dict[str, Layout] = {
    layout.name: layout
    for layout in (
        Layout(
            "gov-2021",
            "国家格式（国办公开办函〔2021〕30号）",
            national=True,
            blocks=GOV_2021_BLOCKS,
        ),
        Layout(
            "xingtai-2022",
            "邢台市住房公积金管理中心2022年报告所用版式（表二与国家格式不同）",
            national=False,
            blocks=XINGTAI_2022_BLOCKS,
        ),
        Layout(
            "gov-2019",
            "2019 年试行格式（国办公开办函〔2019〕60号），用于 2019、2020 年度报告",
            national=True,
            blocks=GOV_2019_BLOCKS,
            outcomes=OUTCOMES_2019,
            years=(2019, 2020),
            format_title=FORMAT_2019,
        ),
    )
}


# --------------------------------------------------------------------------
# Typography shared by the template builder and the renderer (GB/T 9704-2012)
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Font:
    """A font as the font table declares it, so that Word and WPS can substitute it."""

    name: str
    alt_name: str  # what Word/WPS look for when ``name`` is not installed
    panose: str
    family: str  # w:family: roman (serif), modern, swiss (sans), script, auto
    pitch: str = "variable"
    charset: str = "86"  # GB2312_CHARSET; GBK fonts declare it too
    # w:sig: Unicode ranges and code pages (bit 18 of csb0: GB2312)
    sig: tuple[str, str, str, str, str, str] = (
        "00000001", "080E0000", "00000010", "00000000", "00040000", "00000000",
    )


@dataclass(frozen=True)
class FontSet:
    """The faces of one family of official fonts: title, level-1 heading, level-2 lead, body."""

    key: str
    description: str
    title: Font
    heading: Font
    lead: Font
    body: Font

    @property
    def faces(self) -> tuple[Font, ...]:
        return (self.title, self.heading, self.lead, self.body)


SONG = Font("宋体", "SimSun", "02010600030101010101", "auto")  # tables and page numbers
LATIN_FONT = Font(
    "Times New Roman", "Times New Roman", "02020603050405020304", "roman", charset="00",
    sig=("E0002EFF", "C000785B", "00000009", "00000000", "000001FF", "00000000"),
)
FONT_SETS: dict[str, FontSet] = {
    s.key: s
    for s in (
        FontSet(
            "gb2312",
            "仿宋_GB2312、楷体_GB2312、黑体、方正小标宋简体，多数省份",
            title=Font("方正小标宋简体", "宋体", "02000000000000000000", "roman"),
            heading=Font("黑体", "SimHei", "02010609060101010101", "modern", "fixed"),
            lead=Font("楷体_GB2312", "楷体", "02010609030101010101", "modern", "fixed"),
            body=Font("仿宋_GB2312", "仿宋", "02010609030101010101", "modern", "fixed"),
        ),
        FontSet(
            "gbk",
            "方正仿宋_GBK、方正楷体_GBK、方正黑体_GBK、方正小标宋_GBK，如江苏",
            title=Font("方正小标宋_GBK", "宋体", "02000000000000000000", "roman"),
            heading=Font("方正黑体_GBK", "黑体", "02000000000000000000", "swiss"),
            lead=Font("方正楷体_GBK", "楷体", "02000000000000000000", "script"),
            body=Font("方正仿宋_GBK", "仿宋", "02000000000000000000", "roman"),
        ),
    )
}
DEFAULT_FONTS = "gb2312"

# Title (GB/T 9704 7.3.1): a long agency name breaks after one of these words, never
# inside a word; the longest match wins, so 委员会 is never cut as 委 / 员会.
TITLE_BREAK_AFTER: tuple[str, ...] = (
    "人民政府", "办公厅", "办公室", "委员会", "管理委员会", "管理中心", "服务中心", "中心",
    "管理局", "管理处", "管理所", "自治区", "自治州", "自治县", "开发区", "高新区", "新区",
    "试验区", "片区", "街道办事处", "办事处", "街道", "省", "市", "县", "区", "州", "盟", "旗",
    "镇", "乡", "局", "厅", "署", "院", "处", "所", "站", "队",
)
# …unless the next characters continue a word (市场监督管理局 is not 市 / 场监督管理局).
TITLE_NO_BREAK_BEFORE: tuple[str, ...] = (
    "场", "域", "长", "级", "直", "属", "员", "罚", "理", "置", "校", "门",
)
TITLE_NO_BREAK_AFTER: tuple[str, ...] = ("城市", "都市", "超市", "门市")
SIGNATURE_STYLE = "落款"  # the paragraph style of the signature lines (builder and renderer)

# The PDF preview (LibreOffice) substitutes the official fonts when they are not installed:
# the first installed face of each list; the official fonts, when installed, are used as they are.
PREVIEW_LATIN = ("Liberation Serif", "Tinos", "Noto Serif")  # the metrics of Times New Roman
PREVIEW_SERIF = ("仿宋", "FangSong", "Noto Serif CJK SC", "Source Han Serif SC", "AR PL UMing CN", "SimSun")
PREVIEW_TITLE = (
    "Noto Serif CJK SC Black", "Noto Serif CJK SC SemiBold", "Noto Serif CJK SC",
    "Source Han Serif SC", "SimSun",
)
PREVIEW_SANS = (
    "黑体", "SimHei", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "Microsoft YaHei",
)
PREVIEW_KAI = ("楷体", "KaiTi", "AR PL UKai CN", "AR PL KaitiM GB", "Noto Serif CJK SC", "SimSun")


def preview_roles() -> dict[str, tuple[str, ...]]:
    """Font name → the faces to try in its place, for every font a report may name."""
    roles: dict[str, tuple[str, ...]] = {SONG.name: PREVIEW_SERIF[2:], LATIN_FONT.name: PREVIEW_LATIN}
    for fonts in FONT_SETS.values():
        roles[fonts.title.name] = PREVIEW_TITLE
        roles[fonts.heading.name] = PREVIEW_SANS
        roles[fonts.lead.name] = PREVIEW_KAI
        roles[fonts.body.name] = PREVIEW_SERIF
    return roles


def national_layout_for(year: int) -> Layout | None:
    """The national format meant for a report year (2019 试行 for 2019–2020, 2021 from then on)."""
    meant = (lay for lay in LAYOUTS.values() if lay.national and lay.years[0] <= year <= lay.years[1])
    return next(meant, None)
