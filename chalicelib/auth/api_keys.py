"""Issue, verify and revoke API keys. Only a SHA-256 of a token is ever stored.

The management API (list, update, new token, scopes) is `auth/key_management.py`.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TypeVar

from chalicelib.context import SCOPE_FULL, Principal, utc_now_iso
from chalicelib.errors import AuthenticationError, NotFoundError, VersionConflictError
from chalicelib.storage import api_keys as key_store
from chalicelib.storage.api_keys import ApiKeyRow, StoredKey

TOKEN_PREFIX = "crm_"
# A token naming its workspace: `crm_<workspace uuid as 32 hex>_<secret>`, like the workspace id
# inside Twenty's JWT keys. Admission then reads the key, the workspace's version and a record in
# one request (auth/admission.py); the key's item stays the authority on the workspace.
_WORKSPACE_HEX = 32
_HEX_DIGITS = frozenset("0123456789abcdef")
# Reads and conditioned writes of a key tried before a change meanwhile is reported (409).
_CHANGE_ATTEMPTS = 3

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class IssuedKey:
    token: str  # shown once, never stored
    row: ApiKeyRow


def new_token(workspace_id: str | None = None) -> str:
    """A new secret token, naming `workspace_id` when it is a UUID (every generated one is)."""
    secret = secrets.token_urlsafe(32)
    named = _workspace_hex(workspace_id)
    return f"{TOKEN_PREFIX}{named}_{secret}" if named else TOKEN_PREFIX + secret


def _workspace_hex(workspace_id: str | None) -> str | None:
    """The 32 hex digits of a workspace id in the canonical UUID form (the only form a token
    can name: `token_workspace` answers it), else None."""
    try:
        parsed = uuid.UUID(workspace_id) if workspace_id else None
    except ValueError:  # a workspace created under a chosen, non-UUID id
        return None
    return parsed.hex if parsed is not None and str(parsed) == workspace_id else None


def token_workspace(token: str) -> str | None:
    """The workspace id a token names; None for a token naming none (issued before tokens did,
    or chosen by an operator). Only a claim: the key's item decides (`verified_principal`)."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    named, separator, _ = token[len(TOKEN_PREFIX) :].partition("_")
    if not separator or len(named) != _WORKSPACE_HEX or not _HEX_DIGITS.issuperset(named):
        return None
    return str(uuid.UUID(hex=named))


def issue_key(
    workspace_id: str,
    name: str,
    *,
    expires_at: str | None = None,
    token: str | None = None,
    scope: str = SCOPE_FULL,
) -> IssuedKey:
    """Create a key for a workspace; `token` lets an operator choose it (local development)."""
    if token is not None and token_workspace(token) not in (None, workspace_id):
        # Such a key could never authenticate: its token would name another workspace.
        raise ValueError("A chosen token must not name another workspace than its key's")
    token = token or new_token(workspace_id)
    now = utc_now_iso()
    row = ApiKeyRow(
        key_id=str(uuid.uuid4()),
        workspace_id=workspace_id,
        name=name,
        created_at=now,
        expires_at=expires_at,
        revoked_at=None,
        scope=scope,
        updated_at=now,
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
    return authenticate_token(bearer_token(authorization), now=now)


def authenticate_token(token: str, *, now: str) -> Principal:
    """As `authenticate`, for a token already taken from its header: one GetItem of the key."""
    return verified_principal(key_store.find_by_token(token), token, now=now)


def verified_principal(row: ApiKeyRow | None, token: str, *, now: str) -> Principal:
    """The caller of the key item `row` read for `token` (None: no such item), or a 401."""
    if row is None:
        raise AuthenticationError("Invalid API key")
    named = token_workspace(token)
    # The item is the authority: a token naming another workspace than its key's is refused
    # before anything read for the named workspace is used.
    if named is not None and named != row.workspace_id:
        raise AuthenticationError("Invalid API key")
    if row.revoked_at is not None:
        raise AuthenticationError("API key has been revoked")
    # ISO 8601 UTC strings in the same format compare chronologically.
    if row.expires_at is not None and row.expires_at <= now:
        raise AuthenticationError("API key has expired")
    return Principal(
        workspace_id=row.workspace_id, key_id=row.key_id, key_name=row.name, scope=row.scope
    )


def with_current_key(key_id: str, act: Callable[[StoredKey], T]) -> T:
    """`act` on the key's current item, run again on a fresh read when the item changed between
    the read and `act`'s conditioned write (a new token, a revocation): VersionConflictError."""
    attempt = 0
    while True:
        stored = key_store.find_by_id(key_id)
        if stored is None:
            raise NotFoundError(f"No API key with id '{key_id}'")
        try:
            return act(stored)
        except VersionConflictError:
            attempt += 1
            if attempt >= _CHANGE_ATTEMPTS:
                raise


def revoke_key(key_id: str) -> ApiKeyRow:
    """Revoke a key by id (operator CLI; the API checks the workspace and scope first)."""
    return with_current_key(key_id, revoke_stored)


def revoke_stored(stored: StoredKey) -> ApiKeyRow:
    """Revoke a key found by id; a key already revoked keeps its first `revokedAt`."""
    if stored.row.revoked_at is not None:
        return stored.row
    revoked_at = utc_now_iso()
    key_store.mark_revoked(stored.key_hash, revoked_at)
    return replace(stored.row, revoked_at=revoked_at, updated_at=revoked_at)
