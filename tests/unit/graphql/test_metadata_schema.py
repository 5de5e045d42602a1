"""The metadata schema: valid, Twenty's names, and inputs that accept what the service accepts."""

from __future__ import annotations

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLObjectType,
    parse,
    validate,
    validate_schema,
)

from chalicelib.graphql.metadata_schema import metadata_schema
from chalicelib.metadata import validation
from chalicelib.metadata.model import FieldType

ZAPIER_QUERY = """
query {
  objects(paging:{first:1000}, filter:{isActive:{is:true}}) { edges { node { nameSingular
    namePlural fields(paging:{first:1000}, filter:{isActive:{is:true}}) { edges { node { type name
    label description isNullable defaultValue } } } } } }
}
"""


def _type(name):
    return metadata_schema().get_type(name)


def _input_fields(name):
    found = _type(name)
    assert isinstance(found, GraphQLInputObjectType)
    return set(found.fields)


def test_the_schema_is_valid_and_built_once():
    assert validate_schema(metadata_schema()) == []
    assert metadata_schema() is metadata_schema()


def test_the_zapier_query_validates_against_the_schema():
    assert validate(metadata_schema(), parse(ZAPIER_QUERY)) == []


WEBHOOK_QUERIES = {"webhooks", "webhook", "webhookDeliveries"}
WEBHOOK_MUTATIONS = {"createWebhook", "updateWebhook", "deleteWebhook", "replayWebhookDelivery"}
API_KEY_QUERIES = {"apiKeys", "apiKey"}
API_KEY_MUTATIONS = {"createApiKey", "generateApiKeyToken", "updateApiKey", "revokeApiKey"}


def test_roots_are_twentys_metadata_operations():
    schema = metadata_schema()
    assert set(schema.query_type.fields) == {
        "objects",
        "object",
        "fields",
        "field",
        *WEBHOOK_QUERIES,
        *API_KEY_QUERIES,
    }
    assert set(schema.mutation_type.fields) == {
        "createOneObject",
        "updateOneObject",
        "deleteOneObject",
        "createOneField",
        "updateOneField",
        "deleteOneField",
        *WEBHOOK_MUTATIONS,
        *API_KEY_MUTATIONS,
    }
    objects = schema.query_type.fields["objects"]
    assert objects.args["paging"].default_value == {"first": 10}
    assert objects.args["filter"].default_value == {}


def test_api_key_fields_use_twentys_input_names():
    assert _input_fields("CreateApiKeyInput") == {"name", "expiresAt", "scope"}
    assert _input_fields("UpdateApiKeyInput") == {"id", "name", "expiresAt"}
    assert _input_fields("GetApiKeyInput") == _input_fields("RevokeApiKeyInput") == {"id"}
    generate = metadata_schema().mutation_type.fields["generateApiKeyToken"]
    assert set(generate.args) == {"apiKeyId", "expiresAt"}
    assert set(_type("ApiKeyToken").fields) == {"token"}
    assert set(_type("ApiKey").fields) == {
        "id", "name", "expiresAt", "revokedAt", "createdAt", "updatedAt", "scope", "token",
    }  # fmt: skip


def test_inputs_accept_exactly_what_the_metadata_service_accepts():
    assert _input_fields("CreateObjectInput") == validation.OBJECT_CREATE_KEYS
    assert _input_fields("UpdateObjectPayload") == validation.OBJECT_UPDATE_KEYS
    assert _input_fields("CreateFieldInput") == validation.FIELD_CREATE_KEYS
    # The id travels next to the update, and a field never moves to another object.
    assert _input_fields("UpdateFieldInput") == validation.FIELD_UPDATE_KEYS - {
        "id",
        "objectMetadataId",
    }


def test_field_metadata_type_lists_every_field_type_of_the_model():
    enum = _type("FieldMetadataType")
    assert isinstance(enum, GraphQLEnumType)
    assert set(enum.values) == {t.value for t in FieldType}


def test_filters_offer_and_or_id_and_the_boolean_flags():
    assert _input_fields("ObjectFilter") == {
        "and",
        "or",
        "id",
        "isActive",
        "isCustom",
        "isSystem",
        "isRemote",
        "isSearchable",
        "isUIReadOnly",
    }
    assert _input_fields("FieldFilter") == {
        "and",
        "or",
        "id",
        "isActive",
        "isCustom",
        "isSystem",
        "isUIReadOnly",
    }
    assert _input_fields("UUIDFilterComparison") == {"eq", "neq", "in", "notIn", "is", "isNot"}
    assert _input_fields("CursorPaging") == {"first", "last", "before", "after"}


def test_object_and_field_types_carry_twentys_attributes():
    obj, field = _type("Object"), _type("Field")
    assert isinstance(obj, GraphQLObjectType) and isinstance(field, GraphQLObjectType)
    assert {
        "id",
        "nameSingular",
        "namePlural",
        "labelSingular",
        "labelPlural",
        "labelIdentifierFieldMetadataId",
        "imageIdentifierFieldMetadataId",
        "duplicateCriteria",
        "isRemote",
        "isSearchable",
        "fields",
        "fieldsList",
    } <= set(obj.fields)
    assert {
        "type",
        "isNullable",
        "isUnique",
        "defaultValue",
        "options",
        "settings",
        "relation",
        "object",
    } <= set(field.fields)
    assert set(_type("Relation").fields) == {
        "type",
        "sourceObjectMetadata",
        "targetObjectMetadata",
        "sourceFieldMetadata",
        "targetFieldMetadata",
    }
