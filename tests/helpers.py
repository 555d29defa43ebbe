"""Running the command line in the tests and reading what it produced."""

from __future__ import annotations

import io
import multiprocessing
import os
import zipfile
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from xxgk import layouts as L
from xxgk.cli import cli


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def assert_usage_error(result: Result, *fragments: str) -> None:
    """Exit 2: the command line names a file of the wrong kind."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.output, (fragment, result.output)


def assert_user_error(result: Result, *fragments: str) -> None:
    """Exit 1 with a message, no traceback."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.output, (fragment, result.output)


def docx_name(year: int, agency: str) -> str:
    return f"{year}年{agency}{L.REPORT_NAME}.docx"


def document_xml(docx: Path) -> bytes:
    with zipfile.ZipFile(io.BytesIO(docx.read_bytes())) as archive:
        return archive.read("word/document.xml")


def leftovers(folder: Path) -> list[str]:
    """Temporary files that a run must not leave behind."""
    return sorted(p.name for p in folder.rglob(".xxgk-*"))


def dying_chunk(self: Any) -> list[tuple[int, Any]]:
    """In place of ``xxgk.pool.Chunk.__call__``: a worker renders its chunk (temporary files
    included), then dies."""
    results = [(i, self.work(item)) for i, item in self.items]
    if multiprocessing.parent_process() is not None:
        os._exit(3)
    return results


def killing_job(original: Any) -> Any:
    """In place of ``xxgk.batch.Job.__call__``: kills its process for inputs named *kill*."""

    def call(self: Any, path: Path) -> Any:
        if "kill" in path.name and multiprocessing.parent_process() is not None:
            os._exit(9)
        return original(self, path)

    return call
