"""Abuse limits checked on the query text and the parsed document alone, before authentication.

Everything here costs time linear in the document's size, whatever the document: each
fragment's cost is measured once and a spread adds that memoised cost (a fragment spread ten
times counts ten times, without being walked ten times), so `{ ...F0 }` with 31 fragments each
spreading the next one twice is refused in well under a millisecond instead of walking 2^31
fields. Counts saturate at `_CEILING`, so even such a document adds small numbers.

What is counted, per operation, through inline fragments and spreads:
- depth: nested fields, except the connection plumbing (`edges`, `node`), so
  `companies { edges { node { people { edges { node { name { firstName } } } } } } } }` has
  depth 4, as Twenty counts relation levels. The subtree of `__schema` / `__type` counts as one
  level: its nesting is graphql-core's MaxIntrospectionDepthRule's business, and GraphiQL's own
  introspection query nests 15 field levels (`ofType` in `ofType`...).
- nesting: every field level, plumbing and introspection included, so the recursive parts of
  validation and execution never run near Python's recursion limit.
- fields, root fields, aliases and directives: every occurrence, introspection fields included.
The document as a whole: its length (checked before parsing), its tokens (graphql-core's parser
stops at the cap), its fragment definitions, and no fragment may spread itself (the walk needs
an order of fragments; graphql-core's NoFragmentCyclesRule would only say so after
authentication).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

# Above any configured limit: a count that reaches it only says "far too many".
_CEILING = 10**12
_INTROSPECTION_ROOTS = frozenset({"__schema", "__type"})


@dataclass(frozen=True, slots=True)
class QueryLimits:
    max_depth: int
    max_fields: int
    max_root_fields: int
    max_tokens: int
    max_aliases: int = 30
    max_directives: int = 50
    max_fragments: int = 100
    max_nesting: int = 30
    max_query_chars: int = 250_000
    transparent_fields: frozenset[str] = frozenset({"edges", "node"})


@dataclass(frozen=True, slots=True)
class Cost:
    """What a selection set asks for, its fragment spreads counted as the fragments they name."""

    fields: int = 0
    root_fields: int = 0
    aliases: int = 0
    directives: int = 0
    depth: int = 0
    nesting: int = 0


_NOTHING = Cost()


@dataclass(slots=True)
class DocumentCost:
    """The cost of each operation of a document, or the fragment that spreads itself."""

    fragments: int = 0
    cycle: FragmentDefinitionNode | None = None
    operations: list[tuple[OperationDefinitionNode, Cost]] = field(default_factory=list)
    # Selections measured: each selection of the document once, whatever it spreads.
    visited: int = 0


def check_size(query: str, limits: QueryLimits) -> GraphQLError | None:
    """The refusal of a query text too long to parse (checked before anything else)."""
    if len(query) <= limits.max_query_chars:
        return None
    return GraphQLError(
        f"The query has {len(query)} characters; the maximum is {limits.max_query_chars}"
        " (pass large values as variables)"
    )


def check_limits(document: DocumentNode, limits: QueryLimits) -> list[GraphQLError]:
    """Every limit the document or its operations exceed (empty when it is acceptable)."""
    cost = measure(document, limits.transparent_fields)
    if cost.fragments > limits.max_fragments:
        message = f"The document defines {cost.fragments} fragments; the maximum is "
        return [GraphQLError(message + str(limits.max_fragments))]
    if cost.cycle is not None:
        name = cost.cycle.name.value
        return [GraphQLError(f"Cannot spread fragment '{name}' within itself.", cost.cycle)]
    problems: list[GraphQLError] = []
    for operation, operation_cost in cost.operations:
        problems.extend(_exceeded(operation, operation_cost, limits))
    return problems


def measure(document: DocumentNode, transparent_fields: frozenset[str]) -> DocumentCost:
    """The cost of each operation, each fragment measured once (nothing if one is cyclic)."""
    # A duplicated name keeps its last definition; UniqueFragmentNamesRule reports it later.
    fragments = {
        node.name.value: node
        for node in document.definitions
        if isinstance(node, FragmentDefinitionNode)
    }
    result = DocumentCost(fragments=len(fragments))
    order, cycle = _fragment_order(fragments)
    if cycle is not None:
        result.cycle = fragments[cycle]
        return result
    meter = _Meter(transparent_fields)
    for name in order:
        fragment = fragments[name]
        cost = meter.selection_set(fragment.selection_set)
        meter.known[name] = _plus(cost, directives=len(fragment.directives or ()))
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            cost = meter.selection_set(definition.selection_set)
            cost = _plus(cost, directives=len(definition.directives or ()))
            result.operations.append((definition, cost))
    result.visited = meter.visited
    return result


def _exceeded(
    operation: OperationDefinitionNode, cost: Cost, limits: QueryLimits
) -> Iterator[GraphQLError]:
    name = f"Operation '{operation.name.value}'" if operation.name else "The operation"
    checks = (
        (cost.root_fields, limits.max_root_fields, "has {} root fields"),
        (cost.depth, limits.max_depth, "has depth {}"),
        (cost.nesting, limits.max_nesting, "nests fields {} levels deep"),
        (cost.fields, limits.max_fields, "selects {} fields"),
        (cost.aliases, limits.max_aliases, "uses {} aliases"),
        (cost.directives, limits.max_directives, "uses {} directives"),
    )
    for count, maximum, what in checks:
        if count > maximum:
            shown = f"at least {_CEILING}" if count >= _CEILING else str(count)
            yield GraphQLError(f"{name} {what.format(shown)}; the maximum is {maximum}", operation)


def _fragment_order(
    fragments: dict[str, FragmentDefinitionNode],
) -> tuple[list[str], str | None]:
    """A depth-first post-order over the spreads, with an explicit stack: a chain of a thousand
    fragments must not reach Python's recursion limit."""
    spreads = {name: _spread_names(node.selection_set) for name, node in fragments.items()}
    order: list[str] = []
    open_: set[str] = set()
    done: set[str] = set()
    for root in fragments:
        if root in done:
            continue
        stack = [(root, iter(spreads[root]))]
        open_.add(root)
        while stack:
            name, pending = stack[-1]
            child = next(pending, None)
            if child is None:
                stack.pop()
                open_.discard(name)
                done.add(name)
                order.append(name)
            elif child in open_:
                return order, child
            elif child in fragments and child not in done:
                open_.add(child)
                stack.append((child, iter(spreads[child])))
    return order, None


def _spread_names(selection_set: SelectionSetNode) -> list[str]:
    """The fragments a selection set spreads, at any level, each named once."""
    names: dict[str, None] = {}
    pending = [selection_set]
    while pending:
        for selection in pending.pop().selections:
            if isinstance(selection, FragmentSpreadNode):
                names[selection.name.value] = None
            elif isinstance(selection, FieldNode | InlineFragmentNode) and selection.selection_set:
                pending.append(selection.selection_set)
    return list(names)


def _add(left: int, right: int) -> int:
    return min(left + right, _CEILING)


def _plus(cost: Cost, *, directives: int) -> Cost:
    if not directives:
        return cost
    return Cost(
        cost.fields,
        cost.root_fields,
        cost.aliases,
        _add(cost.directives, directives),
        cost.depth,
        cost.nesting,
    )


@dataclass(slots=True)
class _Tally:
    fields: int = 0
    root_fields: int = 0
    aliases: int = 0
    directives: int = 0
    depth: int = 0
    nesting: int = 0

    def include(self, cost: Cost, *, level: int, depth: int | None = None) -> None:
        """Add `cost` found `level` field levels below this selection set (0 for fragments)."""
        self.fields = _add(self.fields, cost.fields)
        self.aliases = _add(self.aliases, cost.aliases)
        self.directives = _add(self.directives, cost.directives)
        if level == 0:
            self.root_fields = _add(self.root_fields, cost.root_fields)
        self.depth = max(self.depth, cost.depth if depth is None else depth)
        self.nesting = max(self.nesting, cost.nesting + level)

    def freeze(self) -> Cost:
        return Cost(
            self.fields, self.root_fields, self.aliases, self.directives, self.depth, self.nesting
        )


@dataclass(slots=True)
class _Meter:
    """Measures selection sets; `known` holds the cost of every fragment measured so far."""

    transparent_fields: frozenset[str]
    known: dict[str, Cost] = field(default_factory=dict)
    visited: int = 0

    def selection_set(self, selection_set: SelectionSetNode | None) -> Cost:
        if selection_set is None:
            return _NOTHING
        tally = _Tally()
        for selection in selection_set.selections:
            self.visited += 1
            tally.directives = _add(tally.directives, len(selection.directives or ()))
            if isinstance(selection, FieldNode):
                self._field(selection, tally)
            elif isinstance(selection, InlineFragmentNode):
                tally.include(self.selection_set(selection.selection_set), level=0)
            elif isinstance(selection, FragmentSpreadNode):
                # Unknown fragments count as nothing: KnownFragmentNamesRule reports them.
                tally.include(self.known.get(selection.name.value, _NOTHING), level=0)
        return tally.freeze()

    def _field(self, node: FieldNode, tally: _Tally) -> None:
        below = self.selection_set(node.selection_set)
        name = node.name.value
        level = 0 if name in self.transparent_fields else 1
        depth = level if name in _INTROSPECTION_ROOTS else level + below.depth
        itself = Cost(fields=1, root_fields=1, aliases=1 if node.alias else 0, nesting=1)
        tally.include(itself, level=0, depth=depth)
        tally.include(below, level=1, depth=depth)
