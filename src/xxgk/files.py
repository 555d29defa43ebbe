"""Files on disk: reading with limits, output names, atomic writes, stale PDFs."""

from __future__ import annotations

import errno
import io
import os
import stat
import struct
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from xxgk import layouts as L
from xxgk.errors import OutputError

MAX_NAME_BYTES = 240  # file systems allow 255 bytes for a name
MAX_ZIP_ENTRIES = 5000  # a Word file has dozens; the directory of a million costs memory to list


class Refused(Exception):
    """A file (or a member of a zip) that xxgk will not read; ``str()`` says why, in Chinese."""


_KINDS = (
    (stat.S_ISFIFO, "命名管道（FIFO）"),
    (stat.S_ISCHR, "设备文件"),
    (stat.S_ISBLK, "设备文件"),
    (stat.S_ISSOCK, "套接字"),
)


def _not_regular(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "这是一个文件夹，不是文件"
    kind = next((name for test, name in _KINDS if test(mode)), "特殊文件")
    return f"这是一个{kind}，不是普通文件，xxgk 不读取这类文件"


def read_limited(path: Path, limit: int, kind: str = "") -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; else :class:`Refused`.

    ``kind`` is what such a file should be: a file too large is said not to look like one.

    The file is opened without blocking (a FIFO with no writer would wait forever) and
    checked with ``fstat`` on the open descriptor, so that what is checked is what is read;
    a device, socket or FIFO is refused.  At most ``limit + 1`` bytes are ever read.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    flags |= getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise Refused("文件不存在") from None
    except IsADirectoryError:
        raise Refused("这是一个文件夹，不是文件") from None
    except PermissionError:
        raise Refused("没有读取这个文件的权限") from None
    except OSError as exc:
        if exc.errno in (errno.ENXIO, errno.EOPNOTSUPP):  # a socket
            raise Refused("这是一个套接字，不是普通文件，xxgk 不读取这类文件") from None
        raise Refused(f"无法读取文件：{exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise Refused(_not_regular(st.st_mode))
        if st.st_size > limit:
            raise Refused(f"文件过大（{_size(st.st_size)}，上限 {_size(limit)}）{_unlike(kind)}")
        chunks: list[bytes] = []
        left = limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except OSError as exc:
        raise Refused(f"无法读取文件：{exc.strerror or exc}") from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:  # the file grew while it was read
        raise Refused(f"文件过大（超过 {_size(limit)}）{_unlike(kind)}")
    return data


def _unlike(kind: str) -> str:
    return f"，不像是{kind}" if kind else ""


def _size(n: int) -> str:
    return f"{n / 2**20:.0f} MB" if n >= 2**20 else f"{n // 1024} KB" if n >= 1024 else f"{n} 字节"


def open_zip(data: bytes) -> zipfile.ZipFile:
    """A zip archive from bytes, refused before listing when it claims too many entries."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end >= 0 and len(data) >= end + 12:
        (entries,) = struct.unpack("<H", data[end + 10 : end + 12])
        if entries > MAX_ZIP_ENTRIES:  # 0xFFFF (ZIP64) included: no Word file needs it
            raise Refused(f"压缩包中有 {entries} 个文件，不像是 Word 文件")
    try:
        archive = zipfile.ZipFile(_BytesReader(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise Refused("不是 Word 文档（.docx），或文件已损坏") from None
    if len(archive.infolist()) > MAX_ZIP_ENTRIES:
        raise Refused("压缩包中的文件过多，不像是 Word 文件")
    return archive


def read_member(archive: zipfile.ZipFile, name: str | zipfile.ZipInfo, limit: int) -> bytes:
    """One member of a zip, never more than ``limit`` bytes decompressed (a zip bomb stops here)."""
    info = name if isinstance(name, zipfile.ZipInfo) else archive.getinfo(name)
    if info.file_size > limit:
        raise Refused(f"其中的 {info.filename} 解压后过大（{_size(info.file_size)}，上限 {_size(limit)}）")
    try:
        with archive.open(info) as fh:
            data = fh.read(limit + 1)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise Refused(f"其中的 {info.filename} 无法解压：{exc}") from None
    except Exception as exc:  # zlib.error and the like: a damaged member, not a crash
        raise Refused(f"其中的 {info.filename} 无法解压：{type(exc).__name__}: {exc}") from None
    if len(data) > limit:
        raise Refused(f"其中的 {info.filename} 解压后过大（上限 {_size(limit)}）")
    return data


def rewrite_zip(archive: zipfile.ZipFile, change: Callable[[str, bytes], bytes | None], limit: int) -> bytes:
    """A copy of ``archive`` in which each member's bytes (read within ``limit``) pass through
    ``change``: what it returns is written (the same bytes, or new ones); None leaves the member out."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info in archive.infolist():
            data = change(info.filename, read_member(archive, info, limit))
            if data is not None:
                out.writestr(info, data, zipfile.ZIP_DEFLATED)
    return buf.getvalue()


class _BytesReader(io.BytesIO):
    """Bytes as a file; error messages that show it never show a memory address."""

    def __repr__(self) -> str:
        return "<.docx>"


def output_name(year: int, agency: str) -> str:
    """``<year>年<agency>政府信息公开工作年度报告.docx``, safe as a file name everywhere."""
    head, tail = f"{year}年", f"{L.REPORT_NAME}.docx"
    room = MAX_NAME_BYTES - len((head + tail).encode("utf-8"))
    name = safe_filename(agency).encode("utf-8")[:room].decode("utf-8", "ignore")
    return f"{head}{name}{tail}"


_RESERVED = set('<>:"/\\|?*')


def safe_filename(name: str) -> str:
    """A name usable as a file name: no separators, controls or unencodable characters."""
    cleaned = "".join(
        "_" if (ch in _RESERVED or ord(ch) < 32 or 0xD800 <= ord(ch) <= 0xDFFF) else ch for ch in name
    )
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


@dataclass(frozen=True)
class Stale:
    """What became of an old PDF or page beside a report just written."""

    note: str
    removed: bool  # False: the old file is still there, a warning for its report


def drop_stale_pdf(docx: Path) -> Stale | None:
    """A PDF beside a report just written shows the old numbers: remove it and say so.

    Never raises: a PDF that cannot be removed (a folder of that name, a read-only folder,
    a file open in a viewer on Windows) is said in the note, for the report it belongs to.
    """
    stale = docx.with_suffix(".pdf")
    try:
        if not os.path.lexists(stale):
            return None
        if stale.is_dir() and not stale.is_symlink():
            raise IsADirectoryError(errno.EISDIR, "这是一个文件夹")
        stale.unlink()
    except FileNotFoundError:
        return None
    except OSError as exc:
        return Stale(
            f"同名的旧 PDF “{stale.name}” 无法删除（{exc.strerror or exc}），"
            "其中是以前的数字，请手动删除或加 --pdf 重新导出，切勿报送旧 PDF",
            removed=False,
        )
    return Stale(f"已删除过时的 {stale.name}（对应的 .docx 已重新生成；需要时加 --pdf）", removed=True)


def name_key(path: Path) -> str:
    """File names that collide on Windows or macOS collide here too."""
    return unicodedata.normalize("NFC", path.name).casefold()


def each_once(paths: Iterable[Path]) -> list[Path]:
    """The paths in order, a file named twice (by another path to it) kept once."""
    out: list[Path] = []
    seen: set[Path] = set()
    for path in paths:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            out.append(path)
    return out
