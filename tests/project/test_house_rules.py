"""The house's rules that a reader of the source can check: each is one walk over the apps' code."""

from __future__ import annotations

import ast
import re
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


#: Imports made inside a function, each with the reason written beside it in the code.
LATE_IMPORTS_WITH_A_REASON = {
    # Django imports the app config while it loads the apps, before any model can be imported.
    ("booking/apps.py", "ready"),
    # rest_framework.views reads the API settings, which name this module.
    ("booking/api/exceptions.py", "api_exception_handler"),
}


def _imports_inside_functions(path: Path) -> set[tuple[str, str]]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and any(
            isinstance(inner, ast.Import | ast.ImportFrom) for inner in ast.walk(node)
        ):
            found.add((str(path.relative_to(ROOT)), node.name))
    return found


def test_the_apps_import_at_the_top_of_their_modules():
    """An import hidden in a function hides a dependency from import-linter's floors and from
    the reader; only the ones that must wait for Django to load keep one, with their reason."""
    late = set().union(*(_imports_inside_functions(path) for path in _modules(*APPS)))
    assert late - LATE_IMPORTS_WITH_A_REASON == set()
    assert late >= LATE_IMPORTS_WITH_A_REASON  # a reason for an import that is gone is stale


def _status_names(node: ast.AST) -> set[str]:
    return {
        element.attr
        for element in getattr(node, "elts", [])
        if isinstance(element, ast.Attribute) and isinstance(element.value, ast.Attribute)
        if element.value.attr == "Status"
    }


def test_takes_capacity_is_defined_once():
    """Which bookings take capacity (booked for good, or held and not run out) is
    ``booking/selectors/capacity.py``'s; everyone else asks it rather than list the statuses."""
    capacity = ROOT / "booking" / "selectors" / "capacity.py"
    copies = []
    for path in _modules("booking", "customers", "vehicles"):
        if path == capacity:
            continue
        source = path.read_text()
        if "hold_expires_at__gt" in source:
            copies.append(f"{path.relative_to(ROOT)}: hold_expires_at__gt")
        copies += [
            f"{path.relative_to(ROOT)}:{node.lineno}: the booked statuses"
            for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Tuple | ast.List | ast.Set)
            and _status_names(node) == {"CONFIRMED", "MANIFESTED"}
        ]
    assert copies == []


def _time_formats(tree: ast.AST) -> list[int]:
    """Lines that write a time with a format of their own: ``.strftime(…)`` or ``f"{t:%H:%M}"``."""
    lines = _calls_named(tree, "strftime")
    for node in ast.walk(tree):
        if isinstance(node, ast.FormattedValue) and isinstance(node.format_spec, ast.JoinedStr):
            spec = "".join(
                str(part.value) for part in node.format_spec.values if isinstance(part, ast.Constant)
            )
            if "%" in spec:
                lines.append(node.lineno)
    return sorted(lines)


def test_times_are_written_by_booking_dates():
    """One home for how a time is written: ``booking/dates.py`` for the code, its
    ``SHOWN_FORMATS`` through the ``shown`` filter for the templates. (The vehicles app, below
    booking, keeps its two: a closure's name and a range's free time.)"""
    dates = ROOT / "booking" / "dates.py"
    stray = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in _modules("booking", "customers", "launchbook")
        if path != dates
        for line in _time_formats(ast.parse(path.read_text()))
    ]
    stray += [
        f"{path.relative_to(ROOT)}: {filter_name}"
        for app in ("booking", "customers", "launchbook")
        for path in sorted((ROOT / app).rglob("*.html"))
        for filter_name in ('|date:"', "|date:'", '|time:"', "|time:'")
        if filter_name in path.read_text()
    ]
    assert stray == []


#: How the making of the product leaks into its text: tickets, reviews of the code, sessions.
PROCESS_WORDS = re.compile(
    r"\b(issue|ticket|PR|pull request)\s*#?\d+|\b(code|closing|peer|pull[- ]request|PR)\s+review|\bper (the )?review\b"
    r"|\b(fix(es|ed)?|addresses|closes)\s+(the\s+)?issue\b|\breview (comment|finding|round)s?\b",
    re.IGNORECASE,
)


def test_docs_and_code_speak_of_the_product_not_of_its_making():
    paths = [*sorted((ROOT / "docs").rglob("*.md")), ROOT / "README.md", *_modules(*APPS)]
    paths += [path for app in APPS for path in sorted((ROOT / app).rglob("*.html"))]
    leaks = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in paths
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if PROCESS_WORDS.search(line)
    ]
    assert leaks == []
