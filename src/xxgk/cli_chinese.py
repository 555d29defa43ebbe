"""The command line in Chinese: help pages, usage lines, parameter types and usage errors.

click writes its own words in English (``Usage:``, ``Options:``, ``[default: …]``,
``INTEGER RANGE``, ``Missing argument``…).  Rather than translating click's
strings one by one, xxgk writes these parts itself from the parameters (their
names, metavars, defaults and ranges): the help formatter and the command
classes below, parameter types whose errors are Chinese, and a usage-error
translation that reads the exception's fields, never its English text.  A
message this module does not know is replaced by a general Chinese sentence,
never shown raw.

Kept free of heavy imports: ``xxgk --help`` must stay instant.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

import click

USAGE = "用法："
OPTIONS = "选项"
COMMANDS = "命令"
OPTIONS_METAVAR = "[选项]"
SUBCOMMAND_METAVAR = "命令 [参数]..."
HELP_TEXT = "显示此帮助并退出。"
VERSION_HELP = "显示版本号并退出。"

# Metavars of the parameter types xxgk uses (an option may name its own).
FILE = "文件"
INTEGER = "整数"
TEXT = "文字"


def _has_chinese(text: str) -> bool:
    return re.search(r"[\u4e00-\u9fff]", text) is not None


class Formatter(click.HelpFormatter):
    """click's formatter with the usage line headed 用法：."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, USAGE if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading}：\n")

    def write_dl(self, rows: Iterable[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        """Two columns aligned by display width (a Chinese character takes two columns)."""
        rows = list(rows)
        first = max((width(a) for a, _ in rows if width(a) <= col_max), default=0) + col_spacing
        indent = " " * self.current_indent
        room = max(self.width - self.current_indent - first, 20)
        for term, text in rows:
            lines = wrap(text, room)
            if width(term) + col_spacing > first:
                self.write(f"{indent}{term}\n")
                head = " " * first
            else:
                head = term + " " * (first - width(term))
            for i, line in enumerate(lines or [""]):
                self.write(f"{indent}{head if i == 0 else ' ' * first}{line}".rstrip() + "\n")


def width(text: str) -> int:
    """Columns a text takes in a terminal."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrap(text: str, room: int) -> list[str]:
    """Lines of at most ``room`` columns; Chinese text breaks anywhere, ASCII words stay whole."""
    lines: list[str] = []
    current = ""
    for token in re.findall(r"[\x21-\x7e]+|\s+|.", text):
        if width(current) + width(token) > room and current.strip():
            lines.append(current.rstrip())
            current = token.lstrip()
        else:
            current += token
    if current.strip():
        lines.append(current.rstrip())
    return lines


class Context(click.Context):
    formatter_class = Formatter


# --------------------------------------------------------------------------
# Parameter types with Chinese metavars and errors
# --------------------------------------------------------------------------


class IntRange(click.IntRange):
    """An integer between two bounds; shown as 整数, refused in Chinese."""

    name = INTEGER

    def get_metavar(self, *args: Any, **kwargs: Any) -> str:
        return INTEGER

    def _describe_range(self) -> str:
        return f"{self.min}–{self.max}"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            self.fail(f"应为 {self.min}–{self.max} 之间的整数，实为 “{value}”", param, ctx)


class Choice(click.Choice):  # type: ignore[type-arg,unused-ignore]
    """One of a list of words; refused in Chinese, listing the words."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            self.fail(f"“{value}” 不是可选的值；可选：{'、'.join(map(str, self.choices))}", param, ctx)


def metavar(param: click.Parameter) -> str:
    """What stands for a parameter's value in help and usage lines."""
    if param.metavar is not None:
        return param.metavar
    if isinstance(param.type, click.Choice):
        return "[" + "|".join(map(str, param.type.choices)) + "]"
    if isinstance(param.type, click.types.IntParamType):
        return INTEGER
    if isinstance(param.type, click.Path):
        return FILE
    return TEXT


# --------------------------------------------------------------------------
# Help pages
# --------------------------------------------------------------------------


def help_record(param: click.Parameter) -> tuple[str, str] | None:
    """One option's line of the help page: names and metavar, help, [range; 默认：…; 必填]."""
    if not isinstance(param, click.Option) or param.hidden:
        return None
    names = ", ".join(param.opts)
    if param.secondary_opts:
        names += " / " + ", ".join(param.secondary_opts)
    if not param.is_flag:
        names += " " + metavar(param)
    extras: list[str] = []
    if isinstance(param.type, IntRange):
        extras.append(param.type._describe_range())
    if param.show_default and param.default is not None and not param.is_flag:
        extras.append(f"默认：{param.default}")
    if param.required:
        extras.append("必填")
    text = param.help or ""
    if extras:
        text += f"  [{'；'.join(extras)}]"
    return names, text


class _Chinese(click.Command):
    """What every xxgk command shares: Chinese usage line, option list and --help."""

    context_class = Context

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", OPTIONS_METAVAR)
        super().__init__(*args, **kwargs)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = HELP_TEXT
        return option

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [row for p in self.get_params(ctx) if (row := help_record(p)) is not None]
        if rows:
            with formatter.section(OPTIONS):
                formatter.write_dl(rows)


class Command(_Chinese):
    pass


class Group(_Chinese, click.Group):
    """The root command: lists its commands in Chinese and reports usage errors in Chinese."""

    command_class = Command

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("subcommand_metavar", SUBCOMMAND_METAVAR)
        super().__init__(*args, **kwargs)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_options(ctx, formatter)
        self.format_commands(ctx, formatter)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        commands = [(name, self.get_command(ctx, name)) for name in self.list_commands(ctx)]
        shown = [(name, cmd) for name, cmd in commands if cmd is not None and not cmd.hidden]
        if not shown:
            return
        limit = formatter.width - 6 - max(len(name) for name, _ in shown)
        with formatter.section(COMMANDS):
            formatter.write_dl([(name, cmd.get_short_help_str(limit)) for name, cmd in shown])

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """As click's, but every error of the command line is said in Chinese."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except click.UsageError as exc:
            show_usage_error(exc)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            message = exc.format_message()
            click.echo(f"错误：{message if _has_chinese(message) else '无法执行命令'}", err=True)
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("已中断", err=True)
            sys.exit(130)
        sys.exit(code if isinstance(code, int) else 0)


# --------------------------------------------------------------------------
# Usage errors
# --------------------------------------------------------------------------


def _param_name(param: click.Parameter | None) -> str:
    if param is None:
        return "参数"
    if isinstance(param, click.Option):
        return " / ".join(param.opts)
    return metavar(param)


def usage_error_message(exc: click.UsageError) -> str:
    """A usage error in Chinese, from the exception's fields (never its English text)."""
    message = exc.message
    if isinstance(exc, click.MissingParameter):
        if isinstance(exc.param, click.Option):
            return f"缺少选项 {_param_name(exc.param)}"
        return f"缺少参数 {_param_name(exc.param)}"
    if isinstance(exc, click.NoSuchOption):
        text = f"没有选项 {exc.option_name}"
        if exc.possibilities:
            text += f"，是否应为 {'、'.join(exc.possibilities)}？"
        return text
    if isinstance(exc, click.BadOptionUsage):
        if "requires" in message:
            return f"选项 {exc.option_name} 后面要写一个值"
        if "does not take" in message:
            return f"选项 {exc.option_name} 不带值，不能写 “=…”"
        return f"选项 {exc.option_name} 的写法有误"
    if isinstance(exc, click.BadParameter):
        where = _param_name(exc.param)
        kind = "选项" if isinstance(exc.param, click.Option) else "参数"
        detail = message if _has_chinese(message) else "写法有误"
        return f"{kind} {where} 的值有误：{detail}"
    if m := re.fullmatch(r"No such command '(.+)'\.", message):
        text = f"没有命令 {m.group(1)}"
        if exc.ctx is not None and isinstance(exc.ctx.command, click.Group):
            names = list(exc.ctx.command.commands)
            close = _close(m.group(1), names)
            text += f"，是否应为 {close}？" if close else f"；可用的命令：{'、'.join(names)}"
        return text
    if m := re.fullmatch(r"Got unexpected extra arguments? \((.*)\)", message, flags=re.DOTALL):
        return f"多余的参数：{m.group(1)}（文件名中有空格时请加引号）"
    if message.startswith("Missing command"):
        return "缺少命令"
    if _has_chinese(message):
        return message
    return "命令的写法不对"


def _close(word: str, options: list[str]) -> str | None:
    import difflib

    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return close[0] if close else None


def show_usage_error(exc: click.UsageError) -> None:
    """The Chinese usage line, then what is wrong and where to read more."""
    no_args = getattr(click.exceptions, "NoArgsIsHelpError", None)
    if no_args is not None and isinstance(exc, no_args) and exc.ctx is not None:
        click.echo(exc.ctx.get_help(), err=True)
        return
    command = exc.ctx.command_path if exc.ctx is not None else "xxgk"
    if exc.ctx is not None:
        click.echo(exc.ctx.get_usage(), err=True)
    click.echo(f"命令行有误：{usage_error_message(exc)}（用 {command} --help 查看用法）", err=True)
