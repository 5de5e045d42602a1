"""Shard iterators expire, as DynamoDB Streams' do after 15 minutes.

moto keeps every shard iterator it ever issued (each GetRecords issues the next one), so the
local stack's stream poller, reading about five times a second, would grow its memory by a few
megabytes an hour for as long as `make run` runs. Here the iterators' registry forgets those
older than AWS's 15 minutes, and beyond the newest `MAX_ITERATORS`: using a forgotten iterator
is what using an expired one is on AWS, an error, after which a reader asks for a new one.
"""

from __future__ import annotations

import functools
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

LIFETIME_SECONDS = 15 * 60
MAX_ITERATORS = 1_000


class ExpiringIterators(OrderedDict[str, Any]):
    """moto's `shard_iterators` dict, bounded by age and count (oldest issued first out)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self._clock = clock
        self._issued: dict[str, float] = {}

    def __setitem__(self, key: str, value: Any) -> None:
        now = self._clock()
        super().__setitem__(key, value)
        self.move_to_end(key)
        self._issued[key] = now
        while self and (
            len(self) > MAX_ITERATORS or self._issued[next(iter(self))] < now - LIFETIME_SECONDS
        ):
            oldest, _ = self.popitem(last=False)
            self._issued.pop(oldest, None)


def expiring(original_init: Callable[..., None]) -> Callable[..., None]:
    """Wrap DynamoDBStreamsBackend.__init__: its registry becomes an ExpiringIterators."""

    @functools.wraps(original_init)
    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        self.shard_iterators = ExpiringIterators()

    return init
