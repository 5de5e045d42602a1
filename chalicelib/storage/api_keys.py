"""API-key items in the keys table, addressed by token hash (requests) or key id (management).

A key's item is keyed by the SHA-256 of its token, so a new token for the same key is a new item:
the old one is deleted in the same transaction (`replace_token`). The byId and byWorkspace GSIs
find a key's current item by id; they are eventually consistent, so every lookup by id ends with
a consistent GetItem of the item the index named, and writes are conditioned on the key id.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from pynamodb.exceptions import PynamoDBException
from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from chalicelib.context import SCOPE_FULL
from chalicelib.errors import VersionConflictError
from chalicelib.storage import keys
from chalicelib.storage.connection import shared_connection
from chalicelib.storage.models import ApiKeyItem
from chalicelib.storage.retry import cancellation_codes, error_code, retried, with_retries

# A GSI entry may still name an item a regeneration just deleted: look again a few times.
_LOOKUP_ATTEMPTS = 3
_LOOKUP_PAUSE_SECONDS = 0.05
# UpdateItem's error code; a cancelled transaction names the failed action "ConditionalCheckFailed".
_CONDITION_FAILED = ("ConditionalCheckFailedException", "ConditionalCheckFailed")


@dataclass(frozen=True, slots=True)
class ApiKeyRow:
    key_id: str
    workspace_id: str
    name: str
    created_at: str
    expires_at: str | None
    revoked_at: str | None
    scope: str = SCOPE_FULL
    updated_at: str | None = None  # None: never updated (then it is `created_at`)


@dataclass(frozen=True, slots=True)
class StoredKey:
    """A key's row and the hash its item is stored under (the handle for writing it)."""

    key_hash: str
    row: ApiKeyRow


def _row(item: ApiKeyItem) -> ApiKeyRow:
    return ApiKeyRow(
        key_id=item.key_id,
        workspace_id=item.workspace_id,
        name=item.name,
        created_at=item.created_at,
        expires_at=item.expires_at,
        revoked_at=item.revoked_at,
        scope=item.scope or SCOPE_FULL,
        updated_at=item.updated_at or item.created_at,
    )


def _item(key_hash: str, row: ApiKeyRow) -> ApiKeyItem:
    return ApiKeyItem(
        key_hash,
        key_id=row.key_id,
        workspace_id=row.workspace_id,
        name=row.name,
        created_at=row.created_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
        scope=row.scope,
        updated_at=row.updated_at or row.created_at,
    )


@retried
def save_key(token: str, row: ApiKeyRow) -> None:
    # A token hash is unique by construction; the condition guards against a reused dev token.
    _item(keys.api_key_hash(token), row).save(condition=ApiKeyItem.key_hash.does_not_exist())


def key_from_wire(item: dict[str, Any]) -> ApiKeyRow:
    """The row of a key item as a wire-level read returned it (admission's BatchGetItem)."""
    return _row(ApiKeyItem.from_raw_data(item))


@retried
def find_by_token(token: str) -> ApiKeyRow | None:
    try:
        # Consistent read so a revocation is effective on the very next request.
        return _row(ApiKeyItem.get(keys.api_key_hash(token), consistent_read=True))
    except ApiKeyItem.DoesNotExist:
        return None


@retried
def _get(key_hash: str) -> ApiKeyItem | None:
    try:
        return ApiKeyItem.get(key_hash, consistent_read=True)
    except ApiKeyItem.DoesNotExist:
        return None


@retried
def _hashes_by_id(key_id: str) -> list[str]:
    return [item.key_hash for item in ApiKeyItem.by_id.query(key_id)]


def _current(key_id: str, hashes: Iterable[str]) -> StoredKey | None:
    """The item among `hashes` that still exists and still belongs to `key_id`."""
    for key_hash in hashes:
        item = _get(key_hash)
        if item is not None and item.key_id == key_id:
            return StoredKey(key_hash, _row(item))
    return None


def find_by_id(key_id: str) -> StoredKey | None:
    """A key's current item, through the byId index and a consistent read of the item."""
    for attempt in range(_LOOKUP_ATTEMPTS):
        hashes = _hashes_by_id(key_id)
        if not hashes:
            return None
        found = _current(key_id, hashes)
        if found is not None:
            return found
        # The index still names a replaced item and not yet its successor.
        if attempt + 1 < _LOOKUP_ATTEMPTS:
            time.sleep(_LOOKUP_PAUSE_SECONDS * (attempt + 1))
    return None


@retried
def list_workspace_keys(workspace_id: str) -> list[ApiKeyRow]:
    """Every key of a workspace (revoked ones too), through the byWorkspace index.

    The index is eventually consistent: during a regeneration it may hold a key's old and new
    items at once; the one updated last is the key.
    """
    newest: dict[str, ApiKeyRow] = {}
    for item in ApiKeyItem.by_workspace.query(workspace_id):
        row = _row(item)
        seen = newest.get(row.key_id)
        if seen is None or (row.updated_at or "") >= (seen.updated_at or ""):
            newest[row.key_id] = row
    return sorted(newest.values(), key=lambda row: (row.created_at, row.key_id))


def _still_this_key(stored: StoredKey) -> Condition:
    """The item is still there (no new token meanwhile) and still this key's."""
    return ApiKeyItem.key_hash.exists() & (ApiKeyItem.key_id == stored.row.key_id)


def _still_live(stored: StoredKey) -> Condition:
    """As `_still_this_key`, and not revoked meanwhile (a new token must not undo that)."""
    return _still_this_key(stored) & ApiKeyItem.revoked_at.does_not_exist()


def _write(call: Callable[[], object]) -> None:
    """Run a conditioned write with retries; a failed condition is a VersionConflictError."""
    try:
        with_retries(call)
    except PynamoDBException as exc:
        if any(code in _CONDITION_FAILED for code in (error_code(exc), *cancellation_codes(exc))):
            raise VersionConflictError("The API key was changed meanwhile; retry") from exc
        raise


def update_key(stored: StoredKey, *, name: str, expires_at: str | None, updated_at: str) -> None:
    """Set a key's name and expiry; VersionConflictError if its item changed since `stored`."""
    expiry = (
        ApiKeyItem.expires_at.set(expires_at)
        if expires_at is not None
        else ApiKeyItem.expires_at.remove()
    )
    actions = [ApiKeyItem.name.set(name), expiry, ApiKeyItem.updated_at.set(updated_at)]
    item = ApiKeyItem(stored.key_hash)
    _write(lambda: item.update(actions=actions, condition=_still_this_key(stored)))


def mark_revoked(key_hash: str, revoked_at: str) -> None:
    """Revoke the item of `key_hash` (it stays, with `revokedAt`, so the key keeps its id);
    VersionConflictError if the item is gone (its token was replaced meanwhile)."""
    actions = [ApiKeyItem.revoked_at.set(revoked_at), ApiKeyItem.updated_at.set(revoked_at)]
    item = ApiKeyItem(key_hash)
    _write(lambda: item.update(actions=actions, condition=ApiKeyItem.key_hash.exists()))


def replace_token(stored: StoredKey, new_token: str, row: ApiKeyRow) -> None:
    """Give a key a new token in ONE TransactWriteItems: delete the old hash's item (if it is
    still this key's and not revoked) and put `row` under the new token's hash. The old token
    fails from the next request on, in every container (authentication reads consistently).
    """
    new_item = _item(keys.api_key_hash(new_token), row)
    old_item = ApiKeyItem(stored.key_hash)
    # One token for every attempt: a resend after a lost answer is applied at most once.
    request_token = str(uuid.uuid4())

    def commit() -> None:
        with TransactWrite(
            connection=shared_connection(), client_request_token=request_token
        ) as transaction:
            transaction.delete(old_item, condition=_still_live(stored))
            transaction.save(new_item, condition=ApiKeyItem.key_hash.does_not_exist())

    _write(commit)
