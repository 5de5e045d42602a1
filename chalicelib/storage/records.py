"""Record reads (GetItem, BatchGetItem, Query) and the RecordStore the core is given.

Reads go through the wire-level connection and decode the one JSON attribute of a record
directly: a page of 60 records is decoded with 60 calls of `fast_json.loads` and nothing else.
"""

from __future__ import annotations

from typing import Any

from chalicelib.core import deadline
from chalicelib.core.plan import Plan
from chalicelib.core.ports import RecordPage, StoredRecord
from chalicelib.settings import SETTINGS
from chalicelib.storage import fast_json, keys
from chalicelib.storage.batch_reads import batch_get_items
from chalicelib.storage.models import (
    COUNTER_LIVE,
    GUARD_RECORD_ID,
    RECORD_DATA,
    RECORD_DELETED_AT,
    RECORD_TOMBSTONE,
    RECORD_VERSION,
)
from chalicelib.storage.tables import MAIN_TABLE, index_name
from chalicelib.storage.wire import call

_PK, _SK = MAIN_TABLE.hash_key, MAIN_TABLE.range_key or "sk"

WireItem = dict[str, dict[str, Any]]


def _key(key: keys.Key) -> WireItem:
    return {_PK: {"S": key.pk}, _SK: {"S": key.sk}}


def stored_record(item: WireItem) -> StoredRecord:
    """THE decoding of a record item (a tombstone included) as the wire returns it."""
    deleted = item.get(RECORD_DELETED_AT)
    return StoredRecord(
        id=keys.record_id_from_sk(item[_SK]["S"]),
        body=fast_json.loads(item[RECORD_DATA]["S"]),
        version=int(item[RECORD_VERSION]["N"]),
        deleted_at=deleted["S"] if deleted else None,
        destroyed=RECORD_TOMBSTONE in item,
    )


def _live(counter: WireItem | None) -> int:
    """An object's live-record count from its counter item (none yet: 0)."""
    return int(counter[COUNTER_LIVE]["N"]) if counter and COUNTER_LIVE in counter else 0


def is_visible(item: WireItem | None) -> bool:
    return item is not None and RECORD_TOMBSTONE not in item


# What `stored_record` reads of a record item. A record item also carries its index and change
# keys (~1.4 KB of a 2.4 KB person): projected away, the answer is less than half as long to
# decode. DynamoDB bills the whole item either way.
_RECORD_NAMES = (_PK, _SK, RECORD_DATA, RECORD_VERSION, RECORD_DELETED_AT, RECORD_TOMBSTONE)
RECORD_PROJECTION: dict[str, Any] = {
    "ProjectionExpression": ", ".join(f"#r{i}" for i in range(len(_RECORD_NAMES))),
    "ExpressionAttributeNames": {f"#r{i}": name for i, name in enumerate(_RECORD_NAMES)},
}


def _get_item(key: keys.Key, projection: dict[str, Any] | None = None) -> WireItem | None:
    # Strongly consistent: a client reading right after its own write must see it.
    request = {"TableName": SETTINGS.main_table, "Key": _key(key), "ConsistentRead": True}
    return call("GetItem", {**request, **(projection or {})}).get("Item")


def _batch_get(
    item_keys: list[keys.Key], projection: dict[str, Any] | None = None
) -> list[WireItem]:
    """Every existing item of `item_keys` (≤ 100 keys per call, UnprocessedKeys resent)."""
    return batch_get_items(SETTINGS.main_table, [_key(k) for k in item_keys], projection)


# Tombstones are never returned; soft-deleted records only when a filter asks for them.
_NOT_DESTROYED = f"attribute_not_exists({RECORD_TOMBSTONE})"
_LIVE = f"attribute_not_exists({RECORD_DELETED_AT}) AND {_NOT_DESTROYED}"


def _query_live(
    pk: str, condition: tuple[str, str] | None, forward: bool, wanted: int
) -> tuple[list[WireItem], bool]:
    """Up to `wanted` live records of a partition, plus whether more exist."""
    key_condition = f"{_PK} = :pk" + (f" AND {_SK} {condition[0]} :c" if condition else "")
    request: dict[str, Any] = {
        "TableName": SETTINGS.main_table,
        "KeyConditionExpression": key_condition,
        # Skipped server-side (still read and billed); a page made short is topped up below.
        "FilterExpression": _LIVE,
        "ExpressionAttributeValues": {":pk": {"S": pk}},
        "ScanIndexForward": forward,
        "ConsistentRead": True,
        # One extra item tells whether another page exists.
        "Limit": wanted + 1,
        **RECORD_PROJECTION,
    }
    if condition:
        request["ExpressionAttributeValues"][":c"] = {"S": condition[1]}
    items: list[WireItem] = []
    while True:
        deadline.check()  # soft-deleted items can make a page take many Queries
        response = call("Query", request)
        items.extend(response.get("Items", []))
        last = response.get("LastEvaluatedKey")
        if len(items) > wanted or not last:
            return items[:wanted], len(items) > wanted
        request["ExclusiveStartKey"] = last
        request["Limit"] = wanted + 1 - len(items)


class DynamoRecordStore:
    """RecordStore over the main table."""

    def get(self, workspace_id: str, object_id: str, record_id: str) -> StoredRecord | None:
        item = _get_item(keys.record_key(workspace_id, object_id, record_id), RECORD_PROJECTION)
        return stored_record(item) if item is not None and is_visible(item) else None

    def locate(self, workspace_id: str, object_id: str, record_id: str) -> StoredRecord | None:
        """The record, or the tombstone it left when destroyed (to place a cursor)."""
        item = _get_item(keys.record_key(workspace_id, object_id, record_id), RECORD_PROJECTION)
        return stored_record(item) if item is not None else None

    def get_many(
        self, workspace_id: str, object_id: str, record_ids: list[str]
    ) -> dict[str, StoredRecord]:
        found = self.get_across(workspace_id, [(object_id, rid) for rid in record_ids])
        return {record_id: record for (_, record_id), record in found.items()}

    def get_across(
        self, workspace_id: str, refs: list[tuple[str, str]]
    ) -> dict[tuple[str, str], StoredRecord]:
        """Records of any objects by (object id, record id): BatchGetItem, ≤ 100 keys a call."""
        wanted = {keys.record_key(workspace_id, o, r): (o, r) for o, r in dict.fromkeys(refs)}
        items = _batch_get(list(wanted), RECORD_PROJECTION) if wanted else []
        return {
            wanted[keys.Key(item[_PK]["S"], item[_SK]["S"])]: stored_record(item)
            for item in items
            if is_visible(item)
        }

    def scan(
        self, workspace_id: str, object_id: str, *, include_deleted: bool, max_items: int
    ) -> tuple[list[StoredRecord], bool]:
        """Every record of an object in id order, reading at most `max_items` items.

        Returns the records and whether the whole partition was read within the cap.
        """
        request: dict[str, Any] = {
            "TableName": SETTINGS.main_table,
            "KeyConditionExpression": f"{_PK} = :pk",
            "FilterExpression": _NOT_DESTROYED if include_deleted else _LIVE,
            "ExpressionAttributeValues": {":pk": {"S": keys.record_pk(workspace_id, object_id)}},
            "ConsistentRead": True,
            **RECORD_PROJECTION,
        }
        records: list[StoredRecord] = []
        read = 0
        while True:
            # Limit counts items read (before the filter), so the cap bounds the cost.
            request["Limit"] = max_items + 1 - read
            deadline.check()  # up to the scan cap: thousands of 1 MB pages of large records
            response = call("Query", request)
            read += int(response.get("ScannedCount", 0))
            records.extend(stored_record(item) for item in response.get("Items", []))
            last = response.get("LastEvaluatedKey")
            if read > max_items:
                return records, False
            if not last:
                return records, True
            request["ExclusiveStartKey"] = last

    def page(
        self,
        workspace_id: str,
        object_id: str,
        *,
        after: str | None,
        before: str | None,
        limit: int,
    ) -> RecordPage:
        """Live records ordered by id, `limit` of them after/before a cursor id."""
        condition = (">", after) if after is not None else ("<", before) if before else None
        items, has_more = _query_live(
            keys.record_pk(workspace_id, object_id), condition, before is None, limit
        )
        records = [stored_record(item) for item in items]
        if before is not None:
            records.reverse()
        return RecordPage(records=records, has_more=has_more)

    def index_page(
        self,
        workspace_id: str,
        object_id: str,
        slot: int,
        key_range: tuple[str, tuple[str, ...]],
        *,
        forward: bool,
        start_after: tuple[str, str] | None,
        limit: int,
    ) -> tuple[list[tuple[str, str]], tuple[str, str] | None]:
        """One Query page of an index slot: [(index sort key, record id)] in index order, and
        the position to continue from (None at the end). Keys only: no record body is read."""
        name = index_name(slot)
        op, values = key_range
        condition = (
            f"begins_with({name}sk, :a)" if op == "begins_with" else f"{name}sk BETWEEN :a AND :b"
        )
        attribute_values = {":pk": {"S": keys.index_pk(workspace_id, object_id, slot)}}
        attribute_values.update({f":{k}": {"S": v} for k, v in zip("ab", values, strict=False)})
        request: dict[str, Any] = {
            "TableName": SETTINGS.main_table,
            "IndexName": name,
            "KeyConditionExpression": f"{name}pk = :pk AND {condition}",
            "ExpressionAttributeValues": attribute_values,
            "ScanIndexForward": forward,
            "Limit": limit,
            # The index sort key ends with the record id: the other three keys of each entry
            # need not come back (a span of 600 keys: half the answer to decode).
            "ProjectionExpression": "#isk",
            "ExpressionAttributeNames": {"#isk": f"{name}sk"},
        }
        if start_after is not None:
            index_sk, record_id = start_after
            request["ExclusiveStartKey"] = {
                **_key(keys.record_key(workspace_id, object_id, record_id)),
                f"{name}pk": attribute_values[":pk"],
                f"{name}sk": {"S": index_sk},
            }
        response = call("Query", request)
        entries = [
            (sk, keys.record_id_from_index_sk(sk))
            for sk in (item[f"{name}sk"]["S"] for item in response.get("Items", []))
        ]
        last = response.get("LastEvaluatedKey")
        resume = (last[f"{name}sk"]["S"], last[_SK]["S"]) if last else None
        return entries, resume

    def index_count(
        self,
        workspace_id: str,
        object_id: str,
        slot: int,
        key_range: tuple[str, tuple[str, ...]],
        *,
        max_items: int,
    ) -> int | None:
        """How many index entries fall in a range (Select COUNT), or None past `max_items`."""
        total, start = 0, None
        while True:
            deadline.check()
            entries, start = self.index_page(
                workspace_id,
                object_id,
                slot,
                key_range,
                forward=True,
                start_after=start,
                limit=max_items + 1 - total,
            )
            total += len(entries)
            if total > max_items:
                return None
            if start is None:
                return total

    def cursor_neighbourhood(
        self, workspace_id: str, object_id: str, record_id: str, *, forward: bool
    ) -> tuple[bool, bool]:
        """(does the cursor record exist here, is there a live record at or beyond it).

        One unfiltered Query from the cursor (inclusive) answers both in the common case: the
        first item is the cursor's own (record, soft-deleted record or tombstone) if it belongs
        to this workspace and object; a live one among the first few settles the second part.
        """
        pk = keys.record_pk(workspace_id, object_id)
        request: dict[str, Any] = {
            "TableName": SETTINGS.main_table,
            "KeyConditionExpression": f"{_PK} = :pk AND {_SK} {'>=' if forward else '<='} :c",
            "ExpressionAttributeValues": {":pk": {"S": pk}, ":c": {"S": record_id}},
            "ScanIndexForward": forward,
            "ConsistentRead": True,
            "Limit": 16,
        }
        response = call("Query", request)
        items = response.get("Items", [])
        exists = bool(items) and items[0][_SK]["S"] == record_id
        if any(is_visible(item) and RECORD_DELETED_AT not in item for item in items):
            return exists, True
        if not response.get("LastEvaluatedKey"):
            return exists, False
        # Only deleted records so far: continue with the filtered Query.
        condition = (">=", record_id) if forward else ("<=", record_id)
        found, _ = _query_live(pk, condition, forward, 1)
        return exists, bool(found)

    def count_live(self, workspace_id: str, object_id: str) -> int:
        item = _get_item(keys.counter_key(workspace_id, object_id))
        return _live(item)

    def count_live_many(self, workspace_id: str, object_ids: list[str]) -> dict[str, int]:
        """Several objects' counters in one BatchGetItem (a GetItem for one)."""
        if len(object_ids) == 1:
            return {object_ids[0]: self.count_live(workspace_id, object_ids[0])}
        by_key = {keys.counter_key(workspace_id, o): o for o in dict.fromkeys(object_ids)}
        found = {
            by_key[keys.Key(item[_PK]["S"], item[_SK]["S"])]: _live(item)
            for item in (_batch_get(list(by_key)) if by_key else [])
        }
        return {object_id: found.get(object_id, 0) for object_id in object_ids}

    def unique_owners(
        self, workspace_id: str, object_id: str, claims: list[tuple[str, str]]
    ) -> dict[tuple[str, str], str]:
        """Which record currently holds each (field path, value); one BatchGetItem per 100."""
        by_key = {
            keys.unique_guard_key(workspace_id, object_id, path, value): (path, value)
            for path, value in dict.fromkeys(claims)
        }
        found = _batch_get(list(by_key)) if by_key else []
        return {
            by_key[keys.Key(item[_PK]["S"], item[_SK]["S"])]: item[GUARD_RECORD_ID]["S"]
            for item in found
        }

    def execute(self, workspace_id: str, plan: Plan) -> None:
        # The write machinery loads with the first write, not at `import app` (the cold start).
        from chalicelib.storage.executor import execute_plan
        from chalicelib.storage.item_limits import refuse_oversized_records

        # Refused before the first transaction: an oversized item would cancel it, or a later
        # one of the plan after earlier ones committed.
        refuse_oversized_records(workspace_id, plan)
        execute_plan(workspace_id, plan)
