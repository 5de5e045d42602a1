"""The key-management service both metadata APIs share: expiry parsing, scope rules, tokens."""

from __future__ import annotations

import pytest

from chalicelib.auth import key_management as keys
from chalicelib.auth.api_keys import authenticate, issue_key
from chalicelib.context import Principal, RequestContext
from chalicelib.errors import (
    AuthenticationError,
    BadRequestError,
    ForbiddenError,
    InvalidRequestBodyError,
    NotFoundError,
)
from chalicelib.metadata.provisioning import create_workspace

NOW = "2030-01-01T00:00:00.000Z"
LATER = "2031-01-01T00:00:00.000Z"


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("2030-01-01T02:00:00+02:00", "2030-01-01T00:00:00.000Z"),
        ("2030-06-15T12:30:00", "2030-06-15T12:30:00.000Z"),
        ("2030-06-15T12:30:00.123456Z", "2030-06-15T12:30:00.123Z"),
        ("2030-06-15", "2030-06-15T00:00:00.000Z"),
        ("0999-01-01T00:00:00Z", "0999-01-01T00:00:00.000Z"),
    ],
)
def test_iso_utc_converts_any_iso_8601_date_time_to_utc_milliseconds(given, stored):
    assert keys.iso_utc(given) == stored


@pytest.mark.parametrize(
    "given",
    [None, 7, "", "soon", "2030-13-01", "2030-01-01T25:00:00Z", "9999-12-31T23:59:59-01:00",
     "2030-01-01T00:00:00Z" + " " * 60],
)  # fmt: skip
def test_iso_utc_refuses_everything_else_with_a_value_error(given):
    with pytest.raises(ValueError):
        keys.iso_utc(given)


def context(key, now: str = NOW) -> RequestContext:
    principal = Principal(key.row.workspace_id, key.row.key_id, key.row.name, key.row.scope)
    return RequestContext(principal, now)


@pytest.fixture
def workspace(aws):
    return create_workspace("Acme").id


def test_a_created_key_authenticates_with_its_scope_until_its_expiry(workspace):
    full = context(issue_key(workspace, "Owner"))
    issued = keys.create_key(full, {"name": "Reader", "expiresAt": LATER, "scope": "read"})
    principal = authenticate(f"Bearer {issued.token}", now=NOW)
    assert (principal.scope, principal.key_name) == ("read", "Reader")
    with pytest.raises(AuthenticationError, match="expired"):
        authenticate(f"Bearer {issued.token}", now=LATER)


@pytest.mark.parametrize(
    ("caller", "target", "allowed"),
    [
        ("full", "full", True),
        ("full", "read", True),
        ("full", "metadata", True),
        ("metadata", "metadata", True),
        ("metadata", "full", False),
        ("metadata", "read", False),
    ],
)
def test_a_key_manages_only_the_scopes_it_may_grant(workspace, caller, target, allowed):
    ctx = context(issue_key(workspace, "Caller", scope=caller))
    other = issue_key(workspace, "Target", scope=target)
    actions = [
        lambda: keys.create_key(ctx, {"name": "New", "expiresAt": LATER, "scope": target}),
        lambda: keys.update_key(ctx, other.row.key_id, {"name": "Renamed"}),
        lambda: keys.generate_token(ctx, other.row.key_id, LATER),
        lambda: keys.revoke_key(ctx, other.row.key_id),
    ]
    for action in actions:
        if allowed:
            action()
        else:
            with pytest.raises(ForbiddenError, match=f"'{caller}' scope"):
                action()
    if allowed:
        assert keys.get_key(ctx, other.row.key_id).revoked_at is not None
        return
    # Refused: nothing was created and the target is as it was, its token still working.
    assert keys.get_key(ctx, other.row.key_id).name == "Target"
    assert authenticate(f"Bearer {other.token}", now=NOW).key_id == other.row.key_id
    assert [row.name for row in keys.list_keys(ctx)] == ["Caller", "Target"]


def test_any_key_may_revoke_itself(workspace):
    reader = issue_key(workspace, "Reader", scope="read")
    revoked = keys.revoke_key(context(reader), reader.row.key_id)
    assert revoked.revoked_at is not None


def test_an_expired_key_may_get_a_new_token_with_a_new_expiry_but_a_revoked_one_not(workspace):
    owner = context(issue_key(workspace, "Owner"))
    stale = issue_key(workspace, "Stale", expires_at="2029-01-01T00:00:00.000Z")
    renewed = keys.generate_token(owner, stale.row.key_id, LATER)
    assert authenticate(f"Bearer {renewed.token}", now=NOW).key_id == stale.row.key_id
    keys.revoke_key(owner, stale.row.key_id)
    with pytest.raises(BadRequestError, match="revoked"):
        keys.generate_token(owner, stale.row.key_id, LATER)


def test_a_token_must_expire_in_the_future(workspace):
    owner = context(issue_key(workspace, "Owner"))
    with pytest.raises(InvalidRequestBodyError, match="in the future"):
        keys.generate_token(owner, owner.principal.key_id, NOW)


def test_an_empty_update_writes_nothing(workspace, meter):
    owner = issue_key(workspace, "Owner")
    meter.reset()
    row = keys.update_key(context(owner), owner.row.key_id, {})
    assert row == owner.row
    assert "UpdateItem" not in meter.operations


def test_another_workspaces_key_is_not_found(workspace):
    ours = context(issue_key(workspace, "Ours"))
    theirs = issue_key(create_workspace("Other").id, "Theirs")
    for action in (
        lambda: keys.get_key(ours, theirs.row.key_id),
        lambda: keys.update_key(ours, theirs.row.key_id, {"name": "x"}),
        lambda: keys.generate_token(ours, theirs.row.key_id, LATER),
        lambda: keys.revoke_key(ours, theirs.row.key_id),
    ):
        with pytest.raises(NotFoundError):
            action()
    assert authenticate(f"Bearer {theirs.token}", now=NOW).key_name == "Theirs"


def test_views_never_hold_a_token_or_hash_except_the_creation_answer(workspace):
    owner = context(issue_key(workspace, "Owner"))
    issued = keys.create_key(owner, {"name": "New", "expiresAt": LATER})
    assert set(keys.key_view(issued.row)) == {
        "id", "name", "expiresAt", "revokedAt", "createdAt", "updatedAt", "scope",
    }  # fmt: skip
    assert keys.issued_view(issued)["token"] == issued.token
