"""The type mapper: a field's (or sub-field's) FieldType to its GraphQL value and filter types.

Filter operators are not listed here: each filter input carries exactly the operators the core
accepts for that type (`core/query_validation.allowed_operators`), so the schema can never
advertise an operator the engine would refuse.
"""

from __future__ import annotations

from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLEnumValue,
    GraphQLFloat,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLString,
)

from chalicelib.core import composites
from chalicelib.core.coercion import RATING_VALUES
from chalicelib.core.filters import Direction, Operator
from chalicelib.core.query_validation import allowed_operators
from chalicelib.graphql import scalars
from chalicelib.graphql.core_schema.naming import enum_name, is_graphql_name
from chalicelib.graphql.core_schema.type_store import TypeStore
from chalicelib.metadata.model import FieldDef, FieldType, ObjectDef

_SCALARS: dict[FieldType, GraphQLInputType] = {
    FieldType.UUID: scalars.UUID,
    FieldType.TEXT: GraphQLString,
    FieldType.RICH_TEXT: GraphQLString,
    FieldType.NUMERIC: scalars.BIG_FLOAT,
    FieldType.BOOLEAN: GraphQLBoolean,
    FieldType.DATE: scalars.DATE,
    FieldType.DATE_TIME: scalars.DATE_TIME,
    FieldType.RAW_JSON: scalars.RAW_JSON,
    FieldType.POSITION: scalars.POSITION,
    FieldType.ARRAY: GraphQLString,
}

# Filter input names of Twenty's type mapper, by value type.
_FILTER_NAMES = {
    "UUID": "UUIDFilter",
    "String": "StringFilter",
    "BigFloat": "BigFloatFilter",
    "Boolean": "BooleanFilter",
    "Date": "DateFilter",
    "DateTime": "DateTimeFilter",
    "RawJSON": "RawJsonFilter",
    "Float": "FloatFilter",
    "Int": "IntFilter",
}

_PATTERN_OPERATORS = (Operator.STARTS_WITH, Operator.ENDS_WITH, Operator.LIKE, Operator.ILIKE)
_LIST_OPERATORS = (Operator.IN, Operator.CONTAINS_ANY)


def order_direction(store: TypeStore) -> GraphQLEnumType:
    """`OrderByDirection`: AscNullsFirst | AscNullsLast | DescNullsFirst | DescNullsLast."""
    return store.get(
        "OrderByDirection",
        lambda: GraphQLEnumType(
            "OrderByDirection", {d.value: GraphQLEnumValue(d.value) for d in Direction}
        ),
    )


def _filter_is(store: TypeStore) -> GraphQLEnumType:
    return store.get(
        "FilterIs",
        lambda: GraphQLEnumType(
            "FilterIs", {"NULL": GraphQLEnumValue("NULL"), "NOT_NULL": GraphQLEnumValue("NOT_NULL")}
        ),
    )


def _enum(store: TypeStore, name: str, values: list[str]) -> GraphQLEnumType | None:
    if not values or not all(is_graphql_name(value) for value in values):
        return None  # options that are not GraphQL names fall back to String
    return store.get(name, lambda: GraphQLEnumType(name, {v: GraphQLEnumValue(v) for v in values}))


def field_enum(store: TypeStore, obj: ObjectDef, field: FieldDef) -> GraphQLEnumType | None:
    """The per-field enum of a SELECT, MULTI_SELECT or RATING field (None: use String)."""
    if field.type is FieldType.RATING:
        return _enum(store, enum_name(obj, field), list(RATING_VALUES))
    ordered = sorted(field.options, key=lambda option: option.position)
    return _enum(store, enum_name(obj, field), [option.value for option in ordered])


def actor_source(store: TypeStore) -> GraphQLEnumType:
    enum = _enum(store, "ActorSourceEnum", list(composites.ACTOR_SOURCES))
    assert enum is not None
    return enum


def value_type(store: TypeStore, obj: ObjectDef, field: FieldDef) -> GraphQLInputType:
    """The value type of a non-composite, non-relation field (inputs and outputs alike)."""
    if field.type in (FieldType.SELECT, FieldType.MULTI_SELECT, FieldType.RATING):
        item: GraphQLInputType = field_enum(store, obj, field) or GraphQLString
        return GraphQLList(GraphQLNonNull(item)) if field.type is FieldType.MULTI_SELECT else item
    if field.type is FieldType.NUMBER:
        return GraphQLInt if (field.settings or {}).get("dataType") == "int" else GraphQLFloat
    if field.type is FieldType.ARRAY:
        return GraphQLList(GraphQLNonNull(GraphQLString))
    return _SCALARS.get(field.type, scalars.RAW_JSON)


def sub_value_type(store: TypeStore, sub: composites.SubField) -> GraphQLInputType:
    """The value type of a composite sub-field."""
    if sub.kind is composites.SubFieldKind.ACTOR_SOURCE:
        return actor_source(store)
    return _SCALARS.get(sub.type, scalars.RAW_JSON)


def filter_type(
    store: TypeStore, field_type: FieldType, values: GraphQLInputType
) -> GraphQLInputObjectType | None:
    """The filter input for values of `field_type` shown as `values` (None: not filterable)."""
    operators = allowed_operators(field_type)
    if not operators:
        return None
    item = values.of_type.of_type if isinstance(values, GraphQLList) else values  # type: ignore[union-attr]
    if item is scalars.POSITION:
        item = GraphQLFloat  # Twenty filters positions with FloatFilter
    base = getattr(item, "name", "Value")
    name = (
        "ArrayFilter" if field_type is FieldType.ARRAY else _FILTER_NAMES.get(base, f"{base}Filter")
    )

    def build() -> GraphQLInputObjectType:
        fields = {}
        for operator in operators:
            if operator is Operator.IS:
                fields[operator.value] = GraphQLInputField(_filter_is(store))
            elif operator in _LIST_OPERATORS:
                fields[operator.value] = GraphQLInputField(GraphQLList(GraphQLNonNull(item)))
            elif operator in _PATTERN_OPERATORS:
                fields[operator.value] = GraphQLInputField(GraphQLString)
            else:
                fields[operator.value] = GraphQLInputField(item)
        return GraphQLInputObjectType(name, fields)

    return store.get(name, build)
