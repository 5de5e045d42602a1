"""Request-scoped batching of relations: the first node of a page to ask loads for all of them.

Every record a resolver returns is a `RecordNode`: its values plus the `Siblings` group it was
loaded with (a page, a mutation's records, every child of one nested load). When a relation
field is resolved on one node, the whole group's relation is loaded with one core call and
kept on the group; the other nodes read it from there. So the DynamoDB requests of a query
grow with its depth, never with the number of records (DataLoader's batching, synchronously).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any


class Siblings:
    """Records loaded together, and what has been loaded for all of them, by key."""

    __slots__ = ("loaded", "nodes")

    def __init__(self) -> None:
        self.nodes: list[RecordNode] = []
        self.loaded: dict[tuple[str, ...], Any] = {}

    def load(self, key: tuple[str, ...], batch: Callable[[list[RecordNode]], Any]) -> Any:
        """`batch(all nodes)` computed once per key for the whole group; a failure too, raised
        again to every node that asks (60 parents whose load fails read once, not 60 times)."""
        if key not in self.loaded:
            try:
                self.loaded[key] = batch(self.nodes)
            except Exception as error:
                self.loaded[key] = _Failed(error)
                raise
        found = self.loaded[key]
        if isinstance(found, _Failed):
            raise found.error
        return found


class _Failed:
    __slots__ = ("error",)

    def __init__(self, error: Exception) -> None:
        self.error = error


class RecordNode(dict[str, Any]):
    """A presented record (a dict, so default resolvers read its fields) and its group."""

    __slots__ = ("group",)

    def __init__(self, values: dict[str, Any], group: Siblings) -> None:
        super().__init__(values)
        self.group = group
        group.nodes.append(self)


def nodes_of(records: Iterable[dict[str, Any]], group: Siblings | None = None) -> list[RecordNode]:
    """Records as nodes of one (new, unless given) sibling group."""
    group = group if group is not None else Siblings()
    return [RecordNode(record, group) for record in records]
