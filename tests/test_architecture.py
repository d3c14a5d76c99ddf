"""The one-way data flow holds: read from every module's imports with `ast`.

- Domain modules import neither textual nor boto3 (checked by importing them).
- No import loop in harvest_tui, imports inside functions included.
- Only service.py imports boto3; no mixin annotates `self` with the App type.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "harvest_tui"

PURE = [
    "harvest_tui.models",
    "harvest_tui.backend",
    "harvest_tui.history",
    "harvest_tui.config",
    "harvest_tui.config_checks",
    "harvest_tui.safe_text",
    "harvest_tui.timeline",
    "harvest_tui.timefmt",
    "harvest_tui.service",
    "harvest_tui.worker.protocol",
    "harvest_tui.worker.client",
    "harvest_tui.worker.pool",
    "harvest_tui.worker.process",
    "harvest_tui.service_loader",
    "harvest_tui.errors",
    "harvest_tui.cli",
    "harvest_tui.sandbox_process",
]


@pytest.mark.parametrize("module", PURE)
def test_domain_modules_import_no_textual(module: str) -> None:
    code = (
        f"import sys, {module}; "
        "bad = [m for m in ('textual', 'boto3', 'botocore') if m in sys.modules]; "
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(filter(None, out.stdout.strip().split(",")))
    assert "textual" not in loaded
    # boto3 stays off the import path of everything (the service imports it lazily).
    assert "boto3" not in loaded and "botocore" not in loaded


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """Every harvest_tui module `path` imports, anywhere in it (functions included)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    return imports_of_file(path, package)


def imports_of_file(path: Path, package: str = "") -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names)
    return {m for m in found if m.startswith("harvest_tui")}


def graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in ROOT.rglob("*.py")}
    return {
        name: {m for m in imports_of(path) if m in modules and m != name}
        for name, path in modules.items()
    }


def find_loops(edges: dict[str, set[str]]) -> list[list[str]]:
    state: dict[str, int] = {}
    stack: list[str] = []
    loops: list[list[str]] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                loops.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)
    return loops


def test_no_import_loop() -> None:
    edges = graph()
    # A package's __init__ is imported by its submodules' import: not a loop of ours.
    for name in list(edges):
        edges[name] = {m for m in edges[name] if not name.startswith(m + ".")}
    assert find_loops(edges) == []


def test_the_check_sees_imports_inside_functions_and_finds_loops(tmp_path: Path) -> None:
    module = tmp_path / "a.py"
    module.write_text("def f():\n    from harvest_tui.ui import app\n")
    assert imports_of_file(module) >= {"harvest_tui.ui", "harvest_tui.ui.app"}
    assert find_loops({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]


def test_only_the_service_imports_boto3() -> None:
    offenders = [
        str(p.relative_to(ROOT))
        for p in ROOT.rglob("*.py")
        if "import boto3" in p.read_text() and p.name != "service.py"
    ]
    assert offenders == []


def test_no_method_annotates_self_as_the_app() -> None:
    offenders = []
    for path in ROOT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.args.args:
                first = node.args.args[0]
                if first.arg == "self" and first.annotation is not None:
                    offenders.append(f"{path.name}:{node.name}")
    assert offenders == []


def test_private_textual_api_is_used_in_one_place_only() -> None:
    """Textual's private names (node._children, app._display, …) only in textual_private."""
    private = ("._children", "._invalidate(", "._display", "._compositor")
    offenders = [
        str(p.relative_to(ROOT))
        for p in ROOT.rglob("*.py")
        if p.name != "textual_private.py" and any(x in p.read_text() for x in private)
    ]
    assert offenders == []
