"""Lazy, container-wide singletons: the only place collaborators are constructed."""

from __future__ import annotations

from functools import cache

from chalicelib.core.records import RecordService
from chalicelib.metadata.service import MetadataService
from chalicelib.settings import SETTINGS
from chalicelib.storage.records import DynamoRecordStore


@cache
def record_store() -> DynamoRecordStore:
    return DynamoRecordStore()


@cache
def record_service() -> RecordService:
    return RecordService(
        record_store(), batch_max=SETTINGS.batch_max_records, scan_cap=SETTINGS.scan_cap
    )


@cache
def metadata_service() -> MetadataService:
    return MetadataService(
        record_store(),
        job_budget_seconds=SETTINGS.metadata_job_seconds,
        scan_cap=SETTINGS.scan_cap,
    )
