"""What the schema builder needs from resolvers; the builder never knows how they work."""

from __future__ import annotations

from typing import Any, Protocol

from chalicelib.metadata import names
from chalicelib.metadata.model import FieldDef, ObjectDef

# Root verbs (reference 5.1); `many` selects the plural form of each mutation. The names they
# give are derived (and checked for clashes) in metadata/names.py.
VERBS = names.MUTATION_VERBS
QUERY_VERBS = names.QUERY_VERBS


class Resolvers(Protocol):
    def root(self, verb: str, obj: ObjectDef, *, many: bool) -> Any:
        """The resolver of a root Query or Mutation field."""
        ...

    def relation(self, obj: ObjectDef, field: FieldDef) -> Any:
        """The resolver of a MANY_TO_ONE object field or a ONE_TO_MANY connection field."""
        ...
