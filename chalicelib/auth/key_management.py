"""A workspace managing its own API keys: the one service behind REST /rest/metadata/apiKeys and
the GraphQL metadata API's apiKey fields (validation, scope rules and views live only here).

Scope rules (beyond Twenty): a key may create, change, give a new token to, or revoke only keys
whose scope it could grant (`auth/scopes.may_grant`): a 'metadata' key can never obtain a 'full'
token, not even by regenerating an existing key's. A key may always revoke itself. Every check
runs before the first write, so a refused call changes nothing.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from chalicelib.auth.api_keys import (
    IssuedKey,
    issue_key,
    new_token,
    revoke_stored,
    with_current_key,
)
from chalicelib.auth.scopes import may_grant
from chalicelib.context import SCOPE_FULL, SCOPES, RequestContext
from chalicelib.errors import (
    BadRequestError,
    ForbiddenError,
    InvalidRequestBodyError,
    NotFoundError,
)
from chalicelib.storage import api_keys as key_store
from chalicelib.storage.api_keys import ApiKeyRow, StoredKey

MAX_NAME_CHARS = 255
_MAX_DATE_CHARS = 64  # longer than any ISO 8601 date-time: refused before parsing
CREATE_FIELDS = ("name", "expiresAt", "scope")
UPDATE_FIELDS = ("name", "expiresAt")


# -- views -----------------------------------------------------------------------------------


def key_view(row: ApiKeyRow) -> dict[str, Any]:
    """A key as both APIs show it: never its token nor its hash."""
    return {
        "id": row.key_id,
        "name": row.name,
        "expiresAt": row.expires_at,
        "revokedAt": row.revoked_at,
        "createdAt": row.created_at,
        "updatedAt": row.updated_at or row.created_at,
        "scope": row.scope,
    }


def issued_view(issued: IssuedKey) -> dict[str, Any]:
    """A key with its token: the answer of a creation, the only time the token is shown."""
    return {**key_view(issued.row), "token": issued.token}


# -- reads -----------------------------------------------------------------------------------


def list_keys(ctx: RequestContext) -> list[ApiKeyRow]:
    """The workspace's keys that are not revoked, oldest first (as Twenty lists them)."""
    rows = key_store.list_workspace_keys(ctx.workspace_id)
    return [row for row in rows if row.revoked_at is None]


def get_key(ctx: RequestContext, key_id: str) -> ApiKeyRow:
    """One key of the workspace, revoked or not; another workspace's key is not found."""
    return _own(ctx, key_id, key_store.find_by_id(key_id)).row


# -- writes ----------------------------------------------------------------------------------


def create_key(ctx: RequestContext, body: object) -> IssuedKey:
    fields = _fields(body, CREATE_FIELDS)
    problems: list[str] = []
    name = _name(fields.get("name"), problems)
    expires_at = _expiry(fields, ctx.now, problems, required=True)
    scope = _scope(fields.get("scope"), problems)
    if problems:
        raise InvalidRequestBodyError(messages=problems)
    if not may_grant(ctx.principal, scope):
        raise ForbiddenError(_cannot_grant(ctx, scope, "create"))
    return issue_key(ctx.workspace_id, name, expires_at=expires_at, scope=scope)


def update_key(ctx: RequestContext, key_id: str, body: object) -> ApiKeyRow:
    """Change a key's name and/or expiry (its scope and token stay)."""
    fields = _fields(body, UPDATE_FIELDS)
    problems: list[str] = []
    name = _name(fields["name"], problems) if "name" in fields else None
    expires_at = _expiry(fields, ctx.now, problems, required=False)
    if problems:
        raise InvalidRequestBodyError(messages=problems)

    def change(stored: StoredKey) -> ApiKeyRow:
        _require_manageable(ctx, key_id, stored, "update")
        if name is None and expires_at is None:
            return stored.row
        changed = replace(
            stored.row,
            name=stored.row.name if name is None else name,
            expires_at=stored.row.expires_at if expires_at is None else expires_at,
            updated_at=ctx.now,
        )
        key_store.update_key(
            stored, name=changed.name, expires_at=changed.expires_at, updated_at=ctx.now
        )
        return changed

    return with_current_key(key_id, change)


def generate_token(ctx: RequestContext, key_id: str, expires_at: object) -> IssuedKey:
    """A new token for an existing key, expiring at `expires_at`; the old token fails from the
    next request on (one transaction replaces the key's item, see storage/api_keys.py)."""
    problems: list[str] = []
    expiry = _expiry({"expiresAt": expires_at}, ctx.now, problems, required=True)
    if problems:
        raise InvalidRequestBodyError(messages=problems)

    def regenerate(stored: StoredKey) -> IssuedKey:
        _require_manageable(ctx, key_id, stored, "generate a token for")
        if stored.row.revoked_at is not None:
            raise BadRequestError(f"API key '{key_id}' has been revoked: create a new key")
        token = new_token(stored.row.workspace_id)
        row = replace(stored.row, expires_at=expiry, updated_at=ctx.now)
        key_store.replace_token(stored, token, row)
        return IssuedKey(token=token, row=row)

    return with_current_key(key_id, regenerate)


def revoke_key(ctx: RequestContext, key_id: str) -> ApiKeyRow:
    """Revoke a key of the workspace: refused from the next request on, in every container."""

    def revoke(stored: StoredKey) -> ApiKeyRow:
        _require_manageable(ctx, key_id, stored, "revoke", itself_allowed=True)
        return revoke_stored(stored)

    return with_current_key(key_id, revoke)


# -- rules -----------------------------------------------------------------------------------


def _own(ctx: RequestContext, key_id: str, stored: StoredKey | None) -> StoredKey:
    # Another workspace's key is answered exactly like a key that does not exist.
    if stored is None or stored.row.workspace_id != ctx.workspace_id:
        raise NotFoundError(f"No API key with id '{key_id}'")
    return stored


def _require_manageable(
    ctx: RequestContext,
    key_id: str,
    stored: StoredKey,
    action: str,
    *,
    itself_allowed: bool = False,
) -> None:
    _own(ctx, key_id, stored)
    if itself_allowed and stored.row.key_id == ctx.principal.key_id:
        return
    if not may_grant(ctx.principal, stored.row.scope):
        raise ForbiddenError(_cannot_grant(ctx, stored.row.scope, action))


def _cannot_grant(ctx: RequestContext, scope: str, action: str) -> str:
    return (
        f"This API key has the '{ctx.principal.scope}' scope: "
        f"it may not {action} a key with the '{scope}' scope"
    )


# -- input -----------------------------------------------------------------------------------


def _fields(body: object, allowed: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise InvalidRequestBodyError("The body must be a JSON object")
    unknown = sorted(key for key in body if key not in allowed)
    if unknown:
        raise InvalidRequestBodyError(
            f"Unknown API key field(s): {', '.join(unknown)}; allowed: {', '.join(allowed)}"
        )
    return body


def _name(value: object, problems: list[str]) -> str:
    if not isinstance(value, str) or not value.strip():
        problems.append("name must be a non-empty string")
        return ""
    if len(value) > MAX_NAME_CHARS:
        problems.append(f"name must be at most {MAX_NAME_CHARS} characters")
    return value


def _expiry(fields: dict[str, Any], now: str, problems: list[str], *, required: bool) -> str | None:
    if "expiresAt" not in fields and not required:
        return None
    value = fields.get("expiresAt")
    try:
        expires_at = iso_utc(value)
    except ValueError:
        problems.append("expiresAt must be an ISO 8601 date-time, e.g. 2030-01-01T00:00:00Z")
        return None
    # Both in the same UTC millisecond form: strings compare chronologically.
    if expires_at <= now:
        problems.append(f"expiresAt must be in the future (it is {expires_at})")
    return expires_at


def _scope(value: object, problems: list[str]) -> str:
    if value is None:  # absent or null: Twenty's keys are all full keys
        return SCOPE_FULL
    if value not in SCOPES:
        problems.append(f"scope must be one of: {', '.join(SCOPES)}")
        return SCOPE_FULL
    return str(value)


def iso_utc(value: object) -> str:
    """An ISO 8601 date or date-time (naive means UTC) in Twenty's form
    "YYYY-MM-DDTHH:MM:SS.mmmZ"; ValueError for anything else."""
    if not isinstance(value, str) or len(value) > _MAX_DATE_CHARS:
        raise ValueError("not an ISO 8601 date-time")
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        utc = moment.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("date-time out of range") from exc
    # By hand: strftime("%Y") does not zero-pad years below 1000 on every platform.
    return (
        f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T"
        f"{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}.{utc.microsecond // 1000:03d}Z"
    )
