"""Aggregates answered without reading the matching records (core/aggregates.py).

- totalCount alone: the live-record counter (no filter, one GetItem), or the number of index
  keys in the ranges of an index plan that decides the filter by itself (keys only, at most the
  index key cap).
- min/max of indexed paths, without a filter (with totalCount or not): the first and the last
  key of each path's non-null range (one Query of Limit 1 each), then one BatchGetItem of those
  records, whose current values are the answer. GSIs are eventually consistent, as for sorted
  lists: a record changed a moment ago may still be found under its old key.

Anything else (other aggregates, a filter with min/max, a record gone since its key was read)
returns None and the caller reads the matching records once.
"""

from __future__ import annotations

from typing import Any

from chalicelib.core.aggregates import TOTAL_COUNT, Aggregate, Operation, value_reader
from chalicelib.core.filters import Filter
from chalicelib.core.index_planner import plan_index
from chalicelib.core.indexing import resolved_indexes
from chalicelib.core.ports import RecordStore
from chalicelib.core.presentation import present_record
from chalicelib.core.query_validation import ID_TIEBREAKER
from chalicelib.errors import QueryNeedsIndexError
from chalicelib.metadata.model import ObjectDef
from chalicelib.storage import keys

_EXTREMES = frozenset({Operation.MIN, Operation.MAX})


def shortcut_results(
    store: RecordStore,
    workspace_id: str,
    obj: ObjectDef,
    typed: Filter | None,
    aggregates: tuple[Aggregate, ...],
    *,
    key_cap: int,
) -> dict[str, Any] | None:
    """The aggregates' values if a shortcut serves all of them, else None."""
    if all(a.name == TOTAL_COUNT for a in aggregates):
        total = _count(store, workspace_id, obj, typed, key_cap)
        return None if total is None else {TOTAL_COUNT: total}
    if typed is None and all(a.name == TOTAL_COUNT or a.operation in _EXTREMES for a in aggregates):
        return _extremes(store, workspace_id, obj, aggregates)
    return None


def _count(
    store: RecordStore, workspace_id: str, obj: ObjectDef, typed: Filter | None, key_cap: int
) -> int | None:
    if typed is None:
        return store.count_live(workspace_id, obj.id)
    plan = plan_index(obj, typed, (ID_TIEBREAKER,))
    if plan is None or not plan.exact:
        return None
    total = 0
    for segment in plan.segments:
        key_range = keys.index_key_range(
            nulls=segment.nulls, lower=segment.lower, upper=segment.upper, prefix=segment.prefix
        )
        counted = store.index_count(workspace_id, obj.id, plan.slot, key_range, max_items=key_cap)
        if counted is None:
            raise QueryNeedsIndexError(
                f"totalCount would read more than {key_cap} index entries; narrow the filter"
            )
        total += counted
    return total


def _extremes(
    store: RecordStore, workspace_id: str, obj: ObjectDef, aggregates: tuple[Aggregate, ...]
) -> dict[str, Any] | None:
    slots = {tuple(path.split(".")): slot for path, (slot, _) in resolved_indexes(obj).items()}
    ready = {spec.path for spec in obj.indexes if spec.ready}
    extremes = [a for a in aggregates if a.operation in _EXTREMES]
    if not all(".".join(a.path) in ready and a.path in slots for a in extremes):
        return None
    values_range = keys.index_key_range(nulls=False)
    ends: dict[str, str | None] = {}  # aggregate name -> record id at that end of the index
    for aggregate in extremes:
        entries, _ = store.index_page(
            workspace_id,
            obj.id,
            slots[aggregate.path],
            values_range,
            forward=aggregate.operation is Operation.MIN,
            start_after=None,
            limit=1,
        )
        ends[aggregate.name] = entries[0][1] if entries else None
    wanted = sorted({record_id for record_id in ends.values() if record_id})
    found = store.get_many(workspace_id, obj.id, wanted) if wanted else {}
    results: dict[str, Any] = {}
    for aggregate in extremes:
        record_id = ends[aggregate.name]
        if record_id is None:
            results[aggregate.name] = None  # no record has a value
            continue
        record = found.get(record_id)
        value = None
        if record is not None and record.deleted_at is None:
            value = value_reader(aggregate.path)(present_record(obj, record.shaped()))
        if value is None:
            return None  # the key was stale: read the records instead
        results[aggregate.name] = value
    if any(a.name == TOTAL_COUNT for a in aggregates):
        results[TOTAL_COUNT] = store.count_live(workspace_id, obj.id)
    return {a.name: results[a.name] for a in aggregates}
