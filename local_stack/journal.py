"""An undo journal of the items a write touches, restored if the write fails.

moto rolls a cancelled TransactWriteItems back by deep-copying every table it names before
starting, so each transaction costs as much as all the data stored. Here a write opens a
scope; the first time the scope is about to change an item it saves a copy of that one item
(or the fact that it was absent) and the position of the table's stream. If the write raises
(a cancelled transaction, an item over the size limit, any error halfway), exactly those items
and stream records are put back; listeners (the key index, persistence) hear of every item
restored. Scopes nest: a TransactWriteItems scope holds the scopes of its Put/Update/Delete
actions, and an action that succeeds hands its saved items to the enclosing scope, so a
transaction cancelled by its last condition also undoes the actions already applied.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import StreamShard, Table

ItemKey = tuple[DynamoType, DynamoType | None]
RestoreListener = Callable[[Table, DynamoType, DynamoType | None], None]

_LISTENERS: list[RestoreListener] = []


def on_restore(listener: RestoreListener) -> None:
    """Call `listener(table, hash_key, range_key)` after an item is put back."""
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def stored_item(table: Table, hash_key: DynamoType, range_key: DynamoType | None) -> Item | None:
    """The item under a key, read without creating the empty partition a defaultdict would."""
    if table.range_key_attr is None:
        found = table.items.get(hash_key)
        return found if isinstance(found, Item) else None
    partition = table.items.get(hash_key)
    return None if partition is None else partition.get(range_key)


def _put_back(table: Table, hash_key: DynamoType, range_key: DynamoType | None, item: Any) -> None:
    if table.range_key_attr is None:
        if item is None:
            table.items.pop(hash_key, None)
        else:
            table.items[hash_key] = item
        return
    if item is not None:
        table.items[hash_key][range_key] = item
        return
    partition = table.items.get(hash_key)
    if partition is not None:
        partition.pop(range_key, None)
        if not partition:
            del table.items[hash_key]


@dataclass
class _Frame:
    # (table, hash key, range key) -> the item as it was (a copy), None when absent.
    saved: dict[tuple[int, DynamoType, DynamoType | None], tuple[Table, Item | None]] = field(
        default_factory=dict
    )
    # id(table) -> (its stream shard, the sequence number the next record would have had).
    stream_marks: dict[int, tuple[StreamShard, int]] = field(default_factory=dict)

    def holds(self, key: tuple[int, DynamoType, DynamoType | None]) -> bool:
        return key in self.saved

    def absorb(self, inner: _Frame) -> None:
        for key, before in inner.saved.items():
            self.saved.setdefault(key, before)
        for table_id, mark in inner.stream_marks.items():
            self.stream_marks.setdefault(table_id, mark)

    def restore(self) -> None:
        for (_, hash_key, range_key), (table, item) in reversed(self.saved.items()):
            _put_back(table, hash_key, range_key, item)
            for listener in _LISTENERS:
                listener(table, hash_key, range_key)
        for shard, next_sequence in self.stream_marks.values():
            kept = next_sequence - shard.starting_sequence_number
            del shard.items[max(kept, 0) :]


class _Frames(threading.local):
    def __init__(self) -> None:
        self.stack: list[_Frame] = []


_FRAMES = _Frames()


@contextmanager
def write_scope() -> Iterator[None]:
    """Everything noted inside is put back if the block raises."""
    frame = _Frame()
    stack = _FRAMES.stack
    stack.append(frame)
    try:
        yield
    except BaseException:
        stack.pop()
        frame.restore()
        raise
    stack.pop()
    if stack:
        stack[-1].absorb(frame)


def note(table: Table, hash_key: DynamoType, range_key: DynamoType | None) -> None:
    """Save an item's current state before the write in progress changes it."""
    stack = _FRAMES.stack
    if not stack or (table.range_key_attr is not None and range_key is None):
        return
    key = (id(table), hash_key, range_key)
    if any(frame.holds(key) for frame in stack):
        return
    frame = stack[-1]
    # Items replaced by a put or removed by a delete are left untouched by moto, but an update
    # changes the stored Item in place: a copy is the only safe record of its prior state.
    frame.saved[key] = (table, copy.deepcopy(stored_item(table, hash_key, range_key)))
    shard = table.stream_shard
    if shard is not None and id(table) not in frame.stream_marks:
        mark = shard.starting_sequence_number + len(shard.items)
        frame.stream_marks[id(table)] = (shard, mark)
