"""Grants as text: the form the CLI, the API and the store write them in."""

from __future__ import annotations

import pytest

from graph.errors import InvalidInputError
from graph.model.account_documents import grant_from_text
from graph.model.accounts import Grant, Role


def test_a_grant_reads_its_role_and_object() -> None:
    assert grant_from_text("mentor:urn:example:group:1") == Grant(
        Role.MENTOR, "urn:example:group:1"
    )


@pytest.mark.parametrize("text", ["wizard", "", "Admin", "\x00:x"])
def test_an_unknown_role_is_invalid_input_not_a_crash(text: str) -> None:
    # Found by schemathesis: POST /v1/users with grants ["<random>"] answered 500.
    with pytest.raises(InvalidInputError, match="the role is none of admin, issuer"):
        grant_from_text(text)
