"""The Jinja sandbox every user-supplied text and template runs in, and the limits around it.

Jinja's sandbox stops access to Python internals; it does not stop an
expression from asking for a 10**(9**9) or a string of a billion characters.
This environment also bounds the operations that can grow without limit, and
:func:`run_limited` renders a user's template in a child process under a
wall-clock and a memory limit, so that what the sandbox cannot bound (a loop
in a loop in a loop) fails one report and nothing else.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from jinja2 import StrictUndefined
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment

from xxgk.lifeline import die_with_parent

MAX_EXPONENT = 64
MAX_BASE = 10**12
MAX_SEQUENCE = 100_000  # characters or items a multiplication or padding may produce
MAX_BITS = 10_000  # an integer product beyond ~3000 digits: no report needs it, a chain of them costs minutes
MAX_DIGITS = 20  # round(x, n): |n| beyond this computes 10**n for nothing

# What a text placeholder may use besides arithmetic and comparisons (see xxgk.text).
TEXT_FILTERS = ("abs", "round", "int", "float", "min", "max", "sum")
_GROWING_FILTERS = ("center", "indent", "truncate", "wordwrap")  # a width argument: the output grows with it
_UNBOUNDED_GLOBALS = ("namespace", "lipsum")  # mutable state across loops; text of any length

# A user's template, one report: limits of the child process that renders it.
RENDER_SECONDS = float(os.environ.get("XXGK_TEMPLATE_SECONDS", "30"))
RENDER_MEMORY = int(os.environ.get("XXGK_TEMPLATE_MEMORY_MB", "1024")) * 2**20
_DICT_ATTRIBUTES = frozenset(dir(dict))


class LimitError(SecurityError):
    """A limit of ours (a result too large, a format refused); the message is Chinese."""


class LimitedSandbox(SandboxedEnvironment):
    """A sandbox with StrictUndefined, no ``namespace`` and bounded ``*``, ``**``, ``%`` and padding."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def __init__(self, *, autoescape: bool, text_only: bool = False, **options: Any) -> None:
        super().__init__(undefined=StrictUndefined, autoescape=autoescape, **options)
        self.text_only = text_only
        for name in _UNBOUNDED_GLOBALS:
            self.globals.pop(name, None)
        self.filters["round"] = _bounded_round(self.filters["round"])
        if text_only:
            self.globals.clear()  # a placeholder reads the data and nothing else
            self.filters = {name: self.filters[name] for name in TEXT_FILTERS}
        else:
            for name in _GROWING_FILTERS:
                self.filters[name] = _bounded(self.filters[name])
            self.filters["join"] = _bounded_join(self.filters["join"])

    def getattr(self, obj: Any, attribute: str) -> Any:
        """``cells.total`` on a plain dict: the key, as the sandbox finds it after a failed
        attribute lookup, without the exception (a report template reads every cell this way)."""
        if type(obj) is dict and attribute in obj and attribute not in _DICT_ATTRIBUTES:
            return obj[attribute]
        return super().getattr(obj, attribute)

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and _number(left) and _number(right):
            if abs(right) > MAX_EXPONENT or abs(left) > MAX_BASE:
                raise LimitError(f"乘方过大：{left} ** {right}")
        if operator == "*" and self.text_only and (_sequence(left) or _sequence(right)):
            raise LimitError("不能把列表相乘")
        if operator == "*" and isinstance(left, int) and isinstance(right, int):
            if left.bit_length() + right.bit_length() > MAX_BITS:
                raise LimitError("乘积过大")
        if operator == "*":
            for sequence, count in ((left, right), (right, left)):
                if isinstance(sequence, (str, list, tuple)) and _number(count):
                    if len(sequence) * count > MAX_SEQUENCE:
                        raise LimitError("乘法生成的文字过长")
        if operator == "%" and isinstance(left, str):
            raise LimitError("不能用 % 格式化文字")
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        name = getattr(__obj, "__name__", "")
        owner = getattr(getattr(__obj, "__wrapped__", __obj), "__self__", None)  # Jinja wraps str.format
        if isinstance(owner, str) and name in ("format", "format_map"):
            raise LimitError("不能调用文字的 format 方法")
        if isinstance(owner, str) and name in ("center", "ljust", "rjust", "zfill", "expandtabs"):
            width = args[0] if args else 0
            if name == "expandtabs":
                width = (args[0] if args else 8) * owner.count("\t")
            if _number(width) and width > MAX_SEQUENCE:
                raise LimitError("宽度参数过大")
        if isinstance(owner, str) and name == "replace" and len(args) >= 2:
            new = args[1]
            if isinstance(new, str) and isinstance(args[0], str):
                grows = (owner.count(args[0]) + 1 if args[0] else len(owner) + 1) * len(new)
                if grows > MAX_SEQUENCE * 10:
                    raise LimitError("replace 生成的文字过长")
        if isinstance(owner, str) and name == "join" and args:
            items = args[0]
            if isinstance(items, (list, tuple, range)) and len(owner) * len(items) > MAX_SEQUENCE * 10:
                raise LimitError("join 生成的文字过长")
        return super().call(__context, __obj, *args, **kwargs)


def _sequence(value: Any) -> bool:
    return isinstance(value, (list, tuple))


def _number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def _bounded(original: Any) -> Any:
    def bounded(value: Any, width: Any = 80, *args: Any, **kwargs: Any) -> Any:
        if _number(width) and abs(width) > MAX_SEQUENCE:
            raise LimitError("宽度参数过大")
        return original(value, width, *args, **kwargs)

    return bounded


def _bounded_round(original: Any) -> Any:
    def bounded(value: Any, precision: Any = 0, *args: Any, **kwargs: Any) -> Any:
        if _number(precision) and abs(precision) > MAX_DIGITS:
            raise LimitError(f"round 的位数应在 -{MAX_DIGITS} 到 {MAX_DIGITS} 之间")
        return original(value, precision, *args, **kwargs)

    return bounded


def _bounded_join(original: Any) -> Any:
    def join(eval_ctx: Any, value: Any, d: Any = "", attribute: Any = None) -> Any:
        if isinstance(d, str) and isinstance(value, (list, tuple, range)):
            if len(d) * len(value) > MAX_SEQUENCE * 10:
                raise LimitError("join 生成的文字过长")
        return original(eval_ctx, value, d, attribute)

    join.jinja_pass_arg = original.jinja_pass_arg  # type: ignore[attr-defined]
    return join


# --------------------------------------------------------------------------
# A render under limits, in a child process
# --------------------------------------------------------------------------


class LimitExceeded(Exception):
    """The work ran out of time or memory; ``str()`` says which, in Chinese."""


def _address_space() -> int:
    """This process's current virtual size: the child's limit is counted from it."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def run_limited(
    work: Callable[[], bytes], *, seconds: float | None = None, memory: int | None = None
) -> bytes:
    """``work()`` in a forked child with at most ``memory`` more bytes and ``seconds`` of wall time.

    An exception raised by ``work`` is raised here again (it must pickle); running out of
    time or memory raises :class:`LimitExceeded`.  Without ``fork`` (Windows) the work runs
    here, bounded only by the sandbox.
    """
    seconds = RENDER_SECONDS if seconds is None else seconds
    memory = RENDER_MEMORY if memory is None else memory
    if not hasattr(os, "fork"):  # pragma: no cover - Windows
        return work()
    limit = _address_space() + memory
    read_end, write_end = os.pipe()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        status = 0
        try:
            os.close(read_end)
            die_with_parent(parent)
            _limit_memory(limit)
            try:
                result: tuple[str, Any] = ("ok", work())
            except MemoryError:
                result = ("memory", None)
            except RecursionError:
                result = ("error", LimitError("嵌套过深"))
            except BaseException as exc:  # noqa: BLE001 - handed to the parent
                result = ("error", exc)
            try:
                blob = pickle.dumps(result)
            except Exception as exc:  # noqa: BLE001 - an exception that does not pickle
                blob = pickle.dumps(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
            with os.fdopen(write_end, "wb") as out:
                out.write(blob)
        except BaseException:  # noqa: BLE001
            status = 1
        finally:
            os._exit(status)
    os.close(write_end)
    try:
        payload = _read_until(read_end, time.monotonic() + seconds)
    except BaseException:
        _kill(pid)
        raise
    finally:
        os.close(read_end)
    if payload is None:
        _kill(pid)
        raise LimitExceeded(f"超过 {seconds:g} 秒仍未完成，已停止")
    os.waitpid(pid, 0)
    if not payload:
        raise LimitExceeded(f"处理过程意外终止（可能超过 {memory // 2**20} MB 内存上限）")
    kind, value = pickle.loads(payload)
    if kind == "memory":
        raise LimitExceeded(f"超过 {memory // 2**20} MB 内存上限，已停止")
    if kind == "error":
        raise value
    data: bytes = value
    return data


def _limit_memory(limit: int) -> None:
    try:
        import resource
    except ImportError:  # pragma: no cover
        return
    if limit <= 0:
        return
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if soft != resource.RLIM_INFINITY:
            limit = min(limit, soft)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):
        pass


def _read_until(fd: int, deadline: float) -> bytes | None:
    """Everything written to ``fd`` until it closes; None when the deadline passes first."""
    chunks: list[bytes] = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            return None
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
    try:
        os.waitpid(pid, 0)
    except OSError:
        pass
