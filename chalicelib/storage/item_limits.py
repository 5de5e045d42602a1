"""DynamoDB's 400 KB item limit, checked on a plan's record writes before anything is sent.

DynamoDB refuses an item whose attribute names and values pass 400 KB (UTF-8 bytes), and a
refused item cancels its whole transaction, which surfaced as a 500. Every record write of a
plan is measured here in the layout storage writes it (storage/actions.py `_put_action`): keys,
the JSON document `d` as it is serialised, version, `deletedAt` and every index attribute. A
record over the limit is refused with `RecordTooLargeError` (413) naming its largest fields.

Keys need no check: the only user text in a key is a unique value, hashed past 900 bytes
(storage/keys.py), and index sort keys cut text at 300 bytes and hold nothing else unbounded.
"""

from __future__ import annotations

import json
from typing import Any

from chalicelib.core.plan import Plan, PutRecord
from chalicelib.errors import RecordTooLargeError
from chalicelib.storage import keys
from chalicelib.storage.changes import change_attributes, operation_of
from chalicelib.storage.models import RECORD_DATA, RECORD_DELETED_AT, RECORD_VERSION
from chalicelib.storage.tables import MAIN_TABLE, index_name

# DynamoDB's "400 KB" read as 400,000 bytes: AWS accepts up to 409,600, moto up to 405,000.
MAX_ITEM_BYTES = 400_000
# Kept free in every record: a destroy turns the record into a tombstone (its last body plus
# `tomb` and `expiresAt`), and versions grow digits; both must still fit.
RECORD_HEADROOM_BYTES = 1_024
MAX_RECORD_BYTES = MAX_ITEM_BYTES - RECORD_HEADROOM_BYTES
_FIELDS_NAMED = 3

WireItem = dict[str, dict[str, Any]]
_PK, _SK = MAIN_TABLE.hash_key, MAIN_TABLE.range_key or "sk"


def encode_body(body: dict[str, Any]) -> str:
    """A record's field values as the `d` attribute stores them (storage/actions.py).

    Non-ASCII text is kept as UTF-8, not escaped: DynamoDB bills and limits items by their UTF-8
    bytes, and `\u00e9` takes 6 where `é` takes 2 (lone surrogates never get this far: the JSON
    decoder refuses them)."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


def record_item(workspace_id: str, op: PutRecord) -> WireItem:
    """The item a PutRecord writes (storage/actions.py sends this very item)."""
    key = keys.record_key(workspace_id, op.object_id, op.record_id)
    item: WireItem = {
        _PK: {"S": key.pk},
        _SK: {"S": key.sk},
        RECORD_DATA: {"S": encode_body(op.body)},
        RECORD_VERSION: {"N": str(op.version)},
    }
    if op.deleted_at is not None:
        item[RECORD_DELETED_AT] = {"S": op.deleted_at}
    for entry in op.index_entries:
        name = index_name(entry.slot)
        item[f"{name}pk"] = {"S": keys.index_pk(workspace_id, op.object_id, entry.slot)}
        item[f"{name}sk"] = {"S": keys.index_sk(entry.form, op.record_id)}
    # Delta sync's index keys of this write (storage/changes.py; fixed width once stamped).
    item.update(change_attributes(workspace_id, op.object_id, op.record_id, operation_of(op)))
    return item


def item_bytes(item: WireItem) -> int:
    """An item's size as DynamoDB counts it: every attribute's name and value, in UTF-8."""
    return sum(_utf8(name) + _value_bytes(value) for name, value in item.items())


def _utf8(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def _value_bytes(value: dict[str, Any]) -> int:
    ((kind, content),) = value.items()
    if kind == "S":
        return _utf8(content)
    if kind == "N":
        # ~1 byte per two significant digits plus 1; the text length is a safe upper bound.
        return len(content) + 1
    if kind == "B":
        return len(content)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "L":
        return 3 + sum(1 + _value_bytes(v) for v in content)
    if kind == "M":
        return 3 + sum(1 + _utf8(k) + _value_bytes(v) for k, v in content.items())
    # String and number sets: their members' sizes.
    return sum(_utf8(str(member)) for member in content)


def refuse_oversized_records(workspace_id: str, plan: Plan) -> None:
    """Raise RecordTooLargeError naming every record of `plan` that would not fit an item."""
    numbered = len(plan.units) > 1
    problems = [
        (f"Record {unit.index}: " if numbered else "") + problem
        for unit in plan.units
        for op in unit.operations
        if isinstance(op, PutRecord) and (problem := _size_problem(workspace_id, op))
    ]
    if problems:
        raise RecordTooLargeError(messages=problems)


def _size_problem(workspace_id: str, op: PutRecord) -> str | None:
    # The body alone is the cheap lower bound: most records are far below the limit.
    body_bytes = _utf8(encode_body(op.body))
    if body_bytes <= MAX_RECORD_BYTES // 2:
        return None
    size = item_bytes(record_item(workspace_id, op))
    if size <= MAX_RECORD_BYTES:
        return None
    return (
        f"Too large to store: the record would take {size:,} bytes in DynamoDB, more than the "
        f"{MAX_RECORD_BYTES:,} bytes a record may take (400 KB item limit); largest fields: "
        + _largest_fields(op.body)
    )


def _largest_fields(body: dict[str, Any]) -> str:
    sizes = sorted(
        ((_utf8(encode_body({name: value})) - 2, name) for name, value in body.items()),
        reverse=True,
    )
    return ", ".join(f"'{name}' ({size:,} bytes)" for size, name in sizes[:_FIELDS_NAMED])
