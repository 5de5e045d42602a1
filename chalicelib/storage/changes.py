"""Delta sync in DynamoDB: the change attributes every record write carries, and their reads.

Each record item holds the change index keys of its latest write (`chpk`, `chsk`, storage/keys.py)
and that write's operation (`chop`, projected into the index). Writes are stamped twice: when
their actions are built (storage/actions.py), and again just before the first attempt of their
transaction (`restamp`, called by storage/executor.py), so that a stamp is as late as it can be
while every retry of one transaction (one ClientRequestToken) still sends identical items.
"""

from __future__ import annotations

import time
from typing import Any

from chalicelib.core import deadline
from chalicelib.core.changes import ChangeEntry
from chalicelib.core.plan import PutRecord
from chalicelib.core.ports import StoredRecord
from chalicelib.settings import SETTINGS
from chalicelib.storage import keys
from chalicelib.storage.batch_reads import batch_get_items
from chalicelib.storage.connection import call
from chalicelib.storage.models import (
    RECORD_TOMBSTONE,
    TOMBSTONE_SECONDS,
)
from chalicelib.storage.records import stored_record
from chalicelib.storage.tables import CHANGES_INDEX, MAIN_TABLE

_PK, _SK = MAIN_TABLE.hash_key, MAIN_TABLE.range_key or "sk"
CHANGE_PK = CHANGES_INDEX.hash_key
CHANGE_SK = CHANGES_INDEX.range_key or "chsk"
CHANGE_OPERATION = CHANGES_INDEX.non_key_attributes[0]

WireItem = dict[str, dict[str, Any]]


def change_attributes(
    workspace_id: str, object_id: str, record_id: str, operation: str
) -> WireItem:
    """The attributes that put a record item into the changes index, stamped now."""
    stamp = keys.change_stamp(time.time())
    return {
        CHANGE_PK: {"S": keys.change_pk(workspace_id, object_id)},
        CHANGE_SK: {"S": keys.change_sk(stamp, record_id)},
        CHANGE_OPERATION: {"S": operation},
    }


def operation_of(op: PutRecord) -> str:
    """What a record write does, as delta sync names it (stored as `chop`)."""
    if op.expected_version is None:
        return "created"
    if op.deleted_at is not None and op.previous_deleted_at is None:
        return "deleted"
    if op.deleted_at is None and op.previous_deleted_at is not None:
        return "restored"
    # Also a model migration's rewrite: what a GET shows of the record may have changed.
    return "updated"


def restamp(wires: list[dict[str, Any]]) -> None:
    """Give the record items of one transaction the stamp of now, before its first attempt.

    The stamp has a fixed width, so the size measured when the action was built still holds.
    Retries resend these very dicts: a transaction's stamp never changes once sent.
    """
    stamp = keys.change_stamp(time.time())
    for wire in wires:
        item = wire.get("Item")
        if item is not None and CHANGE_SK in item:
            item[CHANGE_SK] = {"S": keys.change_sk(stamp, keys.record_id_from_sk(item[_SK]["S"]))}


# A token may be this old: the tombstones of the destroys after it still exist (they expire
# TOMBSTONE_SECONDS after their write; the hour covers a write stamped a little after its
# tombstone's expiry time was set).
SYNC_RETENTION_SECONDS = TOMBSTONE_SECONDS - 3600


class DynamoChangeStore:
    """The changes index and the record partition as delta sync reads them."""

    retention_seconds: float = SYNC_RETENTION_SECONDS

    def stamp(self, epoch_seconds: float) -> str:
        return keys.change_stamp(epoch_seconds)

    def position_seconds(self, position: str) -> float | None:
        return keys.stamp_seconds(position) if keys.is_change_position(position) else None

    def changes(
        self, workspace_id: str, object_id: str, *, after: str | None, before: str, limit: int
    ) -> tuple[list[ChangeEntry], bool]:
        """Up to `limit` entries with `after` < sort key < `before`, oldest first, and whether
        more follow. One Query (keys and `chop` only: about 150 bytes an entry)."""
        # BETWEEN is inclusive: "\x01" sorts below "#" and every id character, so `after + \x01`
        # is above `after` (a sort key or a bare stamp) and below every later key; `before` is a
        # bare stamp, below the keys of its own moment. Without `after`, "0" is below every stamp.
        low = after + "\x01" if after is not None else "0"
        if low >= before:
            return [], False
        request: dict[str, Any] = {
            "TableName": SETTINGS.main_table,
            "IndexName": CHANGES_INDEX.name,
            "KeyConditionExpression": f"{CHANGE_PK} = :pk AND {CHANGE_SK} BETWEEN :low AND :high",
            "ExpressionAttributeValues": {
                ":pk": {"S": keys.change_pk(workspace_id, object_id)},
                ":low": {"S": low},
                ":high": {"S": before},
            },
            "ScanIndexForward": True,
            # One more than asked tells whether more changes follow.
            "Limit": limit + 1,
        }
        entries: list[ChangeEntry] = []
        while True:
            deadline.check()
            response = call("Query", request)
            for item in response.get("Items", []):
                position = item[CHANGE_SK]["S"]
                operation = item.get(CHANGE_OPERATION, {}).get("S", "")
                entries.append(
                    ChangeEntry(keys.record_id_from_change_sk(position), position, operation)
                )
            last = response.get("LastEvaluatedKey")
            if len(entries) > limit or not last:
                return entries[:limit], len(entries) > limit
            request["ExclusiveStartKey"] = last
            request["Limit"] = limit + 1 - len(entries)

    def records(
        self, workspace_id: str, object_id: str, record_ids: list[str]
    ) -> dict[str, StoredRecord]:
        """The items of these records as they are now, tombstones included (BatchGetItem)."""
        wire_keys = [
            {_PK: {"S": key.pk}, _SK: {"S": key.sk}}
            for key in (keys.record_key(workspace_id, object_id, rid) for rid in record_ids)
        ]
        found = batch_get_items(SETTINGS.main_table, wire_keys) if wire_keys else []
        return {keys.record_id_from_sk(item[_SK]["S"]): stored_record(item) for item in found}

    def listing(
        self, workspace_id: str, object_id: str, *, after: str | None, limit: int
    ) -> tuple[list[StoredRecord], bool]:
        """Up to `limit` records (live and soft-deleted, not destroyed) after `after` in id
        order, and whether more follow: the first sync, which must also return records written
        before the changes index existed."""
        pk = keys.record_pk(workspace_id, object_id)
        key_condition = f"{_PK} = :pk" + (f" AND {_SK} > :after" if after else "")
        values: dict[str, Any] = {":pk": {"S": pk}}
        if after:
            values[":after"] = {"S": after}
        request: dict[str, Any] = {
            "TableName": SETTINGS.main_table,
            "KeyConditionExpression": key_condition,
            # Tombstones are skipped server-side (read and billed; they expire within 7 days).
            "FilterExpression": f"attribute_not_exists({RECORD_TOMBSTONE})",
            "ExpressionAttributeValues": values,
            "ConsistentRead": True,
            "Limit": limit + 1,
        }
        records: list[StoredRecord] = []
        while True:
            deadline.check()
            response = call("Query", request)
            records.extend(stored_record(item) for item in response.get("Items", []))
            last = response.get("LastEvaluatedKey")
            if len(records) > limit or not last:
                return records[:limit], len(records) > limit
            request["ExclusiveStartKey"] = last
            request["Limit"] = limit + 1 - len(records)
