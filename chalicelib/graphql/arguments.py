"""GraphQL arguments to the core's filter, sort and paging values (the one filter/sort model)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib.core.cursors import decode_cursor, sort_binding
from chalicelib.core.filters import And, Condition, Direction, Filter, Not, Operator, Or, SortKey
from chalicelib.core.query_validation import ID_DESCENDING, ID_TIEBREAKER
from chalicelib.errors import InvalidQueryParamError

_REVERSED = {
    Direction.ASC_NULLS_FIRST: Direction.DESC_NULLS_LAST,
    Direction.ASC_NULLS_LAST: Direction.DESC_NULLS_FIRST,
    Direction.DESC_NULLS_FIRST: Direction.ASC_NULLS_LAST,
    Direction.DESC_NULLS_LAST: Direction.ASC_NULLS_FIRST,
}


def to_filter(value: Mapping[str, Any] | None) -> Filter | None:
    """A `XFilterInput` value as a raw core filter (None when it selects everything)."""
    if not value:
        return None
    parts: list[Filter] = []
    for key, item in value.items():
        if item is None:
            continue
        if key in ("and", "or"):
            children = tuple(child for child in map(to_filter, item) if child is not None)
            parts.append(And(children) if key == "and" else Or(children))
        elif key == "not":
            child = to_filter(item)
            if child is not None:
                parts.append(Not(child))
        else:
            parts += _conditions((key,), item)
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else And(tuple(parts))


def _conditions(path: tuple[str, ...], operators: Mapping[str, Any]) -> list[Filter]:
    found: list[Filter] = []
    for name, operand in operators.items():
        if isinstance(operand, Mapping):  # a composite's sub-field filter
            found += _conditions((*path, name), operand)
        elif operand is not None:
            found.append(Condition(path, Operator(name), operand))
    return found


def to_order(value: list[Mapping[str, Any]] | None) -> tuple[SortKey, ...]:
    """`[XOrderByInput]` as sort keys, in the order given (composites by sub-field)."""
    keys: list[SortKey] = []
    for item in value or ():
        for name, direction in (item or {}).items():
            if isinstance(direction, Mapping):
                keys += [SortKey((name, sub), Direction(d)) for sub, d in direction.items() if d]
            elif direction is not None:
                keys.append(SortKey((name,), Direction(direction)))
    return tuple(keys)


@dataclass(frozen=True, slots=True)
class PageArgs:
    """first/last/before/after resolved: what to ask the core and how to present the answer."""

    limit: int
    after: str | None
    before: str | None
    order_by: tuple[SortKey, ...]
    # `last` without `before`: the core pages the reversed order; edges are reversed back.
    reverse: bool
    cursor_tag: str


def page_args(
    args: Mapping[str, Any], workspace_id: str, object_id: str, default: int, maximum: int
) -> PageArgs:
    """Check the paging arguments and decode the cursors of this list."""
    order = to_order(args.get("orderBy"))
    tag = sort_binding(workspace_id, object_id, order)
    first, last = args.get("first"), args.get("last")
    for name, count in (("first", first), ("last", last)):
        if count is not None and not 0 <= count <= maximum:
            raise InvalidQueryParamError(f"'{name}' must be between 0 and {maximum}")
    after = decode_cursor(args.get("after"), tag, "after")
    before = decode_cursor(args.get("before"), tag, "before")
    if last is not None and after is not None and before is None:
        raise InvalidQueryParamError("'last' pages backwards: combine it with 'before'")
    limit = last if last is not None else first if first is not None else default
    if last is not None and before is None:
        return PageArgs(limit, None, None, _reversed(order), True, tag)
    return PageArgs(limit, after, before, order, False, tag)


def _reversed(order: tuple[SortKey, ...]) -> tuple[SortKey, ...]:
    """The exact reverse of `order` as the core completes it (with its id tiebreaker)."""
    complete = order
    if not any(key.path == ("id",) for key in order):
        descending = bool(order) and Direction(order[0].direction).descending
        complete = (*order, ID_DESCENDING if descending else ID_TIEBREAKER)
    return tuple(SortKey(k.path, _REVERSED[Direction(k.direction)]) for k in complete)
