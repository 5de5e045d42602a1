"""A record read together with the request's admission (REST get by id: one DynamoDB request for
the key, the workspace's version and the record), handed to the core instead of a second read."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.core.ports import RecordStore, StoredRecord


@dataclass(frozen=True, slots=True)
class PrefetchedRecord:
    object_id: str  # as named by the container's cached model when the read was sent
    record_id: str
    record: StoredRecord | None  # what a get would have returned: None if absent or destroyed


def record_by_id(
    store: RecordStore,
    workspace_id: str,
    object_id: str,
    record_id: str,
    prefetched: PrefetchedRecord | None,
) -> StoredRecord | None:
    """The record (live or soft-deleted) at this key: the prefetched one when it was read at the
    same key, else a read. The cached model that named the object may have been stale, so the
    prefetched read counts only if the current model resolves the route to the same object."""
    if (
        prefetched is not None
        and prefetched.object_id == object_id
        and prefetched.record_id == record_id
    ):
        return prefetched.record
    return store.get(workspace_id, object_id, record_id)
