"""Queries that cost what they return: moto is handed only the items its answer can hold.

`Table.query` is wrapped: before moto runs, the key index (local_stack/key_index.py) gives the
items of the queried partition whose sort key satisfies the key condition, in the Query's
direction, starting after the ExclusiveStartKey, at most Limit of them, plus the item that
follows them in the partition (moto decides whether to answer a LastEvaluatedKey by looking at
it). While moto runs, `Table.all_items` returns that list instead of every item sorted. moto
still sorts, tests the key condition, skips to the start key, applies the limit, the 1 MB cap,
the filter and the projection itself, so its answer is unchanged; only the number of items it
looks at is. (One corner differs: moto also counts items beyond the key range, which DynamoDB
never reads, towards its 1 MB cap; only the first of them is handed over, so a page that ends
within 1 MB of the cap may get moto's LastEvaluatedKey where a larger item followed it.)

One difference is deliberate: a KEYS_ONLY index's items are handed over as the index holds them,
keys only, so that moto's 1 MB cap counts the index entries DynamoDB's counts, not the records
they point to (moto would stop a page of 250-byte keys at a tenth of DynamoDB's page).

Anything this cannot narrow exactly (composite keys, a legacy QueryFilter, a start key lacking a
key attribute, values that do not sort together) takes moto's own path.
"""

from __future__ import annotations

import bisect
import functools
import threading
from collections.abc import Callable
from typing import Any

from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table

from local_stack.journal import stored_item
from local_stack.key_index import Entry, View, index_of

_MAX_CHAR = 0x10FFFF


class _Scope(threading.local):
    def __init__(self) -> None:
        self.table: Table | None = None
        self.items: list[Item] = []


_SCOPE = _Scope()


class Counters:
    """How many items the narrowed Queries handed to moto (tests assert on it)."""

    queries = 0
    candidates = 0


def _position(view: View) -> Callable[[Entry], Any]:
    where = view.range_position
    return lambda entry: entry[0][where]


def _bounds(
    entries: list[Entry], view: View, comparison: str, values: list[Any]
) -> tuple[int, int]:
    """The slice of `entries` whose range value can satisfy the key condition."""
    key = _position(view)
    low, high = 0, len(entries)
    first = values[0] if values else None
    if comparison in ("=", "EQ"):
        low = bisect.bisect_left(entries, first, key=key)
        return low, bisect.bisect_right(entries, first, key=key)
    if comparison in ("<", "LT"):
        return low, bisect.bisect_left(entries, first, key=key)
    if comparison in ("<=", "LE"):
        return low, bisect.bisect_right(entries, first, key=key)
    if comparison in (">", "GT"):
        return bisect.bisect_right(entries, first, key=key), high
    if comparison in (">=", "GE"):
        return bisect.bisect_left(entries, first, key=key), high
    if comparison == "BETWEEN":
        low = bisect.bisect_left(entries, first, key=key)
        return low, max(low, bisect.bisect_right(entries, values[1], key=key))
    if comparison == "BEGINS_WITH" and isinstance(first, str) and first:
        low = bisect.bisect_left(entries, first, key=key)
        last = ord(first[-1])
        if last < _MAX_CHAR:  # every string with the prefix sorts below its successor
            return low, bisect.bisect_left(entries, first[:-1] + chr(last + 1), key=key)
        return low, high
    return low, high  # moto's compare below keeps exactly the matching ones


def _start_key(view: View, start: dict[str, Any] | None) -> tuple[Any, ...] | None:
    if start is None:
        return None
    return tuple(DynamoType(start[name]).cast_value for name in view.sort_attrs)


def candidates(
    table: Table,
    view: View,
    hash_key: DynamoType,
    comparison: str | None,
    values: list[DynamoType],
    start: dict[str, Any] | None,
    forward: bool,
    limit: int | None,
) -> list[Item]:
    """The items moto may need, in the Query's order."""
    entries = view.partitions.get(hash_key, [])
    casts = [value.cast_value for value in values]
    low, high = _bounds(entries, view, comparison, casts) if comparison else (0, len(entries))
    start_key = _start_key(view, start)
    if start_key is not None:
        # moto skips every item that sorts at or before the start key (after it, going back).
        if forward:
            low = max(low, bisect.bisect_right(entries, start_key, key=lambda e: e[0]))
        else:
            high = min(high, bisect.bisect_left(entries, start_key, key=lambda e: e[0]))
    found: list[Item] = []
    step = 1 if forward else -1
    at, end = (low, max(low, high)) if forward else (high - 1, min(low, high) - 1)
    range_name = view.sort_attrs[view.range_position] if comparison else None
    while at != end and (limit is None or len(found) < limit):
        item = _item(table, entries[at])
        at += step
        if item is None:
            continue
        if range_name is not None and not item.attrs[range_name].compare(comparison, values):
            continue
        found.append(item)
    # moto tests the limit (and its 1 MB cap) before the key condition, on whatever item comes
    # next in the partition: it answers a LastEvaluatedKey when any item follows a full page,
    # even one outside the key range. That next item is handed over too.
    if 0 <= at < len(entries):
        following = _item(table, entries[at])
        if following is not None:
            found.append(following)
    return found


def _index_items(table: Table, index_name: str, items: list[Item]) -> list[Item]:
    """A KEYS_ONLY index's items as the index holds them: keys only. DynamoDB's 1 MB cap on a
    Query counts the index items it reads, and moto would size the table's whole items (a
    2.4 KB record for a 250-byte index entry, so a page of keys would stop at a tenth of what
    DynamoDB answers)."""
    index = table.get_index(index_name)
    if (index.projection or {}).get("ProjectionType") != "KEYS_ONLY":
        return items
    return [index.project(item) for item in items]


def _item(table: Table, entry: Entry) -> Item | None:
    _, table_hash, table_range = entry
    return stored_item(table, table_hash, table_range)


def _plan(
    table: Table,
    hash_key: DynamoType | None,
    range_comparison: str | None,
    range_objs: list[DynamoType],
    limit: int | None,
    exclusive_start_key: dict[str, Any] | None,
    scan_index_forward: bool,
    index_name: str | None,
    hash_key_conditions: list[Any] | None,
    range_key_conditions: list[Any] | None,
    filter_kwargs: dict[str, Any],
) -> list[Item] | None:
    if (
        hash_key is None
        or filter_kwargs  # a legacy QueryFilter: matches, not items, count towards the Limit
        or len(hash_key_conditions or ()) > 1
        or len(range_key_conditions or ()) > 1
    ):
        return None
    index = index_of(table)
    view = index.views.get(index_name)
    if view is None or not view.usable or (range_comparison and not view.range_attrs):
        return None
    if exclusive_start_key is not None and any(
        name not in exclusive_start_key for name in view.sort_attrs
    ):
        return None
    try:
        return candidates(
            table,
            view,
            hash_key,
            range_comparison,
            range_objs,
            exclusive_start_key,
            scan_index_forward is not False,
            limit or None,
        )
    except (TypeError, KeyError):  # values that do not compare: moto decides
        return None


def narrowed_query(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def query(
        self: Table,
        hash_key: DynamoType | None,
        range_comparison: str | None,
        range_objs: list[DynamoType],
        limit: int | None,
        exclusive_start_key: dict[str, Any] | None,
        scan_index_forward: bool,
        projection_expressions: Any,
        index_name: str | None = None,
        consistent_read: bool = False,
        filter_expression: Any = None,
        hash_key_conditions: list[Any] | None = None,
        range_key_conditions: list[Any] | None = None,
        **filter_kwargs: Any,
    ) -> Any:
        found = _plan(
            self,
            hash_key,
            range_comparison,
            range_objs,
            limit,
            exclusive_start_key,
            scan_index_forward,
            index_name,
            hash_key_conditions,
            range_key_conditions,
            filter_kwargs,
        )
        if found is not None and index_name:
            found = _index_items(self, index_name, found)
        previous = (_SCOPE.table, _SCOPE.items)
        if found is not None:
            _SCOPE.table, _SCOPE.items = self, found
            Counters.queries += 1
            Counters.candidates += len(found)
        try:
            return original(
                self,
                hash_key,
                range_comparison,
                range_objs,
                limit,
                exclusive_start_key,
                scan_index_forward,
                projection_expressions,
                index_name,
                consistent_read,
                filter_expression,
                hash_key_conditions=hash_key_conditions,
                range_key_conditions=range_key_conditions,
                **filter_kwargs,
            )
        finally:
            _SCOPE.table, _SCOPE.items = previous

    return query


def scoped_all_items(original: Callable[[Table], list[Item]]) -> Callable[[Table], list[Item]]:
    @functools.wraps(original)
    def all_items(self: Table) -> list[Item]:
        if _SCOPE.table is self:
            # moto sorts and filters this list itself; hand it a copy to do so.
            return list(_SCOPE.items)
        return original(self)

    return all_items


class CopyOutsideQueries:
    """Stands in for the `copy` module inside moto's table model (wrapping whatever stood
    there): a narrowed Query's results are not deep-copied. They are only read (projected,
    filtered, serialised) while the lock is held, and the copy cost as much as the rest."""

    def __init__(self, previous: Any) -> None:
        self._previous = previous
        self.copy = previous.copy

    def deepcopy(self, obj: Any, memo: dict[int, Any] | None = None) -> Any:
        if _SCOPE.table is not None and isinstance(obj, list):
            return list(obj)
        return self._previous.deepcopy(obj, memo)
