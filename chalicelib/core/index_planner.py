"""Choose an index for a list: which slot, which key ranges in which order, or none.

An index serves a list when
- the sort is one indexed path (plus the id tiebreaker): the index is walked in that order,
  null and non-null values as two segments placed as the direction asks; or
- the sort is the default (id) and a top-level `eq` condition names an indexed path: the
  entries of that value are already in id order; or
- the sort is the default (id) and a top-level range (`gt`, `gte`, `lt`, `lte`, `startsWith`)
  names an indexed path: the range is read keys only and its ids sorted (`by_id`,
  core/index_id_listing.py).
Conditions on the indexed path narrow the key range; every condition is still evaluated on the
records read (core/evaluation.py), so a narrowing is only ever a superset of the matches.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.core.evaluation import order_form
from chalicelib.core.filters import And, Condition, Direction, Filter, Operator
from chalicelib.core.indexing import resolved_indexes
from chalicelib.core.query_validation import ID_TIEBREAKER, ResolvedPath, filter_mentions
from chalicelib.metadata.model import FieldType, ObjectDef
from chalicelib.storage import keys

_TEXT = frozenset({FieldType.TEXT, FieldType.RICH_TEXT})
# Operators whose truth on a record fully follows from the key range (no residual work).
_EXACT = frozenset({Operator.EQ, Operator.GT, Operator.GTE, Operator.LT, Operator.LTE, Operator.IS})
_RANGES = frozenset({Operator.GT, Operator.GTE, Operator.LT, Operator.LTE, Operator.STARTS_WITH})
# Operators whose value becomes a key bound.
_KEYED = frozenset({Operator.EQ, Operator.GT, Operator.GTE, Operator.LT, Operator.LTE})


@dataclass(frozen=True, slots=True)
class Segment:
    """A contiguous key range of an index: the nulls, or (a range of) the values."""

    nulls: bool
    lower: tuple[Any, bool] | None = None  # (order form, inclusive)
    upper: tuple[Any, bool] | None = None
    prefix: str | None = None


@dataclass(frozen=True, slots=True)
class IndexPlan:
    slot: int
    path: tuple[str, ...]
    segments: tuple[Segment, ...]
    forward: bool
    # True when the key ranges alone decide the filter: counts need no record reads.
    exact: bool
    # Default order served from a value range: all its keys are read, then sorted by id.
    by_id: bool = False


def _conjuncts(node: Filter | None) -> list[Filter]:
    if node is None:
        return []
    if isinstance(node, And):
        return [c for child in node.children for c in _conjuncts(child)]
    return [node]


def _on(conditions: list[Filter], path: tuple[str, ...]) -> list[Condition]:
    return [c for c in conditions if isinstance(c, Condition) and c.path == path]


def _on_any(conditions: list[Filter], operator: Operator) -> list[Condition]:
    return [c for c in conditions if isinstance(c, Condition) and c.operator is operator]


def _value_segment(target: ResolvedPath, conditions: list[Condition]) -> Segment:
    form = order_form(target)
    lower = upper = None
    prefix = None
    for condition in conditions:
        op, value = condition.operator, condition.value
        if op is Operator.EQ:
            lower = upper = (form(value), True)
        elif op in (Operator.GT, Operator.GTE) and lower is None:
            lower = _bound(form(value), op is Operator.GTE)
        elif op in (Operator.LT, Operator.LTE) and upper is None:
            upper = _bound(form(value), op is Operator.LTE)
        elif op is Operator.STARTS_WITH and target.type in _TEXT:
            # The index holds casefolded text: a case-insensitive superset of the matches.
            prefix = value.casefold()
    if lower is not None or upper is not None:
        prefix = None
    return Segment(nulls=False, lower=lower, upper=upper, prefix=prefix)


def _bound(form: Any, inclusive: bool) -> tuple[Any, bool]:
    # A value the index holds only in part (long text) shares its key with other values on
    # both sides of it: an inclusive bound keeps them all, and the re-check decides.
    return form, inclusive or not keys.index_value_is_whole(form)


def _segments(
    target: ResolvedPath, conditions: list[Condition], direction: Direction
) -> tuple[Segment, ...]:
    wants_null = any(c.operator is Operator.IS and c.value == "NULL" for c in conditions)
    # Any other condition on the path is false for a null value (SQL semantics).
    others = [c for c in conditions if not (c.operator is Operator.IS and c.value == "NULL")]
    segments: list[Segment] = []
    if not others or wants_null:
        segments.append(Segment(nulls=True))
    if not wants_null:
        values = _value_segment(target, [c for c in others if c.operator is not Operator.IS])
        segments.append(values)
    # Segments are listed in output order; the walk direction (descending = backwards through
    # the index) only changes how each segment is read.
    if not direction.nulls_first:
        segments.reverse()
    return tuple(segments)


def plan_index(obj: ObjectDef, filter: Filter | None, sort: tuple) -> IndexPlan | None:
    if filter_mentions(filter, "deletedAt"):
        return None  # soft-deleted records are not kept in indexes
    indexes = {
        tuple(path.split(".")): entry
        for path, entry in resolved_indexes(obj, ready_only=True).items()
    }
    conjuncts = _conjuncts(filter)
    if len(sort) == 2 and sort[0].path in indexes and sort[1].path == ("id",):
        slot, target = indexes[sort[0].path]
        on_path = _on(conjuncts, sort[0].path)
        segments = _segments(target, on_path, sort[0].direction)
        exact = _is_exact(conjuncts, sort[0].path, target)
        return IndexPlan(slot, sort[0].path, segments, not sort[0].direction.descending, exact)
    if sort == (ID_TIEBREAKER,):
        for condition in _on_any(conjuncts, Operator.EQ):
            if condition.path in indexes:
                slot, target = indexes[condition.path]
                segment = _value_segment(target, [condition])
                exact = _is_exact(conjuncts, condition.path, target)
                return IndexPlan(slot, condition.path, (segment,), True, exact)
        ranged = [c for c in conjuncts if isinstance(c, Condition) and c.operator in _RANGES]
        for condition in ranged:
            if condition.path in indexes:
                return _id_order_plan(indexes[condition.path], conjuncts, condition.path)
    return None


def _id_order_plan(
    index: tuple[int, ResolvedPath], conjuncts: list[Filter], path: tuple[str, ...]
) -> IndexPlan | None:
    slot, target = index
    segment = _value_segment(target, [c for c in _on(conjuncts, path) if c.operator in _RANGES])
    if segment.prefix is None and segment.lower is None and segment.upper is None:
        return None  # startsWith on a non-text path: no key range to read
    exact = _is_exact(conjuncts, path, target)
    return IndexPlan(slot, path, (segment,), True, exact, by_id=True)


def _is_exact(conjuncts: list[Filter], path: tuple[str, ...], target: ResolvedPath) -> bool:
    """The key range alone decides the filter: one condition on the path, or one lower and one
    upper bound on it (the only shapes `_segments` turns into a range without loss), on values
    the index holds whole."""
    if not all(isinstance(c, Condition) and c.path == path for c in conjuncts):
        return False
    form = order_form(target)
    bounds = [c.value for c in conjuncts if c.operator in _KEYED]  # type: ignore[union-attr]
    if not all(keys.index_value_is_whole(form(value)) for value in bounds):
        return False
    ops = [c.operator for c in conjuncts]  # type: ignore[union-attr]
    if len(ops) <= 1:
        return all(op in _EXACT for op in ops)
    lower = sum(op in (Operator.GT, Operator.GTE) for op in ops)
    upper = sum(op in (Operator.LT, Operator.LTE) for op in ops)
    return len(ops) == 2 and lower == 1 and upper == 1
