"""Give existing records the keys of a newly indexed path (after its slot was assigned).

Live records are walked in id order, 100 per TransactWriteItems (one SET per record, conditioned
on the version read). A record changed meanwhile is simply read again: its new write already used
the new model, so only unchanged records need the keys. Soft-deleted records carry no index keys.
"""

from __future__ import annotations

from chalicelib.core import plan as ops
from chalicelib.core.indexing import compile_index_entries
from chalicelib.core.ports import RecordStore, StoredRecord
from chalicelib.errors import VersionConflictError
from chalicelib.metadata.model import ObjectDef

_PER_TRANSACTION = 100  # TransactWriteItems' action limit
_ATTEMPTS = 5


def backfill_index(store: RecordStore, workspace_id: str, obj: ObjectDef, slots: set[int]) -> int:
    """Write the keys of `slots` on every live record of `obj`; returns the records written."""
    entries = compile_index_entries(obj)
    written, after = 0, None
    while True:
        page = store.page(workspace_id, obj.id, after=after, before=None, limit=_PER_TRANSACTION)
        if not page.records:
            return written
        _write(store, workspace_id, obj, page.records, slots, entries)
        written += len(page.records)
        if not page.has_more:
            return written
        after = page.records[-1].id


def _write(store, workspace_id, obj, records: list[StoredRecord], slots, entries) -> None:  # type: ignore[no-untyped-def]
    for _ in range(_ATTEMPTS):
        units = tuple(
            ops.Unit(
                (
                    ops.SetIndexKeys(
                        obj.id,
                        record.id,
                        record.version,
                        tuple(e for e in entries(record.shaped()) if e.slot in slots),
                    ),
                )
            )
            for record in records
        )
        try:
            store.execute(workspace_id, ops.Plan(units))
            return
        except VersionConflictError:
            # Someone wrote one of these records meanwhile: read the page again and retry.
            fresh = store.get_many(workspace_id, obj.id, [r.id for r in records])
            records = [r for r in fresh.values() if r.deleted_at is None]
    raise VersionConflictError("The records kept changing while their index keys were written")
