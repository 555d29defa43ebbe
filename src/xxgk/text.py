"""Free text: checking characters, quoting the data, splitting into paragraphs."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from types import SimpleNamespace
from typing import Any

from jinja2 import Template, TemplateSyntaxError, Undefined, UndefinedError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from xxgk.sandbox import LimitedSandbox

# Characters XML 1.0 forbids, plus C1 controls and non-characters: never intended in text.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_BLANK_LINE = re.compile(r"\n[ \t\u3000]*\n")
_LEAD = re.compile(r"^[（(][一二三四五六七八九十]{1,3}[）)][^。！？\n]{1,40}?[。：]")
_HEADING_ONLY = re.compile(r"^[（(][一二三四五六七八九十]{1,3}[）)][^。！？\n]{1,40}$")
_PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_CJK = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]")


def line_and_column(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of a character index."""
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


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
    line, column = line_and_column(text, m.start())
    return (
        f"本部分文字第 {line} 行第 {column} 个字符是不可见的控制字符 U+{ord(m.group()):04X}"
        "（多由复制粘贴带入），请删除后再生成"
    )


class PartialValue(Exception):
    """A placeholder that names a whole row or group instead of one number."""


def _finalize(value: Any) -> Any:
    if isinstance(value, SimpleNamespace):
        raise PartialValue(", ".join(vars(value)))
    return value


@cache
def _environment() -> SandboxedEnvironment:
    return LimitedSandbox(autoescape=False, text_only=True, keep_trailing_newline=True, finalize=_finalize)


@lru_cache(maxsize=512)
def _compiled(text: str) -> Template:
    return _environment().from_string(text)


@lru_cache(maxsize=4096)
def _expression(source: str) -> Any:
    """Placeholders repeat across reports while the text around them differs: compile each once."""
    return _environment().compile_expression(source, undefined_to_none=False)


def _names(data: Any, out: set[str]) -> set[str]:
    for key, value in (vars(data) if isinstance(data, SimpleNamespace) else data).items():
        out.add(key)
        if isinstance(value, SimpleNamespace):
            _names(value, out)
    return out


def _undefined(source: str, message: str, data: dict[str, Any]) -> str:
    m = re.search(r"has no attribute '([^']+)'", message) or re.search(r"'([^']+)' is undefined", message)
    if m is None:
        return f"占位符 {{{{ {source} }}}} 引用了不存在的数据（可用的名称见 README）"
    name = m.group(1)
    close = difflib.get_close_matches(name, sorted(_names(data, set())), n=1, cutoff=0.6)
    hint = f"，是否应为 “{close[0]}”？" if close else "（可用的名称见 README）"
    return f"占位符 {{{{ {source} }}}} 引用了不存在的数据 “{name}”{hint}"


def _partial(source: str, fields: str) -> str:
    first = fields.split(", ")[-1]
    return (
        f"占位符 {{{{ {source} }}}} 指的是一整行（或一组）数，请写明哪一栏，"
        f"如 {{{{ {source}.{first} }}}}（可选：{fields}）"
    )


_DOTTED = re.compile(r"[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)*")
_KEYWORDS = frozenset(("and", "or", "not", "in", "is", "if", "else", "true", "false", "none"))


def _plain_value(source: str, data: dict[str, Any]) -> Any:
    """``requests.received.total``: the value, found as the sandbox finds it, without compiling
    an expression (~2 ms each); None for anything else, which the expression then evaluates."""
    if _DOTTED.fullmatch(source) is None:
        return None
    first, *names = source.split(".")
    value = data.get(first)
    for name in names:
        if type(value) is not SimpleNamespace or name.lower() in _KEYWORDS:
            return None
        value = vars(value).get(name)
    if first.lower() in _KEYWORDS or isinstance(value, (SimpleNamespace, bool)):
        return None
    return value


def _evaluate(source: str, data: dict[str, Any]) -> str:
    """One placeholder's text, or a Problem message raised as ValueError."""
    if (plain := _plain_value(source, data)) is not None:
        return str(plain)
    try:
        value = _expression(source)(data)
        if isinstance(value, Undefined):
            str(value)  # raises the UndefinedError that names the missing attribute
        if isinstance(value, SimpleNamespace):
            raise _Message(_partial(source, ", ".join(vars(value))))
        return str(value)
    except _Message:
        raise
    except TemplateSyntaxError as exc:
        raise _Message(f"占位符 {{{{ {source} }}}} 写法有误：{syntax_message(exc.message)}") from None
    except SecurityError as exc:
        if _CJK.search(str(exc)):  # a limit of ours: too large a result
            raise _Message(f"占位符 {{{{ {source} }}}} 无法计算：{exc}") from None
        raise _Message(f"占位符 {{{{ {source} }}}} 只能引用报告数据，不能访问程序内部") from None
    except UndefinedError as exc:
        raise _Message(_undefined(source, str(exc), data)) from None
    except ZeroDivisionError:
        raise _Message(f"占位符 {{{{ {source} }}}} 无法计算：除数为 0") from None
    except Exception as exc:  # a sandboxed expression can fail in many ways; none is a crash
        raise _Message(f"占位符 {{{{ {source} }}}} 无法计算：{failure_message(exc)}") from None


class _Message(Exception):
    pass


# Jinja's syntax messages → what they mean in a placeholder (never Jinja's English).
_SYNTAX = (
    ("unexpected end of template", "没有写完（缺少右括号，或 }} 前少了名称）"),
    ("unexpected 'end of", "没有写完（运算符后面少了名称或数字）"),
    ("chunk after expression", "两个名称或数字之间缺少运算符"),
    ("Expected an expression", "{% … %} 中缺少条件或名称"),
    ("unexpected char", "有不能用的字符（占位符中只写名称、数字和 + - * / ( ) 等运算符，用半角符号）"),
    ("unexpected", "有多余的符号"),
    ("expected token", "缺少符号，或两个名称之间缺少运算符"),
    ("expected name", "“.” 后面应为名称"),
    ("Encountered unknown tag", "{% … %} 的写法不对"),
)


def syntax_message(message: str | None) -> str:
    for english, chinese in _SYNTAX:
        if (message or "").startswith(english):
            return chinese
    return "写法不对（占位符形如 {{ requests.received.total }}）"


def failure_message(exc: Exception) -> str:
    """Why a placeholder could not be computed, in Chinese (a limit of ours is already)."""
    if _CJK.search(str(exc)):
        return str(exc)
    if isinstance(exc, (TypeError, ValueError)):
        return "数据类型不对（例如把数和文字相加），请检查运算"
    if isinstance(exc, OverflowError):
        return "结果过大"
    return "运算无效，请检查写法"


def render_placeholders(text: str, data: dict[str, Any]) -> tuple[str | None, str | None]:
    """Fill ``{{ … }}`` placeholders; returns (text, None) or (None, message)."""
    if "{" not in text and "}" not in text:
        return text, None
    if "{%" in text or "{#" in text:
        return _render_template(text, data)
    out = []
    last = 0
    for m in _PLACEHOLDER.finditer(text):
        before = text[last : m.start()]
        if "{{" in before or "}}" in before:
            return None, _unbalanced(text, last)
        try:
            out.append(before + _evaluate(m.group(1).strip(), data))
        except _Message as exc:
            line, _ = line_and_column(text, m.start())
            return None, f"本部分文字第 {line} 行：{exc}"
        last = m.end()
    rest = text[last:]
    if "{{" in rest or "}}" in rest:
        return None, _unbalanced(text, last)
    out.append(rest)
    return "".join(out), None


def _unbalanced(text: str, start: int) -> str:
    index = min(i for i in (text.find("{{", start), text.find("}}", start)) if i >= 0)
    line, _ = line_and_column(text, index)
    return f"本部分文字第 {line} 行：“{{{{” 和 “}}}}” 要成对出现（占位符形如 {{{{ year }}}}）"


def _render_template(text: str, data: dict[str, Any]) -> tuple[str | None, str | None]:
    """Texts with ``{% … %}`` blocks: the whole text is one sandboxed template."""
    try:
        return _compiled(text).render(data), None
    except TemplateSyntaxError as exc:
        return None, f"本部分文字第 {exc.lineno} 行的占位符写法有误：{syntax_message(exc.message)}"
    except SecurityError:
        return None, "占位符只能引用报告数据，不能访问程序内部"
    except UndefinedError as exc:
        return None, _undefined("…", str(exc), data)
    except PartialValue as exc:
        return None, f"占位符指的是一整行（或一组）数，请写明哪一栏（可选：{exc}）"
    except Exception as exc:  # as in _evaluate: report, never crash
        return None, f"占位符无法计算：{failure_message(exc)}"


_NUMBERED = re.compile(
    r"^([（(][一二三四五六七八九十]{1,3}[）)]|[一二三四五六七八九十]{1,3}、|\d{1,2}[.．、](?!\d)|[（(]\d{1,2}[）)])"
)


def paragraphs(text: str) -> list[Paragraph]:
    """Split into paragraphs the way a clerk's text is meant.

    A new paragraph starts at a blank line, at a line indented with a full-width space or a
    tab (text pasted from Word), at a numbered line (（一）, 一、, 1., （1）) and after a
    sub-heading line.  Other single line breaks are soft wraps: the lines are joined.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    out: list[Paragraph] = []
    for chunk in _BLANK_LINE.split(text):
        current = ""
        for raw in chunk.split("\n"):
            indented = raw.startswith(("\u3000", "\t"))
            line = raw.replace("\t", " ").strip(" \u3000")
            if not line:
                continue
            if current and (indented or _NUMBERED.match(line)):
                out.append(split_lead(current))
                current = ""
            if current and not (_CJK.match(current[-1]) or _CJK.match(line[0])):
                current += " "
            current += line
            if current == line and _HEADING_ONLY.match(line):  # a sub-heading on its own line
                out.append(split_lead(current))
                current = ""
        if current:
            out.append(split_lead(current))
    return out


def split_lead(text: str) -> Paragraph:
    m = _LEAD.match(text)
    if m:
        return Paragraph(m.group(), text[m.end() :])
    if _HEADING_ONLY.match(text):
        return Paragraph(text, "")
    return Paragraph("", text)
