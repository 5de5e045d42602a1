"""What a connection field's selection reads, worked out before its records are built.

A nested `people(first: 5) { edges { node { id jobTitle } } }` under 60 companies returns 300
records: encoding a cursor for each, or presenting all twenty-odd columns of each when two are
shown, costs more CPU than the rest of the request. These answers are conservative: a fragment
that cannot be followed, or a name that is not a record column, means "everything".
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLResolveInfo,
    InlineFragmentNode,
    SelectionSetNode,
)

from chalicelib.core.presentation import column_names
from chalicelib.metadata.model import ObjectDef, RelationType

_CURSOR_FIELDS = frozenset({"cursor", "startCursor", "endCursor"})


class _Unknown(Exception):
    """A selection this module cannot follow (a fragment it does not find)."""


def _fields(
    info: GraphQLResolveInfo, selection_set: SelectionSetNode | None
) -> Iterator[FieldNode]:
    """The fields of a selection set, fragments (inline and named) followed, each fragment
    once; directives are ignored (a field under @skip counts as selected)."""
    pending = [selection_set]
    seen: set[str] = set()
    while pending:
        current = pending.pop()
        if current is None:
            continue
        for selection in current.selections:
            if isinstance(selection, FieldNode):
                yield selection
            elif isinstance(selection, InlineFragmentNode):
                pending.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = info.fragments.get(name)
                if fragment is None:
                    raise _Unknown(name)
                if name not in seen:
                    seen.add(name)
                    pending.append(fragment.selection_set)
            else:
                raise _Unknown(type(selection).__name__)


def selects_cursors(info: GraphQLResolveInfo) -> bool:
    """Whether any selection below the field may read a cursor: a nested connection's edges
    are otherwise built without one. A cursor field at any depth counts (a node's own nested
    connections included)."""
    pending = [node.selection_set for node in info.field_nodes]
    try:
        while pending:
            for field in _fields(info, pending.pop()):
                if field.name.value in _CURSOR_FIELDS:
                    return True
                pending.append(field.selection_set)
    except _Unknown:
        return True
    return False


def selects_total(info: GraphQLResolveInfo) -> bool:
    """Whether the connection's own selection reads `totalCount` (a list whose selection does
    not read it does not read its object's counter either)."""
    try:
        return any(
            field.name.value == "totalCount"
            for node in info.field_nodes
            for field in _fields(info, node.selection_set)
        )
    except _Unknown:
        return True


def node_columns(info: GraphQLResolveInfo, target: ObjectDef) -> frozenset[str] | None:
    """The output keys of `target`'s records that the connection's `edges { node { … } }`
    selections read (core/presentation.py), or None for all of them: its `id` always (nested
    relations are loaded by it), each selected column, and the join column of each selected
    MANY_TO_ONE relation. A selected name that is none of these (a field this module does not
    know) gives None."""
    known = frozenset(column_names(target))
    wanted = {"id"}
    try:
        for field in _node_fields(info):
            name = field.name.value
            column = name if name in known else _join_column(target, name)
            if column is None:
                return None
            wanted.add(column)
    except _Unknown:
        return None
    return frozenset(wanted)


def _node_fields(info: GraphQLResolveInfo) -> Iterator[FieldNode]:
    """The fields selected under the connection's `edges { node { … } }`."""
    for connection in info.field_nodes:
        for edges in _fields(info, connection.selection_set):
            if edges.name.value == "edges":
                for node in _fields(info, edges.selection_set):
                    if node.name.value == "node":
                        yield from _fields(info, node.selection_set)


def _join_column(target: ObjectDef, name: str) -> str | None:
    """The column a selected non-column field reads: `id` for `__typename` and ONE_TO_MANY
    relations (loaded by the record's id), the join column of a MANY_TO_ONE; None if unknown."""
    if name == "__typename":
        return "id"
    field = target.by_name.get(name)
    if field is None or field.relation is None:
        return None
    if field.relation.type is RelationType.MANY_TO_ONE:
        return field.join_column or None
    return "id"
