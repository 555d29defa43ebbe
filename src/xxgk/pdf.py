"""PDF export with LibreOffice: one ``soffice`` per worker, each with its own profile."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from xxgk import layouts as L
from xxgk.errors import ConversionError, ToolMissingError

INSTALL_HINT = (
    "未找到 LibreOffice（soffice），无法导出 PDF。请先安装："
    "Debian/Ubuntu 用 “sudo apt-get install libreoffice-writer-nogui fonts-noto-cjk fonts-arphic-ukai”；"
    "Windows 安装 LibreOffice 后把其 program 文件夹加入 PATH。"
)
SECONDS_PER_FILE = 20.0
SECONDS_PER_CHUNK = 60.0


def find_soffice(note: str = "") -> str:
    """The LibreOffice program; ``note`` tells the user what happened to their files."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    raise ToolMissingError(INSTALL_HINT + note)


@dataclass
class Converted:
    docx: Path
    pdf: Path | None
    error: str | None = None


def installed_families() -> set[str] | None:
    """Font families fontconfig knows (None where there is no fc-list, e.g. Windows)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        out = subprocess.run(
            [fc_list, ":", "family"], capture_output=True, timeout=30, check=False, stdin=subprocess.DEVNULL
        ).stdout.decode("utf-8", "replace")
    except (OSError, subprocess.TimeoutExpired):
        return None
    return {name.strip() for line in out.splitlines() for name in line.split(",") if name.strip()}


def substitutions(installed: set[str] | None) -> dict[str, str]:
    """Official font → the face LibreOffice draws in its place when it is not installed,
    so that the preview tells title, heading, lead and body apart."""
    out = {}
    for name, candidates in L.preview_roles().items():
        if installed is not None and name in installed:
            continue
        found = [c for c in candidates if installed is None or c in installed]
        if found:
            out[name] = found[0]
    return out


SYSTEM_FONTCONFIG = Path("/etc/fonts/fonts.conf")


def write_fontconfig(path: Path, pairs: dict[str, str]) -> dict[str, str]:
    """A fontconfig file for LibreOffice's run: the system's, plus the substitutions.

    Returns the environment LibreOffice needs (none where fontconfig is not in use).
    """
    system = Path(os.environ.get("FONTCONFIG_FILE") or SYSTEM_FONTCONFIG)
    if not pairs or not system.is_file():
        return {}
    rules = "".join(
        '<match target="pattern">'
        f'<test name="family" qual="any"><string>{escape(font)}</string></test>'
        f'<edit name="family" mode="assign" binding="strong"><string>{escape(face)}</string></edit>'
        "</match>\n"
        for font, face in sorted(pairs.items())
    )
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        f'<include ignore_missing="yes">{escape(str(system))}</include>\n{rules}</fontconfig>\n',
        encoding="utf-8",
    )
    return {"FONTCONFIG_FILE": str(path)}


def _chunks(items: list[Path], n: int) -> list[list[Path]]:
    n = max(1, min(n, len(items)))
    return [items[i::n] for i in range(n)]


def _kill(proc: subprocess.Popen[bytes]) -> None:
    """Kill soffice and what it started (oosplash starts soffice.bin)."""
    try:
        if hasattr(os, "killpg"):
            os.killpg(proc.pid, signal.SIGKILL)
        else:  # pragma: no cover - Windows
            proc.kill()
    except OSError:
        proc.kill()
    proc.wait()


def run_soffice(cmd: list[str], seconds: float) -> None:
    """Run one soffice command in a process group of its own; past ``seconds`` the whole group
    (soffice.bin included) is killed and ``subprocess.TimeoutExpired`` raised."""
    proc = subprocess.Popen(
        cmd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        proc.wait(timeout=seconds)
    except BaseException:
        _kill(proc)
        raise


def _last_line(path: Path) -> str:
    try:
        lines = path.read_text("utf-8", "replace").strip().splitlines()
    except OSError:
        return ""
    return lines[-1].strip()[:200] if lines else ""


# A fresh profile that never updates links, never fetches from an untrusted referer and runs
# no macros: the documents carry no external targets (see render._sanitize); this holds anyway.
_SCRIPTING = "/org.openoffice.Office.Common/Security/Scripting"
_SETTINGS = (
    (_SCRIPTING, "BlockUntrustedRefererLinks", "true"),
    (_SCRIPTING, "DisableMacrosExecution", "true"),
    (_SCRIPTING, "MacroSecurityLevel", "3"),
    ("/org.openoffice.Office.Writer/Content/Update", "Link", "0"),  # never update links
)
_PROFILE_SETTINGS = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema">\n'
    + "".join(
        f'<item oor:path="{path}"><prop oor:name="{name}" oor:op="fuse">'
        f"<value>{value}</value></prop></item>\n"
        for path, name, value in _SETTINGS
    )
    + "</oor:items>\n"
)


def safe_profile(profile: Path) -> None:
    """A LibreOffice profile that never updates links, fetches nothing and runs no macros."""
    user = profile / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(_PROFILE_SETTINGS, encoding="utf-8")


def convert(docx_files: list[Path], jobs: int = 1) -> list[Converted]:
    """Convert .docx files to PDF next to them; a failure is reported per file."""
    if not docx_files:
        return []
    soffice = find_soffice()
    pairs = substitutions(installed_families())
    results: dict[Path, Converted] = {}
    # Work inside the output folder, so that a finished PDF is renamed into place atomically.
    with tempfile.TemporaryDirectory(prefix=".xxgk-pdf-", dir=docx_files[0].parent.resolve()) as tmp:
        running = []
        env = {**os.environ, **write_fontconfig(Path(tmp) / "fonts.conf", pairs)}  # one for every run
        for i, chunk in enumerate(_chunks(docx_files, jobs)):
            outdir = Path(tmp) / f"out{i}"
            profile = Path(tmp) / f"profile{i}"
            log = Path(tmp) / f"stderr{i}.txt"
            outdir.mkdir()
            safe_profile(profile)
            cmd = [
                soffice,
                f"-env:UserInstallation={profile.resolve().as_uri()}",
                "--headless",
                "--norestore",
                "--nolockcheck",
                "--convert-to",
                "pdf",
                "--outdir",
                str(outdir),
                *[str(p.absolute()) for p in chunk],
            ]
            # stderr goes to a file: an unread pipe fills up and hangs soffice.
            with open(log, "wb") as err:
                try:
                    proc = subprocess.Popen(
                        cmd,
                        stdout=subprocess.DEVNULL,
                        stderr=err,
                        stdin=subprocess.DEVNULL,
                        start_new_session=True,
                        env=env,
                    )
                except OSError as exc:
                    for docx in chunk:
                        results[docx] = Converted(
                            docx, None, f"无法启动 LibreOffice（{soffice}）：{exc.strerror or exc}"
                        )
                    continue
            deadline = time.monotonic() + SECONDS_PER_CHUNK + SECONDS_PER_FILE * len(chunk)
            running.append((proc, chunk, outdir, log, deadline))
        for proc, chunk, outdir, log, deadline in running:
            timed_out = False
            try:
                proc.wait(timeout=max(1.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _kill(proc)
                timed_out = True
            except BaseException:  # Ctrl-C: no LibreOffice left running behind us
                for other, *_ in running:
                    if other.poll() is None:
                        _kill(other)
                raise
            for docx in chunk:
                produced = outdir / (docx.stem + ".pdf")
                target = docx.with_suffix(".pdf")
                if produced.is_file() and produced.stat().st_size > 0:
                    try:
                        try:
                            os.replace(produced, target)
                        except OSError:  # another file system: copy, then remove
                            shutil.move(str(produced), str(target))
                    except OSError as exc:
                        results[docx] = Converted(docx, None, f"无法写入 {target}：{exc.strerror or exc}")
                    else:
                        results[docx] = Converted(docx, target)
                    continue
                if timed_out:
                    reason = "LibreOffice 转换超时"
                else:
                    reason = "LibreOffice 未能转换此文件"
                    detail = _last_line(log)
                    if proc.returncode:
                        detail = f"退出码 {proc.returncode}" + (f"：{detail}" if detail else "")
                    if detail:
                        reason += f"（{detail}）"
                results[docx] = Converted(docx, None, reason)
    return [results[p] for p in docx_files]


def convert_one(docx: Path) -> Path:
    try:
        result = convert([docx])[0]
    except ToolMissingError as exc:
        raise ToolMissingError(f"{exc}（.docx 已生成：{docx}）") from None
    if result.pdf is None:
        raise ConversionError(f"{docx}: {result.error}（.docx 已生成）")
    return result.pdf
