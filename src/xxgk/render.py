"""Filling a .docx template with a checked report.

Templates are docxtpl templates.  Preparing one (reading the zip, docxtpl's
tag clean-up, compiling the Jinja template) happens once per template and
process; each report is then one Jinja render of ``word/document.xml`` added to
a prepared zip of the unchanged parts.  :func:`render_reference` is the plain
docxtpl way, kept as the reference the tests compare the fast path with.

Every template, the bundled ones and a user's own, is rendered in a Jinja
sandbox with ``StrictUndefined`` and XML escaping on.  A user's template is put
in ECMA-376 child order once, when it is prepared; the font set a report asks
for (``fonts``) is swapped into the styles and the font table of the prepared
package; created and modified are the time of generation (``SOURCE_DATE_EPOCH``
when set).
"""

from __future__ import annotations

import datetime
import io
import os
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Template
from jinja2 import TemplateError as JinjaTemplateError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from xxgk import layouts as L
from xxgk import ooxml
from xxgk import typeset as T
from xxgk.compute import format_number, nested
from xxgk.draft import draft_name, mark_draft
from xxgk.errors import OutputError, TemplateError
from xxgk.files import Refused, open_zip, read_limited, read_member, rewrite_zip, write_atomic
from xxgk.report import Report
from xxgk.sandbox import LimitedSandbox, LimitError, LimitExceeded, run_limited

DOCUMENT = "word/document.xml"
CORE = "docProps/core.xml"
STYLES = "word/styles.xml"
FONT_TABLE = "word/fontTable.xml"
_TAG = re.compile(r"\{[{%]")
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
MAX_TEMPLATE_BYTES = 50 * 2**20
MAX_TEMPLATE_UNPACKED = 200 * 2**20
MAX_TEMPLATE_XML = 32 * 2**20  # all XML parts together, decompressed
MAX_PART_BYTES = 16 * 2**20  # one XML part decompressed; the bundled document.xml is ~60 KB
MAX_TAGS = 20_000  # Jinja tags in one part; the bundled templates have ~250
_PART_COMPRESSION = 1  # the rendered parts: 5x faster than the default level 6, ~1 KB larger


@cache
def _package_dir() -> Path:
    return Path(str(resources.files("xxgk")))  # ~0.5 ms a call: once per process


def template_dir() -> Path:
    """The bundled templates: inside the installed package, or the source tree."""
    packaged = _package_dir() / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "templates"


def template_path(layout: L.Layout) -> Path:
    return template_dir() / layout.template_name


def fonts_of(report: Report) -> str:
    """The font set the report asks for (``fonts`` in the input or the shared values)."""
    fonts = report.data.get("fonts") or L.DEFAULT_FONTS
    return fonts if fonts in L.FONT_SETS else L.DEFAULT_FONTS


def context(report: Report) -> dict[str, Any]:
    """The template context: cells as printed, text paragraphs, title lines, signature."""
    from markupsafe import Markup

    values: dict[str, Any] = {k: format_number(v) for k, v in report.cells.items()}
    ctx = nested(values)
    ctx["agency"] = report.agency
    ctx["year"] = report.year
    ctx["title"] = T.title_lines(report.agency, report.year, report.data.get("title"))
    signed = report.date is not None
    text: dict[str, list[dict[str, Any]]] = {}
    for key, paras in report.text.items():
        text[key] = [
            {
                "lead": p.lead,
                "body": p.body,
                # a level-2 heading on its own line; the paragraph the signature stays with
                "keep": (bool(p.lead) and not p.body.strip())
                or (signed and key == L.OTHER.key and i == len(paras) - 1),
            }
            for i, p in enumerate(paras)
        ]
    ctx[L.TEXT_KEY] = text
    signature: dict[str, Any] | None = None
    if report.date is not None:
        date = f"{report.date.year}年{report.date.month}月{report.date.day}日"
        name_right, date_right = T.signature_indents(report.agency, date)
        signature = {
            "agency": report.agency,
            "date": date,
            "agency_paragraph": Markup(
                "".join(
                    T.signature_paragraph(line, L.SIGNATURE_STYLE, name_right, keep_next=True)
                    for line in T.signature_lines(report.agency)
                )
            ),
            "date_paragraph": Markup(
                T.signature_paragraph(date, L.SIGNATURE_STYLE, date_right, keep_next=False)
            ),
        }
    ctx[L.SIGNATURE_KEY] = signature
    return ctx


def generation_time() -> datetime.datetime:
    """Now, or ``SOURCE_DATE_EPOCH`` (reproducible output), in UTC, to the second."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.datetime.fromtimestamp(int(epoch), datetime.UTC).replace(tzinfo=None)
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None, microsecond=0)


_CORE_DATE = re.compile(r"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:\2>)")


def stamp_core(xml: str, when: datetime.datetime) -> str:
    """Created and modified = the time of generation."""
    text = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    return _CORE_DATE.sub(lambda m: f"{m.group(1)}{text}{m.group(3)}", xml)


def environment() -> SandboxedEnvironment:
    return LimitedSandbox(autoescape=True)


# --------------------------------------------------------------------------
# Fast path
# --------------------------------------------------------------------------


@dataclass
class _Part:
    name: str
    prefix: str
    template: Template | None  # None: no tags, the source as it is
    suffix: str
    source: str


class CompiledTemplate:
    """A template prepared once; :meth:`render` produces one report's .docx bytes."""

    def __init__(self, path: Path, *, bundled: bool = False, fonts: str = L.DEFAULT_FONTS) -> None:
        self.path = path
        self.verify = not bundled  # a user's template: check each output parses as XML
        self.fonts = fonts
        self.swaps: dict[str, str] = {}  # font names of the template → those of ``fonts``
        try:
            self._prepare(path)
        except (TemplateError, MemoryError):
            raise
        except Refused as exc:  # a part too large, a member that does not unpack
            raise TemplateError(f"模板 {path} 无法使用：{exc}") from None
        except Exception as exc:  # a damaged or foreign file: the user's error, said plainly
            message = f"模板 {path} 无法使用（不是有效的 Word 模板）：{type(exc).__name__}: {_plain(exc)}"
            raise TemplateError(message) from None

    def _prepare(self, path: Path) -> None:
        try:
            data = read_limited(path, MAX_TEMPLATE_BYTES)
            archive = open_zip(data)
            names = archive.namelist()
        except Refused as exc:
            raise TemplateError(f"模板 {path} 无法使用：{exc}") from None
        except zipfile.BadZipFile:
            raise TemplateError(f"模板 {path} 不是 Word 文档（.docx），或文件已损坏") from None
        except OSError as exc:
            raise TemplateError(f"模板 {path} 无法读取：{exc.strerror or exc}") from None
        unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > MAX_TEMPLATE_UNPACKED:  # checked before anything is decompressed
            raise TemplateError(f"模板 {path} 解压后过大（{unpacked // 2**20} MB），不像是 Word 模板")
        if DOCUMENT not in names:
            raise TemplateError(f"模板 {path} 不是 Word 文档（缺少 {DOCUMENT}）")
        xml = sum(i.file_size for i in archive.infolist() if i.filename.endswith((".xml", ".rels")))
        if xml > MAX_TEMPLATE_XML:  # every XML part is parsed: bound the work before any of it
            size, limit = xml // 2**20, MAX_TEMPLATE_XML // 2**20
            raise TemplateError(f"模板 {path} 中的 XML 共 {size} MB（上限 {limit} MB），不像是 Word 模板")
        try:
            data, self.notes = _sanitize(archive, data)
            archive = open_zip(data)
        except Refused as exc:
            raise TemplateError(f"模板 {path} 无法使用：{exc}") from None
        self.fast = _fast_eligible(archive)
        self.env = environment()
        self.parts: list[_Part] = []
        if STYLES in names:
            self.swaps = font_swaps(archive.read(STYLES).decode("utf-8", "replace"), self.fonts)
        if self.verify or self.swaps:  # a user's template in schema order; the chosen fonts
            data = _rewrite(archive, self.swaps, reorder=self.verify)
            archive = zipfile.ZipFile(io.BytesIO(data))
        if not self.fast:
            self.base = data
            return
        from docxtpl import DocxTemplate  # heavy import: only when a template is prepared

        tpl = DocxTemplate(io.BytesIO(data))
        try:
            tpl.init_docx()
        except ValueError as exc:  # python-docx: not a Word document (a .docm, a .dotx …)
            raise TemplateError(f"模板 {path} 不是 Word 文档（.docx）：{_plain(exc)}") from None
        dynamic = {DOCUMENT: self._document_part(tpl)}
        for rel in tpl.docx._part.rels.values():
            if rel.reltype in (tpl.HEADER_URI, tpl.FOOTER_URI) and rel.target_part.blob:
                part = rel.target_part
                text = tpl.get_part_xml(part)
                if _TAG.search(text):
                    name = str(part.partname).lstrip("/")
                    dynamic[name] = self._part(name, "", tpl.patch_xml(text), "")
        if CORE in names:  # document properties: title, author (tags); dates (always)
            text = read_member(archive, CORE, MAX_PART_BYTES).decode("utf-8")
            if _TAG.search(text):
                dynamic[CORE] = self._part(CORE, "", text, "")
            else:
                dynamic[CORE] = _Part(CORE, "", None, "", text)
        if not _TAG.search(dynamic[DOCUMENT].source):
            raise TemplateError(
                f"{path} 中没有任何 {{{{ … }}}} 标签：这像是一份已生成的报告，而不是模板；"
                "请用 templates/ 中的模板或它的副本修改"
            )
        self.parts = list(dynamic.values())
        # the unchanged parts, prepared once: each report adds its rendered parts
        self.base = rewrite_zip(
            archive, lambda name, data: None if name in dynamic else data, MAX_TEMPLATE_UNPACKED
        )

    def _part(self, name: str, prefix: str, src: str, suffix: str) -> _Part:
        if len(src) > MAX_PART_BYTES:
            raise TemplateError(f"模板 {self.path} 的 {name} 过大（上限 {MAX_PART_BYTES // 2**20} MB）")
        if len(_TAG.findall(src)) > MAX_TAGS:
            raise TemplateError(f"模板 {self.path} 的 {name} 中标签过多（上限 {MAX_TAGS} 个）")
        src = re.sub(r"<w:p([ >])", r"\n<w:p\1", src)
        try:
            template = self.env.from_string(src)
        except JinjaTemplateError as exc:
            raise TemplateError(f"模板 {self.path} 的标签有误：{exc}") from None
        return _Part(name, prefix, template, suffix, src)

    def _document_part(self, tpl: Any) -> _Part:
        from lxml import etree

        root = tpl.docx._element
        whole = etree.tostring(root, encoding="unicode")
        start = whole.index("<w:body")
        end = whole.rindex("</w:body>") + len("</w:body>")
        prefix = '<?xml version=\'1.0\' encoding=\'UTF-8\' standalone=\'yes\'?>\n' + whole[:start]
        return self._part(DOCUMENT, prefix, tpl.patch_xml(tpl.get_xml()), whole[end:])

    def render(self, ctx: Mapping[str, Any]) -> bytes:
        if not self.verify:  # a bundled template: the fast path, in this process
            return self._render(ctx)
        try:  # a user's template: in a child process, under a time and a memory limit
            return run_limited(lambda: self._render(ctx))
        except LimitExceeded as exc:
            raise TemplateError(f"模板 {self.path} 渲染时{exc}（模板中的循环或表达式过大）") from None

    def _render(self, ctx: Mapping[str, Any]) -> bytes:
        when = generation_time()
        if not self.fast:
            data = render_reference(self.base, ctx, when, name=self.path)
            if self.verify or self.swaps:
                data = _rewrite(zipfile.ZipFile(io.BytesIO(data)), self.swaps, reorder=self.verify)
            return data
        buf = io.BytesIO(self.base)
        buf.seek(0, io.SEEK_END)
        with zipfile.ZipFile(buf, "a", zipfile.ZIP_DEFLATED) as out:
            for part in self.parts:
                if part.template is None:
                    xml = part.source
                else:
                    xml = _postprocess(_render(part.template, ctx, self.path))
                if part.name == DOCUMENT and "docPr" in xml:
                    xml = _renumber_drawings(xml)
                if part.name == CORE:
                    xml = stamp_core(xml, when)
                if self.verify:
                    _check_xml(part.prefix + xml + part.suffix, self.path)
                info = zipfile.ZipInfo(part.name, date_time=_ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                data = (part.prefix + xml + part.suffix).encode("utf-8")
                out.writestr(info, data, compresslevel=_PART_COMPRESSION)
        return buf.getvalue()


def _check_xml(xml: str, path: Path) -> None:
    """A user's template must not yield a part Word cannot open."""
    from lxml import etree

    parser = ooxml.safe_parser()
    try:
        etree.fromstring(xml.encode("utf-8"), parser)
    except etree.XMLSyntaxError as exc:
        raise TemplateError(f"模板 {path} 生成的文档不是有效的 XML：{exc}") from None


def _render(template: Template, ctx: Mapping[str, Any], path: Path) -> str:
    try:
        return template.render(ctx)
    except Exception as exc:  # a user's template can fail in many ways; each is their error
        raise _template_error(path, exc) from None


def _template_error(path: Path, exc: Exception) -> TemplateError:
    if isinstance(exc, MemoryError):
        return TemplateError(f"模板 {path} 渲染时内存不足，已停止（模板中的循环或表达式过大）")
    if isinstance(exc, LimitError):
        return TemplateError(f"模板 {path} 的表达式超出限制：{exc}")
    if isinstance(exc, SecurityError):
        return TemplateError(f"模板 {path} 试图访问程序内部，已拒绝：{exc}")
    if isinstance(exc, JinjaTemplateError):
        return TemplateError(f"模板 {path} 有误或引用了报告中没有的数据：{exc}")
    return TemplateError(f"模板 {path} 无法渲染：{type(exc).__name__}: {exc}")


def _postprocess(xml: str) -> str:
    """What docxtpl does after rendering a part (values never hold \\t \\a \\n \\f).

    That is ``replace("\\n<w:p ", "<w:p ").replace("\\n<w:p>", "<w:p>")``, then the escaped
    braces; done as below because a search for one character is ~100x faster than for several.
    """
    if "\n" in xml:
        first, *rest = xml.split("\n")
        xml = first + "".join(p if p.startswith(("<w:p ", "<w:p>")) else "\n" + p for p in rest)
    if "_" not in xml:
        return xml
    return xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")


_DOCPR_ID = re.compile(r'(<wp:docPr\b[^>]*?\sid=")\d+(")')


def _renumber_drawings(xml: str) -> str:
    """What docxtpl's fix_docpr_ids does: drawing ids 1001, 1002, … in body order."""
    counter = iter(range(1001, 1_000_000))
    return _DOCPR_ID.sub(lambda m: f"{m.group(1)}{next(counter)}{m.group(2)}", xml)


def _fast_eligible(archive: zipfile.ZipFile) -> bool:
    """The fast path covers tags in the body, headers, footers and properties; else use docxtpl."""
    body = read_member(archive, DOCUMENT, MAX_PART_BYTES).decode("utf-8", "replace")
    if re.search(r"\{%-?\s*tc\b", body):  # cell loops need docxtpl's table fix-up
        return False
    if "word/footnotes.xml" in archive.namelist():
        footnotes = read_member(archive, "word/footnotes.xml", MAX_PART_BYTES)
        if _TAG.search(footnotes.decode("utf-8", "replace")):
            return False
    return True


# --------------------------------------------------------------------------
# What a template may not carry: links outside the document
# --------------------------------------------------------------------------

_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_LINK_ONLY = "link"  # a:blip r:link: a linked picture; an embedded copy (r:embed) may stay
# Fields that fetch a file or a URL when the document is opened, printed or converted.
_FETCHING_FIELD = re.compile(
    r"(?:<w:instrText\b[^>]*>|\bw:instr=\")\s*(INCLUDEPICTURE|INCLUDETEXT|LINK|DDE|DDEAUTO|IMPORT|RD)\b",
    re.IGNORECASE,
)
_KIND_NAMES = {
    "image": "链接的图片",
    "attachedTemplate": "附加模板",
    "oleObject": "链接的 OLE 对象",
    "font": "外部字体",
    "subDocument": "子文档",
    "frame": "外部框架",
}


def _sanitize(archive: zipfile.ZipFile, data: bytes) -> tuple[bytes, list[str]]:
    """The template without external relationships (hyperlinks stay), and a note of each one removed.

    A linked picture, an ``attachedTemplate`` on a network path, a linked OLE object or a
    remote font would be copied into every report, and Word or LibreOffice would fetch it.
    Fields that fetch files (INCLUDEPICTURE, INCLUDETEXT, LINK, DDE) and macro-enabled
    documents are refused.
    """
    from lxml import etree

    if "[Content_Types].xml" in archive.namelist():
        types = read_member(archive, "[Content_Types].xml", MAX_PART_BYTES)
        if b"macroEnabled" in types:
            raise Refused("这是启用宏的文档（.docm/.dotm）；请在 Word 中“另存为” .docx（不含宏）后再用作模板")
    parser = ooxml.safe_parser()
    names = set(archive.namelist())
    replaced: dict[str, bytes] = {}
    notes: list[str] = []
    for info in archive.infolist():
        name = info.filename
        if name.startswith("word/") and name.endswith(".xml"):
            xml = read_member(archive, info, MAX_PART_BYTES).decode("utf-8", "replace")
            if (m := _FETCHING_FIELD.search(xml)) is not None:
                raise Refused(
                    f"{name} 中有会读取外部文件或网址的域（{m.group(1).upper()}）；请在 Word 中删除该域"
                    "（或选中后按 Ctrl+Shift+F9 转为普通内容）再用作模板"
                )
        if not name.endswith(".rels"):
            continue
        try:
            rels = etree.fromstring(read_member(archive, info, MAX_PART_BYTES), parser)
        except etree.XMLSyntaxError as exc:
            raise Refused(f"{name} 不是有效的 XML：{exc}") from None
        removed: dict[str, str] = {}
        for rel in list(rels):
            kind = (rel.get("Type") or "").rsplit("/", 1)[-1]
            if rel.get("TargetMode") == "External" and kind != "hyperlink":
                removed[rel.get("Id") or ""] = kind
                notes.append(f"{_KIND_NAMES.get(kind, kind)}（{rel.get('Target')}）")
                rels.remove(rel)
        if not removed:
            continue
        replaced[name] = etree.tostring(rels, xml_declaration=True, encoding="UTF-8", standalone=True)
        folder, _, base = name.rpartition("_rels/")
        source = folder + base[: -len(".rels")]
        if source in names:
            try:
                part = etree.fromstring(read_member(archive, source, MAX_PART_BYTES), parser)
            except etree.XMLSyntaxError as exc:
                raise Refused(f"{source} 不是有效的 XML：{exc}") from None
            _drop_references(part, removed)
            replaced[source] = etree.tostring(part, xml_declaration=True, encoding="UTF-8", standalone=True)
    if not replaced:
        return data, []
    return rewrite_zip(archive, lambda name, body: replaced.get(name, body), MAX_TEMPLATE_UNPACKED), notes


def _drop_references(part: Any, removed: dict[str, str]) -> None:
    """Remove what points at a removed relationship: the ``r:link`` of a picture, else the element."""
    for el in list(part.iter()):
        for attr, value in list(el.attrib.items()):
            if not (attr.startswith(f"{{{_REL_NS}}}") and value in removed):
                continue
            if attr == f"{{{_REL_NS}}}{_LINK_ONLY}":
                del el.attrib[attr]
            elif (parent := el.getparent()) is not None:
                parent.remove(el)
                break


_OBJECT_REPR = re.compile(r"<[\w.]+ object at 0x[0-9a-fA-F]+>|'?<\.docx>'?")


def _plain(exc: BaseException) -> str:
    """A library's message without Python object addresses such as ``<_io.BytesIO object at 0x…>``."""
    return _OBJECT_REPR.sub("文件", str(exc))


def template_notes(template: Path | None, report: Report) -> list[str]:
    """What was removed from a user's template (external links), for the user to know.

    The template prepared for the report's fonts is the one it was rendered with: no other is made."""
    if template is None:
        return []
    try:
        notes = get_template(template, fonts_of(report)).notes
    except TemplateError:
        return []
    if not notes:
        return []
    return [f"模板 {template} 中的外部链接已删除，生成的报告不含这些内容：{'；'.join(notes)}"]


@cache
def compiled(path: Path, mtime_ns: int, size: int, fonts: str = L.DEFAULT_FONTS) -> CompiledTemplate:
    bundled = path.parent == template_dir().resolve()
    if not bundled:
        _trial(path, fonts)
    return CompiledTemplate(path, bundled=bundled, fonts=fonts)


def _trial(path: Path, fonts: str) -> None:
    """A user's template is first prepared in a child under the render limits.

    Preparing (docxtpl's tag clean-up, the Jinja compile) is work that grows with the
    template: one crafted to make it quadratic is refused before this process spends the
    time or the memory.  A template that passes is prepared again here, once per run.
    """
    import docxtpl  # noqa: F401 - imported before the fork: the child inherits it

    def prepare() -> bytes:
        CompiledTemplate(path, fonts=fonts)
        return b""

    try:
        run_limited(prepare)
    except LimitExceeded as exc:
        raise TemplateError(f"模板 {path} 准备时{exc}（模板过大或过于复杂）") from None


def get_template(path: Path, fonts: str = L.DEFAULT_FONTS) -> CompiledTemplate:
    try:
        st = path.stat()
    except OSError:
        raise TemplateError(f"模板文件不存在：{path}") from None
    if path.is_dir():
        raise TemplateError(f"模板应为 .docx 文件，{path} 是一个文件夹")
    return compiled(path.resolve(), st.st_mtime_ns, st.st_size, fonts)


# --------------------------------------------------------------------------
# Fonts and schema order of a template's parts
# --------------------------------------------------------------------------


def font_swaps(styles_xml: str, fonts: str) -> dict[str, str]:
    """Font names to replace so that a template made with one font set uses ``fonts``."""
    target = L.FONT_SETS[fonts]
    for own in L.FONT_SETS.values():
        if own is not target and f'w:eastAsia="{own.body.name}"' in styles_xml:
            pairs = zip(own.faces, target.faces, strict=True)
            return {old.name: new.name for old, new in pairs if old.name != new.name}
    return {}


_XML_PARTS = re.compile(r"word/(document|styles|settings|numbering|fontTable|header\d*|footer\d*)\.xml")


def _rewrite(archive: zipfile.ZipFile, swaps: dict[str, str], *, reorder: bool) -> bytes:
    """The package with the fonts swapped and, for a user's template, every part in schema order."""
    from lxml import etree

    def change(name: str, data: bytes) -> bytes:
        if name == FONT_TABLE and swaps:
            return _font_table(data, swaps)
        if not _XML_PARTS.fullmatch(name):
            return data
        text = data.decode("utf-8")
        for old, new in swaps.items():
            text = text.replace(f'="{old}"', f'="{new}"')
        if reorder:
            root = etree.fromstring(text.encode("utf-8"), ooxml.safe_parser())
            if ooxml.reorder(root):
                text = etree.tostring(root, encoding="unicode")
                text = "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n" + text
        return text.encode("utf-8")

    return rewrite_zip(archive, change, MAX_TEMPLATE_UNPACKED)


def _font_table(data: bytes, swaps: dict[str, str]) -> bytes:
    """The template's font table without the replaced fonts, with the new ones declared."""
    from lxml import etree

    new = etree.fromstring(T.font_table(_set_of(swaps)))
    try:
        root = etree.fromstring(data, ooxml.safe_parser())
    except etree.XMLSyntaxError:
        return T.font_table(_set_of(swaps))
    name = f"{{{T.W_NS}}}name"
    declared = {f.get(name) for f in new}
    for font in list(root):
        if font.get(name) in swaps or font.get(name) in declared:
            root.remove(font)
    for font in new:
        root.append(font)
    ooxml.reorder(root)
    declaration = b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    return declaration + etree.tostring(root, encoding="utf-8")


def _set_of(swaps: dict[str, str]) -> L.FontSet:
    names = set(swaps.values())
    return next(s for s in L.FONT_SETS.values() if names <= {f.name for f in s.faces})


# --------------------------------------------------------------------------
# Reference path: docxtpl as its users write it (with a sandbox)
# --------------------------------------------------------------------------


def render_reference(
    path: Path | bytes,
    ctx: Mapping[str, Any],
    when: datetime.datetime | None = None,
    name: Path | None = None,
) -> bytes:
    from docxtpl import DocxTemplate

    class Reference(DocxTemplate):  # type: ignore[misc]
        def render_properties(self, context: Any, jinja_env: Any = None) -> None:
            # Properties are set as text, and python-docx escapes them: render unescaped.
            super().render_properties(context, LimitedSandbox(autoescape=False))

    shown = name if name is not None else path if isinstance(path, Path) else Path("模板")
    tpl = Reference(io.BytesIO(path) if isinstance(path, bytes) else str(path))
    try:
        tpl.render(dict(ctx), jinja_env=environment(), autoescape=True)
    except Exception as exc:  # as in _render
        raise _template_error(shown, exc) from None
    props = tpl.docx.core_properties
    props.created = props.modified = when or generation_time()
    buf = io.BytesIO()
    tpl.save(buf)
    return buf.getvalue()


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------


def render_bytes(report: Report, template: Path | None = None, *, draft: bool = False) -> bytes:
    """The .docx of a report; a ``draft`` carries a red 草稿 line above the title."""
    path = template if template is not None else template_path(report.layout)
    try:
        document = get_template(path, fonts_of(report)).render(context(report))
        return mark_draft(document) if draft else document
    except TemplateError as exc:
        if template is not None and "has no attribute" in str(exc):
            raise TemplateError(
                f"{exc}（这个模板的版式是否与输入的版式 {report.layout.name} 一致？"
                "请用对应版式的模板副本修改）"
            ) from None
        raise


def write_report(
    report: Report, output: Path, template: Path | None = None, *, draft: bool = False
) -> Path:
    """Write to ``output``: a .docx path, or a folder (existing, or a name without suffix).

    A ``draft`` is named …（草稿）.docx and carries a red 草稿 line above the title."""
    if output.is_dir() or not output.suffix:
        if output.exists() and not output.is_dir():
            raise OutputError(f"{output} 是一个文件，不是文件夹；请给出 .docx 文件名或文件夹")
        output = output / report.output_name
    elif output.suffix.lower() != ".docx":
        raise OutputError(f"输出文件应以 .docx 结尾：{output}")
    if draft:
        output = output.with_name(draft_name(output.name))
    write_atomic(output, render_bytes(report, template, draft=draft))
    return output
