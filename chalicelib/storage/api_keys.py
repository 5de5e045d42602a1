"""API-key items in the keys table, addressed by token hash (requests) or key id (operators)."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.storage import keys
from chalicelib.storage.models import ApiKeyItem
from chalicelib.storage.retry import retried


@dataclass(frozen=True, slots=True)
class ApiKeyRow:
    key_id: str
    workspace_id: str
    name: str
    created_at: str
    expires_at: str | None
    revoked_at: str | None


def _row(item: ApiKeyItem) -> ApiKeyRow:
    return ApiKeyRow(
        key_id=item.key_id,
        workspace_id=item.workspace_id,
        name=item.name,
        created_at=item.created_at,
        expires_at=item.expires_at,
        revoked_at=item.revoked_at,
    )


@retried
def save_key(token: str, row: ApiKeyRow) -> None:
    item = ApiKeyItem(
        keys.api_key_hash(token),
        key_id=row.key_id,
        workspace_id=row.workspace_id,
        name=row.name,
        created_at=row.created_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
    )
    # A token hash is unique by construction; the condition guards against a reused dev token.
    item.save(condition=ApiKeyItem.key_hash.does_not_exist())


@retried
def find_by_token(token: str) -> ApiKeyRow | None:
    try:
        # Consistent read so a revocation is effective on the very next request.
        return _row(ApiKeyItem.get(keys.api_key_hash(token), consistent_read=True))
    except ApiKeyItem.DoesNotExist:
        return None


@retried
def find_by_id(key_id: str) -> tuple[str, ApiKeyRow] | None:
    """(token hash, row) of a key id, through the byId index."""
    for item in ApiKeyItem.by_id.query(key_id, limit=1):
        return item.key_hash, _row(item)
    return None


@retried
def mark_revoked(key_hash: str, revoked_at: str) -> None:
    ApiKeyItem(key_hash).update(
        actions=[ApiKeyItem.revoked_at.set(revoked_at)],
        condition=ApiKeyItem.key_hash.exists(),
    )
