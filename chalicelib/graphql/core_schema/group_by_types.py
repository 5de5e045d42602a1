"""Aggregate fields of every connection, and the types of `<plural>GroupBy` (Twenty's names).

- `XConnection` gains every aggregate field of `core/aggregates.available_aggregates` (Int,
  Float, DateTime or Date); they are computed only when selected (graphql/aggregate_resolvers).
- `XGroupByInput`: one entry per field: `Boolean` for a plain field or a join column,
  `<Composite>GroupByInput` (a Boolean per sub-field) for a composite,
  `GroupByDateGranularityInput {granularity, weekStartDay, timeZone}` for DATE / DATE_TIME.
- `XOrderByWithGroupByInput`: `aggregate: XOrderByWithGroupByAggregateInput` (a direction per
  aggregate field) and a direction per groupBy dimension (`OrderByDateGranularityInput
  {orderBy, granularity}` for dates, the composite order-by inputs for sub-fields).
- `XGroupByConnection`: the connection's fields plus `groupByDimensionValues: RawJSON!`.
"""

from __future__ import annotations

from graphql import (
    GraphQLArgument,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLEnumValue,
    GraphQLField,
    GraphQLFloat,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLString,
)

from chalicelib.core import composites
from chalicelib.core.aggregates import DATE, DATE_TIME, FLOAT, available_aggregates
from chalicelib.core.group_by import GRANULARITIES, WEEK_START_DAYS
from chalicelib.graphql import scalars
from chalicelib.graphql.core_schema.field_types import order_direction
from chalicelib.graphql.core_schema.input_types import filter_input, order_by_input
from chalicelib.graphql.core_schema.naming import COMPOSITE_TYPE_NAMES, type_name
from chalicelib.graphql.core_schema.type_store import TypeStore
from chalicelib.metadata.model import FieldType, ObjectDef

_DATES = (FieldType.DATE, FieldType.DATE_TIME)
_RESULT_TYPES: dict[str, GraphQLOutputType] = {
    FLOAT: GraphQLFloat,
    DATE: scalars.DATE,
    DATE_TIME: scalars.DATE_TIME,
}


def aggregate_fields(obj: ObjectDef) -> dict[str, GraphQLField]:
    """Every aggregate field of `obj`'s connections except totalCount (declared with them)."""
    return {
        name: GraphQLField(_RESULT_TYPES.get(aggregate.result, GraphQLInt))
        for name, aggregate in available_aggregates(obj).items()
        if name != "totalCount"
    }


def _granularity(store: TypeStore) -> GraphQLEnumType:
    return store.get(
        "DateGranularityEnum",
        lambda: GraphQLEnumType(
            "DateGranularityEnum", {value: GraphQLEnumValue(value) for value in GRANULARITIES}
        ),
    )


def _date_group_by(store: TypeStore) -> GraphQLInputObjectType:
    week = store.get(
        "FirstDayOfTheWeek",
        lambda: GraphQLEnumType(
            "FirstDayOfTheWeek", {day: GraphQLEnumValue(day) for day in WEEK_START_DAYS}
        ),
    )
    return store.get(
        "GroupByDateGranularityInput",
        lambda: GraphQLInputObjectType(
            "GroupByDateGranularityInput",
            {
                "granularity": GraphQLInputField(_granularity(store)),
                "weekStartDay": GraphQLInputField(week),
                "timeZone": GraphQLInputField(GraphQLString),
            },
        ),
    )


def _date_order_by(store: TypeStore) -> GraphQLInputObjectType:
    return store.get(
        "OrderByDateGranularityInput",
        lambda: GraphQLInputObjectType(
            "OrderByDateGranularityInput",
            {
                "orderBy": GraphQLInputField(order_direction(store)),
                "granularity": GraphQLInputField(_granularity(store)),
            },
        ),
    )


def _composite_group_by(store: TypeStore, field_type: FieldType) -> GraphQLInputObjectType:
    name = COMPOSITE_TYPE_NAMES[field_type] + "GroupByInput"
    return store.get(
        name,
        lambda: GraphQLInputObjectType(
            name,
            {
                sub: GraphQLInputField(GraphQLBoolean)
                for sub in composites.sub_field_names(field_type)
            },
        ),
    )


def group_by_input(store: TypeStore, obj: ObjectDef) -> GraphQLInputObjectType:
    """`XGroupByInput`: what a groupBy item may name (core/group_by.parse_dimensions)."""
    name = type_name(obj, "GroupByInput")

    def fields() -> dict[str, GraphQLInputField]:
        found: dict[str, GraphQLInputField] = {}
        for field in obj.by_name.values():
            if field.type is FieldType.RELATION:
                if field.join_column:
                    found[field.join_column] = GraphQLInputField(GraphQLBoolean)
            elif composites.is_composite(field.type):
                found[field.name] = GraphQLInputField(_composite_group_by(store, field.type))
            elif field.type in _DATES:
                found[field.name] = GraphQLInputField(_date_group_by(store))
            else:
                found[field.name] = GraphQLInputField(GraphQLBoolean)
        return found

    return store.get(name, lambda: GraphQLInputObjectType(name, fields))


def order_by_with_group_by_input(store: TypeStore, obj: ObjectDef) -> GraphQLInputObjectType:
    """`XOrderByWithGroupByInput`: by an aggregate, or by a groupBy dimension."""
    name = type_name(obj, "OrderByWithGroupByInput")
    aggregate_name = type_name(obj, "OrderByWithGroupByAggregateInput")
    direction = order_direction(store)
    by_aggregate = store.get(
        aggregate_name,
        lambda: GraphQLInputObjectType(
            aggregate_name,
            lambda: {a: GraphQLInputField(direction) for a in available_aggregates(obj)},
        ),
    )

    def fields() -> dict[str, GraphQLInputField]:
        plain = order_by_input(store, obj).fields
        found = {"aggregate": GraphQLInputField(by_aggregate)}
        for field_name, input_field in plain.items():
            field = obj.by_name.get(field_name)
            if field is not None and field.type in _DATES:
                found[field_name] = GraphQLInputField(_date_order_by(store))
            else:
                found[field_name] = GraphQLInputField(input_field.type)
        return found

    return store.get(name, lambda: GraphQLInputObjectType(name, fields))


def group_by_connection(
    store: TypeStore, obj: ObjectDef, connection: GraphQLObjectType
) -> GraphQLObjectType:
    """`XGroupByConnection`: one group, as Twenty's front end reads it."""
    name = type_name(obj, "GroupByConnection")

    def fields() -> dict[str, GraphQLField]:
        found = dict(connection.fields)
        found["groupByDimensionValues"] = GraphQLField(GraphQLNonNull(scalars.RAW_JSON))
        return found

    return store.get(name, lambda: GraphQLObjectType(name, fields))


def group_by_args(store: TypeStore, obj: ObjectDef) -> dict[str, GraphQLArgument]:
    """Twenty's groupBy arguments (reference 5.2)."""
    return {
        "groupBy": GraphQLArgument(
            GraphQLNonNull(GraphQLList(GraphQLNonNull(group_by_input(store, obj))))
        ),
        "filter": GraphQLArgument(filter_input(store, obj)),
        "orderBy": GraphQLArgument(GraphQLList(order_by_with_group_by_input(store, obj))),
        "orderByForRecords": GraphQLArgument(GraphQLList(order_by_input(store, obj))),
        "viewId": GraphQLArgument(scalars.UUID),
        "limit": GraphQLArgument(GraphQLInt),
        "offsetForRecords": GraphQLArgument(GraphQLInt),
    }
