"""Work over many items in worker processes: chunks, retries, signals, a serial fallback.

:func:`run_all` knows nothing of reports.  It calls ``work(item)`` for every
item, in a fork process pool when there is more than one job and more than one
item, and in this process otherwise or when no pool can be had.  A worker that
dies (out of memory, killed) breaks the pool: the unfinished items run again one
per task, and if a worker dies again, each remaining item gets a process of its
own, so that only the item that kills its process fails (``crashed`` gives its
result).
"""

from __future__ import annotations

import math
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

from xxgk.lifeline import die_with_parent

T = TypeVar("T")
R = TypeVar("R")

MAX_WINDOWS_WORKERS = 61  # ProcessPoolExecutor refuses more on Windows
MAX_CHUNK = 32

_DONE, _BROKEN, _NO_POOL = "done", "broken", "no pool"


class Chunk(Generic[T, R]):
    """A picklable task: ``work`` over some of the items, each with its index."""

    def __init__(self, work: Callable[[T], R], items: list[tuple[int, T]]) -> None:
        self.work = work
        self.items = items

    def __call__(self) -> list[tuple[int, R]]:
        return [(i, self.work(item)) for i, item in self.items]


def run_all(
    work: Callable[[T], R],
    items: Sequence[T],
    *,
    jobs: int,
    done: Callable[[int, R], None],
    crashed: Callable[[T, BaseException], R],
) -> None:
    """Call ``work`` on every item; ``done(index, result)`` as each one finishes."""
    finished: set[int] = set()

    def record(i: int, result: R) -> None:
        finished.add(i)
        done(i, result)

    indexed = list(enumerate(items))
    if jobs > 1 and len(items) > 1:
        size = max(1, min(MAX_CHUNK, math.ceil(len(items) / (jobs * 4))))
        chunks = [indexed[i : i + size] for i in range(0, len(indexed), size)]
        if _pool_round(work, chunks, jobs, record) == _BROKEN:
            left = [[(i, item)] for i, item in indexed if i not in finished]
            if _pool_round(work, left, jobs, record) == _BROKEN:
                for i, item in indexed:
                    if i not in finished:
                        record(i, _isolated(work, item, crashed))
    for i, item in indexed:
        if i not in finished:
            record(i, work(item))


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _executor(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        max_workers=workers, mp_context=_context(), initializer=worker_start, initargs=(os.getpid(),)
    )


def _pool_round(
    work: Callable[[T], R],
    chunks: list[list[tuple[int, T]]],
    jobs: int,
    done: Callable[[int, R], None],
) -> str:
    """Run chunks in a fresh process pool; finished results go to ``done``."""
    if not chunks:
        return _DONE
    workers = min(jobs, len(chunks), MAX_WINDOWS_WORKERS if sys.platform == "win32" else jobs)
    try:
        pool = _executor(workers)
    except (OSError, NotImplementedError, PermissionError):
        return _NO_POOL  # no processes here: the caller's serial path does the work
    state = _DONE
    try:
        futures = [pool.submit(Chunk(work, chunk)) for chunk in chunks]
        for future in futures:
            try:
                results = future.result()
            except BrokenProcessPool:
                state = _BROKEN
                continue
            for i, result in results:
                done(i, result)
    except BaseException:  # Ctrl-C: drop the queued work, let running chunks end
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return state


def _isolated(work: Callable[[T], R], item: T, crashed: Callable[[T, BaseException], R]) -> R:
    """One item in a process of its own: if it kills that process, only it fails."""
    try:
        with _executor(1) as pool:
            return pool.submit(work, item).result()
    except BrokenProcessPool as exc:
        return crashed(item, exc)


def worker_start(parent: int | None = None) -> None:
    """Workers leave Ctrl-C to the parent, die of SIGTERM (the pool's way to stop them), and
    die with the parent.

    A forked worker inherits the parent's handlers, among them the one that turns SIGTERM
    into KeyboardInterrupt; a worker that survived the pool's terminate would hang it.
    A parent killed with SIGKILL cannot stop its workers: on Linux the kernel sends them
    SIGKILL when it dies (``PR_SET_PDEATHSIG``); a worker whose parent is already gone by
    then (it died between fork and this call) exits at once.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    die_with_parent(parent)


@contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM and SIGHUP end the work like Ctrl-C: cleanly, with no stray files."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    names = [name for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]
    previous = {name: signal.signal(getattr(signal, name), interrupt) for name in names}
    try:
        yield
    finally:
        for name, handler in previous.items():
            signal.signal(getattr(signal, name), handler)
