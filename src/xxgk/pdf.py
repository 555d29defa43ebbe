"""PDF export with LibreOffice: one ``soffice`` per worker, each with its own profile."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from xxgk.errors import ConversionError, ToolMissingError

INSTALL_HINT = (
    "未找到 LibreOffice（soffice），无法导出 PDF。请先安装："
    "Debian/Ubuntu 用 “sudo apt-get install libreoffice-writer-nogui fonts-noto-cjk”；"
    "Windows 安装 LibreOffice 后把其 program 文件夹加入 PATH。.docx 文件已生成，不受影响。"
)
SECONDS_PER_FILE = 20.0
SECONDS_PER_CHUNK = 60.0


def find_soffice() -> str:
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    raise ToolMissingError(INSTALL_HINT)


@dataclass
class Converted:
    docx: Path
    pdf: Path | None
    error: str | None = None


def _chunks(items: list[Path], n: int) -> list[list[Path]]:
    n = max(1, min(n, len(items)))
    return [items[i::n] for i in range(n)]


def convert(docx_files: list[Path], jobs: int = 1) -> list[Converted]:
    """Convert .docx files to PDF next to them; a failure is reported per file."""
    if not docx_files:
        return []
    soffice = find_soffice()
    results: dict[Path, Converted] = {}
    with tempfile.TemporaryDirectory(prefix="xxgk-pdf-") as tmp:
        running = []
        for i, chunk in enumerate(_chunks(docx_files, jobs)):
            outdir = Path(tmp) / f"out{i}"
            profile = Path(tmp) / f"profile{i}"
            outdir.mkdir()
            cmd = [
                soffice,
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--norestore",
                "--nolockcheck",
                "--convert-to",
                "pdf",
                "--outdir",
                str(outdir),
                *[str(p) for p in chunk],
            ]
            proc = subprocess.Popen(
                cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL
            )
            deadline = time.monotonic() + SECONDS_PER_CHUNK + SECONDS_PER_FILE * len(chunk)
            running.append((proc, chunk, outdir, deadline))
        for proc, chunk, outdir, deadline in running:
            timed_out = False
            try:
                proc.wait(timeout=max(1.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                timed_out = True
            for docx in chunk:
                produced = outdir / (docx.stem + ".pdf")
                target = docx.with_suffix(".pdf")
                if produced.is_file() and produced.stat().st_size > 0:
                    shutil.move(str(produced), str(target))
                    results[docx] = Converted(docx, target)
                else:
                    reason = "LibreOffice 转换超时" if timed_out else "LibreOffice 未能转换此文件"
                    results[docx] = Converted(docx, None, reason)
    return [results[p] for p in docx_files]


def convert_one(docx: Path) -> Path:
    result = convert([docx])[0]
    if result.pdf is None:
        raise ConversionError(f"{docx}: {result.error}（.docx 已生成）")
    return result.pdf
