"""Abuse limits checked on the parsed document alone, before authentication or any read.

Depth counts nested fields, except the connection plumbing (`edges`, `node`), so
`companies { edges { node { people { edges { node { name { firstName } } } } } } } }` has depth
4 (companies, people, name, firstName), as Twenty counts relation levels. Introspection fields
(`__schema`...) are left to graphql-core's own MaxIntrospectionDepthRule. The field count
expands fragments where they are spread, so a fragment used ten times counts ten times.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

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


@dataclass(frozen=True, slots=True)
class QueryLimits:
    max_depth: int
    max_fields: int
    max_root_fields: int
    max_tokens: int
    transparent_fields: frozenset[str] = frozenset({"edges", "node"})


@dataclass(slots=True)
class _Tally:
    fields: int = 0
    depth: int = 0


def check_limits(document: DocumentNode, limits: QueryLimits) -> list[GraphQLError]:
    """Every limit the document's operations exceed (empty when it is acceptable)."""
    fragments = {
        node.name.value: node
        for node in document.definitions
        if isinstance(node, FragmentDefinitionNode)
    }
    problems: list[GraphQLError] = []
    for operation in document.definitions:
        if not isinstance(operation, OperationDefinitionNode):
            continue
        name = f"Operation '{operation.name.value}'" if operation.name else "The operation"
        roots = sum(1 for _ in _fields(operation.selection_set, fragments, ()))
        if roots > limits.max_root_fields:
            problems.append(
                GraphQLError(
                    f"{name} has {roots} root fields; the maximum is {limits.max_root_fields}",
                    operation,
                )
            )
        tally = _Tally()
        _walk(operation.selection_set, fragments, limits, tally, 0, ())
        if tally.depth > limits.max_depth:
            problems.append(
                GraphQLError(
                    f"{name} has depth {tally.depth}; the maximum is {limits.max_depth}",
                    operation,
                )
            )
        if tally.fields > limits.max_fields:
            problems.append(
                GraphQLError(
                    f"{name} selects {tally.fields} fields; the maximum is {limits.max_fields}",
                    operation,
                )
            )
    return problems


def _fields(
    selections: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    visiting: tuple[str, ...],
) -> Iterator[FieldNode]:
    """The fields of a selection set with fragments expanded (cycles are not followed: the
    validation rule NoFragmentCycles reports them)."""
    if selections is None:
        return
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _fields(selection.selection_set, fragments, visiting)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is not None and name not in visiting:
                yield from _fields(fragment.selection_set, fragments, (*visiting, name))


def _walk(
    selections: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    limits: QueryLimits,
    tally: _Tally,
    depth: int,
    visiting: tuple[str, ...],
) -> None:
    for field in _fields(selections, fragments, visiting):
        tally.fields += 1
        # Stop early: a hostile document must not cost more than the limit to reject.
        if tally.fields > limits.max_fields:
            return
        name = field.name.value
        if name.startswith("__"):
            continue
        level = depth if name in limits.transparent_fields else depth + 1
        tally.depth = max(tally.depth, level)
        if tally.depth > limits.max_depth:
            return
        _walk(field.selection_set, fragments, limits, tally, level, visiting)
