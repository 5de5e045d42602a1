"""The TransactWriteItems action of each plan operation, as the wire dict DynamoDB receives.

Actions are built as wire dicts directly: pynamodb's model layer costs more than the rest of a
60-record batch together (measured by bench/, see docs/performance.md). Every condition is
named once below, with why it holds.
"""

from __future__ import annotations

import time
from typing import Any

from chalicelib.core.plan import (
    AdjustCount,
    DeleteRecord,
    Operation,
    PutRecord,
    ReleaseUnique,
    RequireRecord,
    ReserveUnique,
    SetIndexKeys,
)
from chalicelib.storage import keys
from chalicelib.storage.changes import change_attributes
from chalicelib.storage.item_limits import encode_body, record_item
from chalicelib.storage.models import (
    COUNTER_LIVE,
    EXPIRES_AT,
    GUARD_RECORD_ID,
    RECORD_DATA,
    RECORD_DELETED_AT,
    RECORD_TOMBSTONE,
    RECORD_VERSION,
    TOMBSTONE_SECONDS,
)
from chalicelib.storage.tables import MAIN_TABLE, index_name

_PK, _SK = MAIN_TABLE.hash_key, MAIN_TABLE.range_key or "sk"
# Condition fragments, named once (attribute names come from storage/models.py).
_IS_NEW = f"attribute_not_exists({_PK})"
# A record id is free if no item holds it or only the tombstone of a destroyed record does.
_ID_IS_FREE = f"attribute_not_exists({_PK}) OR attribute_exists({RECORD_TOMBSTONE})"
_IS_LIVE_RECORD = f"attribute_exists({_PK}) AND attribute_not_exists({RECORD_DELETED_AT})"
_AT_READ_VERSION = f"{RECORD_VERSION} = :v"
_ABSENT_OR_MINE = f"attribute_not_exists({_PK}) OR {GUARD_RECORD_ID} = :me"


def _key(key: keys.Key) -> dict[str, dict[str, str]]:
    return {_PK: {"S": key.pk}, _SK: {"S": key.sk}}


def _check_action(table: str, workspace_id: str, op: Operation) -> dict[str, Any]:
    assert isinstance(op, RequireRecord)
    return {
        "TableName": table,
        "Key": _key(keys.record_key(workspace_id, op.object_id, op.record_id)),
        # The relation target must exist and must not be soft-deleted at commit time.
        "ConditionExpression": _IS_LIVE_RECORD,
    }


def _tombstone_action(table: str, workspace_id: str, op: DeleteRecord) -> dict[str, Any]:
    """Destroy = replace the record by a tombstone that expires (DynamoDB TTL).

    The tombstone keeps the last body for a few days so that a REST cursor naming the destroyed
    record can still be placed in its sort order; every read skips it, and no index holds it.
    """
    item = {
        **_key(keys.record_key(workspace_id, op.object_id, op.record_id)),
        RECORD_DATA: {"S": encode_body(op.previous_body)},
        RECORD_VERSION: {"N": str(op.expected_version + 1)},
        RECORD_TOMBSTONE: {"BOOL": True},
        EXPIRES_AT: {"N": str(int(time.time()) + TOMBSTONE_SECONDS)},
        # Delta sync reports the destroy from the index alone, until the tombstone expires.
        **change_attributes(workspace_id, op.object_id, op.record_id, "destroyed"),
    }
    return {
        "TableName": table,
        "Item": item,
        # Optimistic lock: only the version this command read may be destroyed.
        "ConditionExpression": _AT_READ_VERSION,
        "ExpressionAttributeValues": {":v": {"N": str(op.expected_version)}},
    }


def _delete_action(table: str, workspace_id: str, op: Operation) -> dict[str, Any]:
    assert isinstance(op, ReleaseUnique)
    return {
        "TableName": table,
        "Key": _key(keys.unique_guard_key(workspace_id, op.object_id, op.field_path, op.value)),
        # Release only a value this record still holds; an already-missing guard is fine.
        "ConditionExpression": _ABSENT_OR_MINE,
        "ExpressionAttributeValues": {":me": {"S": op.record_id}},
    }


def _put_action(table: str, workspace_id: str, op: Operation) -> dict[str, Any]:
    if isinstance(op, DeleteRecord):
        return _tombstone_action(table, workspace_id, op)
    if isinstance(op, PutRecord):
        # The same item the size check measured before the plan ran (storage/item_limits.py).
        item = record_item(workspace_id, op)
        if op.expected_version is None:
            # Create: the id must be new (a client-chosen id may already exist).
            return {"TableName": table, "Item": item, "ConditionExpression": _ID_IS_FREE}
        return {
            "TableName": table,
            "Item": item,
            # Optimistic lock: the record is still at the version this command read.
            "ConditionExpression": _AT_READ_VERSION,
            "ExpressionAttributeValues": {":v": {"N": str(op.expected_version)}},
        }
    assert isinstance(op, ReserveUnique)
    item = {
        **_key(keys.unique_guard_key(workspace_id, op.object_id, op.field_path, op.value)),
        GUARD_RECORD_ID: {"S": op.record_id},
    }
    if op.taken_from is not None:
        # A handover: the value is free or still held by the record giving it up.
        return {
            "TableName": table,
            "Item": item,
            "ConditionExpression": _ABSENT_OR_MINE,
            "ExpressionAttributeValues": {":me": {"S": op.taken_from}},
        }
    return {
        "TableName": table,
        "Item": item,
        # Only a free value can be claimed: plans reserve just the values a record newly takes,
        # and a retried transaction is deduplicated by its ClientRequestToken, not by this test.
        "ConditionExpression": _IS_NEW,
    }


def _index_keys_action(table: str, workspace_id: str, op: Operation) -> dict[str, Any]:
    assert isinstance(op, SetIndexKeys)
    names: dict[str, str] = {}
    values: dict[str, Any] = {":v": {"N": str(op.expected_version)}}
    assignments = []
    for entry in op.index_entries:
        name = index_name(entry.slot)
        names[f"#{name}pk"], names[f"#{name}sk"] = f"{name}pk", f"{name}sk"
        values[f":{name}pk"] = {"S": keys.index_pk(workspace_id, op.object_id, entry.slot)}
        values[f":{name}sk"] = {"S": keys.index_sk(entry.form, op.record_id)}
        assignments += [f"#{name}pk = :{name}pk", f"#{name}sk = :{name}sk"]
    return {
        "TableName": table,
        "Key": _key(keys.record_key(workspace_id, op.object_id, op.record_id)),
        "UpdateExpression": "SET " + ", ".join(assignments),
        # Only the version that was read: a record written since then already carries the
        # keys of the new model (the write used it), and a stale value must not replace them.
        "ConditionExpression": _AT_READ_VERSION,
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": values,
    }


def counter_action(table: str, workspace_id: str, op: AdjustCount) -> dict[str, Any]:
    """Move the object's live-record counter; unconditional, so one per object per transaction."""
    return {
        "TableName": table,
        "Key": _key(keys.counter_key(workspace_id, op.object_id)),
        "UpdateExpression": f"ADD {COUNTER_LIVE} :n",
        "ExpressionAttributeValues": {":n": {"N": str(op.delta)}},
    }


def build_action(table: str, workspace_id: str, op: Operation) -> dict[str, Any]:
    """The wire action of any operation but AdjustCount (counters are summed per transaction)."""
    if isinstance(op, RequireRecord):
        return _check_action(table, workspace_id, op)
    if isinstance(op, ReleaseUnique):
        return _delete_action(table, workspace_id, op)
    if isinstance(op, SetIndexKeys):
        return _index_keys_action(table, workspace_id, op)
    return _put_action(table, workspace_id, op)
