"""Parse Twenty's REST `order_by` query parameter into sort keys of `core/filters.py`.

`order_by=name.lastName[AscNullsLast],createdAt` is a comma-separated list of `path` or
`path[Direction]` (API reference §3.2). The id tiebreaker Twenty appends is the core's job.
"""

from __future__ import annotations

from chalicelib.core.filters import Direction, SortKey
from chalicelib.errors import InvalidQueryParamError
from chalicelib.rest.filter_parser import parse_field_path

_ALLOWED = ", ".join(direction.value for direction in Direction)


def parse_order_by(text: str) -> tuple[SortKey, ...]:
    keys = tuple(_parse_item(item.strip(), text) for item in text.split(","))
    seen: set[tuple[str, ...]] = set()
    for key in keys:
        if key.path in seen:
            raise InvalidQueryParamError(
                f"'order_by' invalid: '{'.'.join(key.path)}' appears more than once"
            )
        seen.add(key.path)
    return keys


def _parse_item(item: str, text: str) -> SortKey:
    if not item:
        raise InvalidQueryParamError(f"'order_by' invalid: empty item in '{text}'")
    context = f"'order_by' invalid for '{item}'"
    path_text, bracket, rest = item.partition("[")
    path = parse_field_path(path_text, context=context)
    if not bracket:
        return SortKey(path)
    if not rest.endswith("]") or "[" in rest or "]" in rest[:-1]:
        raise InvalidQueryParamError(f"{context}, expected field or field[Direction]")
    return SortKey(path, _direction(rest[:-1], context))


def _direction(text: str, context: str) -> Direction:
    try:
        return Direction(text)
    except ValueError:
        raise InvalidQueryParamError(f"{context}, direction {text} not in {_ALLOWED}") from None
