"""The ``credwalk`` command line. Every command that prints results takes ``--json``.

Each module listed in :data:`COMMAND_MODULES` adds the commands of one resource to the parser
(its ``register``); adding a command means adding it to its module, and a module to the list.
A usage error (an unknown option, a bad value, a missing argument) prints the command's usage
and one line saying what is wrong, and exits 2; a credwalk error prints one line (its JSON
error body with ``--json``) and exits with :data:`~api.cli.common.EXIT_STATUS` of its class.
Texts that start with ``-`` are read after ``--`` (``credwalk map -- "-x is a text"``) or
from ``--file``.
"""

from __future__ import annotations

import argparse
import json
import sys
from types import ModuleType

from api.cli import (
    accounts,
    assembly,
    backup,
    concepts,
    consultations,
    credentials,
    equivalence,
    groups,
    impact,
    ingest,
    onboarding,
    pathways,
    proofs,
    serve,
)
from api.cli.common import Commands, err, exit_status, set_invocation, set_store_url
from graph.errors import CredwalkError

__all__ = ["COMMAND_MODULES", "build_parser", "main"]

#: The modules that register commands, in the order ``credwalk --help`` lists them.
COMMAND_MODULES: tuple[ModuleType, ...] = (
    ingest,
    concepts,
    credentials,
    equivalence,
    pathways,
    proofs,
    onboarding,
    impact,  # Certificates of Impact and the portfolio (issue 18)
    assembly,  # the Assembly: questions and answers on graph nodes
    groups,
    accounts,
    backup,
    serve,
    consultations,  # issuer consultation (issue 17 point 2)
)


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command (no command module imports anything heavy to build it)."""
    parser = argparse.ArgumentParser(
        prog="credwalk",
        description="Skills knowledge graph: ESCO in, explained equivalence and pathways out.",
    )
    parser.add_argument(
        "--store", help="store URL (sqlite:///file.db, neo4j://host:7687); or CREDWALK_STORE"
    )
    parser.add_argument(
        "--as",
        dest="acting_as",
        metavar="USER",
        help="act as this user, with their roles (default: the store's local operator)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress")
    parser.set_defaults(handler=None, parser=parser)
    commands = Commands(parser.add_subparsers(title="commands", metavar="COMMAND"))
    for module in COMMAND_MODULES:
        module.register(commands)
    return parser


def _report(error: CredwalkError, *, as_json: bool) -> None:
    if as_json:
        body = {"error": {"code": error.code, "message": error.message, "details": error.details}}
        sys.stdout.write(json.dumps(body) + "\n")
    err.print(
        f"error ({error.code}): {error.message}", markup=False, highlight=False, soft_wrap=True
    )


def main(argv: list[str] | None = None) -> None:
    """Run the command line; exit with the command's status."""
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    if args.handler is None:
        # A group without its command (``credwalk proofs``): say what it offers.
        args.parser.print_help(sys.stderr)
        raise SystemExit(2)
    set_store_url(args.store)
    set_invocation(command=args.parser.prog, acting_as=args.acting_as)
    import logging

    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        status = args.handler(args)
    except CredwalkError as e:
        _report(e, as_json=getattr(args, "as_json", False))
        raise SystemExit(exit_status(e)) from None
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    if status:
        raise SystemExit(status)
