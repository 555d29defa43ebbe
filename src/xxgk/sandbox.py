"""The Jinja sandbox every user-supplied text and template runs in.

Jinja's sandbox stops access to Python internals; it does not stop an
expression from asking for a 10**(9**9) or a string of a billion characters.
This environment also bounds the operations that can grow without limit.
"""

from __future__ import annotations

from typing import Any

from jinja2 import StrictUndefined
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment

MAX_EXPONENT = 64
MAX_BASE = 10**12
MAX_SEQUENCE = 100_000  # characters or items a multiplication or padding may produce

# What a text placeholder may use besides arithmetic: nothing that builds large output.
TEXT_FILTERS = ("abs", "round", "int", "float", "string", "default", "min", "max", "sum", "length")
_GROWING_FILTERS = ("center", "indent")  # width pads: the output grows with it
_DICT_ATTRIBUTES = frozenset(dir(dict))


class LimitedSandbox(SandboxedEnvironment):
    """A sandbox with StrictUndefined, no ``namespace`` and bounded ``*``, ``**`` and padding."""

    intercepted_binops = frozenset({"*", "**"})

    def __init__(self, *, autoescape: bool, text_only: bool = False, **options: Any) -> None:
        super().__init__(undefined=StrictUndefined, autoescape=autoescape, **options)
        self.globals.pop("namespace", None)  # mutable state across loop iterations
        if text_only:
            self.globals.clear()  # a placeholder reads the data and nothing else
            self.filters = {name: self.filters[name] for name in TEXT_FILTERS}
        else:
            for name in _GROWING_FILTERS:
                self.filters[name] = _bounded(self.filters[name])

    def getattr(self, obj: Any, attribute: str) -> Any:
        """``cells.total`` on a plain dict: the key, as the sandbox finds it after a failed
        attribute lookup, without the exception (a report template reads every cell this way)."""
        if type(obj) is dict and attribute in obj and attribute not in _DICT_ATTRIBUTES:
            return obj[attribute]
        return super().getattr(obj, attribute)

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and _number(left) and _number(right):
            if abs(right) > MAX_EXPONENT or abs(left) > MAX_BASE:
                raise SecurityError(f"乘方过大：{left} ** {right}")
        if operator == "*":
            for sequence, count in ((left, right), (right, left)):
                if isinstance(sequence, (str, list, tuple)) and _number(count):
                    if len(sequence) * count > MAX_SEQUENCE:
                        raise SecurityError("乘法生成的文字过长")
        return super().call_binop(context, operator, left, right)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _bounded(original: Any) -> Any:
    def bounded(value: Any, width: Any = 80, *args: Any, **kwargs: Any) -> Any:
        if _number(width) and abs(width) > MAX_SEQUENCE:
            raise SecurityError("宽度参数过大")
        return original(value, width, *args, **kwargs)

    return bounded
