"""Write plans: plain data describing the DynamoDB writes of one command; storage executes them.

A plan is a list of units. The operations of one unit belong to one record and always go into the
same transaction, so a record and its uniqueness guards are written or refused together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chalicelib.core.ports import StoredRecord


@dataclass(frozen=True, slots=True)
class PutRecord:
    """Write a whole record. `expected_version` None means "must not exist yet" (a create)."""

    object_id: str
    record_id: str
    body: dict[str, Any]
    version: int
    deleted_at: str | None = None
    expected_version: int | None = None
    # Body before this write (updates only), so a failed multi-transaction plan can be undone.
    previous_body: dict[str, Any] | None = None
    previous_deleted_at: str | None = None
    # Index entries of the new body (slot, order form); storage writes them as index keys.
    index_entries: tuple[Any, ...] = ()
    previous_index_entries: tuple[Any, ...] = ()


_OWN = object()  # `replacement`'s default: the record keeps its own deletedAt


def replacement(
    object_id: str, record: StoredRecord, body: dict[str, Any], deleted_at: Any = _OWN
) -> PutRecord:
    """`record` written again with `body` (and `deleted_at`, its own unless given), if it is
    still at the version read; what it was is kept so a failed multi-transaction plan can undo."""
    return PutRecord(
        object_id,
        record.id,
        body,
        version=record.version + 1,
        deleted_at=record.deleted_at if deleted_at is _OWN else deleted_at,
        expected_version=record.version,
        previous_body=record.body,
        previous_deleted_at=record.deleted_at,
    )


@dataclass(frozen=True, slots=True)
class DeleteRecord:
    object_id: str
    record_id: str
    expected_version: int
    previous_body: dict[str, Any] = field(default_factory=dict)
    previous_deleted_at: str | None = None
    previous_index_entries: tuple[Any, ...] = ()


@dataclass(frozen=True, slots=True)
class ReserveUnique:
    """Claim a unique value for a record; fails if another record holds it.

    With `taken_from`, the value passes from that record to this one in one action (a merge's
    survivor takes a value from a record the same transaction soft-deletes: a release and a
    reserve of one guard would be two actions on one item, which DynamoDB refuses).
    """

    object_id: str
    field_path: str
    value: str
    record_id: str
    taken_from: str | None = None


@dataclass(frozen=True, slots=True)
class ReleaseUnique:
    """Free a unique value, but only if this record still holds it."""

    object_id: str
    field_path: str
    value: str
    record_id: str


@dataclass(frozen=True, slots=True)
class RequireRecord:
    """A relation target that must exist (and not be soft-deleted) when the write commits."""

    object_id: str
    record_id: str
    field_name: str


@dataclass(frozen=True, slots=True)
class SetIndexKeys:
    """Write a record's keys for newly created index slots (backfill), if it is unchanged."""

    object_id: str
    record_id: str
    expected_version: int
    index_entries: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class AdjustCount:
    """Change the object's live-record counter (kept exact for O(1) totalCount)."""

    object_id: str
    delta: int


Operation = (
    PutRecord
    | DeleteRecord
    | ReserveUnique
    | ReleaseUnique
    | RequireRecord
    | SetIndexKeys
    | AdjustCount
)


@dataclass(frozen=True, slots=True)
class Unit:
    """The operations of one record, applied atomically."""

    operations: tuple[Operation, ...]
    # Position of the record in the client's input, so errors can name it.
    index: int = 0


@dataclass(frozen=True, slots=True)
class Plan:
    units: tuple[Unit, ...]
