"""Reading a report document of any format into a :class:`Found`, safely.

Every file is checked to be a regular file (never a folder, FIFO or device)
and read with a byte limit before its reader sees it.  ``.doc``/``.wps`` (and
``.docx`` that is really an old Word file) are converted with LibreOffice first
when it is installed.
"""

from __future__ import annotations

import subprocess
import tempfile
import zipfile
import zlib
from pathlib import Path

from xxgk.errors import InputError, Problem, ToolMissingError
from xxgk.files import Refused, read_limited
from xxgk.formats.found import Found

MAX_REPORT_BYTES = 30 * 2**20
DOCUMENT_SUFFIXES = (".docx", ".html", ".htm", ".pdf", ".doc", ".wps", ".wpt", ".dot", ".rtf")
DOCUMENT_KINDS = "、".join(DOCUMENT_SUFFIXES)  # for messages
CONVERT_SECONDS = 120.0
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc / .wps (and old .xls)


def fail(source: str, message: str) -> InputError:
    return InputError(source, [Problem("", message)])


def read_bytes(path: Path, limit: int = MAX_REPORT_BYTES) -> bytes:
    """A regular file's bytes (at most ``limit``); anything else is a clear error."""
    try:
        return read_limited(path, limit, "一份年度报告")
    except Refused as exc:
        raise fail(str(path), str(exc)) from None


def read_document(path: Path) -> Found:
    """Read a report in any supported format; raises InputError with a Chinese message."""
    source = str(path)
    suffix = path.suffix.lower()
    if suffix not in DOCUMENT_SUFFIXES:
        kind = suffix or "（无扩展名）"
        raise fail(source, f"不认识的文件类型 “{kind}”；可读取 {DOCUMENT_KINDS}")
    data = read_bytes(path)
    if not data:
        raise fail(source, "文件是空的")
    return parse_document(data, source, suffix)


def parse_document(data: bytes, source: str, suffix: str) -> Found:
    from xxgk.formats import docx_reader, html_reader, pdf_reader

    try:
        if data.startswith(b"%PDF"):
            return pdf_reader.read_pdf(data, source)
        if data.startswith(b"PK\x03\x04"):
            return docx_reader.read_docx(data, source)
        old_word = suffix in (".doc", ".wps", ".wpt", ".dot", ".rtf")
        if data.startswith(_OLE) or old_word or data.startswith(b"{\\rtf"):
            found = docx_reader.read_docx(convert_to_docx(data, source, suffix), source)
            found.kind = suffix.lstrip(".") or "doc"
            return found
        head = data[:2048].lstrip().lower()
        page = head.startswith((b"<!doctype", b"<html", b"<?xml", b"mime-version"))
        if suffix in (".html", ".htm") or page:
            if head.startswith(b"mime-version"):
                raise fail(source, "这是 .mht 网页归档，请在浏览器中另存为 “网页，仅 HTML”（.html）后再读取")
            return html_reader.read_html(data, source)
        if suffix == ".pdf":
            raise fail(source, "不是 PDF 文件（文件开头没有 %PDF）")
        return docx_reader.read_docx(data, source)
    except (docx_reader.NotReadable, html_reader.NotReadable, pdf_reader.NotReadable) as exc:
        raise fail(source, str(exc)) from None
    except InputError:
        raise
    except RecursionError:
        raise fail(source, "文件的结构嵌套过深，不像是一份年度报告") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, KeyError) as exc:
        raise fail(source, f"文件已损坏，无法读取（{type(exc).__name__}）") from None


def convert_to_docx(data: bytes, source: str, suffix: str) -> bytes:
    """An old Word/WPS file → .docx bytes, with LibreOffice."""
    from xxgk.pdf import find_soffice, run_soffice, safe_profile

    try:
        soffice = find_soffice(f"（读取 {suffix} 文件需要 LibreOffice；也可以在 Word/WPS 中另存为 .docx）")
    except ToolMissingError as exc:
        raise fail(source, str(exc)) from None
    with tempfile.TemporaryDirectory(prefix="xxgk-read-") as tmp:
        work = Path(tmp)
        name = work / f"report{suffix if suffix in ('.doc', '.wps', '.rtf') else '.doc'}"
        name.write_bytes(data)
        outdir = work / "out"
        safe_profile(work / "profile")  # a file we did not write: no macros, no links followed
        cmd = [
            soffice,
            f"-env:UserInstallation={(work / 'profile').resolve().as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            str(outdir),
            str(name),
        ]
        try:
            run_soffice(cmd, CONVERT_SECONDS)
        except subprocess.TimeoutExpired:
            raise fail(source, f"LibreOffice 转换超过 {CONVERT_SECONDS:.0f} 秒未完成") from None
        except OSError as exc:
            raise fail(source, f"无法启动 LibreOffice：{exc.strerror or exc}") from None
        out = outdir / (name.stem + ".docx")
        if not out.is_file():
            raise fail(source, f"LibreOffice 无法转换这个 {suffix} 文件（文件可能已损坏）")
        return read_bytes(out)
