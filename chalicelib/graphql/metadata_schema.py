"""The metadata schema (POST /metadata), built in code once per container: it is the same for
every workspace. Names and shapes follow Twenty's generated metadata SDL (reference 6.1, 6.3)."""

from __future__ import annotations

from functools import cache
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLBoolean,
    GraphQLField,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    GraphQLString,
)

from chalicelib.graphql import api_key_schema, webhook_schema
from chalicelib.graphql import metadata_resolvers as resolve
from chalicelib.graphql.metadata_inputs import (
    CREATE_FIELD_INPUT,
    CREATE_OBJECT_INPUT,
    FIELD_FILTER,
    OBJECT_FILTER,
    UPDATE_FIELD_INPUT,
    UPDATE_OBJECT_PAYLOAD,
    list_args,
    one_input,
)
from chalicelib.graphql.metadata_scalars import (
    CONNECTION_CURSOR,
    FIELD_METADATA_TYPE,
    JSON,
    RELATION_TYPE,
)
from chalicelib.graphql.scalars import DATE_TIME, UUID


def _req(of: Any) -> Any:
    return GraphQLNonNull(of)


def _list_of(of: Any) -> Any:
    return _req(GraphQLList(_req(of)))


def _viewed(of: GraphQLOutputType) -> GraphQLField:
    return GraphQLField(of, resolve=resolve.from_view)


# -- output types --------------------------------------------------------------------------------

PAGE_INFO = GraphQLObjectType(
    "PageInfo",
    {
        "hasNextPage": GraphQLField(_req(GraphQLBoolean)),
        "hasPreviousPage": GraphQLField(_req(GraphQLBoolean)),
        "startCursor": GraphQLField(CONNECTION_CURSOR),
        "endCursor": GraphQLField(CONNECTION_CURSOR),
    },
)


def _connection(name: str, node: Any) -> GraphQLObjectType:
    edge = GraphQLObjectType(
        f"{name}Edge",
        {"node": GraphQLField(_req(node)), "cursor": GraphQLField(_req(CONNECTION_CURSOR))},
    )
    return GraphQLObjectType(
        f"{name}Connection",
        {
            "pageInfo": GraphQLField(_req(PAGE_INFO)),
            "edges": GraphQLField(_list_of(edge)),
            "totalCount": GraphQLField(_req(GraphQLInt)),
        },
    )


def _object_fields() -> dict[str, GraphQLField]:
    found = {
        name: _viewed(of)
        for name, of in (
            ("id", _req(UUID)),
            ("nameSingular", _req(GraphQLString)),
            ("namePlural", _req(GraphQLString)),
            ("labelSingular", _req(GraphQLString)),
            ("labelPlural", _req(GraphQLString)),
            ("description", GraphQLString),
            ("icon", GraphQLString),
            ("shortcut", GraphQLString),
            ("isCustom", _req(GraphQLBoolean)),
            ("isRemote", _req(GraphQLBoolean)),
            ("isActive", _req(GraphQLBoolean)),
            ("isSystem", _req(GraphQLBoolean)),
            ("isUIReadOnly", _req(GraphQLBoolean)),
            ("isSearchable", _req(GraphQLBoolean)),
            ("isLabelSyncedWithName", _req(GraphQLBoolean)),
            ("labelIdentifierFieldMetadataId", UUID),
            ("imageIdentifierFieldMetadataId", UUID),
            ("duplicateCriteria", GraphQLList(_req(GraphQLList(_req(GraphQLString))))),
            ("createdAt", _req(DATE_TIME)),
            ("updatedAt", _req(DATE_TIME)),
        )
    }
    found["fieldsList"] = GraphQLField(_list_of(FIELD), resolve=resolve.object_fields_list)
    found["fields"] = GraphQLField(
        _req(FIELD_CONNECTION), list_args(FIELD_FILTER), resolve=resolve.object_fields
    )
    return found


def _field_fields() -> dict[str, GraphQLField]:
    found = {
        name: _viewed(of)
        for name, of in (
            ("id", _req(UUID)),
            ("type", _req(FIELD_METADATA_TYPE)),
            ("name", _req(GraphQLString)),
            ("label", _req(GraphQLString)),
            ("description", GraphQLString),
            ("icon", GraphQLString),
            ("isCustom", _req(GraphQLBoolean)),
            ("isActive", _req(GraphQLBoolean)),
            ("isSystem", _req(GraphQLBoolean)),
            ("isUIReadOnly", _req(GraphQLBoolean)),
            ("isNullable", _req(GraphQLBoolean)),
            ("isUnique", _req(GraphQLBoolean)),
            ("isLabelSyncedWithName", _req(GraphQLBoolean)),
            ("defaultValue", JSON),
            ("options", JSON),
            ("settings", JSON),
            ("createdAt", _req(DATE_TIME)),
            ("updatedAt", _req(DATE_TIME)),
        )
    }
    found["relation"] = GraphQLField(RELATION, resolve=resolve.field_relation)
    found["object"] = GraphQLField(OBJECT, resolve=resolve.field_object)
    return found


OBJECT = GraphQLObjectType("Object", _object_fields)
FIELD = GraphQLObjectType("Field", _field_fields)
OBJECT_CONNECTION = _connection("Object", OBJECT)
FIELD_CONNECTION = _connection("Field", FIELD)
RELATION = GraphQLObjectType(
    "Relation",
    {
        "type": GraphQLField(_req(RELATION_TYPE)),
        "sourceObjectMetadata": GraphQLField(_req(OBJECT)),
        "targetObjectMetadata": GraphQLField(_req(OBJECT)),
        "sourceFieldMetadata": GraphQLField(_req(FIELD)),
        "targetFieldMetadata": GraphQLField(_req(FIELD)),
    },
)


def _mutation(result: GraphQLObjectType, arg: GraphQLArgument, resolver: Any) -> GraphQLField:
    return GraphQLField(_req(result), {"input": arg}, resolve=resolver)


MUTATION = GraphQLObjectType(
    "Mutation",
    {
        "createOneObject": _mutation(
            OBJECT,
            one_input("CreateOneObjectInput", object=_req(CREATE_OBJECT_INPUT)),
            resolve.create_one_object,
        ),
        "updateOneObject": _mutation(
            OBJECT,
            one_input("UpdateOneObjectInput", id=_req(UUID), update=_req(UPDATE_OBJECT_PAYLOAD)),
            resolve.update_one_object,
        ),
        "deleteOneObject": _mutation(
            OBJECT, one_input("DeleteOneObjectInput", id=_req(UUID)), resolve.delete_one_object
        ),
        "createOneField": _mutation(
            FIELD,
            one_input("CreateOneFieldMetadataInput", field=_req(CREATE_FIELD_INPUT)),
            resolve.create_one_field,
        ),
        "updateOneField": _mutation(
            FIELD,
            one_input(
                "UpdateOneFieldMetadataInput", id=_req(UUID), update=_req(UPDATE_FIELD_INPUT)
            ),
            resolve.update_one_field,
        ),
        "deleteOneField": _mutation(
            FIELD, one_input("DeleteOneFieldInput", id=_req(UUID)), resolve.delete_one_field
        ),
        **api_key_schema.MUTATIONS,
        **webhook_schema.MUTATIONS,
    },
)
QUERY = GraphQLObjectType(
    "Query",
    {
        "objects": GraphQLField(
            _req(OBJECT_CONNECTION), list_args(OBJECT_FILTER), resolve=resolve.objects
        ),
        "object": GraphQLField(
            _req(OBJECT), {"id": GraphQLArgument(_req(UUID))}, resolve=resolve.one_object
        ),
        "fields": GraphQLField(
            _req(FIELD_CONNECTION), list_args(FIELD_FILTER), resolve=resolve.fields
        ),
        "field": GraphQLField(
            _req(FIELD), {"id": GraphQLArgument(_req(UUID))}, resolve=resolve.one_field
        ),
        **api_key_schema.QUERIES,
        **webhook_schema.QUERIES,
    },
)


@cache
def metadata_schema() -> GraphQLSchema:
    """The one metadata schema of the container (types above are module-level constants)."""
    return GraphQLSchema(query=QUERY, mutation=MUTATION)
