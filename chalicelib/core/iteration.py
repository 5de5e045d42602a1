"""Small helpers over lazily read record streams."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")


def take(items: Iterator[T], count: int) -> list[T]:
    """The first `count` items, reading no further than needed (each read may be a request)."""
    taken: list[T] = []
    if count <= 0:
        return taken
    for item in items:
        taken.append(item)
        if len(taken) == count:
            break
    return taken
