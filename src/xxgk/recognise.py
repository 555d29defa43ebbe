"""Recognising a report xxgk did not write: its layout, every cell, its text.

Works on a :class:`xxgk.formats.found.Found` (whatever format it was read
from) and on the layout walk only: tables 二, 三 and 四 are found by their
labels, never by position, and every data cell by the labels to its left and
above it.  Tolerates spaces inside labels, half/full-width punctuation, line
breaks in header cells, vertical merges present or absent, shifted grids,
subtotal rows and columns, blank and placeholder cells, thousands separators
and full-width digits.  Labels that differ from the layout's wording are
matched when close, and reported.
"""

from __future__ import annotations

import datetime
import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache

from xxgk import layouts as L
from xxgk.compute import Number
from xxgk.draft import DRAFT
from xxgk.errors import Problem
from xxgk.formats.found import Found, FoundTable, Origin

_DROP = re.compile(r"[\s\u3000\u00a0\u200b\ufeff“”\"'‘’「」『』]+")
PLACEHOLDERS = frozenset({"/", "-", "—", "——", "－", "─", "–", "无", "\\", "／", "×", "x", "X"})
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
FUZZY = 0.72  # a label this close (difflib ratio, normalised) counts as the layout's label


@lru_cache(maxsize=1 << 16)
def norm(text: str) -> str:
    """Labels compared without spaces, line breaks, quotes and width differences."""
    return _DROP.sub("", unicodedata.normalize("NFKC", text)).replace("、", ",").rstrip(":")


@lru_cache(maxsize=1 << 16)
def parse_number(text: str) -> Number | None:
    t = unicodedata.normalize("NFKC", text).replace(" ", "").replace("\u00a0", "").replace("，", ",")
    t = t.replace("−", "-").replace("－", "-")
    if not _NUMBER.fullmatch(t):
        return None
    t = t.replace(",", "")
    if "." in t:
        try:
            value = Decimal(t)
        except InvalidOperation:
            return None
        return int(value) if value == value.to_integral_value() and value.as_tuple().exponent == 0 else value
    return int(t)


# --------------------------------------------------------------------------
# Labels of a layout's tables
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class TableLabels:
    table: L.Table
    labels: dict[str, str]  # normalised → as the layout writes it
    places: dict[str, frozenset[str]]  # field key → normalised place labels


@cache
def table_labels(layout_name: str, table_key: str) -> TableLabels:
    layout = L.LAYOUTS[layout_name]
    table = next(t for t in layout.tables if t.key == table_key)
    labels = {norm(c.label): c.label for c in table.cells if c.label}
    places = {}
    for f in table.fields:
        places[f.key] = frozenset(norm(p) for p in f.place)
        labels.update({norm(p): p for p in f.place})
    return TableLabels(table, labels, places)


@cache
def _subtotal_words() -> frozenset[str]:
    return frozenset(norm(w) for w in L.SUBTOTAL_WORDS)


# --------------------------------------------------------------------------
# Reading one table against one layout table
# --------------------------------------------------------------------------


@dataclass
class CellFound:
    """A data cell of the document: its text, and the labels that name it."""

    origin: Origin
    labels: list[str]  # normalised, nearest first: row labels (right to left), then column labels
    row_labels: list[str]
    col_labels: list[str]


@dataclass
class TableMatch:
    layout: str
    table_key: str
    found: FoundTable
    values: dict[str, CellFound] = field(default_factory=dict)  # field key → its cell
    relabelled: list[tuple[str, str]] = field(default_factory=list)  # (expected, found)
    subtotals: list[CellFound] = field(default_factory=list)
    exact: int = 0  # labels found exactly (after normalising)

    @property
    def score(self) -> tuple[int, int]:
        return (len(self.values), self.exact)


def _classify(text: str, known: TableLabels) -> tuple[str | None, str | None]:
    """(normalised layout label, or subtotal word) for a label cell; (None, None) for a data cell."""
    n = norm(text)
    if not n:
        return None, None
    if n in known.labels:
        return n, None
    if parse_number(text) is not None or n in PLACEHOLDERS:
        return None, None
    for word in _subtotal_words():
        if word in n and len(n) <= len(word) + 6:
            return None, n
    close = _close(n, tuple(known.labels))
    return (close, None) if close is not None else (None, None)


@cache
def _close(n: str, labels: tuple[str, ...]) -> str | None:
    if len(n) < 2:
        return None
    hits = difflib.get_close_matches(n, labels, n=1, cutoff=FUZZY)
    return hits[0] if hits else None


def match_table(found: FoundTable, layout_name: str, table_key: str) -> TableMatch:
    known = table_labels(layout_name, table_key)
    result = TableMatch(layout_name, table_key, found)
    owner: dict[tuple[int, int], int] = {}
    for i in range(len(found.cells) - 1, -1, -1):  # the first origin wins where spans overlap
        o = found.cells[i]
        if o.rowspan == 1 and o.colspan == 1:
            owner[(o.row, o.col)] = i
        else:
            for dr in range(o.rowspan):
                for dc in range(o.colspan):
                    owner[(o.row + dr, o.col + dc)] = i
    kinds: list[tuple[str | None, str | None]] = []
    seen_relabel: set[tuple[str, str]] = set()
    for o in found.cells:
        label, sub = _classify(o.text, known)
        kinds.append((label, sub))
        if label is not None:
            if norm(o.text) == label:
                result.exact += 1
            else:
                pair = (known.labels[label], o.text.replace("\n", ""))
                if pair not in seen_relabel:
                    seen_relabel.add(pair)
                    result.relabelled.append(pair)
    if result.exact < 3:
        return result

    # each grid position: its label, or for a blank position among the labels the label above
    # it (a vertical merge written as blank cells), or None.  A blank position is among the
    # labels when the next filled position to its right holds a label; otherwise it is a blank
    # data cell (a blank 自然人 cell, a table left blank) and names nothing.
    nrows, ncols = found.nrows, found.ncols
    seen: list[str | None] = [None] * ncols  # per column: what a blank position inherits
    row_seq: list[list[tuple[int, str]]] = []
    for r in range(nrows):
        filled: list[int | None] = []  # per column: the origin there, None when blank
        for c in range(ncols):
            at = owner.get((r, c))
            filled.append(at if at is not None and norm(found.cells[at].text) else None)
        label_after = False  # the next filled position to the right holds a label
        among_labels = [False] * ncols
        for c in range(ncols - 1, -1, -1):
            among_labels[c] = label_after
            at = filled[c]
            if at is not None:
                label_after = kinds[at] != (None, None)
        seq = []
        for c in range(ncols):
            at = filled[c]
            if at is None:
                lab = seen[c] if among_labels[c] else None
            else:
                lab = kinds[at][0] or kinds[at][1]
                seen[c] = lab
            if lab is not None:
                seq.append((c, lab))
        row_seq.append(seq)

    # per grid column, the labels from the top down: (last row, label)
    column_labels: dict[int, list[tuple[int, str]]] = {}
    for i, o in enumerate(found.cells):
        lab = kinds[i][0] or kinds[i][1]
        if lab is not None:
            for dc in range(o.colspan):
                column_labels.setdefault(o.col + dc, []).append((o.row + o.rowspan - 1, lab))
    for labels in column_labels.values():
        labels.sort()
    data: list[CellFound] = []
    for i, o in enumerate(found.cells):
        if kinds[i] != (None, None):
            continue
        row_labels: list[str] = []
        for c, lab in reversed(row_seq[o.row]):
            if c < o.col and lab not in row_labels:
                row_labels.append(lab)
        col_labels: list[str] = []
        for last_row, lab in reversed(column_labels.get(o.col, ())):
            if last_row < o.row and lab not in col_labels and lab not in row_labels:
                col_labels.append(lab)
        if not row_labels and not col_labels:
            continue
        data.append(CellFound(o, row_labels + col_labels, row_labels, col_labels))
    index: dict[str, set[int]] = {}
    for j, cell in enumerate(data):
        for lab in cell.labels:
            index.setdefault(lab, set()).add(j)
    used: set[int] = set()
    for key, place in known.places.items():
        candidates: set[int] | None = None
        for lab in place:
            posting = index.get(lab, set())
            candidates = set(posting) if candidates is None else candidates & posting
            if not candidates:
                break
        if not candidates:
            continue
        free = [j for j in candidates if j not in used]
        if not free:
            continue
        best = free[0] if len(free) == 1 else min(
            free,
            key=lambda j: (sum(data[j].labels.index(lab) for lab in place), not norm(data[j].origin.text), j),
        )
        used.add(best)
        result.values[key] = data[best]
    words = _subtotal_words()
    result.subtotals = [
        cell for j, cell in enumerate(data) if j not in used and any(lab in words for lab in cell.labels)
    ]
    return result


# --------------------------------------------------------------------------
# The whole document
# --------------------------------------------------------------------------


@dataclass
class CellValue:
    text: str
    value: Number | None  # None: blank, placeholder or not a number


@dataclass
class Subtotal:
    place: str
    stated: Number
    fields: tuple[str, ...]  # the field keys it adds up


@dataclass
class Reading:
    """A report as recognised: layout, data cells, text, and what reading found wrong."""

    source: str
    kind: str
    layout: L.Layout
    agency: str = ""
    year: int | None = None
    title: str = ""
    date: datetime.date | None = None  # the signature's date
    published: datetime.date | None = None  # a portal's 发布日期
    signature_agency: str = ""
    period_year: int | None = None  # the year of the statistics period in the text
    draft: str = ""  # the 草稿 line above the title, as found (xxgk render --draft writes one)
    text: dict[str, list[str]] = field(default_factory=dict)  # section key → paragraphs
    found_cells: dict[str, CellValue] = field(default_factory=dict)  # every found cell by field key
    subtotals: list[Subtotal] = field(default_factory=list)
    table_layouts: dict[str, str] = field(default_factory=dict)  # table key → best layout
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    unreadable: set[str] = field(default_factory=set)  # field keys of cells missing or not a number

    def input_cells(self) -> dict[str, Number]:
        """Every input cell: blank and placeholder cells as 0."""
        out: dict[str, Number] = {}
        for f in self.layout.input_fields:
            found = self.found_cells.get(f.key)
            out[f.key] = found.value if found is not None and found.value is not None else 0
        return out

    def stated_totals(self) -> dict[str, Number]:
        out: dict[str, Number] = {}
        for s in self.layout.sums:
            found = self.found_cells.get(s.total.key)
            if found is not None and found.value is not None:
                out[s.total.key] = found.value
        return out


def _table_name(table: L.Table) -> str:
    return table.heading


def _label_texts(table: FoundTable) -> frozenset[str]:
    """The normalised texts of a table's cells that are not numbers, blanks or placeholders."""
    out = set()
    for o in table.cells:
        n = norm(o.text)
        if n and n not in PLACEHOLDERS and parse_number(o.text) is None:
            out.add(n)
    return frozenset(out)


def _likeness(texts: frozenset[str], layout_name: str, table_key: str) -> float:
    labels = table_labels(layout_name, table_key).labels
    hits = len(texts.intersection(labels))
    return hits / (len(labels) + len(texts) - hits) if hits else 0.0


def _joined(pieces: list[FoundTable]) -> FoundTable:
    """Pieces of one table, one below the other."""
    if len(pieces) == 1:
        return pieces[0]
    cells: list[Origin] = []
    shift = 0
    for piece in pieces:
        cells += [Origin(o.row + shift, o.col, o.rowspan, o.colspan, o.text) for o in piece.cells]
        shift += piece.nrows
    return FoundTable(cells)


def recognise(found: Found) -> Reading:
    """Recognise layout, cells and text of a found document."""
    keys = [t.key for t in L.LAYOUTS[L.DEFAULT_LAYOUT].tables]
    texts = [_label_texts(t) for t in found.tables]
    likeness: dict[tuple[int, str, str], float] = {
        (i, name, key): _likeness(tx, name, key)
        for i, tx in enumerate(texts)
        for name in L.LAYOUTS
        for key in keys
    }
    chosen_table: dict[str, int] = {}
    for key in keys:  # each table key: the found table most like it (a found table used once)
        ranked = sorted(
            ((max(likeness[(i, n, key)] for n in L.LAYOUTS), -i) for i in range(len(texts))),
            reverse=True,
        )
        for most, neg in ranked:
            if most >= 0.15 and -neg not in chosen_table.values():
                chosen_table[key] = -neg
                break

    tables = found.tables

    def best_key(i: int) -> tuple[float, str]:
        return max((likeness[(i, n, k)], k) for n in L.LAYOUTS for k in keys)

    # a table split in pieces (one per block, or at a page break): the neighbours like it
    wholes: dict[str, FoundTable] = {}
    taken = set(chosen_table.values())
    for key, chosen in chosen_table.items():
        first = last = chosen

        def piece(i: int) -> bool:
            like, best = best_key(i)
            return i not in taken and like > 0 and best == key  # noqa: B023

        while first > 0 and piece(first - 1):
            first -= 1
        while last + 1 < len(tables) and piece(last + 1):
            last += 1
        wholes[key] = _joined(tables[first : last + 1])
    like: dict[tuple[str, str], float] = {}
    for key, whole in wholes.items():
        chosen = chosen_table[key]
        texts_whole = texts[chosen] if whole is tables[chosen] else _label_texts(whole)
        for name in L.LAYOUTS:
            like[(key, name)] = _likeness(texts_whole, name, key)

    def fit(name: str) -> float:
        return sum(like[(key, name)] for key in wholes)

    layout_name = max(L.LAYOUTS, key=lambda n: (round(fit(n), 6), n == L.DEFAULT_LAYOUT))
    layout = L.LAYOUTS[layout_name]
    reading = Reading(found.source, found.kind, layout)
    for key in wholes:
        other = max(L.LAYOUTS, key=lambda n: (like[(key, n)], n == layout_name))  # noqa: B023
        better = like[(key, other)] > like[(key, layout_name)] + 1e-9
        reading.table_layouts[key] = other if better else layout_name
    for table in layout.tables:
        if table.key not in wholes:
            reading.errors.append(Problem(_table_name(table), "找不到这张表（按表中的文字查找）"))
            continue
        _take_cells(reading, table, match_table(wholes[table.key], layout_name, table.key))
    distinct = sorted(set(reading.table_layouts.values()))
    if len(distinct) > 1:
        parts = "；".join(
            f"{_table_name(t)}像 {reading.table_layouts[t.key]}"
            for t in layout.tables
            if t.key in reading.table_layouts
        )
        reading.warnings.append(
            Problem("版式", f"混用了不同版式的表格（{parts}），已按 {layout_name} 读取")
        )
    _read_text(found, reading)
    return reading


def _take_cells(reading: Reading, table: L.Table, m: TableMatch) -> None:
    known = table_labels(m.layout, table.key)
    layout_fields = {f.key: f for f in table.fields}
    blanks: list[str] = []
    placeholders: list[str] = []
    for key, f in layout_fields.items():
        cell = m.values.get(key)
        if cell is None:
            reading.errors.append(Problem(f.place_name, "表中找不到这个单元格"))
            reading.unreadable.add(key)
            continue
        text = cell.origin.text.strip()
        n = norm(text)
        value = parse_number(text) if n else None
        reading.found_cells[key] = CellValue(text, value)
        if f.kind is L.Kind.TOTAL and (not n or n in PLACEHOLDERS):
            continue  # a blank total: computed anyway
        if not n:
            blanks.append(f.place_name)
        elif n in PLACEHOLDERS:
            placeholders.append(f"{f.place_name}（“{text}”）")
        elif value is None:
            reading.errors.append(Problem(f.place_name, f"应为数字，实为 “{text}”"))
            reading.unreadable.add(key)
        elif isinstance(value, Decimal) and f.kind is not L.Kind.AMOUNT:
            reading.errors.append(Problem(f.place_name, f"应为整数，实为 {text}"))
        elif value < 0 and f.kind is not L.Kind.SIGNED:
            reading.errors.append(Problem(f.place_name, f"不能为负数，实为 {text}"))
    if blanks:
        reading.warnings.append(
            Problem(_table_name(table), f"{len(blanks)} 个单元格空白（没有的数应填 0）：{'；'.join(blanks)}")
        )
    if placeholders:
        reading.warnings.append(
            Problem(
                _table_name(table),
                f"{len(placeholders)} 个单元格填的不是数字（没有的数应填 0）：{'；'.join(placeholders)}",
            )
        )
    for expected, was in m.relabelled:
        reading.warnings.append(
            Problem(_table_name(table), f"表中文字与格式不同：应为 “{expected}”，实为 “{was}”")
        )
    words = _subtotal_words()
    for cell in m.subtotals:
        value = parse_number(cell.origin.text)
        if value is None:
            continue
        scope = set()
        for lab in cell.labels:
            if lab in words:
                continue
            if lab in known.labels:
                scope.add(lab)
            else:  # 法人小计: the subtotal of the column group whose label starts so
                rest = lab
                for word in words:
                    rest = rest.replace(word, "")
                scope |= {k for k in known.labels if rest and k.startswith(rest)}
        place_labels = {lab for p in known.places.values() for lab in p}
        scope &= place_labels
        if not scope:
            continue
        parts = tuple(k for k, p in known.places.items() if scope <= p)
        if parts:
            shown = [known.labels.get(lab, lab) for lab in cell.row_labels[::-1] + cell.col_labels[::-1]]
            reading.subtotals.append(Subtotal(" / ".join(shown), value, parts))


# --------------------------------------------------------------------------
# Text: title, headings, sections, signature
# --------------------------------------------------------------------------

_YEAR_IN_TITLE = re.compile(r"(\d{4})\s*年(?:度)?")
_DATE = re.compile(r"(\d{4})\s*[年\-./]\s*(\d{1,2})\s*[月\-./]\s*(\d{1,2})\s*日?")
_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "○": 0, "O": 0}
_CN_DATE = re.compile(
    r"([〇○零O一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日"
)
_PUBLISHED = re.compile(
    r"(?:发布|公开|成文|发文)(?:日期|时间)\s*[:：]?\s*(\d{4}\s*[年\-./]\s*\d{1,2}\s*[月\-./]\s*\d{1,2})"
)


def _cn_number(s: str) -> int:
    if "十" in s:
        tens, _, ones = s.partition("十")
        return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)
    return _CN_DIGITS.get(s, 0)


def parse_date(text: str) -> datetime.date | None:
    t = unicodedata.normalize("NFKC", text).strip()
    m = _DATE.fullmatch(t)
    try:
        if m:
            return datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        m = _CN_DATE.fullmatch(t.replace(" ", ""))
        if m:
            year = int("".join(str(_CN_DIGITS.get(c, 0)) for c in m.group(1)))
            return datetime.date(year, _cn_number(m.group(2)), _cn_number(m.group(3)))
    except ValueError:
        return None
    return None


_NUMERAL = re.compile(r"^([一二三四五六七八九十]{1,3})[.．,，]")  # 一.总体情况 → 一、总体情况


def heading_index(paragraphs: list[str]) -> dict[str, tuple[int, str]]:
    """Section key → (paragraph index, text as found) of each heading found."""
    out: dict[str, tuple[int, str]] = {}
    normed = [_NUMERAL.sub(r"\1,", norm(p)) for p in paragraphs]
    for section in L.SECTIONS:
        if section.heading is None:
            continue
        want = norm(section.heading)
        hit = next((i for i, p in enumerate(normed) if p == want), None)
        if hit is None:  # renamed: same numeral, close wording, short line
            numeral = want.split(",", 1)[0]
            close = [
                (difflib.SequenceMatcher(None, want, p).ratio(), i)
                for i, p in enumerate(normed)
                if p.startswith(numeral + ",") and len(p) <= len(want) + 12
            ]
            close = [c for c in close if c[0] >= 0.5]
            if close:
                hit = max(close)[1]
        if hit is not None:
            out[section.key] = (hit, paragraphs[hit])
    return out


def is_draft_line(paragraph: str) -> bool:
    """草稿, or 草稿（尚未定稿，请勿报送） as ``xxgk render --draft`` writes it above the title."""
    n = norm(paragraph)
    return n == norm(DRAFT) or n.startswith(norm(DRAFT) + "(")


def _read_text(found: Found, reading: Reading) -> None:
    paragraphs = [p.strip() for p in found.paragraphs if p.strip()]
    heads = heading_index(paragraphs)
    order = [s for s in L.SECTIONS if s.heading is not None]
    first = min((i for i, _ in heads.values()), default=len(paragraphs))
    # title: the first short paragraph before the first heading that names the report
    title_at = next(
        (
            i
            for i in range(first)
            if L.REPORT_NAME in paragraphs[i].replace(" ", "") and len(paragraphs[i]) <= 2 * L_MAX_TITLE_LINE
        ),
        None,
    )
    if title_at is not None:
        title = paragraphs[title_at].replace(" ", "")
        if title.startswith(L.REPORT_NAME) and title_at > 0:  # 示例局2024年 / 政府信息公开工作年度报告
            prev = paragraphs[title_at - 1].replace(" ", "")
            if len(prev) <= L_MAX_TITLE_LINE and not _DATE.search(prev) and not is_draft_line(prev):
                title = prev + title
        head = _YEAR_IN_TITLE.sub("", title.split(L.REPORT_NAME, 1)[0]).strip("（）() ")
        if not head and title_at > 0:  # two lines: the agency, then 2022年…报告
            prev = paragraphs[title_at - 1].replace(" ", "")
            if len(prev) <= L_MAX_TITLE_LINE and not _DATE.search(prev) and not is_draft_line(prev):
                head = prev
                title = prev + title
        reading.agency = head
        reading.title = title
        years = _YEAR_IN_TITLE.findall(title)
        if years:
            reading.year = int(years[0])
    reading.draft = next(
        (p for p in paragraphs[: title_at if title_at is not None else first] if is_draft_line(p)), ""
    )
    for p in paragraphs:
        if m := _PUBLISHED.search(unicodedata.normalize("NFKC", p)):
            reading.published = parse_date(m.group(1))
            break
    # sections
    start = (title_at + 1) if title_at is not None else 0
    bounds = sorted((i, key) for key, (i, _) in heads.items())
    preface_end = bounds[0][0] if bounds else len(paragraphs)
    reading.text[L.PREFACE.key] = paragraphs[start:preface_end]
    for n, (i, key) in enumerate(bounds):
        end = bounds[n + 1][0] if n + 1 < len(bounds) else len(paragraphs)
        reading.text[key] = paragraphs[i + 1 : end]
    # the signature: a date at the end of 六 (or of the last section), maybe the agency before it
    last = bounds[-1][1] if bounds else L.PREFACE.key
    body = reading.text.get(last, [])
    for k in range(len(body) - 1, -1, -1):
        date = parse_date(body[k])
        if date is not None:
            reading.date = date
            cut = k
            if k > 0 and len(body[k - 1]) <= L_MAX_TITLE_LINE and "。" not in body[k - 1]:
                reading.signature_agency = body[k - 1]
                cut = k - 1
            reading.text[last] = body[:cut]
            break
    if reading.agency == "" and reading.signature_agency:
        reading.agency = reading.signature_agency
    period = re.search(L.STATISTICS_PERIOD, unicodedata.normalize("NFKC", "".join(paragraphs)))
    if period:
        reading.period_year = int(period.group("year"))
        if reading.year is None:
            reading.year = reading.period_year
    # headings: missing, renamed, out of order
    for section in order:
        if section.key not in heads:
            reading.warnings.append(Problem(section.heading or "", "找不到这个标题"))
        elif norm(heads[section.key][1]) != norm(section.heading or ""):
            reading.warnings.append(
                Problem(
                    section.heading or "",
                    f"标题与格式不同：应为 “{section.heading}”，实为 “{heads[section.key][1]}”",
                )
            )
    found_order = [key for _, key in bounds]
    expected = [s.key for s in order if s.key in heads]
    if found_order != expected:
        names = {s.key: s.heading for s in order}
        reading.warnings.append(
            Problem("标题", "标题顺序与格式不同：" + " → ".join(str(names[k]) for k in found_order))
        )


L_MAX_TITLE_LINE = 40

