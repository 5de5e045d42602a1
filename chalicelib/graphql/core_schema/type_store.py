"""Per-build store of generated types keyed by name, so each type is built exactly once."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from graphql import GraphQLNamedType

_T = TypeVar("_T", bound=GraphQLNamedType)


class TypeStore:
    def __init__(self) -> None:
        self._types: dict[str, GraphQLNamedType] = {}

    def get(self, name: str, build: Callable[[], _T]) -> _T:
        """The type called `name`, built on first request (types refer to each other by thunk)."""
        found = self._types.get(name)
        if found is None:
            found = self._types[name] = build()
        return found  # type: ignore[return-value]

    def all(self) -> list[GraphQLNamedType]:
        return list(self._types.values())
