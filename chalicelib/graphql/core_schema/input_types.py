"""Per-object inputs: `XCreateInput`, `XUpdateInput`, `XFilterInput` (and/or/not), `XOrderByInput`.

What each input offers is asked of the core: a path is filterable with the operators of
`allowed_operators` and orderable when `is_orderable` says so, so the schema and the engine
can never disagree about what a filter or sort may name.
"""

from __future__ import annotations

from graphql import (
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
)

from chalicelib.core import composites
from chalicelib.core.query_validation import is_orderable, resolve_path
from chalicelib.graphql import scalars
from chalicelib.graphql.core_schema.field_types import (
    filter_type,
    order_direction,
    sub_value_type,
    value_type,
)
from chalicelib.graphql.core_schema.naming import COMPOSITE_TYPE_NAMES, type_name
from chalicelib.graphql.core_schema.type_store import TypeStore
from chalicelib.metadata.model import (
    SERVER_OWNED_FIELD_NAMES,
    FieldDef,
    FieldType,
    ObjectDef,
)

CREATE, UPDATE = "CreateInput", "UpdateInput"


def _composite_input(store: TypeStore, field_type: FieldType, kind: str) -> GraphQLInputObjectType:
    name = COMPOSITE_TYPE_NAMES[field_type] + kind
    return store.get(
        name,
        lambda: GraphQLInputObjectType(
            name,
            {
                sub.name: GraphQLInputField(sub_value_type(store, sub))
                for sub in composites.sub_fields(field_type)
            },
        ),
    )


def write_input(store: TypeStore, obj: ObjectDef, kind: str) -> GraphQLInputObjectType:
    """`XCreateInput` / `XUpdateInput`: every writable field; relations by join column."""

    def fields() -> dict[str, GraphQLInputField]:
        found: dict[str, GraphQLInputField] = {}
        for field in obj.by_name.values():
            if field.name in SERVER_OWNED_FIELD_NAMES or (kind == UPDATE and field.name == "id"):
                continue
            if field.type is FieldType.RELATION:
                if field.join_column:
                    found[field.join_column] = GraphQLInputField(scalars.UUID)
            elif composites.is_composite(field.type):
                found[field.name] = GraphQLInputField(_composite_input(store, field.type, kind))
            else:
                found[field.name] = GraphQLInputField(value_type(store, obj, field))
        return found

    name = type_name(obj, kind)
    return store.get(name, lambda: GraphQLInputObjectType(name, fields))


def _path_filter(
    store: TypeStore, obj: ObjectDef, path: tuple[str, ...], values: GraphQLInputType
) -> GraphQLInputObjectType | None:
    return filter_type(store, resolve_path(obj, path).type, values)


def _composite_filter(
    store: TypeStore, obj: ObjectDef, field: FieldDef
) -> GraphQLInputField | None:
    name = COMPOSITE_TYPE_NAMES[field.type] + "Filter"

    def build() -> GraphQLInputObjectType:
        subs = {}
        for sub in composites.sub_fields(field.type):
            found = _path_filter(store, obj, (field.name, sub.name), sub_value_type(store, sub))
            if found is not None:
                subs[sub.name] = GraphQLInputField(found)
        return GraphQLInputObjectType(name, subs)

    return GraphQLInputField(store.get(name, build))


def _field_filter(
    store: TypeStore, obj: ObjectDef, field: FieldDef
) -> tuple[str, GraphQLInputField] | None:
    if field.type is FieldType.RELATION:
        if not field.join_column:
            return None
        found = _path_filter(store, obj, (field.join_column,), scalars.UUID)
        return (field.join_column, GraphQLInputField(found)) if found else None
    if composites.is_composite(field.type):
        composite = _composite_filter(store, obj, field)
        return (field.name, composite) if composite else None
    found = _path_filter(store, obj, (field.name,), value_type(store, obj, field))
    return (field.name, GraphQLInputField(found)) if found else None


def filter_input(store: TypeStore, obj: ObjectDef) -> GraphQLInputObjectType:
    """`XFilterInput`: one filter per filterable field plus `and`, `or` and `not`."""
    name = type_name(obj, "FilterInput")

    def fields(this: GraphQLInputObjectType) -> dict[str, GraphQLInputField]:
        found = {}
        for field in obj.by_name.values():
            entry = _field_filter(store, obj, field)
            if entry is not None:
                found[entry[0]] = entry[1]
        found["and"] = GraphQLInputField(GraphQLList(GraphQLNonNull(this)))
        found["or"] = GraphQLInputField(GraphQLList(GraphQLNonNull(this)))
        found["not"] = GraphQLInputField(this)
        return found

    def build() -> GraphQLInputObjectType:
        this = GraphQLInputObjectType(name, lambda: fields(this))
        return this

    return store.get(name, build)


def order_by_input(store: TypeStore, obj: ObjectDef) -> GraphQLInputObjectType:
    """`XOrderByInput`: a direction per orderable field, composites by sub-field."""
    name = type_name(obj, "OrderByInput")
    direction = order_direction(store)

    def composite(field: FieldDef) -> GraphQLInputObjectType | None:
        subs = [
            sub.name
            for sub in composites.sub_fields(field.type)
            if is_orderable(resolve_path(obj, (field.name, sub.name)))
        ]
        if not subs:
            return None
        composite_name = COMPOSITE_TYPE_NAMES[field.type] + "OrderBy"
        return store.get(
            composite_name,
            lambda: GraphQLInputObjectType(
                composite_name, {sub: GraphQLInputField(direction) for sub in subs}
            ),
        )

    def fields() -> dict[str, GraphQLInputField]:
        found: dict[str, GraphQLInputField] = {}
        for field in obj.by_name.values():
            if field.type is FieldType.RELATION:
                if field.join_column:
                    found[field.join_column] = GraphQLInputField(direction)
            elif composites.is_composite(field.type):
                nested = composite(field)
                if nested is not None:
                    found[field.name] = GraphQLInputField(nested)
            elif is_orderable(resolve_path(obj, (field.name,))):
                found[field.name] = GraphQLInputField(direction)
        return found

    return store.get(name, lambda: GraphQLInputObjectType(name, fields))
