"""The TOML and JSON reader: bytes → text → a plain dict, with Chinese messages.

Real users save with Notepad (UTF-8 with BOM, or "Unicode", i.e. UTF-16),
with WPS or an old editor (GBK/GB18030), and sometimes hand over a folder or
a Word file.  Each case either reads correctly or ends in a clear message.
"""

from __future__ import annotations

import codecs
import json
import re
import tomllib
from decimal import Decimal
from typing import Any

from xxgk.errors import Problem

try:  # the same TOML 1.0 parser as tomllib, compiled: about twice as fast
    import tomli as _tomli
except ImportError:  # pragma: no cover (a dependency; tomllib does the same work)
    _tomli = None  # type: ignore[assignment]
from xxgk.text import line_and_column

# Control characters other than tab and line breaks: never meant, often pasted in.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

SAVE_AS_UTF8 = "请用 UTF-8 编码保存（记事本：文件 → 另存为 → 编码选 “UTF-8”）"


def decode(raw: bytes, fail: Any) -> tuple[str, list[Problem]]:
    if raw.startswith(b"PK\x03\x04"):
        raise fail(
            "这是一个压缩包或 Word/Excel 文件，不是文本输入文件；"
            "请用 xxgk init 生成输入文件模板，填写后再生成报告"
        )
    if raw.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)) or _utf32_without_bom(raw):
        raise fail(f"文件是 UTF-32 编码，xxgk 不读取这种编码；{SAVE_AS_UTF8}")
    if raw.startswith(codecs.BOM_UTF8):
        return _decode_utf8(raw[len(codecs.BOM_UTF8) :], fail), []
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16"), []
        except UnicodeDecodeError:
            raise fail(f"文件编码无法识别，{SAVE_AS_UTF8}") from None
    if b"\x00" in raw:
        for codec in ("utf-16-le", "utf-16-be"):  # "Unicode" saved without its BOM
            try:
                text = raw.decode(codec)
            except UnicodeDecodeError:
                continue
            if _plausible_chinese(text):
                return text, []
        raise fail(f"这是一个二进制文件，不是文本输入文件；{SAVE_AS_UTF8}")
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        raise fail(f"文件既不是 UTF-8 也不是 GBK 编码，无法读取；{SAVE_AS_UTF8}") from None
    if not _plausible_chinese(text):
        raise fail(f"文件编码无法识别（不是 UTF-8，按 GBK 读取也是乱码）；{SAVE_AS_UTF8}")
    note = Problem("", f"文件是 GBK/GB18030 编码，已按此读取；建议{SAVE_AS_UTF8[1:]}")
    return text, [note]


def _utf32_without_bom(raw: bytes) -> bool:
    """Text in UTF-32: every character takes four bytes, and for Chinese or ASCII two are zero."""
    head = raw[:4096]
    if len(head) < 8 or len(head) % 4:
        return False
    quads = [head[i : i + 4] for i in range(0, len(head), 4)]
    return all(q[2:] == b"\0\0" for q in quads) or all(q[:2] == b"\0\0" for q in quads)


def _decode_utf8(raw: bytes, fail: Any) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise fail(f"文件开头标明是 UTF-8，但第 {exc.start} 个字节起不是 UTF-8；{SAVE_AS_UTF8}") from None


_TEXT_RANGES = (
    (0x20, 0x7E),  # ASCII
    (0xA0, 0xFF),  # Latin-1 signs: · × °
    (0x2000, 0x206F),  # general punctuation: — … “ ”
    (0x2100, 0x218F),  # letterlike, number forms: № Ⅰ
    (0x2190, 0x21FF),  # arrows
    (0x2460, 0x24FF),  # enclosed numbers: ①
    (0x2500, 0x25FF),  # box drawing, shapes: ■ ○
    (0x3000, 0x303F),  # CJK punctuation: 、。《》
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFF00, 0xFFEF),  # full-width forms: （）：，
)


def _plausible_chinese(text: str) -> bool:
    """GB18030 decodes almost any bytes; accept only text that looks like text."""
    for ch in text:
        if ch in "\r\n\t":
            continue
        code = ord(ch)
        if not any(lo <= code <= hi for lo, hi in _TEXT_RANGES):
            return False
    return True


# Parser messages (tomllib, json) → what they mean for someone editing the file.
_TOML_MESSAGES = (
    ("Invalid value", "值的写法不对"),
    ("Expected '=' after a key", "键的后面应为 “=”"),
    ("Unclosed array", "方括号没有闭合，或数字之间缺少英文逗号"),
    ("Unclosed inline table", "花括号没有闭合，或各项之间缺少英文逗号"),
    ("Cannot overwrite a value", "同一个键写了两次"),
    ("Cannot declare", "同一个表写了两次"),
    ("Cannot mutate immutable namespace", "这个表已在前面用 {…} 写完，不能再往里加键"),
    ("Cannot redefine namespace", "这个表已在前面写过，不能再写成 [[…]]"),
    ("Duplicate inline table key", "花括号 {…} 里同一个键写了两次"),
    ("Expected ']' at the end of a table declaration", "表名的方括号 [ ] 没有闭合"),
    ("Expected ']]' at the end of an array declaration", "表名的双方括号 [[ ]] 没有闭合"),
    ("Found invalid character", "这里有不该出现的字符"),
    ("Invalid hex value", "\\u 后面应为 4 位十六进制数"),
    ("Escaped character is not a Unicode scalar value", "\\u 转义的字符无效"),
    ("Expected", "这里缺少应有的符号"),
    ("Invalid date or datetime", "日期无效（日期写成 2025-01-20）"),
    ("Expected newline or end of document", "一行只能写一个 “键 = 值”"),
    ("Invalid statement", "这一行不是 “键 = 值” 的写法"),
    ("Unterminated string", "字符串缺少结尾的引号"),
    (
        "Illegal character '\\n'",
        "普通引号 \"…\" 里的文字不能换行；多段文字请用三个引号 \"\"\"…\"\"\" 括起来",
    ),
    ("Illegal character", "有不可见的控制字符（多由复制粘贴带入），请删除"),
    ("Unescaped '\\'", "文字中的反斜杠 \\ 要写成两个 \\\\"),
    ("Invalid initial character for a key part", "键名只能用英文字母、数字、_ 和 -"),
)
_JSON_MESSAGES = (
    ("Expecting property name enclosed in double quotes", "键要用英文双引号括起来（或多了一个逗号）"),
    ("Expecting value", "缺少值（或多了一个逗号）"),
    ("Expecting ',' delimiter", "缺少英文逗号"),
    ("Expecting ':' delimiter", "键的后面缺少英文冒号"),
    ("Extra data", "JSON 结束后还有多余的内容"),
    ("Unterminated string", "字符串缺少结尾的引号"),
    ("Invalid control character", "有不可见的控制字符（多由复制粘贴带入），请删除"),
    ("Invalid \\escape", "反斜杠 \\ 的写法不对（要写成 \\\\）"),
    ("Invalid \\uXXXX escape", "\\u 后面应为 4 位十六进制数"),
    ("Unexpected UTF-8 BOM", "文件开头有多余的编码标记"),
)


GENERIC = "这里的写法不对（对照 xxgk init 生成的文件检查这一行）"


def _translate(detail: str, table: tuple[tuple[str, str], ...]) -> str:
    """The parser's message in the editor's terms; never the parser's English."""
    for english, chinese in table:
        if detail.startswith(english):
            return chinese
    return GENERIC


# What a clerk most likely did on the offending line: (pattern, hint), first match wins.
_LINE_HINTS = (
    (r"\[.*\t|\t.*\[", "从表格复制的数字之间要加英文逗号，如 [86, 9, 1, 0, 3, 2]"),
    (r'^[^"]*\[[^"]*[，、；]', "数字之间要用英文逗号 “,”"),
    (r"\d,\d{3}", "数字不要加千位分隔符，1,234 写成 1234"),
    (
        r"\d{4}[/年.]\d{1,2}[/月.]\d{1,2}|\d{4}-\d-|\d{4}-\d{2}-\d(?!\d)",
        "日期写成 2025-01-20（月、日都用两位数）",
    ),
    (r"[０-９]", "数字要用半角（英文）数字，如 12，不要用全角的 １２"),
    (r"[＝［］｛｝＂]", "等号、括号和引号要用半角（英文）符号：= [ ] { } \""),
    (r"^\s*[^\x00-\x7f]+\s*=", "键名要用英文，如 received（见 xxgk init 生成的文件）"),
    (r"=\s*[^\s\d\[{\"'tf+-]", "文字要用英文双引号括起来"),
)


_DATE = re.compile(r"(\d{4})\s*[-/年.]\s*(\d{1,2})\s*[-/月.]\s*(\d{1,2})\s*日?")


def date_cause(line: str, *, toml: bool = False) -> str | None:
    """A date written another way (2026年1月20日, 2026/1/20, 2026-1-20): the real cause."""
    m = _DATE.search(line.split("#")[0])
    if m is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", m.group().strip()):
        return None
    year, month, day = (int(g) for g in m.groups())
    return (
        f"日期要写成 {year}-{month:02d}-{day:02d}"
        f"（用 “-” 分隔，月、日都用两位数{'，不加引号' if toml else ''}），不能写成 "
        f"“{m.group().strip()}”"
    )


def _line_hint(line: str) -> str:
    for pattern, hint in _LINE_HINTS:
        if re.search(pattern, line):
            return f"。提示：{hint}"
    return ""


class _DuplicateKey(Exception):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """JSON allows a key twice (the last wins); for a report that hides a typo."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def parse(text: str, suffix: str, fail: Any) -> dict[str, Any]:
    kind = {".toml": "toml", ".json": "json"}.get(suffix)
    if kind is None or (kind == "toml" and text.lstrip().startswith("{")):
        kind = "json" if text.lstrip().startswith(("{", "[")) else "toml"  # JSON saved as .toml
    lines = text.splitlines()
    if (bad := _CONTROL.search(text)) is not None:
        line, column = line_and_column(text, bad.start())
        raise fail(
            f"第 {line} 行第 {column} 列有不可见的控制字符 U+{ord(bad.group()):04X}"
            "（多由从 Word 或网页复制粘贴带入），请删除"
        )

    def where(line: int, col: int) -> str:
        shown = lines[line - 1].strip() if 0 < line <= len(lines) else ""
        snippet = f"：{shown[:60]}" if shown else ""
        return f"第 {line} 行第 {col} 列{snippet}"

    def hint(line: int) -> str:
        return _line_hint(lines[line - 1]) if 0 < line <= len(lines) else ""

    if kind == "json":
        try:
            data = json.loads(text, parse_float=Decimal, object_pairs_hook=_unique_keys)
        except _DuplicateKey as exc:
            raise fail(f"JSON 中同一层的键 “{exc.args[0]}” 写了两次（只能写一次）") from None
        except json.JSONDecodeError as exc:
            line, column = exc.lineno, exc.colno
            at_line_start = not text[: exc.pos].rsplit("\n", 1)[-1].strip()
            if exc.msg.startswith("Expecting ',' delimiter") and at_line_start:
                # the comma is missing at the end of the line before (JSON notices it only here)
                before = text[: exc.pos].rstrip()
                line, column = line_and_column(before, len(before) - 1)
                column += 1
                detail = "这一行末尾缺少英文逗号"
            else:
                detail = _translate(exc.msg, _JSON_MESSAGES) + hint(line)
            raise fail(f"JSON 格式错误（{where(line, column)}）：{detail}") from None
        except RecursionError:
            raise fail("JSON 嵌套过深") from None
        except ValueError:  # e.g. an integer of thousands of digits
            raise fail("JSON 中有位数过多、无法读取的数字") from None
    else:
        try:
            data = _toml_loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise fail(_toml_message(exc, where, hint, lines)) from None
        except RecursionError:
            raise fail("TOML 嵌套过深（方括号或花括号套了太多层）") from None
        except ValueError:  # e.g. an integer of thousands of digits
            raise fail("TOML 中有位数过多、无法读取的数字") from None
    if not isinstance(data, dict):
        raise fail("文件的最外层应是一组键值（TOML 的键 = 值，或 JSON 的 {…}）")
    if kind == "toml":
        return Parsed(data, value_lines(lines))
    return data


class Parsed(dict[str, Any]):
    """Parsed data that remembers the file line where each string value's text starts
    (and whether the string spans lines in the file: \"\"\"…\"\"\")."""

    def __init__(self, data: dict[str, Any], lines: dict[tuple[str, ...], tuple[int, bool]]) -> None:
        super().__init__(data)
        self.lines = lines


_TABLE = re.compile(r"\s*\[\s*([\w.\s\"-]+?)\s*\]\s*(#.*)?$")
_KEY_VALUE = re.compile(r"\s*([\w.\s\"-]+?)\s*=\s*(\"\"\"|\'\'\'|\"|\')?(.*)$")


def _key(text: str) -> tuple[str, ...]:
    return tuple(part.strip().strip('"') for part in text.split("."))


def value_lines(lines: list[str]) -> dict[tuple[str, ...], tuple[int, bool]]:
    """Key path → the file line (1-based) where the text of a string value starts, and
    whether the string is a multi-line one.

    A multi-line string whose opening quotes end the line starts on the next line (TOML
    drops that line break), so line N of the value is file line ``start + N - 1``.
    """
    out: dict[tuple[str, ...], tuple[int, bool]] = {}
    table: tuple[str, ...] = ()
    inside: str | None = None  # the quotes of an open multi-line string
    for number, line in enumerate(lines, 1):
        if inside is not None:
            if line.count(inside) % 2 == 1:
                inside = None
            continue
        if (m := _TABLE.match(line)) is not None:
            table = _key(m.group(1))
            continue
        if (m := _KEY_VALUE.match(line)) is None or m.group(2) is None:
            continue
        quotes, rest = m.group(2), m.group(3)
        path = table + _key(m.group(1))
        if len(quotes) == 3:
            out[path] = (number + 1 if not rest.strip() else number, True)
            if rest.count(quotes) % 2 == 0:
                inside = quotes
        else:
            out[path] = (number, False)
    return out


def _toml_loads(text: str) -> Any:
    """tomli's result where it reads the file; anything else is tomllib's to say, in the words
    that ``_TOML_MESSAGES`` translates."""
    if _tomli is not None:
        try:
            return _tomli.loads(text, parse_float=Decimal)
        except Exception:
            pass
    return tomllib.loads(text, parse_float=Decimal)


def _unclosed_triple_quote(lines: list[str]) -> str | None:
    """The line where a \"\"\" text block opens and never closes."""
    opened = None
    for number, line in enumerate(lines, 1):
        for _ in range(line.count('"""')):
            opened = None if opened else number
    return f"第 {opened} 行" if opened else None


def _toml_message(exc: tomllib.TOMLDecodeError, where: Any, hint: Any, lines: list[str]) -> str:
    message = str(exc)
    m = re.search(r"\(at line (\d+), column (\d+)\)", message)
    if m:
        line, col = int(m.group(1)), int(m.group(2))
        if 0 < line <= len(lines) and (cause := date_cause(lines[line - 1], toml=True)) is not None:
            return f"TOML 格式错误（{where(line, col)}）：{cause}"
        detail = _translate(message[: m.start()].strip(), _TOML_MESSAGES)
        return f"TOML 格式错误（{where(line, col)}）：{detail}{hint(line)}"
    if "(at end of document)" in message:
        detail = _translate(message.replace("(at end of document)", "").strip(), _TOML_MESSAGES)
        opened = _unclosed_triple_quote(lines)
        place = f"{opened} 开始的 \"\"\" 没有结尾的 \"\"\"" if opened else "可能缺少右括号、引号或 \"\"\""
        return f"TOML 格式错误（文件末尾，{place}）：{detail}"
    return f"TOML 格式错误：{_translate(message, _TOML_MESSAGES)}"
