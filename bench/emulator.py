"""Bench-only adjustments to moto, and a clock of the time spent inside it.

moto's TransactWriteItems deep-copies the whole table (stream records included) once per
*action* as its rollback snapshot, so a 121-action batch costs seconds and every write slows
down as the table grows; that emulator artefact would swamp what the bench measures. Here the
snapshot is skipped. Rollback is then impossible, so any cancelled transaction is recorded and
the runner aborts the bench: a successful run never needed the snapshot.

For the 10,000-record cases only (`install_large_table_speedups`, called once the quick cases
are measured, so their figures stay comparable with earlier runs): moto answers every Query by
sorting *all* items of the table (`Table.all_items`) and then keeping those of the partition or
index asked for, comparing DynamoType values that recast themselves on every comparison; with
the 10,000-company tenant that is ~1 s per Query and a bounded scan took a minute. During a
Query, `all_items` here hands moto only the partition's
items (a base-table Query), or every item unsorted (an index Query: moto sorts the candidates by
their full index key itself), and string values compare without the recast. moto still does all
of its own key conditions, filters, limits, paging and counts on exactly the items it would have
kept, so answers, `ScannedCount`s and page boundaries are unchanged; only the time is. Last,
moto's generic response serializer walks all ten members of DynamoDB's AttributeValue shape
for every attribute of every item (seconds per 1 MB page); an attribute that is a plain string
or number (`{"S": ...}`, `{"N": ...}`) is copied as the serializer would have written it.

The clock sums the time spent in moto's request handler (the emulated network and server), so
the runner can also report the client-side time of each call, which is what runs in-process on
a real Lambda while DynamoDB does its part elsewhere.
"""

from __future__ import annotations

import copy
import functools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from moto.core.botocore_stubber import BotocoreStubber
from moto.core.serialize import BaseJSONSerializer
from moto.dynamodb import models as dynamodb_models
from moto.dynamodb.models.dynamo_type import DDBType, DynamoType
from moto.dynamodb.models.table import Table


@dataclass
class EmulatorClock:
    seconds: float = 0.0
    cancelled_transactions: int = 0
    # Called on entering and leaving moto; the profiler uses them to leave moto out.
    on_enter: Callable[[], None] | None = None
    on_exit: Callable[[], None] | None = None


CLOCK = EmulatorClock()
_installed = False


class _CopyWithoutTableSnapshots:
    """Stands in for the `copy` module inside moto's DynamoDB backend."""

    @staticmethod
    def deepcopy(obj: Any, memo: dict[int, Any] | None = None) -> Any:
        # Tables are only deep-copied as transaction snapshots; items still get real copies.
        return obj if isinstance(obj, Table) else copy.deepcopy(obj, memo)

    copy = staticmethod(copy.copy)


def _timed_stubber(original: Any) -> Any:
    @functools.wraps(original)
    def call(self: BotocoreStubber, *args: Any, **kwargs: Any) -> Any:
        if CLOCK.on_enter:
            CLOCK.on_enter()
        start = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            CLOCK.seconds += time.perf_counter() - start
            if CLOCK.on_exit:
                CLOCK.on_exit()

    return call


def _recording_failures(original: Any) -> Any:
    @functools.wraps(original)
    def transact_write_items(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return original(self, *args, **kwargs)
        except Exception:
            CLOCK.cancelled_transactions += 1
            raise

    return transact_write_items


# The Query running on this thread (depth=1 queries run concurrently): (table, partition).
_QUERY = threading.local()
_EVERY_ITEM = object()  # an index Query: every item is a candidate


def _scoped_query(original: Any) -> Any:
    @functools.wraps(original)
    def query(self: Table, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
        scope = _EVERY_ITEM if index_name else hash_key
        previous = getattr(_QUERY, "scope", None)
        # A base-table Query without a hash key value keeps moto's own path.
        _QUERY.scope = (self, scope) if scope is not None else None
        try:
            return original(self, hash_key, *args, **kwargs)
        finally:
            _QUERY.scope = previous

    return query


def _scoped_all_items(original: Any) -> Any:
    @functools.wraps(original)
    def all_items(self: Table) -> list[Any]:
        scope = getattr(_QUERY, "scope", None)
        if scope is None or scope[0] is not self or not self.range_key_attr:
            return original(self)
        partition = scope[1]
        if partition is _EVERY_ITEM:
            return [item for items in self.items.values() for item in items.values()]
        # moto filters these by hash key and sorts them by range key, as it would all items.
        return list(self.items[partition].values()) if partition in self.items else []

    return all_items


_recast = DynamoType.cast_value.fget  # type: ignore[attr-defined]


def _cast_value(self: DynamoType) -> Any:
    # The original's answer for a string (after five failed type tests), without them.
    return self.value if self.type == DDBType.STRING else _recast(self)


_SCALARS = frozenset({"S", "N"})


def _plain_attribute_values(original: Any) -> Any:
    @functools.wraps(original)
    def serialize_structure(self: Any, serialized: Any, value: Any, shape: Any, key: str) -> None:
        if (
            key
            and shape.name == "AttributeValue"
            and isinstance(value, dict)
            and len(value) == 1
            and next(iter(value)) in _SCALARS
            and isinstance(next(iter(value.values())), str)
        ):
            # What the generic walk yields for a one-member string structure: a copy of it.
            self._default_serialize(serialized, dict(value), shape, key)
            return
        original(self, serialized, value, shape, key)

    return serialize_structure


def install() -> EmulatorClock:
    """Patch moto once per process (before any request) and return the clock."""
    global _installed
    if not _installed:
        BotocoreStubber.__call__ = _timed_stubber(BotocoreStubber.__call__)
        dynamodb_models.copy = _CopyWithoutTableSnapshots  # type: ignore[assignment]
        backend = dynamodb_models.DynamoDBBackend
        backend.transact_write_items = _recording_failures(backend.transact_write_items)
        _installed = True
    return CLOCK


_sped_up = False


def install_large_table_speedups() -> None:
    """Make moto's Query and response encoding cost O(partition), once per process."""
    global _sped_up
    if not _sped_up:
        Table.query = _scoped_query(Table.query)  # type: ignore[method-assign]
        Table.all_items = _scoped_all_items(Table.all_items)  # type: ignore[method-assign]
        DynamoType.cast_value = property(_cast_value)  # type: ignore[method-assign,assignment]
        serializer = BaseJSONSerializer
        serializer._serialize_type_structure = _plain_attribute_values(  # type: ignore[method-assign]
            serializer._serialize_type_structure
        )
        _sped_up = True
