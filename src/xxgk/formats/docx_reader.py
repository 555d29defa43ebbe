"""Reading a .docx report as it is (Word, WPS or xxgk's own) into a :class:`Found`.

The XML is parsed directly with lxml: body paragraphs and tables in order,
direct ``w:tc`` cells with ``w:gridBefore``, ``w:gridSpan`` and ``w:vMerge``
(see :func:`xxgk.formats.docx_dump.origins`).  Content controls (``w:sdt``) and
tracked insertions are looked into; nested tables inside a cell become text.
"""

from __future__ import annotations

import io
import zipfile

from lxml import etree

from xxgk.formats.docx_dump import W, origins, paragraph_text
from xxgk.formats.found import Found, FoundTable

MAX_DOCUMENT_XML = 64 * 2**20  # decompressed word/document.xml
_P, _TBL, _SDT, _CONTENT = (f"{{{W}}}{t}" for t in ("p", "tbl", "sdt", "sdtContent"))


class NotReadable(Exception):
    """The bytes are not a readable .docx; the message says why (in Chinese)."""


def read_docx(data: bytes, source: str) -> Found:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise NotReadable("不是 .docx 文件（文件已损坏，或是改了扩展名的其他文件）") from None
    with archive:
        try:
            info = archive.getinfo("word/document.xml")
        except KeyError:
            raise NotReadable("不是 Word 文档（压缩包中没有 word/document.xml）") from None
        if info.file_size > MAX_DOCUMENT_XML:
            raise NotReadable("文档正文解压后过大，不像是年度报告") from None
        with archive.open(info) as fh:
            xml = fh.read(MAX_DOCUMENT_XML + 1)
    if len(xml) > MAX_DOCUMENT_XML:
        raise NotReadable("文档正文解压后过大，不像是年度报告")
    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as exc:
        raise NotReadable(f"文档正文不是有效的 XML：{exc}") from None
    body = root.find(f"{{{W}}}body")
    found = Found(source, "docx")
    if body is not None:
        _walk(body, found)
    return found


def _walk(parent: etree._Element, found: Found) -> None:
    for child in parent:
        if child.tag == _P:
            found.blocks.append(paragraph_text(child))
        elif child.tag == _TBL:
            found.blocks.append(FoundTable(origins(child)))
        elif child.tag == _SDT:
            content = child.find(_CONTENT)
            if content is not None:
                _walk(content, found)
