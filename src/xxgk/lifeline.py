"""Child processes that die with their parent, even when the parent is killed with SIGKILL."""

from __future__ import annotations

import os
import signal
import sys
from functools import cache
from typing import Any

_PR_SET_PDEATHSIG = 1


@cache
def _libc() -> Any:
    import ctypes

    return ctypes.CDLL(None, use_errno=True)


def die_with_parent(parent: int | None = None) -> None:
    """On Linux: the kernel sends this process SIGKILL when its parent dies (``PR_SET_PDEATHSIG``);
    a process whose ``parent`` is already gone exits at once (it died before the call).

    Elsewhere only that check; the pool's workers then end when the pipe to the parent breaks.
    """
    if sys.platform.startswith("linux"):
        try:
            _libc().prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if parent is not None and os.getppid() != parent:
        os._exit(1)
