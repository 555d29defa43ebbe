"""Reading input files: bytes → text → TOML/JSON → a plain dict.

Real users save with Notepad (UTF-8 with BOM, or "Unicode", i.e. UTF-16),
with WPS or an old editor (GBK/GB18030), and sometimes hand over a folder or
a Word file.  Each case either reads correctly or ends in a clear message.
"""

from __future__ import annotations

import codecs
import json
import tomllib
from pathlib import Path
from typing import Any

from xxgk.errors import InputError, Problem

MAX_INPUT_BYTES = 5 * 1024 * 1024
INPUT_SUFFIXES = (".toml", ".json")

SAVE_AS_UTF8 = "请用 UTF-8 编码保存（记事本：文件 → 另存为 → 编码选 “UTF-8”）"


def display_name(path: Path) -> str:
    return str(path)


def read_data(path: Path) -> tuple[dict[str, Any], list[Problem]]:
    """Read one input file; returns the data and reading notes (warnings)."""
    source = display_name(path)

    def fail(message: str) -> InputError:
        return InputError(source, [Problem("", message)])

    if path.is_dir():
        raise fail("这是一个文件夹，不是输入文件（批量生成请用 xxgk batch）")
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise fail("文件不存在") from None
    except PermissionError:
        raise fail("没有读取这个文件的权限") from None
    except OSError as exc:
        raise fail(f"无法读取文件：{exc.strerror or exc}") from None
    if len(raw) > MAX_INPUT_BYTES:
        raise fail(f"文件过大（{len(raw) // 1024} KB），不像是年度报告的输入文件")
    text, notes = decode(raw, fail)
    data = parse(text, path.suffix.lower(), fail)
    return data, notes


def decode(raw: bytes, fail: Any) -> tuple[str, list[Problem]]:
    if raw.startswith(b"PK\x03\x04"):
        raise fail(
            "这是一个压缩包或 Word/Excel 文件，不是文本输入文件；"
            "请用 xxgk init 生成输入文件模板，填写后再生成报告"
        )
    if raw.startswith(codecs.BOM_UTF8):
        return _decode_utf8(raw[len(codecs.BOM_UTF8) :], fail), []
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16"), []
        except UnicodeDecodeError:
            raise fail(f"文件编码无法识别，{SAVE_AS_UTF8}") from None
    if b"\x00" in raw:
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


def parse(text: str, suffix: str, fail: Any) -> dict[str, Any]:
    kind = {".toml": "toml", ".json": "json"}.get(suffix)
    if kind is None:
        kind = "json" if text.lstrip().startswith(("{", "[")) else "toml"
    lines = text.splitlines()

    def where(line: int, col: int) -> str:
        shown = lines[line - 1].strip() if 0 < line <= len(lines) else ""
        snippet = f"：{shown[:60]}" if shown else ""
        return f"第 {line} 行第 {col} 列{snippet}"

    if kind == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise fail(f"JSON 格式错误（{where(exc.lineno, exc.colno)}）：{exc.msg}") from None
        except RecursionError:
            raise fail("JSON 嵌套过深") from None
    else:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise fail(_toml_message(exc, where)) from None
    if not isinstance(data, dict):
        raise fail("文件的最外层应是一组键值（TOML 的键 = 值，或 JSON 的 {…}）")
    return data


def _toml_message(exc: tomllib.TOMLDecodeError, where: Any) -> str:
    message = str(exc)
    line = getattr(exc, "lineno", None)
    col = getattr(exc, "colno", None)
    detail = getattr(exc, "msg", message)
    if line is None:  # Python < 3.14 keeps the position only in the text
        import re

        m = re.search(r"\(at line (\d+), column (\d+)\)", message)
        if m:
            line, col = int(m.group(1)), int(m.group(2))
            detail = message[: m.start()].strip()
        elif "(at end of document)" in message:
            detail = message.replace("(at end of document)", "").strip()
            return f"TOML 格式错误（文件末尾，可能缺少右括号、引号或 \"\"\"）：{detail}"
        else:
            return f"TOML 格式错误：{message}"
    hint = ""
    if "Invalid value" in detail or "Expected" in detail:
        hint = "（文字要加英文双引号，数字不要加引号和千位分隔符）"
    return f"TOML 格式错误（{where(line, col)}）：{detail}{hint}"


def expand_inputs(items: list[Path], exclude: Path | None = None) -> list[Path]:
    """Files as given; a folder stands for its *.toml and *.json files, sorted.

    ``exclude`` (a defaults or base file kept in the same folder) is left out of folders.
    """
    skip = exclude.resolve() if exclude is not None else None
    out: list[Path] = []
    for item in items:
        if item.is_dir():
            out.extend(
                p
                for p in sorted(item.iterdir())
                if p.suffix.lower() in INPUT_SUFFIXES and p.is_file() and p.resolve() != skip
            )
        else:
            out.append(item)
    return out
