"""Child processes that die with their parent, even when the parent is killed with SIGKILL."""

from __future__ import annotations

import signal
import sys
from functools import cache
from typing import Any

_PR_SET_PDEATHSIG = 1


@cache
def _libc() -> Any:
    import ctypes

    return ctypes.CDLL(None, use_errno=True)


def die_with_parent() -> None:
    """On Linux: the kernel sends this process SIGKILL when its parent dies (``PR_SET_PDEATHSIG``).

    Elsewhere nothing happens; the pool's workers then end when the pipe to the parent breaks.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        _libc().prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass
