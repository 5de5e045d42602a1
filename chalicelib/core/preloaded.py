"""A read-only view that serves records already read, so one read can feed many pages."""

from __future__ import annotations

from chalicelib.core.ports import RecordStore, StoredRecord


class PreloadedRecords:
    """The `scan` and `locate` reads of `core/listing.list_in_memory` over records in hand.

    Nested connections and duplicate searches page many groups (one per parent, one per input
    record) out of a single DynamoDB read; this lets each group go through the one in-memory
    engine, with its exact cursors, counts and page flags, instead of a second implementation.
    A cursor naming a record outside the group is still placed through the real store.
    """

    def __init__(self, store: RecordStore, records: list[StoredRecord]) -> None:
        self._store = store
        self._records = records

    def scan(
        self, workspace_id: str, object_id: str, *, include_deleted: bool, max_items: int
    ) -> tuple[list[StoredRecord], bool]:
        """The records in hand (already read with the caller's deletion scope)."""
        return self._records, True

    def locate(self, workspace_id: str, object_id: str, record_id: str) -> StoredRecord | None:
        """A cursor's record, from the group or else from the store."""
        for record in self._records:
            if record.id == record_id:
                return record
        return self._store.locate(workspace_id, object_id, record_id)
