"""The demo users' secrets: written once to a file only the user can read, and printed once.

On the first start of the demo (``scripts/dev serve``) the demo's parties are made with
random passwords and API keys (:func:`ingest.demo.load_demo_parties`); nothing else keeps
those secrets, so they are handed to the operator here, at the edge.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from ingest.demo import DemoUser

__all__ = ["hand_over"]


def hand_over(users: Sequence[DemoUser], path: Path) -> None:
    """Write ``users`` with their secrets to ``path`` (mode 0600) and print them once."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    # O_CREAT's mode applies only to a new file: an older file keeps no wider mode.
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump({"users": [asdict(u) for u in users]}, f, indent=2)
        f.write("\n")
    width = max(len(u.name) for u in users)
    lines = [
        "",
        "Demo users (shown once; also in " + str(path) + ", readable by you only):",
        *(
            f"  {u.name:<{width}}  password {u.password}  key {u.api_key}  ({', '.join(u.grants)})"
            for u in users
        ),
        "Send 'Authorization: Bearer <key>' (or Authorize in /docs), or log in with a password.",
        "",
    ]
    sys.stderr.write("\n".join(lines) + "\n")
    sys.stderr.flush()
