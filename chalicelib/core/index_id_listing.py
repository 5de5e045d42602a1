"""A range filter on an indexed path, in the default (id) order, served through the index.

The index holds the matching range in value order, not id order, so the key range is read
whole, keys only (a few thousand keys per DynamoDB page, at most `key_cap` in all), the record
ids are sorted, and the page is cut from them: only the records of the page (and its
look-ahead) are read, with BatchGetItem, and checked against the whole filter. The ids read
also give an exact totalCount when the range alone decides the filter; otherwise the other
matches are read to count them (bounded by the scan cap, as any in-memory count).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator
from typing import Any

from chalicelib.core import deadline
from chalicelib.core.evaluation import compile_filter
from chalicelib.core.index_planner import IndexPlan
from chalicelib.core.iteration import take
from chalicelib.core.listing import ListSpec, Window
from chalicelib.core.ports import RecordStore, StoredRecord
from chalicelib.core.presentation import present_record
from chalicelib.errors import InvalidQueryParamError, QueryNeedsIndexError
from chalicelib.storage import keys

Record = dict[str, Any]
_KEYS_PER_QUERY = 2000  # keys-only entries asked per Query (DynamoDB stops at 1 MB anyway)
_READ_CHUNK = 100  # BatchGetItem's limit


class _IdOrder:
    def __init__(self, store: RecordStore, workspace_id: str, spec: ListSpec, plan: IndexPlan):
        self.store, self.ws, self.spec, self.plan = store, workspace_id, spec, plan
        self.keep = compile_filter(spec.filter, spec.obj)

    def ids(self, key_cap: int) -> list[str]:
        """Every record id in the plan's key ranges, ascending (keys only)."""
        found: list[str] = []
        for segment in self.plan.segments:
            key_range = keys.index_key_range(
                nulls=segment.nulls, lower=segment.lower, upper=segment.upper, prefix=segment.prefix
            )
            resume = None
            while True:
                deadline.check()  # up to the key cap: about a dozen 1 MB pages of keys
                entries, resume = self.store.index_page(
                    self.ws, self.spec.obj.id, self.plan.slot, key_range,
                    forward=True, start_after=resume, limit=_KEYS_PER_QUERY,
                )  # fmt: skip
                found += [record_id for _, record_id in entries]
                if len(found) > key_cap:
                    raise QueryNeedsIndexError(
                        f"This filter matches more than {key_cap} {self.spec.obj.name_plural} "
                        "records; narrow it or sort by the filtered field"
                    )
                if resume is None:
                    break
        return sorted(set(found))

    def matching(self, candidate_ids: Iterable[str], wanted: int = _READ_CHUNK) -> Iterator[Record]:
        """The records among `candidate_ids` (in that order) that match. The first read asks
        for `wanted` records (a page needs no more when all match); later ones double, up to
        BatchGetItem's 100."""
        chunk: list[str] = []
        size = min(max(wanted, 1), _READ_CHUNK)
        for record_id in candidate_ids:
            chunk.append(record_id)
            if len(chunk) == size:
                yield from self._read(chunk)
                chunk, size = [], min(size * 2, _READ_CHUNK)
        if chunk:
            yield from self._read(chunk)

    def _read(self, chunk: list[str]) -> Iterator[Record]:
        deadline.check()  # counting a filter the range does not decide reads every match
        found = self.store.get_many(self.ws, self.spec.obj.id, chunk)
        for record_id in chunk:
            record = found.get(record_id)
            if record is not None and self.matches(record):
                yield present_record(self.spec.obj, record.shaped())

    def matches(self, record: StoredRecord) -> bool:
        if record.deleted_at is not None or record.destroyed:
            return False
        return bool(self.keep(present_record(self.spec.obj, record.shaped())))


def list_by_index_in_id_order(
    store: RecordStore,
    workspace_id: str,
    spec: ListSpec,
    plan: IndexPlan,
    *,
    key_cap: int,
    scan_cap: int,
) -> Window:
    """One page, in id order, of the records a range filter on an indexed path selects."""
    order = _IdOrder(store, workspace_id, spec, plan)
    ids = order.ids(key_cap)
    cursor_id = spec.before if spec.before is not None else spec.after
    cursor = None
    if cursor_id is not None:
        cursor = store.locate(workspace_id, spec.obj.id, cursor_id)
        if cursor is None:
            name = "ending_before" if spec.before is not None else "starting_after"
            raise InvalidQueryParamError(
                f"'{name}' cursor '{cursor_id}' is not a record of this object"
            )
    total = len(ids) if plan.exact else _count(order, ids, scan_cap)
    batch = spec.limit + 1
    if spec.before is not None and cursor is not None:
        split = bisect.bisect_left(ids, cursor.id)
        found = take(order.matching(reversed(ids[:split]), batch), batch)
        beyond = ids[split + 1 :] if split < len(ids) and ids[split] == cursor.id else ids[split:]
        has_next = order.matches(cursor) or bool(take(order.matching(beyond, 1), 1))
        page = list(reversed(found[: spec.limit]))
        return Window(page, total, has_next, len(found) > spec.limit)
    start = bisect.bisect_right(ids, cursor.id) if cursor is not None else 0
    found = take(order.matching(ids[start:], batch), batch)
    has_previous = cursor is not None and (
        order.matches(cursor)
        or bool(take(order.matching(reversed(ids[: bisect.bisect_left(ids, cursor.id)]), 1), 1))
    )
    return Window(found[: spec.limit], total, len(found) > spec.limit, has_previous)


def _count(order: _IdOrder, ids: list[str], scan_cap: int) -> int:
    """Every match of a filter the range does not decide alone, read to be counted."""
    if len(ids) > scan_cap:
        raise QueryNeedsIndexError(
            f"totalCount would read more than {scan_cap} {order.spec.obj.name_plural} records"
        )
    return sum(1 for _ in order.matching(ids))
