"""Files on disk: output names, atomic writes, stale PDFs."""

from __future__ import annotations

import os
import tempfile
import unicodedata
from functools import cache
from pathlib import Path

from xxgk import layouts as L
from xxgk.errors import OutputError

MAX_NAME_BYTES = 240  # file systems allow 255 bytes for a name


def output_name(year: int, agency: str) -> str:
    """``<year>年<agency>政府信息公开工作年度报告.docx``, safe as a file name everywhere."""
    head, tail = f"{year}年", f"{L.REPORT_NAME}.docx"
    room = MAX_NAME_BYTES - len((head + tail).encode("utf-8"))
    name = safe_filename(agency).encode("utf-8")[:room].decode("utf-8", "ignore")
    return f"{head}{name}{tail}"


_RESERVED = set('<>:"/\\|?*')


def safe_filename(name: str) -> str:
    cleaned = "".join("_" if (ch in _RESERVED or ord(ch) < 32) else ch for ch in name)
    cleaned = cleaned.strip(" .")
    while ".." in cleaned:
        cleaned = cleaned.replace("..", ".")
    return cleaned or "_"



@cache
def ordinary_file_mode() -> int:
    """The mode an ordinary new file gets (0666 less the umask); mkstemp gives 0600."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def write_temp(directory: Path, data: bytes, prefix: str = ".xxgk-") -> Path:
    """A hidden temporary file with ``data`` and an ordinary file mode; removed on failure."""
    fd, name = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=directory)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, ordinary_file_mode())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def write_atomic(path: Path, data: bytes) -> None:
    """Write via a temporary file in the same folder, then rename: never a partial file."""
    directory = path.parent
    try:
        directory.mkdir(parents=True, exist_ok=True)
        tmp = write_temp(directory, data)
    except OSError as exc:
        raise OutputError(f"无法在 {directory} 写入文件：{exc.strerror or exc}") from None
    try:
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"无法写入 {path}：{exc.strerror or exc}") from None


def drop_stale_pdf(docx: Path) -> str | None:
    """A PDF beside a report just written shows the old numbers: remove it and say so."""
    stale = docx.with_suffix(".pdf")
    if not stale.exists():
        return None
    stale.unlink(missing_ok=True)
    return f"已删除过时的 {stale.name}（对应的 .docx 已重新生成；需要时加 --pdf）"


def name_key(path: Path) -> str:
    """File names that collide on Windows or macOS collide here too."""
    return unicodedata.normalize("NFC", path.name).casefold()
