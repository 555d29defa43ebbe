"""The command line: parses options, calls the library, maps errors to exit codes.

Exit status: 0 success (warnings allowed), 1 the input or the data is wrong,
2 the command line is wrong.  Heavy modules are imported inside the commands so
that ``xxgk --help`` and argument errors stay instant.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from xxgk import __version__
from xxgk.cli_chinese import FILE, VERSION_HELP, Choice, Group, IntRange
from xxgk.formats import SCHEMA_FILE
from xxgk.layouts import (  # data only: cheap to import
    DEFAULT_FONTS,
    DEFAULT_LAYOUT,
    FONT_SETS,
    LAYOUTS,
    MAX_YEAR,
    MIN_YEAR,
)

F = TypeVar("F", bound=Callable[..., Any])

EPILOG_ROOT = """\b
快速开始：
  xxgk init -o 2025.toml          生成带注释的输入文件
  xxgk validate 2025.toml         检查数字和勾稽关系
  xxgk render 2025.toml -o out/   生成 Word 报告
  xxgk batch inputs/ -o out/      批量生成下属单位的报告
"""


def _echo_err(message: str) -> None:
    click.echo(message, err=True)


def _warn(source: str, warnings: list[Any]) -> None:
    for w in warnings:
        _echo_err(f"提示：{source}: {w}")


@contextmanager
def _user_errors(consequence: str = "") -> Iterator[None]:
    """Typed errors → message on stderr and exit 1; never a traceback for a user error."""
    from xxgk.errors import InputError, XxgkError

    try:
        yield
    except XxgkError as exc:
        _echo_err(f"错误：{exc}")
        if consequence and isinstance(exc, InputError):
            _echo_err(consequence)
        sys.exit(1)
    except KeyboardInterrupt:
        _echo_err("已中断")
        sys.exit(130)


path_arg = click.Path(path_type=Path)
FOLDER_OR_FILE, INPUTS = "文件或文件夹", "输入文件或文件夹..."
DRAFT_HELP = (
    "输入中还有【请填写】时也生成，作为草稿：文件名以 “（草稿）” 结尾，首页注明 “草稿”；"
    "不加此选项时，这样的输入不生成报告。"
)


@click.group(
    "xxgk",
    cls=Group,
    epilog=EPILOG_ROOT,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, prog_name="xxgk", message="%(prog)s %(version)s", help=VERSION_HELP)
def cli() -> None:
    """xxgk：生成政府信息公开工作年度报告（Word）。

    数据写一次（TOML 或 JSON），所有总计由程序计算，所有勾稽关系在生成前检查，\
表格版式与国家格式（国办公开办函〔2021〕30号）逐字一致。
    """


def _suffix(*allowed: str, folder: bool = False) -> Callable[[click.Context, click.Parameter, Any], Any]:
    """Refuse a file name of the wrong kind as a command-line error (exit 2)."""

    def check(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
        if value is None or value.suffix.lower() in allowed:
            return value
        if folder and (value.is_dir() or not value.suffix):
            return value
        kinds = " 或 ".join(allowed) + " 文件" + ("或一个文件夹" if folder else "")
        raise click.BadParameter(f"应为 {kinds}：{value}", ctx=ctx, param=param)

    return check


def _path_option(name: str, help: str) -> Callable[[F], F]:
    return click.option(name, type=path_arg, metavar=FILE, help=help)


previous_option = _path_option(
    "--previous",
    "上一年度的输入文件或报告（.toml、.json、.docx、.doc、.wps、.html、.pdf）：核对上年结转、现行有效件数等跨年数据。",
)
defaults_option = _path_option(
    "--defaults",
    "各单位共用的值（年度、版式、落款日期、字体、共用文字）的文件，合并到每个输入之下；输入中的值优先。",
)
template_option = _path_option("--template", "使用自己修改过的模板（.docx）代替内置模板；模板在沙箱中渲染。")
fonts_option = click.option(
    "--fonts",
    type=Choice(list(FONT_SETS), case_sensitive=False),
    help="字体："
    + "或".join(f"{key}（{fonts.description}）" for key, fonts in FONT_SETS.items())
    + f"；默认 {DEFAULT_FONTS}；输入文件中写明的 fonts 优先。",
)
html_option = click.option(
    "--html", is_flag=True, help="同时在 .docx 旁生成同名 .html 网页（用于门户网站发布）。"
)
fragment_option = click.option(
    "--fragment",
    is_flag=True,
    help="生成的 .html 只含正文（内联样式，不用样式类），用于粘贴到网站内容管理系统的编辑器；隐含 --html。",
)
layout_option = click.option(
    "--layout", type=Choice(list(LAYOUTS)), default=DEFAULT_LAYOUT, show_default=True, help="表格版式。"
)
jobs_option = click.option("--jobs", "-j", type=IntRange(1, 64), help="并行进程数；默认为 CPU 核数。")
draft_option = click.option("--draft", is_flag=True, help=DRAFT_HELP)


@cli.command(
    epilog="""\b
示例：
  xxgk render inputs/xingtai-2022.toml
  xxgk render 2025.toml -o out/ --previous 2024.toml
  xxgk render 2025.toml -o 报告.docx --pdf
  xxgk render 甲县.toml --defaults _defaults.toml
  xxgk render 2025.toml -o out/ --html
  xxgk render 2025.toml -o out/ --html --fragment
"""
)
@click.argument("input_file", metavar="输入文件", type=path_arg)
@click.option(
    "-o",
    "--output",
    type=path_arg,
    metavar=FOLDER_OR_FILE,
    callback=_suffix(".docx", folder=True),
    help="输出的 .docx 文件或文件夹；默认为当前文件夹下的 “<年度>年<机关>政府信息公开工作年度报告.docx”。",
)
@previous_option
@defaults_option
@template_option
@fonts_option
@click.option("--pdf", is_flag=True, help="同时用 LibreOffice 导出 PDF。")
@draft_option
@html_option
@fragment_option
def render(
    input_file: Path,
    output: Path | None,
    previous: Path | None,
    defaults: Path | None,
    template: Path | None,
    fonts: str | None,
    pdf: bool,
    draft: bool,
    html: bool,
    fragment: bool,
) -> None:
    """生成一份年度报告（.docx）。"""
    with _user_errors("未生成报告。"):
        from xxgk import render_one

        result = render_one(
            input_file,
            output,
            previous=previous,
            defaults=defaults,
            template=template,
            pdf=pdf,
            draft=draft,
            fonts=fonts,
            html=html,
            fragment=fragment,
        )
        _warn(str(input_file), result.warnings)
        click.echo(f"已生成：{result.output}")
        if result.pdf is not None:
            click.echo(f"已生成：{result.pdf}")
        if result.html is not None:
            click.echo(f"已生成：{result.html}")


@cli.command(
    epilog="""\b
示例：
  xxgk validate 2025.toml
  xxgk validate inputs/*.toml
  xxgk validate 2025.toml --previous 2024.toml
  xxgk validate 各单位/ --defaults 各单位/_defaults.toml
"""
)
@click.argument("inputs", metavar=INPUTS, nargs=-1, required=True, type=path_arg)
@previous_option
@defaults_option
def validate(inputs: tuple[Path, ...], previous: Path | None, defaults: Path | None) -> None:
    """只检查，不生成：列出所有错误和提示。"""
    with _user_errors():
        from xxgk import check_all
        from xxgk.errors import InputError

        notes: list[str] = []
        results = check_all(list(inputs), previous=previous, defaults=defaults, notes=notes)
        for note in notes:
            _echo_err(f"提示：{note}")
        for result in results:
            if result.report is not None:
                warnings = result.report.warnings
                _warn(str(result.path), warnings)
                note = f"（{len(warnings)} 条提示）" if warnings else ""
                click.echo(f"通过：{result.path}{note}")
            elif isinstance(result.error, InputError):
                _echo_err(f"错误：{result.error}")
                _warn(str(result.path), result.error.warnings)  # one round shows everything
            else:
                _echo_err(f"错误：{result.path}: {result.error}")
        failed = sum(1 for r in results if r.report is None)
        if len(results) > 1:
            click.echo(f"共 {len(results)} 个：通过 {len(results) - failed}，未通过 {failed}")
        if failed:
            sys.exit(1)


@cli.command(
    epilog="""\b
示例：
  xxgk init -o 2025.toml
  xxgk init --layout xingtai-2022 -o 2025.toml
  xxgk init > 2025.toml
  xxgk init -o 2025.toml --schema              同时写出 xxgk-schema.json（编辑器补全用）
  xxgk init -o 2025.toml --schema 共用/schema.json
  xxgk init -o 填报表.xlsx --agency 甲县人民政府 --year 2025
  xxgk init --from 2025.toml -o 2025.xlsx
  xxgk init --xlsx --units 单位名单.csv -o 下发/ --previous 2024各单位/
  xxgk init --from 2024年报告.docx -o 2025.toml
"""
)
@layout_option
@click.option(
    "-o",
    "--output",
    type=path_arg,
    metavar=FILE,
    callback=_suffix(".toml", ".xlsx", folder=True),
    help="写入的 .toml 或 .xlsx 文件（--units 时为文件夹）；默认输出 TOML 到屏幕。",
)
@click.option("--year", type=IntRange(MIN_YEAR, MAX_YEAR), help="报告年度；默认为上一年。")
@click.option("--force", is_flag=True, help="覆盖已有的文件。")
@click.option("--xlsx", is_flag=True, help="生成 Excel 填报表（.xlsx）；-o 以 .xlsx 结尾时可省略。")
@click.option("--agency", help="填报表中预填的机关全称。")
@click.option(
    "--from",
    "source",
    type=path_arg,
    help="上一年的报告或输入（.docx、.html、.pdf、.toml、.json、.xlsx 等）：生成下一年的输入——"
    "机关、版式沿用，年度加 1，上年结转、现行有效件数带入，上年文字作为初稿（须改写）；"
    "-o 为 .xlsx 时，生成按这份输入填好的填报表（年度不变）。",
)
@click.option(
    "--units",
    type=path_arg,
    help="单位名单（.csv，每行：单位名称[,短文件名]）：为每个单位生成一个填报表，-o 为文件夹。",
)
@click.option(
    "--previous",
    type=path_arg,
    help="与 --units 同用：上一年度各单位输入所在的文件夹，按机关全称匹配，预填上年结转等。",
)
@click.option(
    "--schema",
    "schema_file",
    is_flag=False,
    flag_value=SCHEMA_FILE,
    type=path_arg,
    help=f"同时写出输入文件的 JSON Schema（默认 {SCHEMA_FILE}，与输入文件在同一文件夹）；"
    "输入文件第一行的 #:schema 指向它，编辑器据此补全键名、检查数字。",
)
@defaults_option
def init(
    layout: str,
    output: Path | None,
    year: int | None,
    force: bool,
    xlsx: bool,
    agency: str | None,
    source: Path | None,
    units: Path | None,
    previous: Path | None,
    defaults: Path | None,
    schema_file: Path | None,
) -> None:
    """生成输入文件模板：带中文注释的 TOML（填好【请填写】处即可生成报告），或 Excel 填报表。"""
    with _user_errors():
        if units is not None:
            _init_units(units, output, layout, year, previous, force)
            return
        if previous is not None:
            raise click.UsageError("--previous 只能与 --units 同用")
        workbook = xlsx or (output is not None and output.suffix.lower() == ".xlsx")
        if workbook:  # a fill-in workbook, blank or (--from) filled with an input's data
            from xxgk import write_workbook

            if output is None:
                raise click.UsageError("请用 -o 给出要生成的文件名，如 -o 填报表.xlsx")
            if xlsx and output.suffix.lower() != ".xlsx":
                raise click.UsageError(f"--xlsx 时文件名应以 .xlsx 结尾：{output}")
            written = write_workbook(
                output,
                layout=layout,
                year=year,
                agency=agency,
                source=source,
                defaults=defaults,
                force=force,
            )
            click.echo(f"已生成：{written}")
            return
        from xxgk import init_text, write_schema, write_skeleton
        from xxgk.api import schema_location

        schema_file, reference = schema_location(output, schema_file)
        if source is not None:
            from xxgk import init_from_report

            made = init_from_report(source)
            _warn(str(source), made.notes)
            text = made.text
        else:
            text = init_text(layout, year, schema=reference)
        if output is None:
            click.echo(text, nl=False)
        else:
            click.echo(f"已生成：{write_skeleton(output, text, force=force)}")
        if schema_file is not None:
            _echo_err(f"已生成：{write_schema(schema_file, layout)}")


def _init_units(
    units: Path, output: Path | None, layout: str, year: int | None, previous: Path | None, force: bool
) -> None:
    from xxgk import write_unit_workbooks

    if output is None or output.suffix:
        raise click.UsageError("--units 时请用 -o 给出一个文件夹，如 -o 下发/")
    result = write_unit_workbooks(units, output, layout=layout, year=year, previous=previous, force=force)
    for note in result.notes:
        _echo_err(f"提示：{note}")
    carried = sum(1 for w in result.written if w.previous is not None)
    tail = f"，其中 {carried} 个已按上年输入预填上年结转" if previous is not None else ""
    click.echo(f"已生成 {len(result.written)} 个填报表：{output}{tail}")


@cli.command(
    epilog="""\b
示例：
  xxgk batch inputs/branches/ -o out/ --defaults inputs/branches/_defaults.toml
  xxgk batch a.toml b.toml c.json -o out/ --summary out/汇总.xlsx --pdf
  xxgk batch inputs/branches/ -o out/ --defaults inputs/branches/_defaults.toml --html
"""
)
@click.argument("inputs", metavar=INPUTS, nargs=-1, required=True, type=path_arg)
@click.option("-o", "--output", "outdir", type=path_arg, metavar="文件夹", required=True, help="输出文件夹。")
@defaults_option
@jobs_option
@click.option("--pdf", is_flag=True, help="全部生成后用 LibreOffice 导出 PDF。")
@click.option(
    "--summary",
    type=path_arg,
    metavar=FILE,
    callback=_suffix(".xlsx", ".csv"),
    help="汇总表：.xlsx 或 .csv，每个单位一行（状态、错误数、主要数字）。",
)
@template_option
@draft_option
@fonts_option
@html_option
@fragment_option
def batch(
    inputs: tuple[Path, ...],
    outdir: Path,
    defaults: Path | None,
    jobs: int | None,
    pdf: bool,
    summary: Path | None,
    template: Path | None,
    draft: bool,
    fonts: str | None,
    html: bool,
    fragment: bool,
) -> None:
    """批量生成多个单位的报告：一个出错不影响其他。"""
    with _user_errors():
        from xxgk import run_batch

        with _Progress() as progress:
            report = run_batch(
                list(inputs),
                outdir,
                defaults=defaults,
                jobs=jobs,
                pdf=pdf,
                summary=summary,
                template=template,
                draft=draft,
                fonts=fonts,
                on_start=progress.start,
                on_result=progress.update,
                html=html,
                fragment=fragment,
            )
        for line in report.lines():
            _echo_err(line)
        click.echo(report.totals_line())
        if report.summary_path is not None:
            click.echo(f"汇总表：{report.summary_path}")
        if report.exit_code:
            sys.exit(report.exit_code)


@cli.command(
    epilog="""\b
示例：
  xxgk aggregate 各单位/ --defaults 各单位/_defaults.toml --base 各单位/_center.toml -o 合计.toml
  xxgk render 合计.toml
"""
)
@click.argument("inputs", metavar=INPUTS, nargs=-1, required=True, type=path_arg)
@click.option(
    "-o",
    "--output",
    type=path_arg,
    metavar=FILE,
    required=True,
    callback=_suffix(".toml"),
    help="写入的合计输入文件（.toml）。",
)
@click.option(
    "--base",
    type=path_arg,
    metavar=FILE,
    help="上级机关本级的输入文件：机关名称、落款日期和正文取自此文件，"
    "其中的数字是本级自己的数字，与各单位的数字相加（不要填写各单位的合计，否则会重复计算）。",
)
@defaults_option
@click.option("--force", is_flag=True, help="覆盖已有的文件。")
def aggregate(
    inputs: tuple[Path, ...], output: Path, base: Path | None, defaults: Path | None, force: bool
) -> None:
    """把多个单位的数字相加，生成上级机关汇总报告的输入文件。"""
    with _user_errors("未生成合计文件。"):
        from xxgk import aggregate_files

        result = aggregate_files(list(inputs), output, base=base, defaults=defaults, force=force)
        for line in result.notes:
            _echo_err(f"提示：{line}")
        own = "和本级" if result.base_included else ""  # --base: its own numbers are in the sums too
        click.echo(f"已汇总 {result.count} 个单位{own}：{result.output}")


@cli.command(
    "check",
    epilog="""\b
示例：
  xxgk check 收到的报告/
  xxgk check 2024年报告.docx --previous 2023年报告.pdf
  xxgk check 各部门/ --summary 检查结果.xlsx
  xxgk check 各部门/ --parent 全县合计.docx
  xxgk check 报告.html --json > 结果.json
""",
)
@click.argument("reports", metavar="报告或文件夹...", nargs=-1, required=True, type=path_arg)
@click.option(
    "--previous",
    type=path_arg,
    help="上一年度的报告（任一可读格式）：核对上年结转、现行有效件数，以及与上年文字的重复比例。",
)
@click.option(
    "--parent",
    type=path_arg,
    help="上级（汇总）报告：逐个单元格与所给下级报告之和核对。",
)
@click.option(
    "--own",
    type=path_arg,
    help="与 --parent 同用：上级机关本级的数字（输入文件或报告），计入合计。",
)
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出结果（供程序读取）。")
@click.option(
    "--summary",
    type=path_arg,
    callback=_suffix(".xlsx", ".csv"),
    help="检查结果汇总表：.xlsx 或 .csv，每份报告一行。",
)
@jobs_option
def check_command(
    reports: tuple[Path, ...],
    previous: Path | None,
    parent: Path | None,
    own: Path | None,
    as_json: bool,
    summary: Path | None,
    jobs: int | None,
) -> None:
    """检查已有的年度报告（Word、WPS、网页、PDF）。

    核对总计、勾稽关系、空白单元格、表中文字、标题、正文与表格是否一致、发布日期等；\
可与上年报告、下级报告核对。
    """
    with _user_errors():
        from xxgk import check_reports
        from xxgk.review_out import text, to_json, write_summary

        if own is not None and parent is None:
            raise click.UsageError("--own 需要与 --parent 一起使用")
        run = check_reports(list(reports), previous=previous, parent=parent, own=own, jobs=jobs)
        click.echo(to_json(run) if as_json else text(run), nl=not as_json)
        if summary is not None:
            write_summary(run, summary)
            if not as_json:
                click.echo(f"汇总表：{summary}")
        if run.failed:
            sys.exit(1)


@cli.command(
    "extract",
    epilog="""\b
示例：
  xxgk extract 2024年报告.docx -o 2024.toml
  xxgk extract 报告.html > 2024.toml
  xxgk render 2024.toml
""",
)
@click.argument("report", metavar="报告", type=path_arg)
@click.option(
    "-o", "--output", type=path_arg, callback=_suffix(".toml"), help="写入的 .toml 文件；默认输出到屏幕。"
)
@click.option("--force", is_flag=True, help="覆盖已有的文件。")
def extract_command(report: Path, output: Path | None, force: bool) -> None:
    """从已有的报告提取数字和文字，生成输入文件。

    可读取 Word、WPS、网页、PDF；空白单元格按 0 写入并提示。
    """
    with _user_errors("未生成输入文件。"):
        from xxgk import extract_report, write_skeleton

        made = extract_report(report)
        _warn(str(report), made.notes)
        if output is None:
            click.echo(made.text, nl=False)
            return
        click.echo(f"已生成：{write_skeleton(output, made.text, force=force)}")


@cli.command("layouts", epilog="\b\n示例：\n  xxgk layouts\n")
def layouts_command() -> None:
    """列出可用的表格版式。"""
    from xxgk import available_layouts

    for name, layout in available_layouts().items():
        mark = "（默认）" if name == DEFAULT_LAYOUT else ""
        click.echo(f"{name}{mark}：{layout.description}")


@cli.command(
    "schema",
    epilog="""\b
示例：
  xxgk schema -o xxgk-schema.json
  xxgk schema --layout xingtai-2022 -o xingtai-schema.json
  xxgk schema > xxgk-schema.json
\b
用法：JSON 输入文件中写 "$schema": "./xxgk-schema.json"；
TOML 输入文件第一行写 #:schema ./xxgk-schema.json（VS Code + Even Better TOML）。
""",
)
@layout_option
@click.option(
    "-o", "--output", type=path_arg, callback=_suffix(".json"), help="写入的 .json 文件；默认输出到屏幕。"
)
def schema_command(layout: str, output: Path | None) -> None:
    """输出输入文件的 JSON Schema（供编辑器补全键名、检查类型和取值范围）。"""
    with _user_errors():
        if output is None:
            import json

            from xxgk import input_schema

            click.echo(json.dumps(input_schema(layout), ensure_ascii=False, indent=2))
            return
        from xxgk import write_schema

        click.echo(f"已生成：{write_schema(output, layout)}")


@cli.command(
    "dump",
    epilog="""\b
示例：
  xxgk dump out/2024年示例县人民政府政府信息公开工作年度报告.docx
  xxgk dump 新.docx > 新.txt && xxgk dump 旧.docx > 旧.txt && diff 旧.txt 新.txt
""",
)
@click.argument("docx", metavar="报告.docx", type=path_arg)
def dump_command(docx: Path) -> None:
    """把 .docx 的正文和表格按单元格输出为文本（用于比对）。"""
    with _user_errors():
        from xxgk import dump_docx

        click.echo(dump_docx(docx), nl=False)


class _Progress:
    """Batch progress: a bar on a terminal, a line per input otherwise."""

    def __init__(self) -> None:
        self.total = 0
        self.seen = 0
        self.bar: Any = None

    def __enter__(self) -> _Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)

    def start(self, total: int) -> None:
        self.total = total
        if sys.stderr.isatty():
            self.bar = click.progressbar(length=total, label="生成中", file=sys.stderr)
            self.bar.__enter__()

    def update(self, outcome: Any) -> None:
        self.seen += 1
        if self.bar is not None:
            self.bar.update(1)
            return
        state = "有问题" if outcome.problems else "已处理"
        _echo_err(f"[{self.seen}/{self.total}] {state}：{outcome.source}")


def main() -> None:
    """The program: the group says every command-line error in Chinese (exit 2) and exits."""
    try:
        cli.main(prog_name="xxgk")
    except Exception as exc:  # a bug, not a user error: say so plainly
        if os.environ.get("XXGK_DEBUG"):
            raise
        _echo_err(f"xxgk 内部错误：{type(exc).__name__}: {exc}（设置环境变量 XXGK_DEBUG=1 可查看详情）")
        sys.exit(1)
