"""Component schemas of the REST metadata document: objects, fields, API keys, webhooks and
their deliveries, as `metadata/presentation.py`, `auth/key_management.py` and
`webhooks/management.py` show and accept them."""

from __future__ import annotations

from chalicelib.context import SCOPES
from chalicelib.metadata.model import FieldType, RelationType
from chalicelib.openapi.values import DATE_TIME, UUID, Schema, nullable

_TEXT = {"type": "string"}
_TEXT_OR_NULL = {"type": ["string", "null"]}
_BOOLEAN = {"type": "boolean"}
_FIELD_TYPES = [kind.value for kind in FieldType]
_RELATION_TYPES = [kind.value for kind in RelationType]


def _object(properties: dict[str, Schema], required: list[str] | None = None) -> Schema:
    schema: Schema = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = required
    return schema


def _response(properties: dict[str, Schema]) -> Schema:
    """A shape the server always answers whole."""
    return _object(properties, list(properties))


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _object_ref() -> Schema:
    return nullable(
        _response({"id": UUID, "nameSingular": _TEXT, "namePlural": _TEXT}),
    )


def _field_ref() -> Schema:
    return nullable(_response({"id": UUID, "name": _TEXT}))


_OPTION = _object(
    {
        "id": nullable(UUID),
        "value": {"type": "string", "description": "UPPER_SNAKE_CASE"},
        "label": _TEXT,
        "position": {"type": "number"},
        "color": _TEXT_OR_NULL,
    },
    ["value", "label"],
)
_OPTION_RESPONSE = {**_OPTION, "required": ["id", "value", "label", "position", "color"]}


def _field() -> Schema:
    return _response(
        {
            "id": UUID,
            "objectMetadataId": UUID,
            "type": {"type": "string", "enum": _FIELD_TYPES},
            "name": _TEXT,
            "label": _TEXT,
            "description": _TEXT_OR_NULL,
            "icon": _TEXT_OR_NULL,
            "isCustom": _BOOLEAN,
            "isActive": _BOOLEAN,
            "isSystem": _BOOLEAN,
            "isNullable": _BOOLEAN,
            "isUnique": _BOOLEAN,
            "defaultValue": {"description": "Twenty's serialised default (`\"'NEW'\"`, 3, ...)"},
            "options": {"type": ["array", "null"], "items": _OPTION_RESPONSE},
            "settings": {"type": ["object", "null"]},
            "relation": nullable(
                _response(
                    {
                        "type": {"type": "string", "enum": _RELATION_TYPES},
                        "sourceObjectMetadata": _object_ref(),
                        "targetObjectMetadata": _object_ref(),
                        "sourceFieldMetadata": _field_ref(),
                        "targetFieldMetadata": _field_ref(),
                    }
                )
            ),
            "createdAt": _TEXT,
            "updatedAt": _TEXT,
            "isUIReadOnly": _BOOLEAN,
            "isLabelSyncedWithName": _BOOLEAN,
        }
    )


def _object_schema() -> Schema:
    return _response(
        {
            "id": UUID,
            "nameSingular": _TEXT,
            "namePlural": _TEXT,
            "labelSingular": _TEXT,
            "labelPlural": _TEXT,
            "description": _TEXT_OR_NULL,
            "icon": _TEXT_OR_NULL,
            "isCustom": _BOOLEAN,
            "isActive": _BOOLEAN,
            "isSystem": _BOOLEAN,
            "labelIdentifierFieldMetadataId": nullable(UUID),
            "createdAt": _TEXT,
            "updatedAt": _TEXT,
            "shortcut": _TEXT_OR_NULL,
            "isRemote": _BOOLEAN,
            "isUIReadOnly": _BOOLEAN,
            "isSearchable": _BOOLEAN,
            "isLabelSyncedWithName": _BOOLEAN,
            "imageIdentifierFieldMetadataId": nullable(UUID),
            "duplicateCriteria": {
                "type": ["array", "null"],
                "items": {"type": "array", "items": _TEXT},
            },
            "fields": {"type": "array", "items": _ref("Field")},
        }
    )


_OBJECT_NAMES = {
    "nameSingular": {**_TEXT, "description": "camelCase, e.g. rocket"},
    "namePlural": {**_TEXT, "description": "camelCase, e.g. rockets"},
    "labelSingular": _TEXT,
    "labelPlural": _TEXT,
    "description": _TEXT_OR_NULL,
    "icon": _TEXT_OR_NULL,
    "shortcut": _TEXT_OR_NULL,
    "isLabelSyncedWithName": _BOOLEAN,
}


def _create_object() -> Schema:
    return _object(
        {
            **_OBJECT_NAMES,
            "skipNameField": _BOOLEAN,
            "isRemote": _BOOLEAN,
            "primaryKeyColumnType": _TEXT,
            "primaryKeyFieldMetadataSettings": {"type": "object"},
        },
        ["nameSingular", "namePlural", "labelSingular", "labelPlural"],
    )


def _update_object() -> Schema:
    return _object(
        {
            "id": UUID,
            **_OBJECT_NAMES,
            "isActive": {**_BOOLEAN, "description": "false: hidden from the record APIs"},
            "labelIdentifierFieldMetadataId": nullable(UUID),
            "imageIdentifierFieldMetadataId": nullable(UUID),
        }
    )


_FIELD_COMMON = {
    "name": {**_TEXT, "description": "camelCase"},
    "label": _TEXT,
    "description": _TEXT_OR_NULL,
    "icon": _TEXT_OR_NULL,
    "isActive": _BOOLEAN,
    "isNullable": _BOOLEAN,
    "isUnique": _BOOLEAN,
    "defaultValue": {"description": "In Twenty's form: `\"'DRAFT'\"`, `3`, `false`"},
    "options": {
        "type": ["array", "null"],
        "items": _OPTION,
        "description": "SELECT, MULTI_SELECT and RATING only",
    },
    "settings": {
        "type": ["object", "null"],
        "description": 'e.g. `{"dataType": "int"}` (NUMBER), `{"isIndexed": true}`, '
        '`{"onDelete": "CASCADE"}` (RELATION)',
    },
    "isLabelSyncedWithName": _BOOLEAN,
    "isUIReadOnly": _BOOLEAN,
}


def _create_field() -> Schema:
    payload = _object(
        {
            "type": {"type": "string", "enum": _RELATION_TYPES},
            "targetObjectMetadataId": UUID,
            "targetFieldLabel": _TEXT,
            "targetFieldIcon": _TEXT_OR_NULL,
            "targetFieldName": _TEXT_OR_NULL,
        },
        ["type", "targetObjectMetadataId", "targetFieldLabel"],
    )
    return _object(
        {
            "type": {"type": "string", "enum": _FIELD_TYPES},
            "objectMetadataId": UUID,
            **_FIELD_COMMON,
            "isCustom": _BOOLEAN,
            "isSystem": _BOOLEAN,
            "isRemoteCreation": _BOOLEAN,
            "relationCreationPayload": {
                **payload,
                "description": "RELATION only: creates both sides",
            },
        },
        ["type", "name", "label", "objectMetadataId"],
    )


def _update_field() -> Schema:
    return _object({"id": UUID, "objectMetadataId": UUID, **_FIELD_COMMON})


_API_KEY = {
    "id": UUID,
    "name": _TEXT,
    "expiresAt": {**nullable(DATE_TIME), "description": "null: never (keys made by the CLI)"},
    "revokedAt": nullable(DATE_TIME),
    "createdAt": DATE_TIME,
    "updatedAt": DATE_TIME,
    "scope": {
        "type": "string",
        "enum": list(SCOPES),
        "description": "full: everything; read: REST GET and GraphQL queries on the core API; "
        "metadata: the metadata APIs only",
    },
}
_WEBHOOK_HEAD = {
    "id": UUID,
    "targetUrl": {"type": "string", "format": "uri"},
    "operations": {"type": "array", "items": _TEXT},
    "description": _TEXT_OR_NULL,
}
_WEBHOOK_TAIL = {
    "status": {"type": "string", "enum": ["ACTIVE", "DISABLED"]},
    "disabledReason": _TEXT_OR_NULL,
    "createdAt": DATE_TIME,
    "updatedAt": DATE_TIME,
}
_WEBHOOK_INPUT = {
    "targetUrl": {**_TEXT, "description": "http(s) URL; private addresses are refused"},
    "operations": {
        "type": "array",
        "items": _TEXT,
        "description": "Event names: `company.created`, `*.updated`, `person.*`, `*.*` "
        "(the default)",
    },
    "description": _TEXT_OR_NULL,
    "secret": {**_TEXT_OR_NULL, "description": "Signs deliveries; generated when absent"},
}


def metadata_schemas() -> dict[str, Schema]:
    return {
        "Object": _object_schema(),
        "Field": _field(),
        "CreateObjectInput": _create_object(),
        "UpdateObjectInput": _update_object(),
        "CreateFieldInput": _create_field(),
        "UpdateFieldInput": _update_field(),
        "ApiKey": _response(_API_KEY),
        "ApiKeyWithToken": _response(
            {**_API_KEY, "token": {**_TEXT, "description": "Shown this once only"}}
        ),
        "CreateApiKeyInput": _object(
            {"name": _TEXT, "expiresAt": DATE_TIME, "scope": _API_KEY["scope"]},
            ["name", "expiresAt"],
        ),
        "UpdateApiKeyInput": _object({"name": _TEXT, "expiresAt": DATE_TIME}),
        "Webhook": _response({**_WEBHOOK_HEAD, **_WEBHOOK_TAIL}),
        "WebhookWithSecret": _response(
            {
                **_WEBHOOK_HEAD,
                "secret": {**_TEXT, "description": "Shown this once only"},
                **_WEBHOOK_TAIL,
            }
        ),
        "CreateWebhookInput": _object({"id": UUID, **_WEBHOOK_INPUT}, ["targetUrl"]),
        "UpdateWebhookInput": _object(_WEBHOOK_INPUT),
        "WebhookDelivery": _response(
            {
                "id": UUID,
                "webhookId": UUID,
                "eventId": _TEXT,
                "eventName": _TEXT,
                "recordId": _TEXT,
                "attempts": {"type": "integer", "minimum": 0},
                "lastStatusCode": {"type": ["integer", "null"]},
                "lastError": _TEXT_OR_NULL,
                "nextAttemptAt": nullable(DATE_TIME),
                "status": {"type": "string", "enum": ["PENDING", "DELIVERED", "FAILED"]},
                "createdAt": DATE_TIME,
                "updatedAt": DATE_TIME,
            }
        ),
    }


def page_info() -> Schema:
    cursor = nullable(UUID)
    return _response(
        {
            "hasNextPage": _BOOLEAN,
            "hasPreviousPage": _BOOLEAN,
            "startCursor": cursor,
            "endCursor": cursor,
        }
    )
