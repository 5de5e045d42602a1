"""Aggregate fields of connections that are not a root list: nested one-to-many and duplicates.

`companies { edges { node { people(filter: ...) { countEmptyEmails avgAge } } } }` asks, for
every company of the page, the aggregates of ALL its people matching the nested filter (not
only the first N the nested page shows). The children of every parent of the page are read
once, then one accumulator per parent computes every selected aggregate in one pass
(core/aggregates.py, the semantics of the root connection: without a matching child every
count and percentage is null, as Twenty's `CASE WHEN COUNT(*) = 0 THEN NULL`).

The read is the one nested pages use for a filter or an order (core/child_pages.all_children):
one keys-only Query of the join column's index per parent, all in flight together, then one
BatchGetItem round, so two sequential round trips whatever the page size. Without a ready
index, or when the nested filter is about `deletedAt` (indexes hold live records only): one
read of the target's partition (core/relations.bounded_children). Either way at most the scan
cap's records are read; past it, the same 400 as a nested page's.

`...Duplicates` connections aggregate each entry's matches from the records the duplicate search
has already read: no DynamoDB call at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from chalicelib.core.aggregates import Accumulator, aggregate_records, resolve_aggregates
from chalicelib.core.child_pages import all_children, join_index
from chalicelib.core.evaluation import compile_filter
from chalicelib.core.filters import Filter
from chalicelib.core.many_commands import AggregateChildren
from chalicelib.core.matching import typed_filter
from chalicelib.core.ports import RecordStore, StoredRecord
from chalicelib.core.presentation import present_stored
from chalicelib.core.query_validation import filter_mentions
from chalicelib.core.relations import bounded_children, inverse_of
from chalicelib.metadata.model import ObjectDef, RelationType

Results = dict[str, Any]


def aggregate_children(
    store: RecordStore, workspace_id: str, query: AggregateChildren, cap: int
) -> dict[str, Results]:
    """The selected aggregates of each parent's children, by parent id, from one read."""
    field = query.object.by_name.get(query.field_name)
    relation = field.relation if field is not None else None
    inverse = None
    if field is not None and relation is not None and relation.type is RelationType.ONE_TO_MANY:
        inverse = inverse_of(query.model, field)
    parents = list(dict.fromkeys(query.parent_ids))
    if inverse is None or not query.aggregates:
        return {parent: {} for parent in parents}
    target, column = inverse
    aggregates = resolve_aggregates(target, query.aggregates)
    typed = typed_filter(target, query.filter)
    include_deleted = filter_mentions(typed, "deletedAt")
    stored = _children(store, workspace_id, target, column, parents, cap, include_deleted)
    keep = compile_filter(typed, target)
    accumulators = {parent: Accumulator(aggregates) for parent in parents}
    for record in present_stored(target, stored):
        accumulator = accumulators.get(record.get(column) or "")
        if accumulator is not None and keep(record):
            accumulator.add(record)
    return {parent: accumulator.results() for parent, accumulator in accumulators.items()}


def duplicate_aggregates(
    obj: ObjectDef,
    records: Iterable[StoredRecord],
    filters: list[Filter | None],
    names: tuple[str, ...],
) -> list[Results]:
    """For each typed filter of a duplicate search, the named aggregates of the records in hand
    it selects (no read); None is an entry without criteria, which matches nothing."""
    if not names:
        return [{} for _ in filters]
    aggregates = resolve_aggregates(obj, names)
    presented = present_stored(obj, records)
    results = []
    for typed in filters:
        keep = compile_filter(typed, obj) if typed is not None else None
        matches = [record for record in presented if keep(record)] if keep else []
        results.append(aggregate_records(aggregates, matches))
    return results


def _children(
    store: RecordStore,
    workspace_id: str,
    target: ObjectDef,
    column: str,
    parents: list[str],
    cap: int,
    include_deleted: bool,
) -> list[StoredRecord]:
    """Every record of `target` whose join column names one of the parents (≤ cap records)."""
    index = None if include_deleted else join_index(target, column)
    if index is not None:
        groups = all_children(store, workspace_id, index, parents, cap)
        return [record for children in groups.values() for record in children]
    wanted = set(parents)
    stored = bounded_children(
        store, workspace_id, target, column, cap, include_deleted=include_deleted
    )
    return [record for record in stored if record.body.get(column) in wanted]
