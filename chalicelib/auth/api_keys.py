"""Issue, verify and revoke API keys. Only a SHA-256 of a token is ever stored."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, replace

from chalicelib.context import Principal, utc_now_iso
from chalicelib.errors import AuthenticationError, NotFoundError
from chalicelib.storage import api_keys as key_store
from chalicelib.storage.api_keys import ApiKeyRow

TOKEN_PREFIX = "crm_"


@dataclass(frozen=True, slots=True)
class IssuedKey:
    token: str  # shown once, never stored
    row: ApiKeyRow


def issue_key(
    workspace_id: str, name: str, *, expires_at: str | None = None, token: str | None = None
) -> IssuedKey:
    """Create a key for a workspace; `token` lets an operator choose it (local development)."""
    token = token or TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiKeyRow(
        key_id=str(uuid.uuid4()),
        workspace_id=workspace_id,
        name=name,
        created_at=utc_now_iso(),
        expires_at=expires_at,
        revoked_at=None,
    )
    key_store.save_key(token, row)
    return IssuedKey(token=token, row=row)


def bearer_token(authorization: str | None) -> str:
    """The token of an `Authorization: Bearer <token>` header."""
    if not authorization:
        raise AuthenticationError(
            "Missing Authorization header: send 'Authorization: Bearer <key>'"
        )
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationError("Authorization header must be 'Bearer <key>'")
    return token.strip()


def authenticate(authorization: str | None, *, now: str) -> Principal:
    """Resolve a request's key to its workspace; refuse unknown, expired and revoked keys."""
    row = key_store.find_by_token(bearer_token(authorization))
    if row is None:
        raise AuthenticationError("Invalid API key")
    if row.revoked_at is not None:
        raise AuthenticationError("API key has been revoked")
    # ISO 8601 UTC strings in the same format compare chronologically.
    if row.expires_at is not None and row.expires_at <= now:
        raise AuthenticationError("API key has expired")
    return Principal(workspace_id=row.workspace_id, key_id=row.key_id, key_name=row.name)


def revoke_key(key_id: str) -> ApiKeyRow:
    found = key_store.find_by_id(key_id)
    if found is None:
        raise NotFoundError(f"No API key with id '{key_id}'")
    key_hash, row = found
    revoked_at = utc_now_iso()
    key_store.mark_revoked(key_hash, revoked_at)
    return replace(row, revoked_at=revoked_at)
