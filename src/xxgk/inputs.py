"""Finding and reading input files: folders, option files, and the reader for each format.

Every file is read with a byte limit before any parsing; the reader for its
format (``xxgk.formats``) turns the bytes into plain data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from xxgk.errors import InputError, Problem
from xxgk.files import Refused, each_once, read_limited
from xxgk.formats.toml_json import decode, parse

MAX_INPUT_BYTES = 5 * 1024 * 1024
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".ods", ".xls")  # read by xxgk.formats.xlsx_reader
SCHEMA_SUFFIX = "schema.json"  # a JSON Schema beside the inputs (xxgk-schema.json) is not an input
INPUT_SUFFIXES = (".toml", ".json") + WORKBOOK_SUFFIXES
LOCK_PREFIX = "~$"  # Excel's and WPS's lock file beside a workbook that is open
_NOTEPAD_SUFFIXES = (".toml.txt", ".json.txt")  # saved by Notepad "as text"


def read_data(path: Path) -> tuple[dict[str, Any], list[Problem]]:
    """Read one input file; returns the data and reading notes (warnings)."""
    source = str(path)

    def fail(message: str) -> InputError:
        return InputError(source, [Problem("", message)])

    if path.is_dir():
        raise fail("这是一个文件夹，不是文件（要处理文件夹中的全部输入，请用 xxgk batch）")
    if path.name.startswith(LOCK_PREFIX) and path.suffix.lower() in WORKBOOK_SUFFIXES:
        raise fail(f"这是 Excel/WPS 打开工作簿时留下的临时文件，不是填报表；请读取 “{path.name[2:]}”")
    if path.name.lower().endswith(_NOTEPAD_SUFFIXES):
        real = path.name[: -len(".txt")]
        raise fail(f"文件名是 “{path.name}”（记事本自动加了 .txt），请改名为 “{real}”")
    try:  # a regular file, never more than the limit: a FIFO or /dev/zero is refused
        raw = read_limited(path, MAX_INPUT_BYTES, "年度报告的输入文件")
    except Refused as exc:
        raise fail(str(exc)) from None
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        from xxgk.formats.xlsx_reader import read_workbook

        return read_workbook(raw, fail, source)
    text, notes = decode(raw, fail)
    data = parse(text, path.suffix.lower(), fail)
    return data, notes


def expand_inputs(
    items: list[Path],
    exclude: Path | None = None,
    skipped: list[Path] | None = None,
    locks: list[Path] | None = None,
) -> list[Path]:
    """Files as given; a folder stands for its *.toml, *.json and *.xlsx files, sorted.

    Files whose names start with ``_`` (shared values, a parent's own file) are not
    inputs, named or found in a folder; named ones are listed in ``skipped``.
    ``exclude`` (the --defaults file) never is an input.  A file named twice counts once.
    A ``~$`` lock file (a workbook still open in Excel or WPS) in a folder is listed in ``locks``.
    """
    skip = exclude.resolve() if exclude is not None else None
    out: list[Path] = []
    for item in items:
        if item.is_dir():
            found = [
                p
                for p in sorted(item.iterdir())
                if (p.suffix.lower() in INPUT_SUFFIXES or p.name.lower().endswith(_NOTEPAD_SUFFIXES))
                and p.is_file()
                and not p.name.startswith(("_", LOCK_PREFIX))
                and not p.name.lower().endswith(SCHEMA_SUFFIX)  # the editor's JSON Schema (xxgk schema)
                and p.resolve() != skip
            ]
            if locks is not None:
                locks += [p for p in sorted(item.iterdir()) if p.name.startswith(LOCK_PREFIX)]
        elif item.name.startswith("_") or item.resolve() == skip:  # e.g. from a glob: *.toml
            found = []
            if skipped is not None and item.resolve() != skip:
                skipped.append(item)
        else:
            found = [item]
        out += found
    return each_once(out)


def lock_note(locks: list[Path]) -> str:
    """What to tell about lock files found in a folder."""
    names = "、".join(p.name for p in locks)
    return f"跳过了 Excel/WPS 的临时文件 {names}（对应的工作簿可能仍在编辑中，请保存并关闭后再处理）"


def read_option_file(option: str, path: Path) -> dict[str, Any]:
    """A file given with an option (--defaults, --base): errors name the option."""
    if path.is_dir():
        message = f"这是一个文件夹；{option} 应为一个 .toml 或 .json 文件"
        raise InputError(f"{option} {path}", [Problem("", message)])
    try:
        return read_data(path)[0]
    except InputError as exc:
        raise InputError(f"{option} {path}", exc.problems) from None
