"""Leaf types of the metadata schema: the JSON and ConnectionCursor scalars, the enums."""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLEnumValue,
    GraphQLError,
    GraphQLScalarType,
    StringValueNode,
    ValueNode,
    value_from_ast_untyped,
)

from chalicelib.metadata.model import FieldType, RelationType


def _identity(value: Any) -> Any:
    return value


def _cursor_literal(node: ValueNode, _variables: Any = None) -> str:
    if not isinstance(node, StringValueNode):
        raise GraphQLError("ConnectionCursor must be a string", node)
    return node.value


def _cursor_value(value: Any) -> str:
    if not isinstance(value, str):
        raise GraphQLError(f"ConnectionCursor must be a string, not {value!r}")
    return value


JSON = GraphQLScalarType(
    "JSON",
    description="Any JSON value",
    serialize=_identity,
    parse_value=_identity,
    parse_literal=value_from_ast_untyped,
)
CONNECTION_CURSOR = GraphQLScalarType(
    "ConnectionCursor",
    description="An opaque cursor of one list",
    serialize=str,
    parse_value=_cursor_value,
    parse_literal=_cursor_literal,
)
FIELD_METADATA_TYPE = GraphQLEnumType(
    "FieldMetadataType", {t.value: GraphQLEnumValue(t.value) for t in FieldType}
)
RELATION_TYPE = GraphQLEnumType(
    "RelationType", {t.value: GraphQLEnumValue(t.value) for t in RelationType}
)
