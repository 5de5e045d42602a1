"""API keys: bearer parsing, hashed storage, expiry, revocation."""

from __future__ import annotations

import hashlib
import json
import uuid

import boto3
import pytest
from pynamodb.exceptions import PutError

from chalicelib.auth.api_keys import authenticate, bearer_token, issue_key, revoke_key
from chalicelib.context import utc_now_iso
from chalicelib.errors import AuthenticationError, NotFoundError
from chalicelib.metadata.provisioning import create_workspace
from chalicelib.settings import SETTINGS

NOW = "2026-01-01T00:00:00.000Z"


def scan_keys_table() -> list[dict[str, object]]:
    client = boto3.client("dynamodb", region_name=SETTINGS.region)
    return client.scan(TableName=SETTINGS.keys_table, ConsistentRead=True)["Items"]


# --- bearer parsing (no DynamoDB needed: parsing fails before any lookup) ----------------------


@pytest.mark.parametrize("header", [None, "", "   "])
def test_a_missing_authorization_header_is_an_authentication_error(header):
    with pytest.raises(AuthenticationError):
        bearer_token(header)
    with pytest.raises(AuthenticationError):
        authenticate(header, now=NOW)


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Token crm_abc", "crm_abc", "Bearer"])
def test_a_header_that_is_not_a_bearer_token_is_an_authentication_error(header):
    with pytest.raises(AuthenticationError, match="Bearer <key>"):
        bearer_token(header)


@pytest.mark.parametrize("header", ["Bearer ", "Bearer    ", "Bearer \t"])
def test_a_bearer_header_with_an_empty_token_is_an_authentication_error(header):
    with pytest.raises(AuthenticationError):
        bearer_token(header)


@pytest.mark.parametrize(
    "header", ["Bearer crm_abc", "bearer crm_abc", "BEARER crm_abc", "  Bearer   crm_abc  "]
)
def test_the_bearer_scheme_is_case_insensitive_and_surrounding_spaces_are_ignored(header):
    assert bearer_token(header) == "crm_abc"


def test_authentication_errors_carry_the_unauthenticated_code():
    with pytest.raises(AuthenticationError) as error:
        bearer_token(None)
    assert error.value.code == "UNAUTHENTICATED"


# --- issued keys ---------------------------------------------------------------------------------


def test_an_issued_key_authenticates_as_its_workspace_and_key(aws):
    workspace = create_workspace("Acme")
    issued = issue_key(workspace.id, "Zapier")
    principal = authenticate(f"Bearer {issued.token}", now=utc_now_iso())
    assert principal.workspace_id == workspace.id
    assert principal.key_id == issued.row.key_id
    assert principal.key_name == "Zapier"


def test_an_unknown_token_is_an_authentication_error(aws):
    create_workspace("Acme")
    with pytest.raises(AuthenticationError, match="Invalid API key"):
        authenticate("Bearer crm_never-issued", now=NOW)


def test_generated_tokens_are_prefixed_and_unique(aws):
    workspace = create_workspace("Acme")
    tokens = {issue_key(workspace.id, f"k{i}").token for i in range(5)}
    assert len(tokens) == 5
    assert all(token.startswith("crm_") and len(token) > 40 for token in tokens)


def test_only_the_sha256_of_a_token_is_stored(aws):
    workspace = create_workspace("Acme")
    issued = [
        issue_key(workspace.id, "generated"),
        issue_key(workspace.id, "chosen", token="dev-token"),
    ]
    items = scan_keys_table()
    assert len(items) == 2
    dumped = json.dumps(items)
    for key in issued:
        assert key.token not in dumped
    assert sorted(item["keyHash"]["S"] for item in items) == sorted(
        hashlib.sha256(key.token.encode()).hexdigest() for key in issued
    )


def test_a_chosen_token_that_is_already_issued_is_not_stored_twice(aws):
    workspace = create_workspace("Acme")
    issue_key(workspace.id, "first", token="dev-token")
    with pytest.raises(PutError):
        issue_key(workspace.id, "second", token="dev-token")
    items = scan_keys_table()
    assert [item["name"]["S"] for item in items] == ["first"]


def test_a_key_is_accepted_until_its_expiry_and_refused_from_then_on(aws):
    workspace = create_workspace("Acme")
    issued = issue_key(workspace.id, "Temp", expires_at="2026-01-01T00:00:00.000Z")
    header = f"Bearer {issued.token}"
    assert authenticate(header, now="2025-12-31T23:59:59.999Z").key_id == issued.row.key_id
    with pytest.raises(AuthenticationError, match="expired"):
        authenticate(header, now="2026-01-01T00:00:00.000Z")
    with pytest.raises(AuthenticationError, match="expired"):
        authenticate(header, now="2027-01-01T00:00:00.000Z")


def test_revoking_a_key_refuses_it_at_once(aws):
    workspace = create_workspace("Acme")
    issued = issue_key(workspace.id, "Temp")
    revoked = revoke_key(issued.row.key_id)
    assert revoked.key_id == issued.row.key_id
    assert revoked.workspace_id == workspace.id
    assert revoked.revoked_at is not None
    with pytest.raises(AuthenticationError, match="revoked"):
        authenticate(f"Bearer {issued.token}", now=utc_now_iso())


def test_revoking_an_unknown_key_id_is_not_found(aws):
    with pytest.raises(NotFoundError) as error:
        revoke_key(str(uuid.uuid4()))
    assert error.value.code == "NOT_FOUND"
    assert scan_keys_table() == []
