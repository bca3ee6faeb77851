"""The house's rules that a reader of the source can check: each is one walk over the apps' code."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("booking", "customers", "vehicles", "launchbook")


def _modules(*apps: str) -> list[Path]:
    return sorted(
        path for app in apps for path in (ROOT / app).rglob("*.py") if "migrations" not in path.parts
    )


def _calls_named(tree: ast.AST, name: str) -> list[int]:
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == name
    ]


def test_every_row_lock_is_taken_through_the_locking_module():
    """``booking/services/locking.py`` holds every lock helper and the lock order; any other
    ``select_for_update`` would lock without the short lock wait and outside the written order."""
    locking = ROOT / "booking" / "services" / "locking.py"
    stray = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in _modules(*APPS)
        if path != locking
        for line in _calls_named(ast.parse(path.read_text()), "select_for_update")
    ]
    assert stray == []
    assert _calls_named(ast.parse(locking.read_text()), "select_for_update")
