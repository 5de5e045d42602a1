"""Serve a list from an index (core/index_planner.py): pages cost O(page), not O(table).

The index is walked in order; each page of entries is completed by one BatchGetItem of the
records, which are then checked against the whole filter (the key range only narrows), so a page
is always full and always right. Cursors place the walk with the cursor record's index key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from chalicelib.core import deadline
from chalicelib.core.evaluation import compile_filter
from chalicelib.core.index_planner import IndexPlan, Segment
from chalicelib.core.indexing import compile_index_entries
from chalicelib.core.iteration import take
from chalicelib.core.listing import ListSpec, Window
from chalicelib.core.ports import RecordStore, StoredRecord
from chalicelib.core.presentation import present_record
from chalicelib.errors import InvalidQueryParamError, QueryNeedsIndexError
from chalicelib.storage import keys

Record = dict[str, Any]
Position = tuple[int, tuple[str, str] | None]  # (segment index, exclusive start key)


class _Walker:
    """Matching records of one list, in index order, from a position, in either direction."""

    def __init__(self, store: RecordStore, workspace_id: str, spec: ListSpec, plan: IndexPlan):
        self.store, self.ws, self.spec, self.plan = store, workspace_id, spec, plan
        self.keep = compile_filter(spec.filter, spec.obj)
        self.entries = compile_index_entries(spec.obj)

    def ranges(self, forward: bool) -> list[tuple[str, tuple[str, ...]]]:
        segments = self.plan.segments if forward == self.plan.forward else self.plan.segments[::-1]
        return [_key_range(segment) for segment in segments]

    def walk(self, start: Position, forward: bool, batch: int) -> Iterator[Record]:
        ranges = self.ranges(forward)
        segment_index, resume = start
        for index in range(segment_index, len(ranges)):
            key_range = ranges[index]
            resume = resume if index == segment_index else None
            while True:
                deadline.check()  # a walk reads pages until the filter has filled the page
                entries, resume = self.store.index_page(
                    self.ws,
                    self.spec.obj.id,
                    self.plan.slot,
                    key_range,
                    forward=forward,
                    start_after=resume,
                    limit=batch,
                )
                found = self.store.get_many(self.ws, self.spec.obj.id, [r for _, r in entries])
                for _, record_id in entries:
                    record = found.get(record_id)
                    if record is not None and record.deleted_at is None:
                        presented = present_record(self.spec.obj, record.shaped())
                        if self.keep(presented):
                            yield presented
                if resume is None:
                    break
                batch = min(batch * 2, 100)  # later pages: BatchGetItem's size

    def position_of(self, record: StoredRecord, forward: bool) -> Position:
        """Where a walk in `forward` direction continues after `record` (exclusive)."""
        if self.plan.path != self._sort_path():
            # Default (id) order under an `eq` range: the value is known, the id places it.
            segment = self.plan.segments[0]
            sk = keys.index_value(segment.lower[0] if segment.lower else None)
            return 0, (sk + keys.INDEX_SEPARATOR + record.id, record.id)
        form = next((e.form for e in self.entries(record.body) if e.slot == self.plan.slot), None)
        sk = keys.index_sk(form, record.id)
        # Segments are in output order, not key order (nulls may come last): find the cursor's
        # own segment by null-ness, then its place inside that segment's key range.
        segments = self.plan.segments if forward == self.plan.forward else self.plan.segments[::-1]
        for index, segment in enumerate(segments):
            if segment.nulls != (form is None):
                continue
            placed = _place(sk, _key_range(segment), forward)
            if placed == "inside":
                return index, (sk, record.id)
            return (index, None) if placed == "before" else (index + 1, None)
        # The cursor's kind of value is not part of this list (e.g. a null under `is NOT_NULL`):
        # it sits wholly before or after, depending on where the sort puts nulls.
        nulls_first = self.spec.sort[0].direction.nulls_first
        nulls_lead = nulls_first if forward == self.plan.forward else not nulls_first
        cursor_leads = (form is None) == nulls_lead
        return (0, None) if cursor_leads else (len(segments), None)

    def _sort_path(self) -> tuple[str, ...]:
        first = self.spec.sort[0].path
        return first if first != ("id",) else ()

    def matches(self, record: StoredRecord) -> bool:
        if record.deleted_at is not None or record.destroyed:
            return False
        return bool(self.keep(present_record(self.spec.obj, record.shaped())))


def _key_range(segment: Segment) -> tuple[str, tuple[str, ...]]:
    return keys.index_key_range(
        nulls=segment.nulls, lower=segment.lower, upper=segment.upper, prefix=segment.prefix
    )


def _place(sk: str, key_range: tuple[str, tuple[str, ...]], forward: bool) -> str:
    """Is `sk` before, inside or after a key range, in the walk's direction?"""
    op, values = key_range
    low, high = (values[0], values[0] + "\U0010ffff") if op == "begins_with" else values
    if low <= sk <= high:
        return "inside"
    below = sk < low
    return "before" if below == forward else "after"


def list_by_index(
    store: RecordStore,
    workspace_id: str,
    spec: ListSpec,
    plan: IndexPlan,
    cap: int,
    count_all: Callable[[], int],
    key_cap: int,
) -> Window:
    """`cap` bounds the records read to count; `key_cap` the index keys (keys only, cheaper)."""
    if plan.by_id:
        from chalicelib.core.index_id_listing import list_by_index_in_id_order

        return list_by_index_in_id_order(
            store, workspace_id, spec, plan, key_cap=key_cap, scan_cap=cap
        )
    walker = _Walker(store, workspace_id, spec, plan)
    batch = spec.limit + 1
    cursor_id = spec.before if spec.before is not None else spec.after
    cursor = _locate(store, workspace_id, spec, cursor_id) if cursor_id else None
    total = _total(store, workspace_id, walker, (cap, key_cap), count_all)
    if spec.before is not None and cursor is not None:
        backward = not plan.forward
        found = take(walker.walk(walker.position_of(cursor, backward), backward, batch), batch)
        has_previous = len(found) > spec.limit
        page = list(reversed(found[: spec.limit]))
        has_next = walker.matches(cursor) or bool(
            take(walker.walk(walker.position_of(cursor, plan.forward), plan.forward, 2), 1)
        )
        return Window(page, total, has_next, has_previous)
    start: Position = (0, None) if cursor is None else walker.position_of(cursor, plan.forward)
    found = take(walker.walk(start, plan.forward, batch), batch)
    has_previous = cursor is not None and (
        walker.matches(cursor)
        or bool(
            take(walker.walk(walker.position_of(cursor, not plan.forward), not plan.forward, 2), 1)
        )
    )
    return Window(found[: spec.limit], total, len(found) > spec.limit, has_previous)


def _locate(store: RecordStore, workspace_id: str, spec: ListSpec, record_id: str) -> StoredRecord:
    located = store.locate(workspace_id, spec.obj.id, record_id)
    if located is None:
        name = "ending_before" if spec.before is not None else "starting_after"
        raise InvalidQueryParamError(
            f"'{name}' cursor '{record_id}' is not a record of this object"
        )
    return located


def _total(
    store: RecordStore,
    workspace_id: str,
    walker: _Walker,
    caps: tuple[int, int],
    count_all: Callable[[], int],
) -> int:
    """Exact totalCount: the counter without a filter, index keys for a range-only filter (at
    most the key cap), otherwise every match (at most the scan cap)."""
    spec, plan = walker.spec, walker.plan
    cap, key_cap = caps
    if spec.filter is None:
        return count_all()
    if plan.exact:
        total = 0
        for key_range in walker.ranges(True):
            counted = store.index_count(
                workspace_id, spec.obj.id, plan.slot, key_range, max_items=key_cap
            )
            if counted is None:
                raise QueryNeedsIndexError(
                    f"totalCount would read more than {key_cap} index entries; narrow the filter"
                )
            total += counted
        return total
    total = 0
    for _ in walker.walk((0, None), plan.forward, 100):
        total += 1
        if total > cap:
            raise QueryNeedsIndexError(f"totalCount would read more than {cap} records")
    return total
