"""Lazy, container-wide singletons: the only place collaborators are constructed."""

from __future__ import annotations

from functools import cache

from chalicelib.core.records import RecordService
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
