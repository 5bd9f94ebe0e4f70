"""Rules of the house that no import contract can see (run by ``scripts/dev lint``).

1. A function's body, docstring aside, is at most 60 lines (``graph/``, ``ingest/``, ``api/``):
   a longer one does several things and reads better as several functions.
2. Routes and commands (``api/routes/``, ``api/cli/``) call services, never a store method:
   besides opening and closing it, a store object is only handed on.

Usage: ``python scripts/check_code.py [ROOT]``; exit 1 and one line per breach.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

MAX_BODY_LINES = 60
PACKAGES = ("graph", "ingest", "api")
EDGES = ("api/routes", "api/cli")
#: What an edge may do with a store itself: its lifecycle belongs to the composition root.
LIFECYCLE = frozenset({"open", "close", "is_open"})


def _body_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    if not body:
        return 0
    end = node.end_lineno or node.lineno
    return end - body[0].lineno + 1


def long_functions(root: Path) -> Iterator[str]:
    """Functions whose body is longer than :data:`MAX_BODY_LINES`."""
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    lines = _body_lines(node)
                    if lines > MAX_BODY_LINES:
                        where = f"{path.relative_to(root)}:{node.lineno}"
                        yield f"{where}: {node.name} is {lines} lines (at most {MAX_BODY_LINES})"


def _is_store(node: ast.expr) -> bool:
    """``store``, ``x.store``, or a store just opened (``runtime.open_store()``)."""
    return (
        (isinstance(node, ast.Name) and node.id == "store")
        or (isinstance(node, ast.Attribute) and node.attr == "store")
        or (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "open_store"
        )
    )


def store_calls(root: Path) -> Iterator[str]:
    """Calls of store methods in routes and commands."""
    for edge in EDGES:
        for path in sorted((root / edge).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and _is_store(node.func.value)
                    and node.func.attr not in LIFECYCLE
                ):
                    where = f"{path.relative_to(root)}:{node.lineno}"
                    yield f"{where}: calls the store's {node.func.attr}(); call a service"


def main() -> int:
    """Print every breach; return 1 if there is any."""
    root = Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    breaches = [*long_functions(root), *store_calls(root)]
    for line in breaches:
        print(line)
    return 1 if breaches else 0


if __name__ == "__main__":
    sys.exit(main())
