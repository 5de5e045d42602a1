"""Admission's reads in ONE BatchGetItem across both tables, all strongly consistent: the
presented key's item (keys table, by token hash), the workspace item (its metadata version) and,
when the route names one, a record. One round trip instead of three sequential GetItems.

Everything here is read before the key is verified: the caller (auth/admission.py) uses the
workspace and the record only once the key item has been checked against the token.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.core.ports import StoredRecord
from chalicelib.settings import SETTINGS
from chalicelib.storage import keys
from chalicelib.storage.api_keys import ApiKeyRow, key_from_wire
from chalicelib.storage.records import is_visible, stored_record
from chalicelib.storage.retry import RetryableError, with_retries
from chalicelib.storage.tables import KEYS_TABLE, MAIN_TABLE
from chalicelib.storage.wire import call
from chalicelib.storage.workspaces import WorkspaceRow, workspace_from_wire

WireItem = dict[str, dict[str, Any]]

_PK, _SK = MAIN_TABLE.hash_key, MAIN_TABLE.range_key or "sk"


@dataclass(frozen=True, slots=True)
class RecordRef:
    object_id: str
    record_id: str  # a validated UUID: it becomes a sort key as it is


@dataclass(frozen=True, slots=True)
class AdmissionItems:
    key: ApiKeyRow | None  # None: no item for the token's hash (or the key was not asked for)
    workspace: WorkspaceRow | None  # None: the workspace is gone
    record: StoredRecord | None  # the live or soft-deleted record; None: absent or destroyed


def read_admission_items(
    workspace_id: str, *, token: str | None = None, record: RecordRef | None = None
) -> AdmissionItems:
    """The workspace item, and the key item of `token` and the item of `record` when given."""
    workspace_key = keys.workspace_key(workspace_id)
    main_keys = [_main_key(workspace_key)]
    record_key = None
    if record is not None:
        record_key = keys.record_key(workspace_id, record.object_id, record.record_id)
        main_keys.append(_main_key(record_key))
    wanted: dict[str, list[WireItem]] = {SETTINGS.main_table: main_keys}
    if token is not None:
        wanted[SETTINGS.keys_table] = [{KEYS_TABLE.hash_key: {"S": keys.api_key_hash(token)}}]
    found = _batch_get_across(wanted)
    main = {(item[_PK]["S"], item[_SK]["S"]): item for item in found[SETTINGS.main_table]}
    key_items = found.get(SETTINGS.keys_table) or []
    workspace_item = main.get(workspace_key)
    record_item = main.get(record_key) if record_key is not None else None
    return AdmissionItems(
        key=key_from_wire(key_items[0]) if key_items else None,
        workspace=workspace_from_wire(workspace_id, workspace_item) if workspace_item else None,
        # The same decoding and tombstone rule as every record read (storage/records.py).
        record=stored_record(record_item) if is_visible(record_item) else None,
    )


def _main_key(key: keys.Key) -> WireItem:
    return {_PK: {"S": key.pk}, _SK: {"S": key.sk}}


def _batch_get_across(wanted: dict[str, list[WireItem]]) -> dict[str, list[WireItem]]:
    """One BatchGetItem of a few keys of several tables; UnprocessedKeys are sent again under
    the one retry policy (storage/retry.py), so every key is answered or the call fails."""
    found: dict[str, list[WireItem]] = {table: [] for table in wanted}
    pending = {table: {"Keys": table_keys} for table, table_keys in wanted.items()}

    def send() -> None:
        nonlocal pending
        # Strongly consistent per table: a revocation, a metadata change and a write are all
        # seen by the very next request.
        request = {table: {**part, "ConsistentRead": True} for table, part in pending.items()}
        response = call("BatchGetItem", {"RequestItems": request})
        for table, items in (response.get("Responses") or {}).items():
            found[table].extend(items)
        unprocessed = {
            table: {"Keys": part["Keys"]}
            for table, part in (response.get("UnprocessedKeys") or {}).items()
            if part.get("Keys")
        }
        if unprocessed:
            pending = unprocessed
            raise RetryableError("unprocessed keys")

    with_retries(send)
    return found
