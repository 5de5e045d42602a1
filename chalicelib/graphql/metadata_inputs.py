"""Input types of the metadata schema: CursorPaging, the filters and the mutation inputs."""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLBoolean,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLString,
)

from chalicelib.graphql.metadata_connections import DEFAULT_PAGE_SIZE
from chalicelib.graphql.metadata_scalars import CONNECTION_CURSOR, FIELD_METADATA_TYPE, JSON
from chalicelib.graphql.scalars import UUID

_NO_EFFECT = "Accepted for compatibility with Twenty; it has no effect here."


def _req(of: Any) -> Any:
    return GraphQLNonNull(of)


def _inputs(name: str, fields: dict[str, Any], ignored: tuple[str, ...] = ()) -> Any:
    """An input type; the `ignored` fields are documented as accepted without effect."""
    return GraphQLInputObjectType(
        name,
        {
            key: GraphQLInputField(of, description=_NO_EFFECT if key in ignored else None)
            for key, of in fields.items()
        },
    )


# -- paging and filters --------------------------------------------------------------------------

CURSOR_PAGING = _inputs(
    "CursorPaging",
    {
        "before": CONNECTION_CURSOR,
        "after": CONNECTION_CURSOR,
        "first": GraphQLInt,
        "last": GraphQLInt,
    },
)
_BOOLEAN_COMPARISON = _inputs(
    "BooleanFieldComparison", {"is": GraphQLBoolean, "isNot": GraphQLBoolean}
)
_UUID_COMPARISON = _inputs(
    "UUIDFilterComparison",
    {
        "eq": UUID,
        "neq": UUID,
        "in": GraphQLList(_req(UUID)),
        "notIn": GraphQLList(_req(UUID)),
        "is": GraphQLBoolean,
        "isNot": GraphQLBoolean,
    },
)


def _filter(name: str, flags: tuple[str, ...]) -> GraphQLInputObjectType:
    def fields() -> dict[str, GraphQLInputField]:
        found = {
            "and": GraphQLInputField(GraphQLList(_req(filter_type))),
            "or": GraphQLInputField(GraphQLList(_req(filter_type))),
            "id": GraphQLInputField(_UUID_COMPARISON),
        }
        found.update((flag, GraphQLInputField(_BOOLEAN_COMPARISON)) for flag in flags)
        return found

    # The thunk runs once the schema is complete, so the type can list itself under and/or.
    filter_type = GraphQLInputObjectType(name, fields)
    return filter_type


OBJECT_FILTER = _filter(
    "ObjectFilter",
    ("isActive", "isCustom", "isSystem", "isRemote", "isSearchable", "isUIReadOnly"),
)
FIELD_FILTER = _filter("FieldFilter", ("isActive", "isCustom", "isSystem", "isUIReadOnly"))


def list_args(filter_type: GraphQLInputObjectType) -> dict[str, GraphQLArgument]:
    """`paging` and `filter` of a list, with nestjs-query's defaults."""
    return {
        "paging": GraphQLArgument(_req(CURSOR_PAGING), default_value={"first": DEFAULT_PAGE_SIZE}),
        "filter": GraphQLArgument(_req(filter_type), default_value={}),
    }


# -- mutation inputs (the keys metadata/validation.py accepts, as REST does) ---------------------

_FIELD_COMMON: dict[str, GraphQLInputType] = {
    "description": GraphQLString,
    "icon": GraphQLString,
    "isActive": GraphQLBoolean,
    "isNullable": GraphQLBoolean,
    "isUnique": GraphQLBoolean,
    "defaultValue": JSON,
    "options": JSON,
    "settings": JSON,
    "isLabelSyncedWithName": GraphQLBoolean,
    "isUIReadOnly": GraphQLBoolean,
}
CREATE_OBJECT_INPUT = _inputs(
    "CreateObjectInput",
    {
        "nameSingular": _req(GraphQLString),
        "namePlural": _req(GraphQLString),
        "labelSingular": _req(GraphQLString),
        "labelPlural": _req(GraphQLString),
        "description": GraphQLString,
        "icon": GraphQLString,
        "shortcut": GraphQLString,
        "skipNameField": GraphQLBoolean,
        "isLabelSyncedWithName": GraphQLBoolean,
        "isRemote": GraphQLBoolean,
        "primaryKeyColumnType": GraphQLString,
        "primaryKeyFieldMetadataSettings": JSON,
    },
    ignored=(
        "shortcut",
        "isLabelSyncedWithName",
        "isRemote",
        "primaryKeyColumnType",
        "primaryKeyFieldMetadataSettings",
    ),
)
UPDATE_OBJECT_PAYLOAD = _inputs(
    "UpdateObjectPayload",
    {
        "nameSingular": GraphQLString,
        "namePlural": GraphQLString,
        "labelSingular": GraphQLString,
        "labelPlural": GraphQLString,
        "description": GraphQLString,
        "icon": GraphQLString,
        "shortcut": GraphQLString,
        "isActive": GraphQLBoolean,
        "labelIdentifierFieldMetadataId": UUID,
        "imageIdentifierFieldMetadataId": UUID,
        "isLabelSyncedWithName": GraphQLBoolean,
    },
    ignored=("shortcut", "imageIdentifierFieldMetadataId", "isLabelSyncedWithName"),
)
CREATE_FIELD_INPUT = _inputs(
    "CreateFieldInput",
    {
        "type": _req(FIELD_METADATA_TYPE),
        "name": _req(GraphQLString),
        "label": _req(GraphQLString),
        "objectMetadataId": _req(UUID),
        **_FIELD_COMMON,
        "isCustom": GraphQLBoolean,
        "isSystem": GraphQLBoolean,
        "isRemoteCreation": GraphQLBoolean,
        # JSON, as in Twenty: {type, targetObjectMetadataId, targetFieldLabel, targetFieldIcon,
        # targetFieldName}; the metadata service checks it like every other input.
        "relationCreationPayload": JSON,
    },
    ignored=("isLabelSyncedWithName", "isUIReadOnly", "isCustom", "isSystem", "isRemoteCreation"),
)
UPDATE_FIELD_INPUT = _inputs(
    "UpdateFieldInput",
    {"name": GraphQLString, "label": GraphQLString, **_FIELD_COMMON},
    ignored=("isLabelSyncedWithName", "isUIReadOnly"),
)


def one_input(name: str, **fields: GraphQLInputType) -> GraphQLArgument:
    """The `input` argument of a mutation: `{object: ...}`, `{id, update}` or `{id}`."""
    return GraphQLArgument(_req(_inputs(name, fields)))
