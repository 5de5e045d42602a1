"""Stream records kept as DynamoDB keeps them: 24 hours, and (locally) a bounded number.

moto appends a record to the table's stream shard on every write and never drops one, so the
local stack's memory grows with every write ever made. The local stream is read by the
webhook poller (stream_poller.py, a fraction of a second behind the writes) and by tests that
start at LATEST or TRIM_HORIZON right before reading, so the oldest records are dropped once
they are older than DynamoDB's 24 h retention or beyond `MAX_RECORDS`. Dropping
moves the shard's starting sequence number forward by as many records, which keeps moto's
sequence arithmetic (next number = start + length) and every iterator position exact; an
iterator left behind the trim point reads from the oldest record kept.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from typing import Any

from moto.core.utils import utcnow
from moto.dynamodb.models.table import StreamShard

RETENTION = datetime.timedelta(hours=24)
MAX_RECORDS = 10_000
# Trimmed in chunks: dropping the head of a list moves all the rest.
_SLACK = 1_000


def _created(record: Any) -> datetime.datetime:
    return record.record["dynamodb"]["ApproximateCreationDateTime"]


def trim(shard: StreamShard, *, max_records: int | None = None) -> int:
    """Drop expired records and those beyond `max_records` (MAX_RECORDS); returns how many."""
    items = shard.items
    drop = max(0, len(items) - (MAX_RECORDS if max_records is None else max_records))
    oldest_kept = utcnow() - RETENTION
    while drop < len(items) and _created(items[drop]) < oldest_kept:
        drop += 1
    if drop:
        del items[:drop]
        shard.starting_sequence_number += drop
    return drop


def trimmed_add(original: Callable[..., None]) -> Callable[..., None]:
    @functools.wraps(original)
    def add(self: StreamShard, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        items = self.items
        expired = bool(items) and _created(items[0]) < utcnow() - RETENTION
        if expired or len(items) > MAX_RECORDS + _SLACK:
            trim(self)

    return add


def clamped_get(original: Callable[..., list[dict[str, Any]]]) -> Callable[..., Any]:
    @functools.wraps(original)
    def get(self: StreamShard, start: int, quantity: int) -> list[dict[str, Any]]:
        return original(self, max(start, self.starting_sequence_number), quantity)

    return get
