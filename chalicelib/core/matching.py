"""Every record a filter selects, read once: what aggregates and groupBy compute over.

The same reads a list makes, without the page: when the filter names an indexed path the
index walk of `core/index_listing.py` reads only the matching range (keys, then the records,
re-checked); otherwise the object's partition is read up to the scan cap. Either way at most
`cap` records are read, and past it the client gets the list's clear 400 naming what to index.
Soft-deleted records are left out unless the filter is about `deletedAt`, as in a list.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from chalicelib.core.evaluation import compile_filter
from chalicelib.core.filters import Filter
from chalicelib.core.index_listing import _Walker
from chalicelib.core.index_planner import plan_index
from chalicelib.core.listing import ListSpec, _needs_index_message
from chalicelib.core.ports import RecordStore
from chalicelib.core.presentation import present_stored
from chalicelib.core.query_validation import ID_TIEBREAKER, filter_mentions, validate_filter
from chalicelib.errors import QueryNeedsIndexError
from chalicelib.metadata.model import ObjectDef

Record = dict[str, Any]


def typed_filter(obj: ObjectDef, raw: Filter | None) -> Filter | None:
    """A raw filter checked against the model (400 on a bad path, operator or value)."""
    return validate_filter(obj, raw) if raw is not None else None


def matching_records(
    store: RecordStore, workspace_id: str, obj: ObjectDef, typed: Filter | None, cap: int
) -> Iterator[Record]:
    """The presented records `typed` selects, each once, in no particular order."""
    spec = ListSpec(obj, 0, None, None, typed, (ID_TIEBREAKER,))
    plan = plan_index(obj, typed, spec.sort) if typed is not None else None
    if plan is not None:
        return _walk_index(store, workspace_id, spec, plan, cap)
    include_deleted = filter_mentions(typed, "deletedAt")
    stored, complete = store.scan(
        workspace_id, obj.id, include_deleted=include_deleted, max_items=cap
    )
    if not complete:
        raise QueryNeedsIndexError(_needs_index_message(spec, cap))
    keep = compile_filter(typed, obj)
    return (r for r in present_stored(obj, stored) if keep(r))


def _walk_index(
    store: RecordStore, workspace_id: str, spec: ListSpec, plan: Any, cap: int
) -> Iterator[Record]:
    walker = _Walker(store, workspace_id, spec, plan)
    for read, record in enumerate(walker.walk((0, None), plan.forward, 100), start=1):
        if read > cap:
            raise QueryNeedsIndexError(_needs_index_message(spec, cap))
        yield record
