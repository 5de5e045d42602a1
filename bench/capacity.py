"""What DynamoDB bills for an item read or written, from the item's size (pure functions).

moto 5.2.5 answers `ReturnConsumedCapacity` with placeholders (GetItem 0.5, Query 1.0 whatever
it read, one unit per BatchGetItem key, an empty list for TransactWriteItems), so the bench
computes every figure itself with DynamoDB's published rules:

- item size: attribute names plus values (UTF-8 bytes of strings, raw bytes of binaries, about
  one byte per two significant digits plus one for numbers, one byte for booleans and nulls,
  three bytes per list or map plus one per element);
- reads: 4 KB per read unit, rounded up, at least one; half for eventually consistent reads
  (every GSI read), twice for transactional ones. GetItem and each BatchGetItem key are rounded
  per item, a Query or Scan once over the sum of everything it read (filtered-out items included);
- writes: 1 KB per write unit, rounded up per item, at least one, from the larger of the item
  before and after; twice inside TransactWriteItems. Each GSI whose entry the write adds or
  removes costs one standard write of that entry, a changed index key two (delete + put), a
  changed projected attribute one; an unchanged entry nothing.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

READ_UNIT_BYTES = 4096
WRITE_UNIT_BYTES = 1024
CONTAINER_OVERHEAD = 3  # a list or map, whatever it holds
ELEMENT_OVERHEAD = 1  # each element of a list or map

Item = Mapping[str, Any]  # an item in DynamoDB's wire form: {"name": {"S": "..."}, ...}


@dataclass(frozen=True)
class IndexShape:
    """A GSI as far as billing goes: its key attributes and what it projects."""

    name: str
    hash_key: str
    range_key: str | None
    projection: str  # KEYS_ONLY, INCLUDE or ALL
    non_key_attributes: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableShape:
    name: str
    hash_key: str
    range_key: str | None
    indexes: tuple[IndexShape, ...] = ()

    @property
    def key_names(self) -> tuple[str, ...]:
        return (self.hash_key,) + ((self.range_key,) if self.range_key else ())

    def key_of(self, item: Item) -> dict[str, Any]:
        return {name: item[name] for name in self.key_names}


@dataclass(frozen=True)
class Units:
    """Capacity units of one or more calls: table reads, table writes, GSI writes."""

    read: float = 0.0
    write: float = 0.0
    index_write: float = 0.0

    def __add__(self, other: Units) -> Units:
        return Units(
            self.read + other.read,
            self.write + other.write,
            self.index_write + other.index_write,
        )


def _significant_digits(number: str) -> int:
    mantissa = number.lstrip("+-").lower().split("e")[0].replace(".", "")
    return max(1, len(mantissa.strip("0")))


def value_size(value: Mapping[str, Any]) -> int:
    """Bytes of one attribute value (without its name)."""
    ((kind, content),) = value.items()
    if kind == "S":
        return len(content.encode())
    if kind == "N":
        return math.ceil(_significant_digits(content) / 2) + 1
    if kind == "B":
        # Base64 text on the wire and in parsed answers; raw bytes in a request's parameters
        # before botocore serialises them (what the probe sees of a write).
        return len(content) if isinstance(content, bytes) else len(base64.b64decode(content))
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(text.encode()) for text in content)
    if kind == "NS":
        return sum(math.ceil(_significant_digits(n) / 2) + 1 for n in content)
    if kind == "BS":
        return sum(len(base64.b64decode(blob)) for blob in content)
    if kind == "L":
        return CONTAINER_OVERHEAD + sum(ELEMENT_OVERHEAD + value_size(v) for v in content)
    if kind == "M":
        return CONTAINER_OVERHEAD + sum(
            ELEMENT_OVERHEAD + len(name.encode()) + value_size(v) for name, v in content.items()
        )
    raise ValueError(f"unknown DynamoDB type {kind!r}")


def item_size(item: Item | None) -> int:
    """Bytes of an item as DynamoDB counts them; 0 for no item."""
    if not item:
        return 0
    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


def read_units(size: int, *, consistent: bool, transactional: bool = False) -> float:
    """Units of one read of `size` bytes (one item, or the sum a Query or Scan read)."""
    units = max(1, math.ceil(size / READ_UNIT_BYTES))
    if transactional:
        return 2.0 * units
    return float(units) if consistent else units / 2


def write_units(size: int, *, transactional: bool = False) -> float:
    units = max(1, math.ceil(size / WRITE_UNIT_BYTES))
    return 2.0 * units if transactional else float(units)


def index_entry(item: Item | None, table: TableShape, index: IndexShape) -> dict[str, Any] | None:
    """What the index holds for an item; None when the item is not in it (sparse index)."""
    if not item or index.hash_key not in item:
        return None
    if index.range_key and index.range_key not in item:
        return None
    if index.projection == "ALL":
        return dict(item)
    names = set(table.key_names) | {index.hash_key}
    names |= {index.range_key} if index.range_key else set()
    if index.projection == "INCLUDE":
        names |= set(index.non_key_attributes)
    return {name: item[name] for name in names if name in item}


def _index_key(entry: Mapping[str, Any], index: IndexShape) -> tuple[Any, Any]:
    return entry[index.hash_key], entry.get(index.range_key or "")


def index_write_units(old: Item | None, new: Item | None, table: TableShape) -> float:
    """Standard write units the table's GSIs take for one item going from `old` to `new`."""
    total = 0.0
    for index in table.indexes:
        before, after = index_entry(old, table, index), index_entry(new, table, index)
        if before == after:
            continue
        if before is None or after is None:
            total += write_units(item_size(before or after))
        elif _index_key(before, index) != _index_key(after, index):
            total += write_units(item_size(before)) + write_units(item_size(after))
        else:  # same keys, a projected attribute changed
            total += write_units(item_size(after))
    return total


def item_write(
    old: Item | None, new: Item | None, table: TableShape, *, transactional: bool
) -> Units:
    """A Put, Update or Delete of one item: the larger image, and what its indexes take."""
    size = max(item_size(old), item_size(new))
    return Units(
        write=write_units(size, transactional=transactional),
        index_write=index_write_units(old, new, table),
    )


def query_read_units(items: Iterable[Item], *, consistent: bool) -> float:
    """A Query or Scan: the sizes of every item it read are summed, then rounded once."""
    return read_units(sum(item_size(item) for item in items), consistent=consistent)
