"""Metadata writes (one transaction with the version bump), model-migration jobs and purges.

Every change of a workspace's data model is one TransactWriteItems: the object and field items
it puts or deletes, the jobs it leaves for existing records, and the workspace item's
``metadataVersion`` moved from the version the change was computed on to the next one. A
concurrent change computed on the same version fails that condition and is recomputed, so two
changes never overwrite one another.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from pynamodb.exceptions import TransactWriteError

from chalicelib.core.ports import StoredRecord
from chalicelib.errors import VersionConflictError
from chalicelib.settings import SETTINGS
from chalicelib.storage import keys
from chalicelib.storage.connection import call, shared_connection
from chalicelib.storage.models import (
    RECORD_TOMBSTONE,
)
from chalicelib.storage.records import stored_record
from chalicelib.storage.retry import RetryableError, error_code, with_retries
from chalicelib.storage.tables import MAIN_TABLE

_PK, _SK = MAIN_TABLE.hash_key, MAIN_TABLE.range_key or "sk"
_TRANSACTION_MAX = 100
_BATCH_WRITE_MAX = 25
_JOB_KIND = "job"


@dataclass(frozen=True, slots=True)
class MetadataChange:
    """Items one metadata change writes; ids are (object id) and (object id, field id)."""

    object_bodies: list[dict[str, Any]] = field(default_factory=list)
    field_bodies: list[dict[str, Any]] = field(default_factory=list)
    deleted_objects: list[str] = field(default_factory=list)
    deleted_fields: list[tuple[str, str]] = field(default_factory=list)
    jobs: list[dict[str, Any]] = field(default_factory=list)

    @property
    def size(self) -> int:
        return (
            len(self.object_bodies)
            + len(self.field_bodies)
            + len(self.deleted_objects)
            + len(self.deleted_fields)
            + len(self.jobs)
            + 1  # the version bump
        )


def _key(key: keys.Key) -> dict[str, dict[str, str]]:
    return {_PK: {"S": key.pk}, _SK: {"S": key.sk}}


def _body_put(key: keys.Key, kind: str, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "TableName": SETTINGS.main_table,
        "Item": {
            **_key(key),
            "kind": {"S": kind},
            "body": {"S": json.dumps(body, separators=(",", ":"))},
        },
    }


def _delete(key: keys.Key) -> dict[str, Any]:
    return {"TableName": SETTINGS.main_table, "Key": _key(key)}


def commit_change(workspace_id: str, change: MetadataChange, expected_version: int) -> int:
    """Apply `change` and move the metadata version on by one; returns the new version.

    Raises VersionConflictError when another change committed first (recompute and retry).
    """
    if change.size > _TRANSACTION_MAX:
        raise ValueError(f"a metadata change of {change.size} writes exceeds one transaction")
    puts = [
        _body_put(keys.object_metadata_key(workspace_id, body["id"]), "object", body)
        for body in change.object_bodies
    ]
    puts += [
        _body_put(
            keys.field_metadata_key(workspace_id, body["objectMetadataId"], body["id"]),
            "field",
            body,
        )
        for body in change.field_bodies
    ]
    puts += [
        _body_put(keys.job_key(workspace_id, job["id"]), _JOB_KIND, job) for job in change.jobs
    ]
    deletes = [
        _delete(keys.object_metadata_key(workspace_id, oid)) for oid in change.deleted_objects
    ]
    deletes += [
        _delete(keys.field_metadata_key(workspace_id, oid, fid))
        for oid, fid in change.deleted_fields
    ]
    ws_key = keys.workspace_key(workspace_id)
    bump = {
        "TableName": SETTINGS.main_table,
        "Key": _key(ws_key),
        "UpdateExpression": "SET metadataVersion = :new",
        # The version this change was computed on: a change committed meanwhile wins, and this
        # one is recomputed on the new model instead of silently overwriting it.
        "ConditionExpression": "metadataVersion = :old",
        "ExpressionAttributeValues": {
            ":new": {"N": str(expected_version + 1)},
            ":old": {"N": str(expected_version)},
        },
    }
    # One token for every attempt: a resend after a lost answer is applied at most once.
    token = str(uuid.uuid4())
    try:
        with_retries(
            lambda: shared_connection().transact_write_items(
                condition_check_items=[],
                delete_items=deletes,
                put_items=puts,
                update_items=[bump],
                client_request_token=token,
            )
        )
    except TransactWriteError as exc:
        if error_code(exc) == "TransactionCanceledException":
            raise VersionConflictError("The data model changed meanwhile; retry") from exc
        raise
    return expected_version + 1


# -- jobs ------------------------------------------------------------------------------------


def _query_all(request: dict[str, Any]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        response = call("Query", request)
        items.extend(response.get("Items", []))
        last = response.get("LastEvaluatedKey")
        if not last:
            return items
        request["ExclusiveStartKey"] = last


def pending_jobs(workspace_id: str) -> list[dict[str, Any]]:
    """The workspace's unfinished jobs, oldest first (job ids start with their creation time)."""
    request = {
        "TableName": SETTINGS.main_table,
        "KeyConditionExpression": f"{_PK} = :pk",
        "ExpressionAttributeValues": {":pk": {"S": keys.jobs_pk(workspace_id)}},
        "ConsistentRead": True,
    }
    return [json.loads(item["body"]["S"]) for item in _query_all(request)]


def save_job(workspace_id: str, job: dict[str, Any]) -> None:
    """Record a job's progress (its resume point), so another runner continues from there."""
    call("PutItem", _body_put(keys.job_key(workspace_id, job["id"]), _JOB_KIND, job))


def finish_job(workspace_id: str, job_id: str) -> None:
    call("DeleteItem", _delete(keys.job_key(workspace_id, job_id)))


# -- walking and purging partitions ----------------------------------------------------------


def records_after(
    workspace_id: str, object_id: str, after: str | None, limit: int
) -> tuple[list[StoredRecord], bool]:
    """Up to `limit` records in id order after `after`, soft-deleted ones included (tombstones
    are skipped: they hold no values), and whether more items follow."""
    pk = keys.record_pk(workspace_id, object_id)
    request: dict[str, Any] = {
        "TableName": SETTINGS.main_table,
        "KeyConditionExpression": f"{_PK} = :pk" + (f" AND {_SK} > :after" if after else ""),
        "ExpressionAttributeValues": {":pk": {"S": pk}},
        "ConsistentRead": True,
        "Limit": limit,
    }
    if after:
        request["ExpressionAttributeValues"][":after"] = {"S": after}
    while True:
        response = call("Query", request)
        items = response.get("Items", [])
        more = bool(response.get("LastEvaluatedKey"))
        records = [stored_record(item) for item in items if RECORD_TOMBSTONE not in item]
        # A page of tombstones alone holds no values: keep walking until records or the end.
        if records or not more:
            return records, more
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def delete_partition_page(pk: str, *, sk_prefix: str | None = None, limit: int = 100) -> int:
    """Delete up to `limit` items of a partition (BatchWriteItem, 25 per call); returns how
    many were deleted, 0 when the partition is empty."""
    condition = f"{_PK} = :pk" + (f" AND begins_with({_SK}, :prefix)" if sk_prefix else "")
    values: dict[str, Any] = {":pk": {"S": pk}}
    if sk_prefix:
        values[":prefix"] = {"S": sk_prefix}
    request = {
        "TableName": SETTINGS.main_table,
        "KeyConditionExpression": condition,
        "ExpressionAttributeValues": values,
        "ProjectionExpression": "#pk, #sk",
        "ExpressionAttributeNames": {"#pk": _PK, "#sk": _SK},
        "ConsistentRead": True,
        "Limit": limit,
    }
    item_keys = call("Query", request).get("Items", [])
    for start in range(0, len(item_keys), _BATCH_WRITE_MAX):
        _batch_delete(item_keys[start : start + _BATCH_WRITE_MAX])
    return len(item_keys)


def _batch_delete(item_keys: list[dict[str, Any]]) -> None:
    table = SETTINGS.main_table
    pending: dict[str, Any] = {table: [{"DeleteRequest": {"Key": key}} for key in item_keys]}

    def send() -> None:
        nonlocal pending
        response = call("BatchWriteItem", {"RequestItems": pending})
        unprocessed = response.get("UnprocessedItems") or {}
        if unprocessed.get(table):
            pending = unprocessed
            raise RetryableError("unprocessed deletes")

    with_retries(send)


def delete_item(key: keys.Key) -> None:
    call("DeleteItem", _delete(key))
