"""nestjs-query connections over a workspace's objects or fields: filter, cursor window, edges.

The lists are in memory (the model), so a connection is a filter then a Relay window over it.
A cursor is the item's id in the opaque form of `cursors.py`, bound to the workspace and to the
list (objects, or fields). Cursor positions are taken in the unfiltered list: a cursor stays
usable when its own item stops matching the filter between two pages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from chalicelib.core.cursors import binding, decode_cursor, encode_cursor
from chalicelib.errors import InvalidQueryParamError

# Twenty's @QueryOptions on the metadata DTOs: 10 items unless asked, at most 1000.
DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 1000

OBJECTS, FIELDS = "metadata:objects", "metadata:fields"


class Viewed(Protocol):
    """A node carrying its Twenty-shaped view (the dict filters are evaluated on)."""

    @property
    def view(self) -> Mapping[str, Any]: ...


@dataclass(frozen=True, slots=True)
class Window:
    """Decoded `CursorPaging`: item ids to start after / stop before, and how many to keep."""

    tag: str
    first: int | None
    last: int | None
    after: str | None
    before: str | None


def list_tag(workspace_id: str, kind: str) -> str:
    """The cursor binding of a workspace's object list or field lists."""
    return binding(workspace_id, kind, ())


def read_paging(paging: Mapping[str, Any] | None, tag: str) -> Window:
    """Check sizes (0..1000) and decode the cursors of this list; BAD_USER_INPUT otherwise."""
    paging = paging or {}
    first, last = paging.get("first"), paging.get("last")
    for name, count in (("first", first), ("last", last)):
        if count is not None and not 0 <= count <= MAX_PAGE_SIZE:
            raise InvalidQueryParamError(
                f"paging.{name} must be between 0 and {MAX_PAGE_SIZE} (got {count})"
            )
    after = decode_cursor(paging.get("after"), tag, "paging.after")
    before = decode_cursor(paging.get("before"), tag, "paging.before")
    if first is None and last is None:
        # Without a size, the default page is counted back from `before` when only it is given.
        if before is not None and after is None:
            last = DEFAULT_PAGE_SIZE
        else:
            first = DEFAULT_PAGE_SIZE
    return Window(tag, first, last, after, before)


# -- filters -------------------------------------------------------------------------------------


def _is(value: Any, operand: Any) -> bool:
    """SQL's IS: null, true or false, never a mere equality (an id is not `true`)."""
    if operand is None:
        return value is None
    return isinstance(value, bool) and value is operand


def _same_id(value: Any, operand: Any) -> bool:
    return isinstance(operand, str) and value == operand.lower()


_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": _same_id,
    "neq": lambda value, operand: not _same_id(value, operand),
    "in": lambda value, operands: any(_same_id(value, o) for o in operands or ()),
    "notIn": lambda value, operands: not any(_same_id(value, o) for o in operands or ()),
    "is": _is,
    "isNot": lambda value, operand: not _is(value, operand),
}


def matches(view: Mapping[str, Any], condition: Mapping[str, Any] | None) -> bool:
    """nestjs-query semantics: every key holds; `and` needs all, `or` one; empty lists allow all."""
    for key, operand in (condition or {}).items():
        if key == "and":
            held = all(matches(view, part) for part in operand or ())
        elif key == "or":
            held = not operand or any(matches(view, part) for part in operand)
        else:
            value = view.get(key)
            held = all(_COMPARISONS[op](value, arg) for op, arg in (operand or {}).items())
        if not held:
            return False
    return True


# -- windows -------------------------------------------------------------------------------------


def _position(ids: list[str], item_id: str, argument: str) -> int:
    try:
        return ids.index(item_id)
    except ValueError:
        raise InvalidQueryParamError(
            f"paging.{argument} is a cursor of an item no longer in this list"
        ) from None


def connection(
    nodes: Sequence[Viewed], condition: Mapping[str, Any] | None, window: Window
) -> dict[str, Any]:
    """A `XConnection` value: the window's edges, pageInfo and the filter's totalCount."""
    ids = [node.view["id"] for node in nodes]
    kept = [index for index, node in enumerate(nodes) if matches(node.view, condition)]
    start = _position(ids, window.after, "after") + 1 if window.after is not None else 0
    end = _position(ids, window.before, "before") if window.before is not None else len(ids)
    chosen = [index for index in kept if start <= index < end]
    has_previous = any(index < start for index in kept)
    has_next = any(index >= end for index in kept)
    if window.first is not None and len(chosen) > window.first:
        chosen, has_next = chosen[: window.first], True
    if window.last is not None and len(chosen) > window.last:
        chosen, has_previous = chosen[len(chosen) - window.last :], True
    edges = [{"node": nodes[i], "cursor": encode_cursor(window.tag, ids[i])} for i in chosen]
    return {
        "edges": edges,
        "pageInfo": {
            "hasNextPage": has_next,
            "hasPreviousPage": has_previous,
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
        "totalCount": len(kept),
    }
