"""groupBy: the records a filter selects, grouped by 1..n dimensions, each group with its
totalCount, the selected aggregates and (on request) a sample of its records.

The same request shape serves REST (`group_by=[...]` JSON) and GraphQL (`groupBy: [...]`), as
in Twenty (parse-group-by-args): each item names one field,
- `{"stage": true}`, `{"companyId": true}` (a MANY_TO_ONE relation's join column),
- `{"name": {"firstName": true}}` (one composite sub-field),
- `{"createdAt": {"granularity": "MONTH", "timeZone": "Europe/Paris", "weekStartDay": ...}}`
  for DATE / DATE_TIME fields, granularity one of GRANULARITIES.
A dimension value is the field's value; empty values ('' or null) share one group whose
value is null; MULTI_SELECT and ARRAY values are unnested (a record counts in the group of each
of its values, Twenty's UNNEST). Date granularities give Twenty's values: 'YYYY-MM-DD' of the
period's first day (DAY, WEEK, MONTH, QUARTER, YEAR), 'Monday'..'Sunday', 'January'..'December'
and 'Q1'..'Q4'. Date-times are bucketed in `timeZone` (UTC when not given).

Groups are ordered by `orderBy` items (a groupBy dimension, `{"aggregate": {"<name>": dir}}`),
then by every dimension ascending, and cut to `limit` (50 by default, Twenty's
DEFAULT_NUMBER_OF_GROUPS_LIMIT). Cost: the matching records are read once (core/matching.py),
under the scan cap; every group and aggregate comes from that one pass.
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from chalicelib.core import composites
from chalicelib.core.aggregates import (
    TOTAL_COUNT,
    Accumulator,
    Aggregate,
    available_aggregates,
    resolve_aggregates,
    value_reader,
)
from chalicelib.core.evaluation import compile_sort_key, order_form
from chalicelib.core.filters import Direction, Filter, SortKey
from chalicelib.core.ports import RecordStore
from chalicelib.core.query_validation import ResolvedPath, resolve_path, validate_sort
from chalicelib.errors import InvalidQueryParamError
from chalicelib.metadata.model import FieldType, ObjectDef

DEFAULT_GROUP_LIMIT = 50
# Twenty's RECORDS_PER_GROUP_LIMIT: records shown per group (REST include_records_sample).
RECORDS_PER_GROUP = 10
GRANULARITIES = (
    "DAY",
    "WEEK",
    "MONTH",
    "QUARTER",
    "YEAR",
    "DAY_OF_THE_WEEK",
    "MONTH_OF_THE_YEAR",
    "QUARTER_OF_THE_YEAR",
    "NONE",
)
WEEK_START_DAYS = ("MONDAY", "SUNDAY", "SATURDAY")
_DAYS = tuple(calendar.day_name)  # Monday .. Sunday, as Postgres' TMDay in English
_MONTHS = tuple(calendar.month_name)[1:]
_UNNESTED = frozenset({FieldType.MULTI_SELECT, FieldType.ARRAY})
_DATES = frozenset({FieldType.DATE, FieldType.DATE_TIME})
_EXAMPLE = '[{"stage": true}, {"name": {"firstName": true}}, {"createdAt": {"granularity": "DAY"}}]'


# ---------------------------------------------------------------------------------------------
# Dimensions


@dataclass(frozen=True, slots=True)
class Dimension:
    """One groupBy item, checked against the model."""

    target: ResolvedPath
    granularity: str | None = None  # None: the value itself
    zone: tzinfo = UTC
    week_start: str = "MONDAY"

    @property
    def path(self) -> tuple[str, ...]:
        return self.target.path

    def values(self, record: Mapping[str, Any]) -> list[Any]:
        """The record's value(s) on this dimension; None for an empty value."""
        raw = value_reader(self.path)(record)
        if self.granularity is not None:
            return [_bucket(raw, self)]
        if self.target.type in _UNNESTED:
            items = raw if isinstance(raw, list) else [raw] if raw is not None else []
            return [key.value for key in _unique([None if _blank(i) else i for i in items])]
        return [None if _blank(raw) else raw]

    def order_key(self) -> Callable[[Any], Any]:
        """How this dimension's non-null values order."""
        if self.granularity == "DAY_OF_THE_WEEK":
            first = _DAYS.index(self.week_start.title())
            return lambda value: (_DAYS.index(value) - first) % 7
        if self.granularity == "MONTH_OF_THE_YEAR":
            return _MONTHS.index
        if self.granularity is not None:
            return str
        form = order_form(self.target)
        return lambda value: _comparable(form(value))


class _Key:
    """A value hashed by its canonical form (lists and objects included)."""

    __slots__ = ("canonical", "value")

    def __init__(self, value: Any) -> None:
        self.value = value
        self.canonical = _canonical(value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Key) and self.canonical == other.canonical

    def __hash__(self) -> int:
        return hash(self.canonical)


def _unique(items: list[Any]) -> list[_Key]:
    """Distinct items in order; an empty list is the one null value (Twenty: ARRAY[col[1]])."""
    return list(dict.fromkeys(map(_Key, items))) or [_Key(None)]


def _blank(value: Any) -> bool:
    return value is None or value == ""


def _canonical(value: Any) -> Any:
    if isinstance(value, dict | list):
        return ("json", json.dumps(value, sort_keys=True, separators=(",", ":")))
    if isinstance(value, bool):
        return ("bool", value)
    return value


def _comparable(value: Any) -> tuple[int, Any]:
    """Values of one dimension are of one type; anything stored otherwise orders after them."""
    if isinstance(value, bool):
        return (0, value)
    if isinstance(value, int | float | str | tuple):
        return (1, value) if not isinstance(value, str) else (2, value)
    return (3, json.dumps(value, sort_keys=True, default=str))


def parse_dimensions(obj: ObjectDef, raw: Any) -> list[Dimension]:
    """Twenty's `groupBy` list, checked: 400 naming the first problem."""
    if not isinstance(raw, list | tuple):
        raise InvalidQueryParamError(
            f"Invalid group_by - should be a valid array of objects - ex: {_EXAMPLE}"
        )
    found = [_dimension(obj, item) for item in raw]
    return [dimension for dimension in found if dimension is not None]


def _only_entry(item: Any, what: str) -> tuple[str, Any]:
    given = {k: v for k, v in item.items() if v is not None} if isinstance(item, Mapping) else {}
    if len(given) != 1:
        raise InvalidQueryParamError(
            f"Each groupBy item names exactly one {what}; split them into several items "
            f"- ex: {_EXAMPLE}"
        )
    return next(iter(given.items()))


def _dimension(obj: ObjectDef, item: Any) -> Dimension | None:
    name, spec = _only_entry(item, "field")
    if spec is False:
        return None  # Twenty groups only by fields set to true
    field_def = obj.by_name.get(name)
    if name not in obj.by_join_column and field_def is None:
        raise InvalidQueryParamError(
            f"Unidentified field in groupBy: '{name}' is not a field of '{obj.name_singular}'"
        )
    if field_def is not None and field_def.type is FieldType.RELATION:
        column = field_def.join_column
        hint = f"group by its join column '{column}'" if column else "it holds no value here"
        raise InvalidQueryParamError(f"groupBy '{name}' is a relation: {hint}")
    if field_def is not None and composites.is_composite(field_def.type):
        return _sub_field_dimension(obj, name, spec)
    if field_def is not None and field_def.type in _DATES and isinstance(spec, Mapping):
        return _date_dimension(obj, name, spec)
    if spec is not True:
        raise InvalidQueryParamError(f"groupBy '{name}' takes true, got {json.dumps(spec)}")
    return Dimension(resolve_path(obj, (name,)))


def _sub_field_dimension(obj: ObjectDef, name: str, spec: Any) -> Dimension:
    field_type = obj.by_name[name].type
    subs = ", ".join(composites.sub_field_names(field_type))
    if not isinstance(spec, Mapping):
        raise InvalidQueryParamError(
            f"groupBy '{name}' is a composite field: name one sub-field, e.g. "
            f'{{"{name}": {{"{composites.sub_field_names(field_type)[0]}": true}}}} ({subs})'
        )
    sub, flag = _only_entry(spec, "sub-field")
    if composites.find_sub_field(field_type, sub) is None or flag is not True:
        raise InvalidQueryParamError(
            f"groupBy '{name}.{sub}': expected one of the sub-fields {subs} set to true"
        )
    return Dimension(resolve_path(obj, (name, sub)))


def _date_dimension(obj: ObjectDef, name: str, spec: Mapping[str, Any]) -> Dimension:
    unknown = set(spec) - {"granularity", "timeZone", "weekStartDay"}
    granularity = spec.get("granularity") or "NONE"
    week_start = spec.get("weekStartDay") or "MONDAY"
    if unknown or granularity not in GRANULARITIES or week_start not in WEEK_START_DAYS:
        raise InvalidQueryParamError(
            f"groupBy '{name}': expected {{\"granularity\": one of {', '.join(GRANULARITIES)}, "
            f'"timeZone"?: an IANA time zone, "weekStartDay"?: {" | ".join(WEEK_START_DAYS)}}}'
        )
    target = resolve_path(obj, (name,))
    zone = _zone(spec.get("timeZone"), name)
    return Dimension(target, None if granularity == "NONE" else granularity, zone, week_start)


def _zone(name: Any, field_name: str) -> tzinfo:
    if name in (None, "", "UTC"):
        return UTC
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # only when a zone is asked for

    try:
        if not isinstance(name, str) or "." in name.split("/")[0]:
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidQueryParamError(
            f"groupBy '{field_name}': invalid timeZone {json.dumps(name)}; use an IANA time "
            "zone such as Europe/Paris"
        ) from None


def _bucket(value: Any, dimension: Dimension) -> str | None:
    """The period of a date or date-time, as Twenty's group-by expression names it."""
    day = _local_day(value, dimension)
    if day is None:
        return None
    granularity = dimension.granularity
    if granularity == "DAY_OF_THE_WEEK":
        return _DAYS[day.weekday()]
    if granularity == "MONTH_OF_THE_YEAR":
        return _MONTHS[day.month - 1]
    if granularity == "QUARTER_OF_THE_YEAR":
        return f"Q{(day.month - 1) // 3 + 1}"
    return _period_start(day, dimension).isoformat()


def _local_day(value: Any, dimension: Dimension) -> date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        if dimension.target.type is FieldType.DATE:
            return date.fromisoformat(value[:10])
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None  # a value stored before a type change: no period
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(dimension.zone).date()


def _period_start(day: date, dimension: Dimension) -> date:
    granularity = dimension.granularity
    if granularity == "WEEK":
        first = _DAYS.index(dimension.week_start.title())
        return day - timedelta(days=(day.weekday() - first) % 7)
    if granularity == "MONTH":
        return day.replace(day=1)
    if granularity == "QUARTER":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    if granularity == "YEAR":
        return day.replace(month=1, day=1)
    return day


# ---------------------------------------------------------------------------------------------
# Group order


@dataclass(frozen=True, slots=True)
class GroupOrder:
    """One ordering of groups: by a dimension (its index) or by an aggregate."""

    direction: Direction
    dimension: int | None = None
    aggregate: Aggregate | None = None


def parse_group_order(obj: ObjectDef, raw: Any, dimensions: list[Dimension]) -> list[GroupOrder]:
    """Twenty's `orderBy` of a groupBy (OrderByWithGroupBy), checked against the dimensions."""
    if raw is None:
        return []
    if not isinstance(raw, list | tuple):
        raise InvalidQueryParamError(
            'Invalid order_by - should be a valid array of objects - ex: [{"stage": '
            '"AscNullsFirst"}, {"aggregate": {"totalCount": "DescNullsLast"}}]'
        )
    return [_group_order(obj, item, dimensions) for item in raw if item]


def _direction(value: Any, where: str) -> Direction:
    try:
        return Direction(value)
    except ValueError:
        raise InvalidQueryParamError(
            f"Invalid order_by '{where}': direction must be one of {', '.join(Direction)}"
        ) from None


def _group_order(obj: ObjectDef, item: Any, dimensions: list[Dimension]) -> GroupOrder:
    name, spec = _only_entry(item, "field or aggregate")
    if name == "aggregate":
        aggregate_name, direction = _only_entry(spec, "aggregate")
        [aggregate] = resolve_aggregates(obj, [aggregate_name])
        return GroupOrder(_direction(direction, aggregate_name), aggregate=aggregate)
    path: tuple[str, ...] = (name,)
    granularity = None
    if isinstance(spec, Mapping) and "orderBy" in spec:
        granularity, spec = spec.get("granularity"), spec["orderBy"]
    elif isinstance(spec, Mapping):
        sub, spec = _only_entry(spec, "sub-field")
        path = (name, sub)
    direction = _direction(spec, ".".join(path))
    for index, dimension in enumerate(dimensions):
        same_period = granularity in (None, dimension.granularity or "NONE")
        if dimension.path == path and same_period:
            return GroupOrder(direction, dimension=index)
    raise InvalidQueryParamError(
        f"Invalid order_by '{'.'.join(path)}': groups can only be ordered by a groupBy "
        "dimension (with its granularity) or by an aggregate"
    )


def parse_record_order(raw: Any) -> tuple[SortKey, ...]:
    """`orderByForRecords` (REST `order_by_for_records`): `[{"name": "AscNullsFirst"},
    {"name": {"firstName": "DescNullsLast"}}]` as raw sort keys (validated with the query)."""
    if raw is None:
        return ()
    if not isinstance(raw, list | tuple):
        raise InvalidQueryParamError(
            "Invalid order_by_for_records - should be a valid array of objects - ex: "
            '[{"name": "AscNullsFirst"}, {"name": {"firstName": "DescNullsLast"}}]'
        )
    found: list[SortKey] = []
    for item in raw:
        for name, spec in (item or {}).items() if isinstance(item, Mapping) else ():
            if isinstance(spec, Mapping):
                found += [SortKey((name, sub), direction) for sub, direction in spec.items()]
            elif spec is not None:
                found.append(SortKey((name,), spec))
    return tuple(found)


# ---------------------------------------------------------------------------------------------
# The query


@dataclass(frozen=True, slots=True)
class GroupRecords:
    """`<plural>GroupBy`: raw groupBy and orderBy lists as the adapters received them."""

    object: ObjectDef
    group_by: Any
    filter: Filter | None = None
    order_by: Any = None
    aggregates: tuple[str, ...] = ()
    limit: int = DEFAULT_GROUP_LIMIT
    records_per_group: int = 0  # 0: no records
    order_by_for_records: tuple[SortKey, ...] = ()
    records_offset: int = 0  # Twenty's offsetForRecords


@dataclass(slots=True)
class Group:
    dimension_values: list[Any]
    aggregates: dict[str, Any]  # totalCount and the selected aggregates
    records: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0
    # Every aggregate computed, those only ordered by included (never shown).
    ordering: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class _Bucket:
    values: list[Any]
    accumulator: Accumulator
    records: list[dict[str, Any]] = field(default_factory=list)


def group_records(
    store: RecordStore, workspace_id: str, query: GroupRecords, *, scan_cap: int
) -> list[Group]:
    """The groups of `query`, ordered and limited; everything from one read of the records."""
    from chalicelib.core.matching import matching_records, typed_filter

    obj = query.object
    if query.limit < 1 or query.records_offset < 0:
        raise InvalidQueryParamError("limit must be positive and offsetForRecords not negative")
    dimensions = parse_dimensions(obj, query.group_by)
    orders = parse_group_order(obj, query.order_by, dimensions)
    selected = resolve_aggregates(obj, (TOTAL_COUNT, *query.aggregates))
    computed = _with_order_aggregates(obj, selected, orders)
    record_sort = validate_sort(obj, query.order_by_for_records)
    typed = typed_filter(obj, query.filter)
    buckets: dict[tuple[Any, ...], _Bucket] = {}
    keep_records = query.records_per_group > 0
    for record in matching_records(store, workspace_id, obj, typed, scan_cap):
        for values in _combinations([d.values(record) for d in dimensions]):
            key = tuple(_canonical(value) for value in values)
            bucket = buckets.get(key)
            if bucket is None:
                bucket = buckets[key] = _Bucket(values, Accumulator(computed))
            bucket.accumulator.add(record)
            if keep_records:
                bucket.records.append(record)
    groups = [_group(bucket, selected) for bucket in buckets.values()]
    ordered = _ordered(groups, orders, dimensions)[: query.limit]
    if keep_records:
        _sample(ordered, obj, record_sort, query.records_offset, query.records_per_group)
    else:
        for group in ordered:
            group.records = []
    return ordered


def _with_order_aggregates(
    obj: ObjectDef, selected: tuple[Aggregate, ...], orders: list[GroupOrder]
) -> tuple[Aggregate, ...]:
    names = [a.name for a in selected] + [o.aggregate.name for o in orders if o.aggregate]
    return tuple(available_aggregates(obj)[name] for name in dict.fromkeys(names))


def _combinations(per_dimension: list[list[Any]]) -> list[list[Any]]:
    combos: list[list[Any]] = [[]]
    for values in per_dimension:
        combos = [[*combo, value] for combo in combos for value in values]
    return combos


def _group(bucket: _Bucket, selected: tuple[Aggregate, ...]) -> Group:
    results = bucket.accumulator.results()
    shown = {a.name: results[a.name] for a in selected}
    # The group's records, all of them until _sample cuts them to the sample.
    return Group(list(bucket.values), shown, bucket.records, bucket.accumulator.count, results)


def _ordered(
    groups: list[Group], orders: list[GroupOrder], dimensions: list[Dimension]
) -> list[Group]:
    """Groups sorted by the orders, then by every dimension ascending (stable sorts, last key
    first, so the first order decides)."""
    ties = [GroupOrder(Direction.ASC_NULLS_FIRST, dimension=i) for i in range(len(dimensions))]
    keys = orders + ties
    for order in reversed(keys):
        groups.sort(key=_sort_key(order, dimensions), reverse=order.direction.descending)
    return groups


def _sort_key(order: GroupOrder, dimensions: list[Dimension]) -> Callable[[Group], Any]:
    direction = order.direction
    null_rank = 0 if direction.nulls_first != direction.descending else 2
    if order.aggregate is not None:
        name = order.aggregate.name

        def read(group: Group) -> Any:
            return group.ordering[name]

        form: Callable[[Any], Any] = _comparable
    else:
        index = order.dimension or 0
        form = dimensions[index].order_key()

        def read(group: Group) -> Any:
            return group.dimension_values[index]

    def key(group: Group) -> tuple[int, Any]:
        value = read(group)
        return (null_rank, 0) if value is None else (1, form(value))

    return key


def _sample(
    groups: list[Group],
    obj: ObjectDef,
    sort: tuple[SortKey, ...],
    offset: int,
    size: int,
) -> None:
    key = compile_sort_key(sort, obj)
    for group in groups:
        group.records = sorted(group.records, key=key)[offset : offset + size]
