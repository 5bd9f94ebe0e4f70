"""``credwalk users ...``, ``credwalk keys ...`` and ``credwalk audit``: for administrators.

They act as the store's local operator (an administrator) unless ``--as`` names a user; a
key's token and a generated password are printed once and never stored.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from api.cli.common import Commands, actor, add_json, emit_json, iso_datetime, out, runtime

if TYPE_CHECKING:
    from graph.model.accounts import ApiKey, User

__all__ = ["register"]

ROLES = ("admin", "issuer", "assessor", "advisor", "mentor", "learner", "member")


def register(commands: Commands) -> None:
    """Add the ``users`` and ``keys`` groups and ``audit``."""
    _register_users(commands.group("users", help="Accounts and their roles (administrators)."))
    _register_keys(commands.group("keys", help="API keys for scripts."))
    audit = commands.command("audit", run_audit, help="Read the audit log, oldest entry first.")
    audit.add_argument("--since", help="ISO 8601 time")
    audit.add_argument("--actor", help="a user's IRI")
    audit.add_argument("--outcome", help="ok, or refused (the start of the outcome)")
    audit.add_argument("--limit", type=int, default=100)
    add_json(audit)


def _register_users(users: Commands) -> None:
    create = users.command("create", run_user_create, help="Create a user.")
    create.add_argument("name", metavar="NAME")
    create.add_argument(
        "--grant",
        action="append",
        default=[],
        metavar="ROLE[:IRI]",
        help=f"a role ({', '.join(ROLES)}), bound to an object's IRI where it needs one",
    )
    create.add_argument("--display-name")
    create.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    create.add_argument(
        "--no-password", action="store_true", help="a user for API keys only (no login)"
    )
    add_json(create)
    listing = users.command("list", run_user_list, help="List users.")
    add_json(listing)
    for name, handler, text in (
        ("disable", run_user_disable, "Disable a user: no login, no key of theirs works."),
        ("enable", run_user_enable, "Enable a disabled user again."),
        ("passwd", run_user_passwd, "Set a user's password (generated unless --password-stdin)."),
    ):
        command = users.command(name, handler, help=text)
        command.add_argument("name", metavar="NAME")
        if name == "passwd":
            command.add_argument("--password-stdin", action="store_true")
        add_json(command)
    for name, handler, text in (
        ("grant", run_user_grant, "Give a user a role (bound to an object's IRI if it needs one)."),
        ("revoke", run_user_revoke, "Take a role from a user."),
    ):
        command = users.command(name, handler, help=text)
        command.add_argument("name", metavar="NAME")
        command.add_argument("grant", metavar="ROLE[:IRI]")
        add_json(command)


def _register_keys(keys: Commands) -> None:
    create = keys.command("create", run_key_create, help="Make a key; its token is shown once.")
    create.add_argument("--user", required=True, help="whose key")
    create.add_argument("--role", action="append", choices=ROLES, help="only these roles")
    create.add_argument("--expires", type=iso_datetime, help="ISO 8601 date-time with a zone")
    add_json(create)
    listing = keys.command("list", run_key_list, help="A user's keys (never their secrets).")
    listing.add_argument("--user", required=True)
    add_json(listing)
    revoke = keys.command("revoke", run_key_revoke, help="Revoke a key.")
    revoke.add_argument("key", metavar="KEY_ID")
    add_json(revoke)
    rotate = keys.command(
        "rotate", run_key_rotate, help="Replace a key by a new one with the same roles."
    )
    rotate.add_argument("key", metavar="KEY_ID")
    add_json(rotate)


def _user_json(user: User) -> dict[str, object]:
    from api.schemas.accounts import UserPublic

    return UserPublic.from_domain(user).model_dump(mode="json")


def _key_json(key: ApiKey, token: str | None = None) -> dict[str, object]:
    from api.schemas.accounts import ApiKeyPublic

    document = ApiKeyPublic.from_domain(key).model_dump(mode="json")
    return document if token is None else {**document, "token": token}


def _password(from_stdin: bool) -> tuple[str, bool]:
    """A password from standard input, or a generated one (and whether it was generated)."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\n"), False
    import secrets

    return secrets.token_urlsafe(15), True


def _print_user(user: User, as_json: bool, *, password: str | None = None) -> None:
    if as_json:
        emit_json({**_user_json(user), **({"password": password} if password else {})})
        return
    out.print(f"{user.name}  {', '.join(str(g) for g in user.grants) or '-'}", highlight=False)
    if password:
        out.print(f"password (shown once): {password}", highlight=False)


def run_user_create(args: argparse.Namespace) -> None:
    """Create a user."""
    from graph.model.account_documents import grant_from_text
    from graph.services.accounts import create_user

    password, generated = (None, False) if args.no_password else _password(args.password_stdin)
    with runtime() as rt:
        user = create_user(
            rt.store,
            actor=actor(),
            name=args.name,
            password=password,
            grants=[grant_from_text(g) for g in args.grant],
            display_name=args.display_name,
            base_iri=rt.settings.base_iri,
        )
    _print_user(user, args.as_json, password=password if generated else None)


def run_user_list(args: argparse.Namespace) -> None:
    """List users."""
    from graph.services.accounts import list_users

    with runtime() as rt:
        users = list_users(rt.store, actor=actor())
    if args.as_json:
        emit_json({"data": [_user_json(u) for u in users], "count": len(users)})
        return
    for user in users:
        state = " (disabled)" if user.disabled else ""
        grants = ", ".join(str(g) for g in user.grants) or "-"
        out.print(f"{user.name}{state}  {grants}", highlight=False)


def _set_disabled(args: argparse.Namespace, *, disabled: bool) -> None:
    from graph.services.accounts import set_user_disabled

    with runtime() as rt:
        user = set_user_disabled(
            rt.store, args.name, disabled=disabled, actor=actor(), base_iri=rt.settings.base_iri
        )
    _print_user(user, args.as_json)


def run_user_disable(args: argparse.Namespace) -> None:
    """Disable a user."""
    _set_disabled(args, disabled=True)


def run_user_enable(args: argparse.Namespace) -> None:
    """Enable a user."""
    _set_disabled(args, disabled=False)


def run_user_passwd(args: argparse.Namespace) -> None:
    """Set a password."""
    from graph.services.accounts import set_password

    password, generated = _password(args.password_stdin)
    with runtime() as rt:
        user = set_password(
            rt.store, args.name, password, actor=actor(), base_iri=rt.settings.base_iri
        )
    _print_user(user, args.as_json, password=password if generated else None)


def _change_grants(args: argparse.Namespace, *, add: bool) -> None:
    from graph.model.account_documents import grant_from_text
    from graph.services.accounts import get_user, set_grants

    grant = grant_from_text(args.grant)
    with runtime() as rt:
        base = rt.settings.base_iri
        user = get_user(rt.store, args.name, actor=actor(), base_iri=base)
        grants = [*user.grants, grant] if add else [g for g in user.grants if g != grant]
        user = set_grants(rt.store, args.name, grants, actor=actor(), base_iri=base)
    _print_user(user, args.as_json)


def run_user_grant(args: argparse.Namespace) -> None:
    """Give a role."""
    _change_grants(args, add=True)


def run_user_revoke(args: argparse.Namespace) -> None:
    """Take a role."""
    _change_grants(args, add=False)


def run_key_create(args: argparse.Namespace) -> None:
    """Make a key."""
    from graph.model.accounts import Role
    from graph.services.accounts import create_api_key

    with runtime() as rt:
        key, token = create_api_key(
            rt.store,
            actor=actor(),
            user=args.user,
            roles=None if args.role is None else [Role(r) for r in args.role],
            expires_at=args.expires,
            base_iri=rt.settings.base_iri,
        )
    if args.as_json:
        emit_json(_key_json(key, token))
    else:
        out.print(f"key {key.id} of {args.user}; token (shown once):", highlight=False)
        out.print(token, highlight=False, soft_wrap=True)


def run_key_list(args: argparse.Namespace) -> None:
    """List a user's keys."""
    from graph.services.accounts import list_api_keys

    with runtime() as rt:
        keys = list_api_keys(rt.store, actor=actor(), user=args.user, base_iri=rt.settings.base_iri)
    if args.as_json:
        emit_json({"data": [_key_json(k) for k in keys], "count": len(keys)})
        return
    for key in keys:
        state = (
            f"revoked {key.revoked_at}" if key.revoked_at else f"expires {key.expires_at or '-'}"
        )
        roles = ",".join(r.value for r in key.roles)
        out.print(f"{key.id}  {roles}  {state}", highlight=False)


def run_key_revoke(args: argparse.Namespace) -> None:
    """Revoke a key."""
    from graph.services.accounts import revoke_api_key

    with runtime() as rt:
        key = revoke_api_key(rt.store, args.key, actor=actor(), base_iri=rt.settings.base_iri)
    if args.as_json:
        emit_json(_key_json(key))
    else:
        out.print(f"revoked {key.id}", highlight=False)


def run_key_rotate(args: argparse.Namespace) -> None:
    """Replace a key."""
    from graph.services.accounts import rotate_api_key

    with runtime() as rt:
        key, token = rotate_api_key(
            rt.store, args.key, actor=actor(), base_iri=rt.settings.base_iri
        )
    if args.as_json:
        emit_json(_key_json(key, token))
    else:
        out.print(f"key {key.id} replaces {args.key}; token (shown once):", highlight=False)
        out.print(token, highlight=False, soft_wrap=True)


def run_audit(args: argparse.Namespace) -> None:
    """Print the audit log."""
    from graph.services.audit_log import read_audit

    with runtime() as rt:
        found = read_audit(
            rt.store,
            actor=actor(),
            since=args.since,
            who=args.actor,
            outcome=args.outcome,
            limit=args.limit,
        )
    if args.as_json:
        emit_json({"data": [{"id": uri, **body} for uri, body in found], "count": len(found)})
        return
    for _, body in found:
        objects = ", ".join(o["uri"] for o in body["objects"][:3])
        out.print(
            f"{body['at']}  {body['actor_name']}  {body['action']}  {body['outcome']}  {objects}",
            highlight=False,
        )
