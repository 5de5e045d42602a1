"""Record changes read from the main table's stream, and the webhook payload Twenty sends for them.

Two steps, so that a batch costs no DynamoDB call before it is known to matter:
`record_change(stream_record)` decodes one stream record of a RECORD item (every other item —
workspace, metadata, counters, guards, jobs, webhooks, deliveries — yields None) and tells what
happened to the stored item; `record_event(change, model)` names it under the workspace's
current model and shapes the record as the API presents it.

What happened, from the item's old and new images (storage/actions.py writes records so):

  INSERT of a record                          -> created
  MODIFY tombstone -> record                  -> created (a destroyed record's id used again)
  MODIFY record -> tombstone (destroy)        -> destroyed, with the last body
  MODIFY deletedAt unset -> set               -> deleted
  MODIFY deletedAt set -> unset               -> restored
  MODIFY otherwise                            -> updated, when a presented field changed
  REMOVE of a record                          -> destroyed (no path does this today)
  REMOVE of a tombstone (TTL), anything else  -> nothing

`updatedFields` follows Twenty (objectRecordChangedValues): every presented field whose value
differs, except `updatedAt`; `updatedBy` and `position` count when they changed. An update that
changes nothing else emits nothing, as in Twenty.

Model migrations rewrite records too (core/record_migration.py: renamed fields, dropped values,
new defaults, removed SELECT options) and keep `updatedAt` by design; Twenty emits nothing for
them, nor do we. A rewrite that keeps `updatedAt` is a migration when every change it made is
one a migration makes; otherwise it is a client's update that shared the previous write's
millisecond (two requests started in the same ms), which must not be lost.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from chalicelib.core.presentation import present_record
from chalicelib.metadata.model import FieldType, ObjectDef, WorkspaceModel
from chalicelib.storage import keys
from chalicelib.storage.models import RECORD_DATA, RECORD_DELETED_AT, RECORD_TOMBSTONE
from chalicelib.storage.tables import MAIN_TABLE
from chalicelib.webhooks.model import Webhook

LOG = logging.getLogger("crm.webhooks.events")

CREATED = "created"
UPDATED = "updated"
DELETED = "deleted"
RESTORED = "restored"
DESTROYED = "destroyed"

# Event ids are uuid5(this, stream eventID): the same stream record always gives the same id,
# across Lambda's retries of a batch and the local poller's re-reads.
EVENT_ID_NAMESPACE = uuid.UUID("6f1c7a52-3b1e-4f57-9a0e-2f3c8b1d5e40")
# Not a change a receiver would call an update (Twenty leaves it out of updatedFields too).
_NOT_AN_UPDATE = frozenset({"updatedAt"})

_PK, _SK = MAIN_TABLE.hash_key, MAIN_TABLE.range_key or "sk"


class StreamRecord(Protocol):
    """The part of chalice's DynamoDBRecord read here (images in DynamoDB's typed JSON)."""

    event_id: str
    event_name: str
    keys: dict[str, Any]
    new_image: dict[str, Any] | None
    old_image: dict[str, Any] | None
    sequence_number: str
    timestamp: datetime  # ApproximateCreationDateTime, naive UTC as chalice builds it


@dataclass(frozen=True, slots=True)
class _Stored:
    """One image of a record item: its body with id and deletedAt put back, as the API reads it."""

    shaped: dict[str, Any]
    deleted_at: str | None
    tombstone: bool


@dataclass(frozen=True, slots=True)
class RecordChange:
    """What one stream record did to one record, before the model gives it a name."""

    event_id: str
    sequence_number: str
    workspace_id: str
    object_id: str
    record_id: str
    action: str  # created | updated | deleted | restored | destroyed
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    observed_at: str  # the stream record's approximate creation time, ISO 8601 UTC


@dataclass(frozen=True, slots=True)
class RecordEvent:
    event_id: str
    workspace_id: str
    object_id: str
    name_singular: str
    event_name: str  # "<nameSingular>.<action>"
    record_id: str
    record: dict[str, Any]
    updated_fields: tuple[str, ...] | None  # on updates only
    event_date: str  # ISO 8601 UTC, milliseconds

    @property
    def event_ms(self) -> int:
        return iso_ms(self.event_date)


def iso_ms(text: str) -> int:
    """Epoch milliseconds of an ISO 8601 timestamp (Twenty's form ends with `Z`)."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def _iso(moment: datetime) -> str:
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _string(image: dict[str, Any], name: str) -> str | None:
    value = (image.get(name) or {}).get("S")
    return value if isinstance(value, str) else None


def _stored(image: dict[str, Any] | None, record_id: str) -> _Stored | None:
    """The record an image holds; None without an image or without a readable body."""
    if not image:
        return None
    data = _string(image, RECORD_DATA)
    if data is None:
        return None
    try:
        body = json.loads(data)
    except ValueError:
        LOG.error("stream image of record %s holds a body that is not JSON", record_id)
        return None
    if not isinstance(body, dict):
        return None
    deleted_at = _string(image, RECORD_DELETED_AT)
    shaped = {**body, "id": record_id, "deletedAt": deleted_at}
    tombstone = (image.get(RECORD_TOMBSTONE) or {}).get("BOOL") is True
    return _Stored(shaped, deleted_at, tombstone)


def _action(event_name: str, old: _Stored | None, new: _Stored | None) -> str | None:
    if event_name == "INSERT":
        return CREATED if new is not None and not new.tombstone else None
    if event_name == "REMOVE":
        return DESTROYED if old is not None and not old.tombstone else None
    if old is None or new is None:
        return None
    if new.tombstone:
        return None if old.tombstone else DESTROYED
    if old.tombstone:
        return CREATED
    if (old.deleted_at is None) != (new.deleted_at is None):
        return DELETED if new.deleted_at is not None else RESTORED
    return UPDATED  # if a presented value changed, and not by a migration (record_event)


def record_change(record: StreamRecord) -> RecordChange | None:
    """The change a stream record made to a record item; None for every other item."""
    item_keys = record.keys or {}
    pk = (item_keys.get(_PK) or {}).get("S")
    sk = (item_keys.get(_SK) or {}).get("S")
    parts = keys.record_pk_parts(pk) if isinstance(pk, str) else None
    if parts is None or not isinstance(sk, str):
        return None
    record_id = keys.record_id_from_sk(sk)
    old = _stored(record.old_image, record_id)
    new = _stored(record.new_image, record_id)
    action = _action(record.event_name, old, new)
    if action is None:
        return None
    workspace_id, object_id = parts
    return RecordChange(
        event_id=str(uuid.uuid5(EVENT_ID_NAMESPACE, record.event_id)),
        sequence_number=record.sequence_number,
        workspace_id=workspace_id,
        object_id=object_id,
        record_id=record_id,
        action=action,
        before=old.shaped if old is not None else None,
        after=new.shaped if new is not None else None,
        observed_at=_iso(record.timestamp),
    )


def _updated_fields(
    obj: ObjectDef, change: RecordChange, after: dict[str, Any]
) -> tuple[str, ...] | None:
    """Presented fields whose value changed, in the record's field order; None when nothing
    changed or a model migration made every change."""
    stored_before = change.before or {}
    before = present_record(obj, stored_before)
    changed = tuple(
        name
        for name, value in after.items()
        if name not in _NOT_AN_UPDATE and before[name] != value
    )
    if not changed:
        return None
    if after.get("updatedAt") != before.get("updatedAt"):
        return changed
    migrated = all(_migration_made(obj, name, stored_before, after[name]) for name in changed)
    return None if migrated else changed


def _migration_made(obj: ObjectDef, name: str, stored_before: dict[str, Any], now: Any) -> bool:
    """Whether a model migration explains the new value of a field (core/record_migration.py)."""
    if name not in stored_before:
        return True  # a renamed field's new name, or a new field's default: not in the record
    field = obj.by_name.get(name)
    old = stored_before[name]
    if field is None:
        return False
    if field.type is FieldType.SELECT:
        return now is None  # its option was removed
    if field.type is FieldType.MULTI_SELECT:
        return isinstance(old, list) and isinstance(now, list) and set(now) < set(old)
    return False


def _event_date(change: RecordChange, record: dict[str, Any]) -> str:
    """When it happened: the write's own timestamp where the record keeps one.

    Restore leaves `updatedAt` as it was (it changes only deletedAt here) and a destroyed record
    keeps no time of its end, so both take the stream's approximate creation time (whole
    seconds on AWS), but never before the record's last known time: the event still sorts
    after the ones that preceded it in the delivery log.
    """
    if change.action in (CREATED, UPDATED):
        stamp = _valid_time(record.get("updatedAt"))
    elif change.action == DELETED:
        stamp = _valid_time(record.get("deletedAt"))
    else:
        before = change.before or {}
        known = [_valid_time(before.get(name)) for name in ("updatedAt", "deletedAt")]
        stamp = max([change.observed_at, *(time for time in known if time)])
    return stamp or change.observed_at


def _valid_time(value: Any) -> str | None:
    """`value` if it is an ISO 8601 timestamp (ours always are: `...T...Z`), else None."""
    if not isinstance(value, str):
        return None
    try:
        iso_ms(value)
    except ValueError:
        return None
    return value


def record_event(change: RecordChange, model: WorkspaceModel) -> RecordEvent | None:
    """The event of a change under the workspace's model; None for an object no longer in it
    (deleted or deactivated) and for an update that changed no presented field."""
    obj: ObjectDef | None = model.by_id.get(change.object_id)
    if obj is None or not obj.is_active:
        return None
    updated_fields = None
    if change.action == DESTROYED:
        record = present_record(obj, change.before or {})
    else:
        # A soft-deleted record is sent as it is now (deletedAt set), as Twenty sends it.
        record = present_record(obj, change.after or {})
    if change.action == UPDATED:
        updated_fields = _updated_fields(obj, change, record)
        if updated_fields is None:
            return None
    return RecordEvent(
        event_id=change.event_id,
        workspace_id=change.workspace_id,
        object_id=obj.id,
        name_singular=obj.name_singular,
        event_name=f"{obj.name_singular}.{change.action}",
        record_id=change.record_id,
        record=record,
        updated_fields=updated_fields,
        event_date=_event_date(change, record),
    )


def event_body(event: RecordEvent, webhook: Webhook) -> str:
    """The exact JSON text POSTed for an event (reference 11.3): Twenty's keys in Twenty's order,
    compact, non-ASCII as UTF-8 as JSON.stringify writes it; `updatedFields` on updates only."""
    payload: dict[str, Any] = {
        "targetUrl": webhook.target_url,
        "eventName": event.event_name,
        "objectMetadata": {"id": event.object_id, "nameSingular": event.name_singular},
        "workspaceId": event.workspace_id,
        "webhookId": webhook.id,
        "eventDate": event.event_date,
        "record": event.record,
    }
    if event.updated_fields is not None:
        payload["updatedFields"] = list(event.updated_fields)
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


_MS_BITS = 48


def delivery_id(event_id: str, webhook_id: str, event_ms: int) -> str:
    """A UUIDv7-layout id: 48 bits of the event's time in ms, then bits of sha256(event, webhook).

    Deterministic, so a batch processed again finds the deliveries it stored (no duplicate);
    time-ordered, so a webhook's log (one partition, sorted by this id) reads newest first.
    """
    digest = hashlib.sha256(f"{event_id}:{webhook_id}".encode()).digest()
    hashed = int.from_bytes(digest[:10], "big")  # 80 bits: 12 for rand_a, 62 for rand_b
    rand_a, rand_b = hashed >> 68, hashed & ((1 << 62) - 1)
    value = (
        (max(0, event_ms) & ((1 << _MS_BITS) - 1)) << 80
        | 0x7 << 76  # version 7
        | rand_a << 64
        | 0b10 << 62  # RFC 4122 variant
        | rand_b
    )
    return str(uuid.UUID(int=value))
