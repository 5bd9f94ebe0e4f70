"""Run one benchmark: ``python scripts/bench.py NAME [args]`` (``scripts/dev bench NAME``).

Each benchmark is ``scripts/bench_<NAME>.py``. One that defines ``main(argv)`` is called with the
remaining arguments; one whose ``main()`` reads ``sys.argv`` itself (``bench_proofs.py``) is run
as ``__main__`` with ``sys.argv`` set to its path and the remaining arguments. The exit status is
the benchmark's.
"""

from __future__ import annotations

import ast
import importlib.util
import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def available() -> dict[str, Path]:
    """Benchmark names and their files."""
    return {path.stem.removeprefix("bench_"): path for path in sorted(HERE.glob("bench_*.py"))}


def _summary(path: Path) -> str:
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


def _takes_argv(path: Path) -> bool:
    """Whether the file defines a top-level ``main`` with at least one positional parameter."""
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef) and node.name == "main":
            return bool(node.args.posonlyargs or node.args.args)
    return False


def _status(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def run(name: str, path: Path, argv: list[str]) -> int:
    """Run benchmark ``name`` from ``path`` with ``argv`` and return its exit status."""
    saved = sys.argv
    sys.argv = [str(path), *argv]
    try:
        if not _takes_argv(path):
            runpy.run_path(str(path), run_name="__main__")
            return 0
        spec = importlib.util.spec_from_file_location(f"bench_{name}", path)
        if spec is None or spec.loader is None:
            print(f"bench: cannot load {path}", file=sys.stderr)
            return 2
        module = importlib.util.module_from_spec(spec)
        # Registered so that dataclasses and pickling inside the benchmark find their module.
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        return _status(module.main(argv))
    except SystemExit as e:
        return _status(e.code)
    finally:
        sys.argv = saved


def _usage(benchmarks: dict[str, Path]) -> str:
    width = max((len(name) for name in benchmarks), default=0)
    lines = [
        "usage: scripts/dev bench NAME [args]   (NAME --help for its options)",
        "",
        "benchmarks:",
    ]
    lines += [f"  {name:<{width}}  {_summary(path)}" for name, path in benchmarks.items()]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    benchmarks = available()
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(_usage(benchmarks))
        return 0
    name, rest = argv[0], argv[1:]
    if name not in benchmarks:
        print(f"bench: unknown benchmark {name!r}\n\n{_usage(benchmarks)}", file=sys.stderr)
        return 2
    return run(name, benchmarks[name], rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
