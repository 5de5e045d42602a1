"""Twenty's custom scalars: UUID, DateTime, Date, RawJSON, BigFloat, Position.

Values pass through as JSON: the core validates and normalises them with the same rules as
REST, so a scalar only checks the JSON kind (a UUID is a string, a Position a number).
"""

from __future__ import annotations

from typing import Any

from graphql import (
    FloatValueNode,
    GraphQLError,
    GraphQLScalarType,
    IntValueNode,
    StringValueNode,
    ValueNode,
    value_from_ast_untyped,
)


def _identity(value: Any) -> Any:
    return value


def _string_scalar(name: str, description: str) -> GraphQLScalarType:
    def parse_value(value: Any) -> str:
        if not isinstance(value, str):
            raise GraphQLError(f"{name} cannot represent a non-string value: {value!r}")
        return value

    def parse_literal(node: ValueNode, _variables: Any = None) -> str:
        if not isinstance(node, StringValueNode):
            raise GraphQLError(f"{name} cannot represent a non-string value", node)
        return node.value

    return GraphQLScalarType(
        name,
        description=description,
        serialize=str,
        parse_value=parse_value,
        parse_literal=parse_literal,
    )


def _number_scalar(name: str, description: str, *, strings: bool) -> GraphQLScalarType:
    accepted: tuple[type, ...] = (int, float, str) if strings else (int, float)
    literals: tuple[type, ...] = (IntValueNode, FloatValueNode)
    if strings:
        literals += (StringValueNode,)

    def parse_value(value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, accepted):
            raise GraphQLError(f"{name} cannot represent {value!r}")
        return value

    def parse_literal(node: ValueNode, _variables: Any = None) -> Any:
        if not isinstance(node, literals):
            raise GraphQLError(f"{name} cannot represent this value", node)
        if isinstance(node, StringValueNode):
            return node.value
        return int(node.value) if isinstance(node, IntValueNode) else float(node.value)

    return GraphQLScalarType(
        name,
        description=description,
        serialize=_identity,
        parse_value=parse_value,
        parse_literal=parse_literal,
    )


UUID = _string_scalar("UUID", "A UUID, e.g. 5b2d0c4e-6a1f-4b8e-9c3d-2e7f1a0b9c8d")
DATE_TIME = _string_scalar("DateTime", "An ISO 8601 date-time, e.g. 2024-01-31T09:30:00.000Z")
DATE = _string_scalar("Date", "A calendar date, YYYY-MM-DD")
BIG_FLOAT = _number_scalar("BigFloat", "A decimal number (a JSON number or string)", strings=True)
POSITION = _number_scalar("Position", "A record's position among its siblings", strings=False)
RAW_JSON = GraphQLScalarType(
    "RawJSON",
    description="Any JSON value",
    serialize=_identity,
    parse_value=_identity,
    parse_literal=value_from_ast_untyped,
)

ALL = (UUID, DATE_TIME, DATE, BIG_FLOAT, POSITION, RAW_JSON)
