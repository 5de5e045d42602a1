"""ONE_TO_MANY relations of many parents at once: a page per parent, by the cheaper read.

GraphQL asks `companies { edges { node { people(first: 5, filter: ...) { ... } } } }`. With a
ready index on the join column, the live-record counters of people and companies (one round)
say which read costs fewer read units (core/read_choice.py):

- one read of the whole target object (≤ the scan cap), grouped by join column, then each
  company's people filtered, sorted and paged by the in-memory engine (a small target);
- else the join column's index (core/child_pages.py): in the default (id) order, either
  direction, no filter, each company's page alone (a keys-only Query per company, its keys
  giving the page and the totalCount, then one BatchGetItem round of the pages), so the items
  read follow the records returned; any
  other order or filter, every person of the page's companies through the same index (≤ the
  scan cap), then the in-memory engine.

No ready index on the join column, or a filter on `deletedAt` (soft-deleted records are in no
index): the bounded read of the whole target. Either way the sequential round trips do not grow
with the number of parents.
"""

from __future__ import annotations

from typing import cast

from chalicelib.core.child_pages import JoinIndex, PageAsk, all_children, child_pages, join_index
from chalicelib.core.commands import Page
from chalicelib.core.listing import ListSpec, Window, list_in_memory, prepare, within_budget
from chalicelib.core.many_commands import ListChildren
from chalicelib.core.offsets import skip, widened_limit
from chalicelib.core.ports import RecordStore, StoredRecord
from chalicelib.core.preloaded import PreloadedRecords
from chalicelib.core.presentation import Columns, restricted
from chalicelib.core.query_validation import filter_mentions
from chalicelib.core.read_choice import live_counts, read_whole
from chalicelib.core.relations import bounded_children, inverse_of
from chalicelib.metadata.model import RelationType

_EMPTY = Page.of([], 0, False, False)


def list_children(
    store: RecordStore, workspace_id: str, query: ListChildren, cap: int, key_cap: int
) -> dict[str, Page]:
    """A page of related records for each parent id of `query`; `cap` bounds the records read
    in memory, `key_cap` the index keys a parent's totalCount reads."""
    field = query.object.by_name.get(query.field_name)
    relation = field.relation if field is not None else None
    inverse = None
    if field is not None and relation is not None and relation.type is RelationType.ONE_TO_MANY:
        inverse = inverse_of(query.model, field)
    if inverse is None or not query.parent_ids:
        return {parent: _EMPTY for parent in query.parent_ids}
    target, column = inverse
    limit = widened_limit(query.limit, query.offset, cap)
    spec = prepare(target, limit, query.after, query.before, query.filter, query.order_by)
    parents = list(dict.fromkeys(query.parent_ids))
    include_deleted = filter_mentions(spec.filter, "deletedAt")
    index = None if include_deleted else join_index(target, column)
    if index is None:
        stored = bounded_children(
            store, workspace_id, target, column, cap, include_deleted=include_deleted
        )
        groups = _grouped(stored, column)
        windows = _in_memory_all(store, workspace_id, groups, parents, spec, cap, query.columns)
    else:
        windows = _cheaper(store, workspace_id, query, index, parents, spec, cap, key_cap)
    backward = spec.before is not None
    pages = {}
    for parent in parents:
        window = skip(windows[parent], query.offset, backward=backward)
        # Each parent's page is cut to what the response still carries, parent by parent.
        window = within_budget(window, backward=backward)
        pages[parent] = Page.of(window.records, window.total, window.has_next, window.has_previous)
    return pages


def _cheaper(
    store: RecordStore,
    workspace_id: str,
    query: ListChildren,
    index: JoinIndex,
    parents: list[str],
    spec: ListSpec,
    cap: int,
    key_cap: int,
) -> dict[str, Window]:
    """Each parent's window through the index or from one read of the whole target, whichever
    the live-record counters (one round, core/read_choice.py) say costs fewer read units."""
    target, columns = index.target, query.columns
    paged = spec.filter is None and spec.sort[0].path == ("id",)
    counts = live_counts(store, workspace_id, [target.id, query.object.id])
    child_live, parent_live = counts[target.id], counts[query.object.id]
    # Paged per parent, the walk reads a page each; else every child of the page's parents.
    page = spec.limit if paged else cap
    if read_whole(len(parents), page, child_live, parent_live, cap):
        stored, complete = [], True  # the counter is exact: no live child, nothing to read
        if child_live:
            stored, complete = store.scan(
                workspace_id, target.id, include_deleted=False, max_items=cap
            )
        if complete:  # else the counter fell behind a concurrent write: walk the index
            groups = _grouped(stored, index.column)
            return _in_memory_all(store, workspace_id, groups, parents, spec, cap, columns)
    if paged:
        return _paged(store, workspace_id, index, parents, spec, key_cap, child_live, columns)
    groups = all_children(store, workspace_id, index, parents, cap)
    return _in_memory_all(store, workspace_id, groups, parents, spec, cap, columns)


def _paged(
    store: RecordStore,
    workspace_id: str,
    index: JoinIndex,
    parents: list[str],
    spec: ListSpec,
    key_cap: int,
    child_live: int,
    columns: Columns | None,
) -> dict[str, Window]:
    ask = PageAsk(
        spec.limit,
        ascending=not spec.sort[0].direction.descending,
        after=spec.after,
        before=spec.before,
        count=True,
        columns=columns,
    )
    wanted = [(index, parent) for parent in parents]
    windows = child_pages(
        store, workspace_id, wanted, ask, key_cap, live={index.target.id: child_live}
    )
    return dict(zip(parents, windows, strict=True))


def _grouped(stored: list[StoredRecord], column: str) -> dict[str, list[StoredRecord]]:
    groups: dict[str, list[StoredRecord]] = {}
    for record in stored:
        groups.setdefault(record.body.get(column) or "", []).append(record)
    return groups


def _in_memory_all(
    store: RecordStore,
    workspace_id: str,
    groups: dict[str, list[StoredRecord]],
    parents: list[str],
    spec: ListSpec,
    cap: int,
    columns: Columns | None,
) -> dict[str, Window]:
    """Every parent's window by the in-memory engine (`columns` of its records kept); a cursor
    outside a parent's children is placed through the store once for all parents."""
    located = cast(RecordStore, _LocatedOnce(store))  # PreloadedRecords only locates
    windows = {}
    for parent in parents:
        window = _in_memory(located, workspace_id, groups.get(parent, []), spec, cap)
        records = restricted(window.records, columns)
        windows[parent] = Window(records, window.total, window.has_next, window.has_previous)
    return windows


class _LocatedOnce:
    """The store, remembering the records it placed cursors by: each parent's in-memory page
    places the same cursor, which would otherwise cost one sequential GetItem per parent."""

    def __init__(self, store: RecordStore) -> None:
        self._store = store
        self._seen: dict[tuple[str, str], StoredRecord | None] = {}

    def locate(self, workspace_id: str, object_id: str, record_id: str) -> StoredRecord | None:
        key = (object_id, record_id)
        if key not in self._seen:
            self._seen[key] = self._store.locate(workspace_id, object_id, record_id)
        return self._seen[key]


def _in_memory(
    store: RecordStore, workspace_id: str, group: list[StoredRecord], spec: ListSpec, cap: int
) -> Window:
    """One parent's page by the in-memory engine, over the children already read."""
    view = PreloadedRecords(store, group)
    return list_in_memory(view, workspace_id, spec, cap)  # type: ignore[arg-type]
