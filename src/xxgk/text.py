"""Free text: checking characters, quoting the data, splitting into paragraphs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

# Characters XML 1.0 forbids, plus C1 controls and non-characters: never intended in text.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_BLANK_LINE = re.compile(r"\n[ \t\u3000]*\n")
_LEAD = re.compile(r"^（[一二三四五六七八九十]{1,3}）[^。！？\n]{1,40}?[。：]")
_HEADING_ONLY = re.compile(r"^（[一二三四五六七八九十]{1,3}）[^。！？\n]{1,40}$")
_CJK = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]")


@dataclass(frozen=True)
class Paragraph:
    """A body paragraph: an optional level-2 lead (set in 楷体) and the rest."""

    lead: str
    body: str

    @property
    def text(self) -> str:
        return self.lead + self.body


def illegal_characters(text: str) -> str | None:
    """A message naming the first character that cannot go into a document."""
    m = _ILLEGAL.search(text)
    if m is None:
        return None
    line = text.count("\n", 0, m.start()) + 1
    column = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
    return (
        f"第 {line} 行第 {column} 个字符是不可见的控制字符 U+{ord(m.group()):04X}"
        "（多由复制粘贴带入），请删除后再生成"
    )


@cache
def _environment() -> SandboxedEnvironment:
    env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)
    env.globals.clear()  # a placeholder reads the data and nothing else
    return env


@lru_cache(maxsize=512)
def _compiled(text: str) -> Template:
    """Texts repeat across a batch (shared defaults): compile each once."""
    return _environment().from_string(text)


def render_placeholders(text: str, data: dict[str, Any]) -> tuple[str | None, str | None]:
    """Fill ``{{ … }}`` placeholders; returns (text, None) or (None, message)."""
    if "{" not in text:
        return text, None
    try:
        return _compiled(text).render(data), None
    except TemplateSyntaxError as exc:
        return None, f"第 {exc.lineno} 行的占位符写法有误：{exc.message}（占位符形如 {{{{ year }}}}）"
    except SecurityError:
        return None, "占位符只能引用报告数据，不能访问程序内部"
    except UndefinedError as exc:
        return None, f"占位符引用了不存在的数据：{_undefined_name(str(exc))}（可用的名称见 README）"
    except TemplateError as exc:
        return None, f"占位符无法计算：{exc}"
    except (TypeError, ValueError, ArithmeticError, OverflowError) as exc:
        return None, f"占位符无法计算：{exc}"


def _undefined_name(message: str) -> str:
    m = re.search(r"has no attribute '([^']+)'", message)
    if m:
        return f"“{m.group(1)}”"
    m = re.search(r"'([^']+)' is undefined", message)
    if m:
        return f"“{m.group(1)}”"
    return message


def paragraphs(text: str) -> list[Paragraph]:
    """Split at blank lines; a single line break inside a paragraph is a soft wrap."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    out = []
    for chunk in _BLANK_LINE.split(text):
        lines = [line.strip(" \u3000") for line in chunk.split("\n")]
        joined = ""
        for line in lines:
            if not line:
                continue
            if joined and not (_CJK.match(joined[-1]) or _CJK.match(line[0])):
                joined += " "
            joined += line
        if joined:
            out.append(split_lead(joined))
    return out


def split_lead(text: str) -> Paragraph:
    m = _LEAD.match(text)
    if m:
        return Paragraph(m.group(), text[m.end() :])
    if _HEADING_ONLY.match(text):
        return Paragraph(text, "")
    return Paragraph("", text)
