"""The shape of the code: no import circles, the layout named only in layouts.py, one public API."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

import xxgk
from xxgk import layouts as L

SRC = Path(xxgk.__file__).resolve().parent


def modules() -> dict[str, Path]:
    out = {"xxgk": SRC / "__init__.py"}
    for info in pkgutil.walk_packages([str(SRC)], prefix="xxgk."):
        path = SRC.joinpath(*info.name.split(".")[1:])
        out[info.name] = path / "__init__.py" if info.ispkg else path.with_suffix(".py")
    return out


def _type_checking_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Modules of xxgk that ``name`` imports anywhere (in functions too), except for type checking."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_lines(tree)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name in known)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            for alias in node.names:
                full = f"{base}.{alias.name}"
                if full in known:
                    out.add(full)
                elif base in known:
                    out.add(base)
    out.discard(name)
    return out


def test_every_module_imports_on_its_own() -> None:
    for name in modules():
        if name != "xxgk.__main__":  # runs the command line
            importlib.import_module(name)


def test_no_import_circles() -> None:
    found = modules()
    graph = {name: imports(name, path, set(found)) for name, path in found.items()}
    circles: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        for nxt in sorted(graph[node]):
            if nxt in trail:
                circles.append(trail[trail.index(nxt) :] + [nxt])
            elif len(trail) < len(graph):
                visit(nxt, trail + [nxt])

    for start in graph:
        visit(start, [start])
    assert circles == [], circles[:5]


def test_the_circle_detector_sees_a_circle(tmp_path: Path) -> None:
    a, b = tmp_path / "a.py", tmp_path / "b.py"
    a.write_text("from xxgk import b\n", encoding="utf-8")
    b.write_text("def f():\n    from xxgk.a import x\n", encoding="utf-8")
    known = {"xxgk.a", "xxgk.b"}
    assert imports("xxgk.a", a, known) == {"xxgk.b"}
    assert imports("xxgk.b", b, known) == {"xxgk.a"}


def _layout_names() -> set[str]:
    """Keys of every entry, field and container of every layout (row and column keys)."""
    names: set[str] = set()
    for layout in L.LAYOUTS.values():
        for entry in layout.entries:
            names.update(entry.path[1:])
            for f in entry.fields + ((entry.total,) if entry.total else ()):
                names.update(f.path[1:])
        for path in layout.containers:
            names.update(path[1:])
    return names


_SHAPES = (L.Row, L.Group, L.Item, L.Column, L.Block, L.RequestRow, L.AppealGroup)
ROW_CONSTANTS = {name for name, value in vars(L).items() if isinstance(value, _SHAPES)} | {
    name
    for name, value in vars(L).items()
    if isinstance(value, tuple) and value and all(isinstance(v, _SHAPES) for v in value)
}


def _offences(path: Path, keys: set[str]) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in keys:
            out.append(f"{path.name}:{node.lineno} “{node.value}”")
        if isinstance(node, ast.Attribute) and node.attr in ROW_CONSTANTS:
            if isinstance(node.value, ast.Name) and node.value.id == "L":
                out.append(f"{path.name}:{node.lineno} L.{node.attr}")
        if isinstance(node, ast.ImportFrom) and node.module == "xxgk.layouts":
            out += [f"{path.name}:{node.lineno} {a.name}" for a in node.names if a.name in ROW_CONSTANTS]
    return out


def test_only_layouts_names_a_row_or_column() -> None:
    keys = _layout_names()
    assert {"received", "state_secret", "licensing", "natural_person", "review"} <= keys
    assert {"RECEIVED_ROW", "APPLICANT_COLUMNS", "APPEAL_GROUPS", "IN_FORCE"} <= ROW_CONSTANTS
    offences = [
        o
        for name, path in modules().items()
        if name != "xxgk.layouts"
        for o in _offences(path, keys)
    ]
    assert offences == []


def test_the_row_name_check_sees_a_row(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text('x = data["requests"]["received"]\ny = L.CARRIED_OVER_ROW\n', encoding="utf-8")
    assert len(_offences(bad, _layout_names())) == 2


def test_public_api() -> None:
    from xxgk import api

    assert sorted(xxgk.__all__) == sorted(api.__all__)
    for name in xxgk.__all__:
        assert getattr(xxgk, name) is getattr(api, name)
    with pytest.raises(AttributeError):
        xxgk.no_such_thing  # noqa: B018
