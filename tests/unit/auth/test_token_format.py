"""Tokens name their workspace (`crm_<workspace hex>_<secret>`), and only claim it: the key's
item decides."""

from __future__ import annotations

import uuid

import pytest

from chalicelib.auth.api_keys import (
    authenticate,
    issue_key,
    new_token,
    token_workspace,
    verified_principal,
)
from chalicelib.errors import AuthenticationError
from chalicelib.storage.api_keys import ApiKeyRow

WORKSPACE = "11111111-1111-4111-8111-111111111111"
NOW = "2026-01-01T00:00:00.000Z"


def row(workspace_id: str = WORKSPACE) -> ApiKeyRow:
    return ApiKeyRow(str(uuid.uuid4()), workspace_id, "Zapier", NOW, None, None)


def test_a_new_token_names_its_workspace_and_keeps_a_secret_as_long_as_before():
    token = new_token(WORKSPACE)
    prefix, named, secret = token.split("_", 2)
    assert prefix == "crm" and named == uuid.UUID(WORKSPACE).hex
    assert len(secret) == 43  # 32 random bytes, URL-safe base64
    assert token_workspace(token) == WORKSPACE


def test_two_tokens_of_one_workspace_differ():
    assert new_token(WORKSPACE) != new_token(WORKSPACE)


LETTERED = "abcdef12-3456-4789-8abc-def123456789"


@pytest.mark.parametrize("workspace_id", [None, "demo", LETTERED.upper(), "{" + LETTERED + "}"])
def test_a_workspace_id_not_in_canonical_uuid_form_is_not_named(workspace_id):
    token = new_token(workspace_id)
    assert token.startswith("crm_") and token_workspace(token) is None


@pytest.mark.parametrize(
    "token",
    [
        "dev-key",
        "crm_never-issued",
        "crm_" + "a" * 43,  # an older token: no separator after 32 characters
        "crm_" + "g" * 32 + "_secret",  # not hex
        "crm_" + "A" * 32 + "_secret",  # hex digits are lower case in a token
        "crm_" + "a" * 31 + "_secret",
        "xyz_" + "a" * 32 + "_secret",
    ],
)
def test_a_token_that_names_no_workspace_is_recognised_as_such(token):
    assert token_workspace(token) is None


def test_the_key_item_decides_a_token_naming_another_workspace_is_refused():
    token = new_token(str(uuid.uuid4()))
    with pytest.raises(AuthenticationError, match="Invalid API key"):
        verified_principal(row(), token, now=NOW)
    assert verified_principal(row(), new_token(WORKSPACE), now=NOW).workspace_id == WORKSPACE
    # A token naming nothing is checked as before: the item alone.
    assert verified_principal(row(), "dev-key", now=NOW).workspace_id == WORKSPACE


def test_no_item_for_the_token_is_an_invalid_key():
    with pytest.raises(AuthenticationError, match="Invalid API key"):
        verified_principal(None, new_token(WORKSPACE), now=NOW)


def test_issued_keys_get_tokens_naming_their_workspace_and_authenticate(aws):
    issued = issue_key(WORKSPACE, "Zapier")
    assert token_workspace(issued.token) == WORKSPACE
    assert authenticate(f"Bearer {issued.token}", now=NOW).key_id == issued.row.key_id


def test_an_operator_cannot_choose_a_token_naming_another_workspace(aws):
    elsewhere = new_token(str(uuid.uuid4()))
    with pytest.raises(ValueError, match="another workspace"):
        issue_key(WORKSPACE, "Chosen", token=elsewhere)
    chosen = new_token(WORKSPACE)
    assert issue_key(WORKSPACE, "Chosen", token=chosen).token == chosen
