"""Sorted key lists per partition of a table and of each of its indexes.

moto answers a Query by sorting every item of the partition (for an index, of the whole table)
and testing the key condition on each. This index keeps, for the table and for every GSI/LSI,
each partition's entries sorted exactly as moto sorts its candidates (moto's own
`_generate_attr_to_sort_by` order: index hash, index range, table hash, table range, compared
by their cast values), so a Query can bisect to the key range its condition and its
ExclusiveStartKey allow and hand moto only those items.

It is built lazily, the first time a table is queried, and kept current by `refresh(table,
hash, range)` after every write of that key (put, update, delete, batch, transaction,
rollback). Code that changes `table.items` directly must call `forget(table)` afterwards.
An item the index cannot order (a key attribute of a type that does not sort with the
others) marks that view unusable; Queries on it then take moto's own path.
"""

from __future__ import annotations

import bisect
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import GlobalSecondaryIndex, SecondaryIndex, Table

from local_stack.journal import stored_item

SortKey = tuple[Any, ...]
Entry = tuple[SortKey, DynamoType, DynamoType | None]  # (sort key, table hash, table range)


@dataclass
class View:
    """The table itself (name None) or one secondary index, as moto sorts and selects it."""

    name: str | None
    hash_attrs: list[str]
    range_attrs: list[str]  # the index's own range attributes (the table's for the base view)
    sort_attrs: list[str]  # moto's full sort order
    partitions: dict[Any, list[Entry]] = field(default_factory=dict)
    usable: bool = True

    @property
    def range_position(self) -> int:
        """Where the (single) range attribute sits in a sort key."""
        return len(self.hash_attrs)

    def entry_of(self, item: Item) -> tuple[Any, SortKey] | None:
        """(partition, sort key) of an item, None if the item is not in this view."""
        attrs = item.attrs
        if any(name not in attrs for name in self.hash_attrs + self.range_attrs):
            return None
        partition = attrs[self.hash_attrs[0]] if self.name else item.hash_key
        return partition, tuple(attrs[name].cast_value for name in self.sort_attrs)

    def add(self, partition: Any, entry: Entry) -> None:
        try:
            bisect.insort(self.partitions.setdefault(partition, []), entry)
        except TypeError:  # values of different types in one key attribute
            self.usable = False

    def remove(self, partition: Any, sort_key: SortKey) -> None:
        entries = self.partitions.get(partition)
        if not entries:
            return
        try:
            at = bisect.bisect_left(entries, (sort_key,))
        except TypeError:
            self.usable = False
            return
        if at < len(entries) and entries[at][0] == sort_key:
            del entries[at]
            if not entries:
                del self.partitions[partition]


def _views(table: Table) -> list[View]:
    base = View(
        None,
        [table.hash_key_attr],
        [table.range_key_attr] if table.range_key_attr else [],
        table._generate_attr_to_sort_by([table.hash_key_attr], [table.range_key_attr]),
    )
    return [base] + [_index_view(table, index) for index in table.all_indexes()]


def _index_view(table: Table, index: SecondaryIndex) -> View:
    hash_attrs = [k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH"]
    range_attrs = [k["AttributeName"] for k in index.schema if k["KeyType"] == "RANGE"]
    # What moto's Table.query uses as the sort order of this index's candidates.
    if range_attrs:
        moto_range: list[str | None] = [*range_attrs, table.range_key_attr]
    elif isinstance(index, GlobalSecondaryIndex) and table.range_key_attr:
        moto_range = [table.range_key_attr, table.range_key_attr]
    else:
        moto_range = [table.hash_key_attr, table.range_key_attr]
    sort_attrs = table._generate_attr_to_sort_by([*hash_attrs, table.hash_key_attr], moto_range)
    view = View(index.name, hash_attrs, range_attrs, sort_attrs)
    # Composite (multi-attribute) keys keep moto's own path.
    view.usable = len(hash_attrs) == 1 and len(range_attrs) <= 1
    return view


def _shape(table: Table) -> tuple[Any, ...]:
    """What the views depend on: a changed index list means a rebuild."""
    return tuple(
        (index.name, tuple((k["AttributeName"], k["KeyType"]) for k in index.schema))
        for index in table.all_indexes()
    )


class TableIndex:
    def __init__(self, table: Table) -> None:
        self.shape = _shape(table)
        self.views = {view.name: view for view in _views(table)}
        # (hash, range) -> [(view, partition, sort key)] where the item is listed now.
        self.positions: dict[tuple[DynamoType, DynamoType | None], list[tuple[View, Any, SortKey]]]
        self.positions = {}
        for item in _every_item(table):
            self._list(item)
        for view in self.views.values():
            for entries in view.partitions.values():
                try:
                    entries.sort()
                except TypeError:
                    view.usable = False

    def _list(self, item: Item, *, sorted_insert: bool = False) -> None:
        places = []
        for view in self.views.values():
            try:
                found = view.entry_of(item)
            except TypeError:  # an unhashable or unorderable key value
                view.usable = False
                continue
            if found is None:
                continue
            partition, sort_key = found
            entry = (sort_key, item.hash_key, item.range_key)
            if sorted_insert:
                view.add(partition, entry)
            else:
                view.partitions.setdefault(partition, []).append(entry)
            places.append((view, partition, sort_key))
        self.positions[(item.hash_key, item.range_key)] = places

    def refresh(self, table: Table, hash_key: DynamoType, range_key: DynamoType | None) -> None:
        for view, partition, sort_key in self.positions.pop((hash_key, range_key), ()):
            view.remove(partition, sort_key)
        item = stored_item(table, hash_key, range_key)
        if item is not None:
            self._list(item, sorted_insert=True)


def _every_item(table: Table) -> Iterator[Item]:
    for value in table.items.values():
        if isinstance(value, Item):
            yield value
        else:
            yield from value.values()


_INDEXES: weakref.WeakKeyDictionary[Table, TableIndex] = weakref.WeakKeyDictionary()


def index_of(table: Table) -> TableIndex:
    """The table's index, built now if it is missing or the table's indexes changed."""
    index = _INDEXES.get(table)
    if index is None or index.shape != _shape(table):
        index = _INDEXES[table] = TableIndex(table)
    return index


def refresh(table: Table, hash_key: DynamoType, range_key: DynamoType | None) -> None:
    """Re-list one key after a write (a no-op until the table's index is first built)."""
    index = _INDEXES.get(table)
    if index is not None:
        index.refresh(table, hash_key, range_key)


def forget(table: Table) -> None:
    """Drop a table's index (rebuilt at its next Query): after changing `table.items` directly."""
    _INDEXES.pop(table, None)
