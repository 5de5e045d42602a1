"""Record types (`Company`), their `CompanyEdge` / `CompanyConnection`, `PageInfo`, composites."""

from __future__ import annotations

from graphql import (
    GraphQLArgument,
    GraphQLBoolean,
    GraphQLField,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLString,
)

from chalicelib.core import composites
from chalicelib.graphql import scalars
from chalicelib.graphql.core_schema.field_types import sub_value_type, value_type
from chalicelib.graphql.core_schema.group_by_types import aggregate_fields
from chalicelib.graphql.core_schema.input_types import filter_input, order_by_input
from chalicelib.graphql.core_schema.naming import COMPOSITE_TYPE_NAMES, type_name
from chalicelib.graphql.core_schema.resolving import Resolvers
from chalicelib.graphql.core_schema.type_store import TypeStore
from chalicelib.metadata.model import FieldDef, FieldType, ObjectDef, RelationType, WorkspaceModel


def page_info(store: TypeStore) -> GraphQLObjectType:
    return store.get(
        "PageInfo",
        lambda: GraphQLObjectType(
            "PageInfo",
            {
                "startCursor": GraphQLField(GraphQLString),
                "endCursor": GraphQLField(GraphQLString),
                "hasNextPage": GraphQLField(GraphQLNonNull(GraphQLBoolean)),
                "hasPreviousPage": GraphQLField(GraphQLNonNull(GraphQLBoolean)),
            },
        ),
    )


def _composite(store: TypeStore, field_type: FieldType) -> GraphQLObjectType:
    name = COMPOSITE_TYPE_NAMES[field_type]
    return store.get(
        name,
        lambda: GraphQLObjectType(
            name,
            {
                sub.name: GraphQLField(sub_value_type(store, sub))  # type: ignore[arg-type]
                for sub in composites.sub_fields(field_type)
            },
        ),
    )


def connection_args(store: TypeStore, obj: ObjectDef) -> dict[str, GraphQLArgument]:
    """findMany's paging, filter and sort arguments (also on ONE_TO_MANY fields)."""
    return {
        "filter": GraphQLArgument(filter_input(store, obj)),
        "orderBy": GraphQLArgument(GraphQLList(order_by_input(store, obj))),
        "first": GraphQLArgument(GraphQLInt),
        "last": GraphQLArgument(GraphQLInt),
        "offset": GraphQLArgument(GraphQLInt),
        "before": GraphQLArgument(GraphQLString),
        "after": GraphQLArgument(GraphQLString),
    }


def active_target(model: WorkspaceModel, field: FieldDef) -> ObjectDef | None:
    """The active object a relation points at (relations to inactive objects are hidden)."""
    if field.relation is None:
        return None
    target = model.by_id.get(field.relation.target_object_id)
    return target if target is not None and target.is_active else None


class RecordTypes:
    """Builds the record, edge and connection types of a model, each once, lazily linked."""

    def __init__(self, store: TypeStore, model: WorkspaceModel, resolvers: Resolvers) -> None:
        self._store = store
        self._model = model
        self._resolvers = resolvers

    def record(self, obj: ObjectDef) -> GraphQLObjectType:
        """`Company`: every active field; MANY_TO_ONE as the object, ONE_TO_MANY as a connection."""
        name = type_name(obj)
        return self._store.get(name, lambda: GraphQLObjectType(name, lambda: self._fields(obj)))

    def connection(self, obj: ObjectDef) -> GraphQLObjectType:
        """`CompanyConnection { edges pageInfo totalCount <aggregates> }` with `CompanyEdge { node
        cursor }`; the aggregate fields are group_by_types.aggregate_fields."""
        edge_name, name = type_name(obj, "Edge"), type_name(obj, "Connection")
        edge = self._store.get(
            edge_name,
            lambda: GraphQLObjectType(
                edge_name,
                lambda: {
                    "node": GraphQLField(GraphQLNonNull(self.record(obj))),
                    "cursor": GraphQLField(GraphQLNonNull(GraphQLString)),
                },
            ),
        )
        return self._store.get(
            name,
            lambda: GraphQLObjectType(
                name,
                {
                    "edges": GraphQLField(GraphQLNonNull(GraphQLList(GraphQLNonNull(edge)))),
                    "pageInfo": GraphQLField(GraphQLNonNull(page_info(self._store))),
                    "totalCount": GraphQLField(GraphQLInt),
                    **aggregate_fields(obj),
                },
            ),
        )

    def _fields(self, obj: ObjectDef) -> dict[str, GraphQLField]:
        fields: dict[str, GraphQLField] = {"id": GraphQLField(GraphQLNonNull(scalars.UUID))}
        for field in obj.by_name.values():
            if field.name == "id":
                continue
            if field.type is FieldType.RELATION:
                fields.update(self._relation(obj, field))
            elif composites.is_composite(field.type):
                fields[field.name] = GraphQLField(_composite(self._store, field.type))
            else:
                shown: GraphQLOutputType = value_type(self._store, obj, field)  # type: ignore[assignment]
                fields[field.name] = GraphQLField(shown)
        return fields

    def _relation(self, obj: ObjectDef, field: FieldDef) -> dict[str, GraphQLField]:
        target = active_target(self._model, field)
        found: dict[str, GraphQLField] = {}
        if field.join_column:
            found[field.join_column] = GraphQLField(scalars.UUID)
        if target is None or field.relation is None:
            return found
        resolve = self._resolvers.relation(obj, field)
        if field.relation.type is RelationType.MANY_TO_ONE:
            found[field.name] = GraphQLField(self.record(target), resolve=resolve)
        else:
            found[field.name] = GraphQLField(
                self.connection(target), connection_args(self._store, target), resolve=resolve
            )
        return found
