"""``credwalk export FILE|-`` and ``credwalk import FILE|-``: the whole store as JSON Lines.

For administrators (the store's local operator, or ``--as`` an administrator). A dump holds
every account's password hash and every learner's data: a file written is readable by its
owner only. ``-`` is standard output (export) or standard input (import); what was done is
then printed on standard error, so the dump alone goes through the pipe. Signing keys live
in ``key_dir``, not in the store: back that folder up beside the dump.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from api.cli.common import Commands, actor, add_json, emit_json, err, out, progress_bar, runtime

__all__ = ["register"]


def register(commands: Commands) -> None:
    """Add ``export`` and ``import``."""
    export = commands.command(
        "export", run_export, help="Write everything the store holds to a dump (administrators)."
    )
    export.add_argument("file", metavar="FILE", help="the dump to write (JSON Lines), or -")
    add_json(export)
    restore = commands.command(
        "import", run_import, help="Restore a dump into an empty store (administrators)."
    )
    restore.add_argument("file", metavar="FILE", help="the dump to read (JSON Lines), or -")
    add_json(restore)


def run_export(args: argparse.Namespace) -> None:
    """Write the dump."""
    from graph.services.backup.exporting import export_store, write_dump

    with runtime() as rt, progress_bar() as progress:
        if args.file == "-":
            summary = export_store(rt.store, sys.stdout.buffer, actor=actor(), progress=progress)
            sys.stdout.buffer.flush()
        else:
            summary = write_dump(rt.store, Path(args.file), actor=actor(), progress=progress)
    _report("exported", summary, args, to_stderr=args.file == "-")


def run_import(args: argparse.Namespace) -> None:
    """Restore the dump."""
    from graph.services.backup.restoring import import_dump

    source = sys.stdin.buffer if args.file == "-" else Path(args.file)
    with runtime() as rt, progress_bar() as progress:
        summary = import_dump(rt.store, source, actor=actor(), progress=progress)
    _report("imported", summary, args, to_stderr=False)


def _report(done: str, summary: Any, args: argparse.Namespace, *, to_stderr: bool) -> None:
    """Print what was done: on stdout, or on stderr when stdout carries the dump."""
    import json
    from dataclasses import asdict

    document = asdict(summary)
    if args.as_json and not to_stderr:
        emit_json(document)
        return
    if args.as_json:
        sys.stderr.write(json.dumps(document) + "\n")
        return
    counts = ", ".join(f"{n} {kind}" for kind, n in document["counts"].items())
    line = f"{done} {counts} in {document['seconds']:.1f} s (sha256 {document['sha256']})"
    (err if to_stderr else out).print(line, highlight=False, markup=False, soft_wrap=True)
