"""Lazy, container-wide singletons: the only place collaborators are constructed."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from chalicelib.core.records import RecordService
from chalicelib.settings import SETTINGS
from chalicelib.storage.records import DynamoRecordStore

if TYPE_CHECKING:
    from chalicelib.core.changes import ChangeFeed
    from chalicelib.metadata.service import MetadataService


@cache
def record_store() -> DynamoRecordStore:
    return DynamoRecordStore()


@cache
def record_service() -> RecordService:
    return RecordService(
        record_store(),
        batch_max=SETTINGS.batch_max_records,
        scan_cap=SETTINGS.scan_cap,
        index_key_cap=SETTINGS.index_key_cap,
        conflict_seconds=SETTINGS.conflict_retry_seconds,
        merge_max_moved=SETTINGS.merge_max_moved,
    )


@cache
def metadata_service() -> MetadataService:
    # Imported on first use: the metadata commands pull in the query engine (index keys of
    # migrated records), which record reads and writes do not need at cold start.
    from chalicelib.metadata.service import MetadataService

    return MetadataService(
        record_store(),
        job_budget_seconds=SETTINGS.metadata_job_seconds,
        scan_cap=SETTINGS.scan_cap,
    )


@cache
def change_feed() -> ChangeFeed:
    # Imported on first use: delta sync is a few integrators' request, not the cold start's.
    from chalicelib.core.changes import ChangeFeed
    from chalicelib.storage.changes import DynamoChangeStore

    return ChangeFeed(
        DynamoChangeStore(),
        settle_seconds=SETTINGS.sync_settle_seconds,
        page_default=SETTINGS.page_default,
        page_max=SETTINGS.page_max,
    )
