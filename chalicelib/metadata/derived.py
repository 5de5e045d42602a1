"""What is derived from an object's definition, computed once per definition.

An `ObjectDef` is immutable and a new model version makes new ones, so a value computed from
one never goes stale: it is looked up by the definition's identity. Hashing the definition
instead would walk every field on each lookup, which costs more than most of what is derived.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from chalicelib.metadata.model import ObjectDef

_D = TypeVar("_D", bound=Hashable)
_V = TypeVar("_V")

# Bounded: models come and go (each version of each workspace makes its own definitions).
_MAX_ENTRIES = 512


class DerivedFromObject(Generic[_D, _V]):
    """`build(obj, detail)` remembered by `(obj's identity, detail)`."""

    def __init__(self, build: Callable[[ObjectDef, _D], _V]) -> None:
        self._build = build
        self._entries: dict[tuple[int, _D], tuple[ObjectDef, _V]] = {}

    def __call__(self, obj: ObjectDef, detail: _D) -> _V:
        key = (id(obj), detail)
        entry = self._entries.get(key)
        if entry is not None and entry[0] is obj:
            return entry[1]
        value = self._build(obj, detail)
        if len(self._entries) >= _MAX_ENTRIES:
            self._entries.clear()
        # Keeping `obj` in the entry keeps its id from being reused by another object while
        # the entry lives.
        self._entries[key] = (obj, value)
        return value
