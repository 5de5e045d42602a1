"""Twenty's aggregate fields over the records a filter selects, computed in one pass.

Every connection offers `totalCount` and, per non-relation field `F` (reference 5.3, Twenty's
getAvailableAggregationsFromObjectFields): `countUniqueValuesF`, `countEmptyF`,
`countNotEmptyF`, `percentageEmptyF`, `percentageNotEmptyF`; date fields `minF` / `maxF`;
BOOLEAN `countTrueF` / `countFalseF`; NUMBER `min/max/avg/sumF`; CURRENCY
`min/max/avg/sumFAmountMicros`.

Semantics are Twenty's SQL (ProcessAggregateHelper): a value is empty when its text is empty,
i.e. null or '' (a composite: every sub-field Twenty lists for it is null or ''); every count and
percentage is null when no record matches (`CASE WHEN COUNT(*) = 0 THEN NULL`), percentages are
fractions 0-1; min/max/avg/sum ignore nulls and are null without values; totalCount is 0.

Cost: the matching records are read once, whatever the number of aggregates asked for (through
an index when the filter names an indexed path, else the object's partition up to the scan
cap, past which the answer is the same 400 as a list's). Two shortcuts read no record:
totalCount alone is the live-record counter (no filter) or the index keys of a range that
decides the filter; min/max of an indexed path without a filter is one index key at each end
of its non-null range, and one BatchGetItem of those records.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from chalicelib.core.filters import Filter
from chalicelib.core.ports import RecordStore
from chalicelib.errors import InvalidQueryParamError
from chalicelib.metadata.derived import DerivedFromObject
from chalicelib.metadata.model import FieldDef, FieldType, ObjectDef

Record = Mapping[str, Any]


class Operation(StrEnum):
    COUNT = "COUNT"
    COUNT_UNIQUE_VALUES = "COUNT_UNIQUE_VALUES"
    COUNT_EMPTY = "COUNT_EMPTY"
    COUNT_NOT_EMPTY = "COUNT_NOT_EMPTY"
    PERCENTAGE_EMPTY = "PERCENTAGE_EMPTY"
    PERCENTAGE_NOT_EMPTY = "PERCENTAGE_NOT_EMPTY"
    MIN = "MIN"
    MAX = "MAX"
    AVG = "AVG"
    SUM = "SUM"
    COUNT_TRUE = "COUNT_TRUE"
    COUNT_FALSE = "COUNT_FALSE"


# The value each aggregate answers with, for the GraphQL type of its field.
INT, FLOAT, DATE, DATE_TIME = "Int", "Float", "Date", "DateTime"

TOTAL_COUNT = "totalCount"

# The sub-fields whose text decides emptiness and distinctness of a composite
# (Twenty's getSubfieldsForAggregateOperation).
_AGGREGATED_SUB_FIELDS: Mapping[FieldType, tuple[str, ...]] = {
    FieldType.CURRENCY: ("amountMicros", "currencyCode"),
    FieldType.FULL_NAME: ("firstName", "lastName"),
    FieldType.ADDRESS: (
        "addressStreet1",
        "addressStreet2",
        "addressCity",
        "addressPostcode",
        "addressState",
        "addressCountry",
        "addressLat",
        "addressLng",
    ),
    FieldType.LINKS: ("primaryLinkUrl",),
    FieldType.ACTOR: ("workspaceMemberId", "source"),
    FieldType.EMAILS: ("primaryEmail",),
    FieldType.PHONES: ("primaryPhoneNumber", "primaryPhoneCountryCode", "primaryPhoneCallingCode"),
    FieldType.RICH_TEXT_V2: ("blocknote", "markdown"),
}

_COUNTS = (
    ("countUniqueValues", Operation.COUNT_UNIQUE_VALUES, INT),
    ("countEmpty", Operation.COUNT_EMPTY, INT),
    ("countNotEmpty", Operation.COUNT_NOT_EMPTY, INT),
    ("percentageEmpty", Operation.PERCENTAGE_EMPTY, FLOAT),
    ("percentageNotEmpty", Operation.PERCENTAGE_NOT_EMPTY, FLOAT),
)
_NUMERIC = (
    ("min", Operation.MIN),
    ("max", Operation.MAX),
    ("avg", Operation.AVG),
    ("sum", Operation.SUM),
)


@dataclass(frozen=True, slots=True)
class Aggregate:
    """One aggregate field: its name, what it computes, over which field, and its result type."""

    name: str
    operation: Operation
    field: FieldDef | None  # None for totalCount
    result: str  # INT, FLOAT, DATE or DATE_TIME

    @property
    def path(self) -> tuple[str, ...]:
        """The path min/max/avg/sum read (amountMicros for a currency); () for totalCount."""
        if self.field is None:
            return ()
        if self.field.type is FieldType.CURRENCY and self.operation in _VALUE_OPERATIONS:
            return (self.field.name, "amountMicros")
        return (self.field.name,)


_VALUE_OPERATIONS = frozenset({Operation.MIN, Operation.MAX, Operation.AVG, Operation.SUM})


def _capitalized(name: str) -> str:
    return name[:1].upper() + name[1:]


def _field_aggregates(field: FieldDef) -> list[Aggregate]:
    suffix = _capitalized(field.name)
    found = [Aggregate(f"{prefix}{suffix}", op, field, kind) for prefix, op, kind in _COUNTS]
    if field.type in (FieldType.DATE, FieldType.DATE_TIME):
        kind = DATE if field.type is FieldType.DATE else DATE_TIME
        found += [
            Aggregate(f"min{suffix}", Operation.MIN, field, kind),
            Aggregate(f"max{suffix}", Operation.MAX, field, kind),
        ]
    elif field.type is FieldType.BOOLEAN:
        found += [
            Aggregate(f"countTrue{suffix}", Operation.COUNT_TRUE, field, INT),
            Aggregate(f"countFalse{suffix}", Operation.COUNT_FALSE, field, INT),
        ]
    elif field.type is FieldType.NUMBER:
        found += [Aggregate(f"{prefix}{suffix}", op, field, FLOAT) for prefix, op in _NUMERIC]
    elif field.type is FieldType.CURRENCY:
        found += [
            Aggregate(f"{prefix}{suffix}AmountMicros", op, field, FLOAT) for prefix, op in _NUMERIC
        ]
    return found


def _build_available(obj: ObjectDef, _: None) -> Mapping[str, Aggregate]:
    found = {TOTAL_COUNT: Aggregate(TOTAL_COUNT, Operation.COUNT, None, INT)}
    for field in obj.by_name.values():
        if field.type is not FieldType.RELATION:
            found.update((a.name, a) for a in _field_aggregates(field))
    # Read-only: one mapping serves every request on this definition.
    return MappingProxyType(found)


# Built once per definition: a nested connection asks on every request, and building a
# person's ~100 aggregates took ~0.3 ms of each nested read.
_available: DerivedFromObject[None, Mapping[str, Aggregate]] = DerivedFromObject(_build_available)


def available_aggregates(obj: ObjectDef) -> Mapping[str, Aggregate]:
    """Every aggregate field of `obj`'s connections by name, in schema order (totalCount first).

    A later field's name wins over an earlier one's, as in Twenty's schema builder."""
    return _available(obj, None)


def resolve_aggregates(obj: ObjectDef, names: Iterable[Any]) -> tuple[Aggregate, ...]:
    """The named aggregates of `obj`, each once, in the order given; unknown names are a 400."""
    available = available_aggregates(obj)
    chosen: dict[str, Aggregate] = {}
    for name in names:
        found = available.get(name) if isinstance(name, str) else None
        if found is None:
            examples = ", ".join(list(available)[:4])
            raise InvalidQueryParamError(
                f"Unknown aggregate '{name}' for object '{obj.name_singular}'; aggregates are "
                f"totalCount or an operation followed by a field name, e.g. {examples}"
            )
        chosen[found.name] = found
    return tuple(chosen.values())


# ---------------------------------------------------------------------------------------------
# Reading a value the way Twenty's SQL reads its column(s)


def _is_blank(value: Any) -> bool:
    return value is None or value == ""


def _canonical(value: Any) -> Any:
    """A hashable form under which equal values (as Postgres' text of them) compare equal."""
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    if isinstance(value, bool):
        return ("bool", value)
    return value


def text_reader(field: FieldDef) -> Callable[[Record], Any]:
    """The value Twenty's `NULLIF(CONCAT(columns), '')` sees, as a hashable key; None if empty."""
    name = field.name
    subs = _AGGREGATED_SUB_FIELDS.get(field.type)
    if subs is None:
        return lambda record: None if _is_blank(v := record.get(name)) else _canonical(v)

    def read(record: Record) -> Any:
        parent = record.get(name)
        parent = parent if isinstance(parent, Mapping) else {}
        values = tuple(parent.get(sub) for sub in subs)
        if all(_is_blank(value) for value in values):
            return None
        return tuple("" if value is None else _canonical(value) for value in values)

    return read


def value_reader(path: tuple[str, ...]) -> Callable[[Record], Any]:
    """A path's raw value (a sub-field of a missing composite is null)."""
    if len(path) == 1:
        return lambda record: record.get(path[0])
    head, sub = path

    def read(record: Record) -> Any:
        parent = record.get(head)
        return parent.get(sub) if isinstance(parent, Mapping) else None

    return read


# ---------------------------------------------------------------------------------------------
# The one-pass accumulator


class _Fold:
    """The running state of one aggregate over the records added so far."""

    __slots__ = ("aggregate", "read", "empty", "distinct", "low", "high", "total", "values")

    def __init__(self, aggregate: Aggregate) -> None:
        self.aggregate = aggregate
        field = aggregate.field
        if field is None:
            self.read: Callable[[Record], Any] = lambda _record: None
        elif aggregate.operation in _VALUE_OPERATIONS or aggregate.operation in _BOOLEAN_OPS:
            self.read = value_reader(aggregate.path)
        else:
            self.read = text_reader(field)
        self.empty = 0
        self.distinct: set[Any] = set()
        self.low: Any = None
        self.high: Any = None
        self.total: Any = 0
        self.values = 0

    def add(self, record: Record) -> None:
        value = self.read(record)
        op = self.aggregate.operation
        if op in _VALUE_OPERATIONS:
            self._add_value(value)
        elif op is Operation.COUNT_TRUE:
            self.values += value is True
        elif op is Operation.COUNT_FALSE:
            self.values += value is False
        elif value is None:
            self.empty += 1
        elif op is Operation.COUNT_UNIQUE_VALUES:
            self.distinct.add(value)

    def _add_value(self, value: Any) -> None:
        if value is None or isinstance(value, bool) or value == "":
            return
        try:
            if self.aggregate.operation in (Operation.AVG, Operation.SUM):
                self.total += value
            else:
                self.low = value if self.low is None or value < self.low else self.low
                self.high = value if self.high is None or value > self.high else self.high
        except TypeError:
            # A value stored under another type before a metadata change: left out, as the
            # query engine compares it as unknown rather than failing the request.
            return
        self.values += 1

    def result(self, count: int) -> Any:
        op = self.aggregate.operation
        if op is Operation.COUNT:
            return count
        if op in _VALUE_OPERATIONS:
            return self._value_result()
        if count == 0:
            return None  # Twenty: CASE WHEN COUNT(*) = 0 THEN NULL
        return _COUNT_RESULTS[op](self, count)

    def _value_result(self) -> Any:
        if self.values == 0:
            return None
        op = self.aggregate.operation
        if op is Operation.MIN:
            return self.low
        if op is Operation.MAX:
            return self.high
        return self.total / self.values if op is Operation.AVG else self.total


_BOOLEAN_OPS = frozenset({Operation.COUNT_TRUE, Operation.COUNT_FALSE})
_COUNT_RESULTS: Mapping[Operation, Callable[[_Fold, int], Any]] = {
    Operation.COUNT_UNIQUE_VALUES: lambda fold, _count: len(fold.distinct),
    Operation.COUNT_EMPTY: lambda fold, _count: fold.empty,
    Operation.COUNT_NOT_EMPTY: lambda fold, count: count - fold.empty,
    Operation.PERCENTAGE_EMPTY: lambda fold, count: fold.empty / count,
    Operation.PERCENTAGE_NOT_EMPTY: lambda fold, count: (count - fold.empty) / count,
    Operation.COUNT_TRUE: lambda fold, _count: fold.values,
    Operation.COUNT_FALSE: lambda fold, _count: fold.values,
}


class Accumulator:
    """Every selected aggregate of one set of records, updated record by record."""

    __slots__ = ("count", "folds")

    def __init__(self, aggregates: Iterable[Aggregate]) -> None:
        self.count = 0
        self.folds = [_Fold(aggregate) for aggregate in aggregates]

    def add(self, record: Record) -> None:
        self.count += 1
        for fold in self.folds:
            fold.add(record)

    def results(self) -> dict[str, Any]:
        return {fold.aggregate.name: fold.result(self.count) for fold in self.folds}


def aggregate_records(aggregates: Iterable[Aggregate], records: Iterable[Record]) -> dict[str, Any]:
    """The aggregates of presented `records`, in one pass."""
    accumulator = Accumulator(aggregates)
    for record in records:
        accumulator.add(record)
    return accumulator.results()


# ---------------------------------------------------------------------------------------------
# The query


@dataclass(frozen=True, slots=True)
class AggregateRecords:
    """The named aggregates of an object's records matching a raw filter (None: all live)."""

    object: ObjectDef
    aggregates: tuple[str, ...]
    filter: Filter | None = None


def compute_aggregates(
    store: RecordStore, workspace_id: str, query: AggregateRecords, *, scan_cap: int, key_cap: int
) -> dict[str, Any]:
    """The aggregates of `query`: shortcuts where an index or the counter answers, else one read
    of the matching records (core/matching.py)."""
    from chalicelib.core.aggregate_shortcuts import shortcut_results
    from chalicelib.core.matching import matching_records, typed_filter

    obj = query.object
    aggregates = resolve_aggregates(obj, query.aggregates)
    typed = typed_filter(obj, query.filter)
    if not aggregates:
        return {}
    found = shortcut_results(store, workspace_id, obj, typed, aggregates, key_cap=key_cap)
    if found is not None:
        return found
    return aggregate_records(
        aggregates, matching_records(store, workspace_id, obj, typed, scan_cap)
    )
