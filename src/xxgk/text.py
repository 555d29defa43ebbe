"""Free text: checking characters, quoting the data, splitting into paragraphs."""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, lru_cache
from types import SimpleNamespace
from typing import Any

from jinja2 import TemplateSyntaxError, Undefined, UndefinedError, nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from xxgk.sandbox import TEXT_FILTERS, LimitedSandbox, LimitError

MAX_RESULT = 1000  # characters one placeholder may produce
MAX_PLACEHOLDERS = 300  # in one section: each distinct one is compiled (about 1 ms)

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


@cache
def _environment() -> SandboxedEnvironment:
    return LimitedSandbox(autoescape=False, text_only=True, keep_trailing_newline=True)


ALLOWED = (
    "占位符只能引用报告数据（如 requests.received.total）并计算：+ - * / // % **、"
    "比较（== != < > <= >=）、and / or / not、“… if … else …”，"
    f"以及过滤器 {'、'.join(TEXT_FILTERS)}（如 {{{{ x | round(1) }}}}）；"
    "不能写 {% … %} 语句，不能调用函数或方法"
)

# The placeholder language, as Jinja node types: expressions over the data, nothing else.
_ALLOWED_NODES: tuple[type[nodes.Node], ...] = (
    nodes.Template,
    nodes.Output,
    nodes.Name,
    nodes.Getattr,
    nodes.Const,
    nodes.List,
    nodes.Tuple,
    nodes.Add,
    nodes.Sub,
    nodes.Mul,
    nodes.Div,
    nodes.FloorDiv,
    nodes.Mod,
    nodes.Pow,
    nodes.Neg,
    nodes.Pos,
    nodes.Compare,
    nodes.Operand,
    nodes.And,
    nodes.Or,
    nodes.Not,
    nodes.CondExpr,
    nodes.Filter,
)
_COMPARISONS = {"eq", "ne", "lt", "gt", "lteq", "gteq"}


def _refuse(node: nodes.Node) -> str | None:
    """Why a node is not part of the placeholder language, or None."""
    if isinstance(node, nodes.Call):
        target = node.node
        if isinstance(target, nodes.Getattr):
            return f"不能调用方法 .{target.attr}()"
        if isinstance(target, nodes.Name):
            return f"不能调用函数 {target.name}()"
        return "不能调用函数或方法"
    if isinstance(node, nodes.Filter):
        if node.name not in TEXT_FILTERS:
            return f"不能用过滤器 {node.name}"
        if node.kwargs or node.dyn_args or node.dyn_kwargs:
            return f"过滤器 {node.name} 只能按位置写参数，如 x | round(1)"
        if node.args and node.name != "round":
            return f"过滤器 {node.name} 不能带参数"
        if not all(isinstance(getattr(a, "node", a), nodes.Const) for a in node.args):  # 1, -1, 'floor'
            return "round 的参数只能是数字，如 round(1)"
    if isinstance(node, nodes.Operand) and node.op not in _COMPARISONS:
        return f"不能用 {node.op} 比较"
    if isinstance(node, (nodes.Getitem, nodes.Slice)):
        return "不能用方括号取值，请用 . 连接名称"
    if isinstance(node, nodes.Concat):
        return "不能用 ~ 连接文字"
    if isinstance(node, nodes.Mod) and isinstance(getattr(node.left, "value", None), str):
        return "不能用 % 格式化文字"
    if isinstance(node, nodes.Stmt) and not isinstance(node, nodes.Output):
        return "不能写 {% … %} 语句"
    if not isinstance(node, _ALLOWED_NODES):
        return f"不能使用 {type(node).__name__}"
    return None


def _check_tree(tree: nodes.Template) -> None:
    if any(n.attr.startswith("_") for n in tree.find_all(nodes.Getattr)):
        raise SecurityError("internal attribute")  # said as: only the report's data
    _check(tree)


def _check(node: nodes.Node) -> None:
    if (why := _refuse(node)) is not None:
        raise _Message(why)
    for child in node.iter_child_nodes():
        _check(child)


@lru_cache(maxsize=4096)
def _expression(source: str) -> Any:
    """Placeholders repeat across reports while the text around them differs: compile each once.

    The expression is parsed and every node checked against the placeholder language
    before it is compiled: what is not allowed is refused by name, never run.
    """
    env = _environment()
    tree = env.parse("{{ " + source + " }}")
    _check_tree(tree)
    return env.compile_expression(source, undefined_to_none=False)


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
        try:
            value = _expression(source)(data)
        except _Message as exc:
            raise _Message(f"占位符 {{{{ {source} }}}} 的写法不允许：{exc}。{ALLOWED}") from None
        if isinstance(value, Undefined):
            str(value)  # raises the UndefinedError that names the missing attribute
        if isinstance(value, SimpleNamespace):
            raise _Message(_partial(source, ", ".join(vars(value))))
        if isinstance(value, (float, Decimal)):
            finite = value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)
            if not finite:
                raise _Message(f"占位符 {{{{ {source} }}}} 的结果不是有限的数（{value}），请检查除数和乘方")
            if value == 0:
                value = abs(value)  # -0.0 is 0
        shown = str(value)
        if len(shown) > MAX_RESULT:
            raise _Message(f"占位符 {{{{ {source} }}}} 的结果过长（{len(shown)} 个字符，上限 {MAX_RESULT}）")
        return shown
    except _Message:
        raise
    except TemplateSyntaxError as exc:
        raise _Message(f"占位符 {{{{ {source} }}}} 写法有误：{syntax_message(exc.message)}") from None
    except LimitError as exc:  # a limit of ours: too large a result
        raise _Message(f"占位符 {{{{ {source} }}}} 无法计算：{exc}") from None
    except SecurityError:
        raise _Message(f"占位符 {{{{ {source} }}}} 只能引用报告数据，不能访问程序内部") from None
    except UndefinedError as exc:
        raise _Message(_undefined(source, str(exc), data)) from None
    except ZeroDivisionError:
        raise _Message(f"占位符 {{{{ {source} }}}} 无法计算：除数为 0") from None
    except (ArithmeticError, RecursionError):  # decimal.Overflow and the like
        raise _Message(f"占位符 {{{{ {source} }}}} 无法计算：数值超出范围") from None
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
    if isinstance(exc, LimitError):
        return str(exc)
    if isinstance(exc, (TypeError, ValueError)):
        return "数据类型不对（例如把数和文字相加），请检查运算"
    if isinstance(exc, OverflowError):
        return "结果过大"
    return "运算无效，请检查写法"


def render_placeholders(text: str, data: dict[str, Any]) -> tuple[str | None, list[str]]:
    """Fill ``{{ … }}`` placeholders; returns (text, []) or (None, every problem's message)."""
    if "{" not in text and "}" not in text:
        return text, []
    for opener in ("{%", "{#"):
        if (at := text.find(opener)) >= 0:
            line, _ = line_and_column(text, at)
            what = "{% … %} 语句" if opener == "{%" else "{# … #} 注释"
            return None, [f"本部分文字第 {line} 行：正文中不能写 {what}。{ALLOWED}"]
    if (count := text.count("{{")) > MAX_PLACEHOLDERS:
        return None, [f"本部分文字中的占位符过多（{count} 个，上限 {MAX_PLACEHOLDERS} 个）"]
    out = []
    errors: list[str] = []
    last = 0
    for m in _PLACEHOLDER.finditer(text):
        before = text[last : m.start()]
        if "{{" in before or "}}" in before:
            return None, errors + [_unbalanced(text, last)]
        try:
            out.append(before + _evaluate(m.group(1).strip(), data))
        except _Message as exc:  # every placeholder of the text is tried: all problems at once
            line, _ = line_and_column(text, m.start())
            errors.append(f"本部分文字第 {line} 行：{exc}")
        last = m.end()
    rest = text[last:]
    if "{{" in rest or "}}" in rest:
        return None, errors + [_unbalanced(text, last)]
    if errors:
        return None, errors
    out.append(rest)
    return "".join(out), []


def _unbalanced(text: str, start: int) -> str:
    index = min(i for i in (text.find("{{", start), text.find("}}", start)) if i >= 0)
    line, _ = line_and_column(text, index)
    return f"本部分文字第 {line} 行：“{{{{” 和 “}}}}” 要成对出现（占位符形如 {{{{ year }}}}）"


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
