"""Cursor paging over a workspace's objects or fields (the model is in memory: a list slice)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from chalicelib.errors import BadRequestError

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Slice(Generic[T]):
    items: list[T]
    has_next: bool
    has_previous: bool


def _position(ids: list[str], cursor: str, name: str) -> int:
    try:
        return ids.index(cursor)
    except ValueError:
        raise BadRequestError(f"'{name}' cursor '{cursor}' is not an item of this list") from None


def slice_items(
    items: Sequence[T],
    id_of: Callable[[T], str],
    *,
    after: str | None = None,
    before: str | None = None,
    first: int | None = None,
    last: int | None = None,
) -> Slice[T]:
    """Relay-style window: items after/before a cursor id, then the first or last N of them."""
    ids = [id_of(item) for item in items]
    start = _position(ids, after, "after") + 1 if after is not None else 0
    end = _position(ids, before, "before") if before is not None else len(ids)
    window = list(items[start:end])
    has_previous, has_next = start > 0, end < len(ids)
    if first is not None and len(window) > first:
        window, has_next = window[:first], True
    if last is not None and len(window) > last:
        window, has_previous = window[len(window) - last :], True
    return Slice(window, has_next, has_previous)
