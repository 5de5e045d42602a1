"""Filtered and sorted record lists: Twenty's semantics, full pages, exact counts and cursors.

A list ordered by id with no filter is served by the record partition itself (one Query, the
live-record counter for totalCount). Any other list reads the object's records once, bounded by
the scan cap, and filters, sorts and pages them in memory with the one evaluator
(`core/evaluation.py`): pages are always full, counts exact, and past the cap the client is
told which field to index instead of waiting for a timeout.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib.core.budget import fit_page
from chalicelib.core.evaluation import compile_filter, compile_sort_key
from chalicelib.core.filters import Condition, Filter, SortKey
from chalicelib.core.ports import RecordStore
from chalicelib.core.presentation import present_record, present_stored
from chalicelib.core.query_validation import (
    ID_TIEBREAKER,
    filter_mentions,
    validate_filter,
    validate_sort,
)
from chalicelib.errors import InvalidQueryParamError, QueryNeedsIndexError
from chalicelib.metadata.model import ObjectDef

Record = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Window:
    """One page of an ordered result, with exact neighbours and the total."""

    records: list[Record]
    total: int
    has_next: bool
    has_previous: bool


@dataclass(frozen=True, slots=True)
class ListSpec:
    obj: ObjectDef
    limit: int
    after: str | None
    before: str | None
    filter: Filter | None
    sort: tuple[SortKey, ...]


def prepare(
    obj: ObjectDef,
    limit: int,
    after: str | None,
    before: str | None,
    raw_filter: Filter | None,
    raw_sort: tuple[SortKey, ...],
) -> ListSpec:
    """Validate the filter and sort against the model (id is always the final sort key)."""
    typed = validate_filter(obj, raw_filter) if raw_filter is not None else None
    return ListSpec(obj, limit, after, before, typed, validate_sort(obj, raw_sort))


def within_budget(window: Window, *, backward: bool) -> Window:
    """`window` cut to the records the response budget still pays for (`core/budget.py`): the
    side that lost records says there are more, and its cursor (the last record kept, or the
    first one paging backwards) makes the next page start with the first record left out."""
    kept = fit_page(window.records, from_end=backward)
    if len(kept) == len(window.records):
        return window
    if backward:
        return Window(kept, window.total, window.has_next, True)
    return Window(kept, window.total, True, window.has_previous)


def is_plain(spec: ListSpec) -> bool:
    """No filter and the default order: the record partition serves it directly."""
    return spec.filter is None and spec.sort == (ID_TIEBREAKER,)


def list_in_memory(store: RecordStore, workspace_id: str, spec: ListSpec, cap: int) -> Window:
    """Read the object's records once (≤ cap items), then filter, sort and cut the page."""
    obj = spec.obj
    include_deleted = filter_mentions(spec.filter, "deletedAt")
    stored, complete = store.scan(
        workspace_id, obj.id, include_deleted=include_deleted, max_items=cap
    )
    if not complete:
        raise QueryNeedsIndexError(_needs_index_message(spec, cap))
    keep = compile_filter(spec.filter, obj)
    key = compile_sort_key(spec.sort, obj)
    matching = sorted(
        (r for r in present_stored(obj, stored) if keep(r)),
        key=key,
    )
    keys = [key(record) for record in matching]
    if spec.before is not None:
        end = _position(store, workspace_id, spec, spec.before, matching, keys, key, left=True)
        start = max(0, end - spec.limit)
        return Window(matching[start:end], len(matching), end < len(matching), start > 0)
    start = 0
    if spec.after is not None:
        start = _position(store, workspace_id, spec, spec.after, matching, keys, key, left=False)
    end = start + spec.limit
    return Window(matching[start:end], len(matching), end < len(matching), start > 0)


def _position(
    store: RecordStore,
    workspace_id: str,
    spec: ListSpec,
    cursor: str,
    matching: list[Record],
    keys: list[tuple[Any, ...]],
    key: Callable[[Mapping[str, Any]], tuple[Any, ...]],
    *,
    left: bool,
) -> int:
    """Index just after (or before) the cursor record in this order, even if it has since been
    deleted, changed or stopped matching: its position comes from its current or last values."""
    for index, record in enumerate(matching):
        if record["id"] == cursor:
            return index if left else index + 1
    located = store.locate(workspace_id, spec.obj.id, cursor)
    if located is None:
        name = "ending_before" if left else "starting_after"
        raise InvalidQueryParamError(f"'{name}' cursor '{cursor}' is not a record of this object")
    cursor_key = key(present_record(spec.obj, located.shaped()))
    return bisect.bisect_left(keys, cursor_key) if left else bisect.bisect_right(keys, cursor_key)


def _needs_index_message(spec: ListSpec, cap: int) -> str:
    paths = [".".join(k.path) for k in spec.sort if k.path != ("id",)]
    paths += _filter_paths(spec.filter)
    indexed = {index.path for index in spec.obj.indexes if index.ready}
    unindexed = [p for p in dict.fromkeys(paths) if p not in indexed]
    prefix = f"This query would read more than {cap} {spec.obj.name_plural} records; "
    if unindexed:
        fields = ", ".join(f"'{p}'" for p in unindexed)
        return prefix + f"index {fields} (admin 'index add') or narrow the filter"
    # Every path is indexed, but not in a shape an index serves (e.g. a range filter with the
    # default order): say what does work instead of advising an index that already exists.
    usable = ", ".join(f"'{p}'" for p in dict.fromkeys(paths) if p in indexed) or "an indexed field"
    return prefix + (
        f"sort by {usable} (indexed) with one order_by key, filter it with eq, or narrow the filter"
    )


def _filter_paths(node: Filter | None) -> list[str]:
    if node is None:
        return []
    if isinstance(node, Condition):
        return [".".join(node.path)]
    children = (node.child,) if hasattr(node, "child") else node.children
    return [path for child in children for path in _filter_paths(child)]
