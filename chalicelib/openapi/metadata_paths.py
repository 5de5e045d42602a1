"""The paths of the REST metadata document: `rest/metadata_routes.py`,
`rest/api_key_routes.py` and `rest/webhook_routes.py`."""

from __future__ import annotations

from typing import Any

from chalicelib.openapi import metadata_schemas
from chalicelib.openapi.envelopes import json_content
from chalicelib.openapi.error_responses import errors
from chalicelib.openapi.values import UUID, Schema
from chalicelib.webhooks.management import DELIVERIES_DEFAULT_LIMIT, DELIVERIES_MAX_LIMIT

Operation = dict[str, Any]

_READ = (400, 401, 403, 413, 503)
_READ_ONE = (*_READ, 404)
_CREATE = (*_READ, 409, 415)
_CHANGE = (*_READ_ONE, 409, 415)
_REMOVE = (*_READ_ONE, 409)
_METADATA_LIMIT = 1000  # rest/metadata_routes.py: Twenty's default and maximum


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _parameter(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/parameters/{name}"}


def _data(key: str, value: Schema, **extra: Schema) -> Schema:
    properties = {"data": _closed({key: value}), **extra}
    return _closed(properties)


def _closed(properties: dict[str, Schema]) -> Schema:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def _operation(
    tag: str,
    operation_id: str,
    summary: str,
    success: tuple[int, Schema],
    statuses: tuple[int, ...],
    *,
    parameters: list[dict[str, Any]] | None = None,
    body: str | None = None,
    description: str | None = None,
) -> Operation:
    operation: Operation = {"tags": [tag], "summary": summary, "operationId": operation_id}
    if description:
        operation["description"] = description
    if parameters:
        operation["parameters"] = parameters
    if body:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _ref(body)}},
        }
    status, schema = success
    operation["responses"] = {str(status): json_content(schema), **errors(*sorted(statuses))}
    return operation


def _model_paths(singular: str, plural: str, schema: str) -> dict[str, dict[str, Operation]]:
    """objects / fields: a paged list, create, and read, update, delete by id."""
    pascal_one, pascal_many = singular.capitalize(), plural.capitalize()
    listed = _data(
        plural,
        {"type": "array", "items": _ref(schema)},
        totalCount={"type": "integer", "minimum": 0},
        pageInfo=_ref("MetadataPageInfo"),
    )
    by_id = [_parameter("idPath")]
    return {
        f"/{plural}": {
            "get": _operation(
                plural,
                f"findMany{pascal_many}",
                f"Find Many {plural}",
                (200, listed),
                _READ,
                parameters=[_parameter(n) for n in ("limit", "startingAfter", "endingBefore")],
                description="Inactive ones included" if plural == "objects" else None,
            ),
            "post": _operation(
                plural,
                f"createOne{pascal_one}",
                f"Create One {singular}",
                (201, _data(f"createOne{pascal_one}", _ref(schema))),
                _CREATE,
                body=f"Create{pascal_one}Input",
            ),
        },
        f"/{plural}/{{id}}": {
            "get": _operation(
                plural,
                f"findOne{pascal_one}",
                f"Find One {singular}",
                (200, _data(singular, _ref(schema))),
                _READ_ONE,
                parameters=by_id,
            ),
            "patch": _operation(
                plural,
                f"updateOne{pascal_one}",
                f"Update One {singular}",
                (200, _data(f"updateOne{pascal_one}", _ref(schema))),
                _CHANGE,
                parameters=by_id,
                body=f"Update{pascal_one}Input",
                description="PUT is accepted as a synonym of PATCH",
            ),
            "delete": _operation(
                plural,
                f"deleteOne{pascal_one}",
                f"Delete One {singular}",
                (200, _data(f"deleteOne{pascal_one}", _closed({"id": UUID}))),
                _REMOVE,
                parameters=by_id,
                description="Only an inactive custom one can be deleted",
            ),
        },
    }


def _api_key_paths() -> dict[str, dict[str, Operation]]:
    by_id = [_parameter("idPath")]
    return {
        "/apiKeys": {
            "get": _operation(
                "apiKeys",
                "findManyApiKeys",
                "Find Many apiKeys",
                (200, _data("apiKeys", {"type": "array", "items": _ref("ApiKey")})),
                _READ,
                description="The keys that are not revoked",
            ),
            "post": _operation(
                "apiKeys",
                "createOneApiKey",
                "Create One apiKey",
                (201, _data("createApiKey", _ref("ApiKeyWithToken"))),
                _CREATE,
                body="CreateApiKeyInput",
            ),
        },
        "/apiKeys/{id}": {
            "get": _operation(
                "apiKeys",
                "findOneApiKey",
                "Find One apiKey",
                (200, _data("apiKey", _ref("ApiKey"))),
                _READ_ONE,
                parameters=by_id,
            ),
            "patch": _operation(
                "apiKeys",
                "updateOneApiKey",
                "Update One apiKey",
                (200, _data("updateApiKey", _ref("ApiKey"))),
                _CHANGE,
                parameters=by_id,
                body="UpdateApiKeyInput",
            ),
            "delete": _operation(
                "apiKeys",
                "deleteOneApiKey",
                "Revoke One apiKey",
                (200, _data("revokeApiKey", _ref("ApiKey"))),
                _REMOVE,
                parameters=by_id,
                description="Revokes the key: refused from the next request on",
            ),
        },
    }


def _webhook_paths() -> dict[str, dict[str, Operation]]:
    by_id = [_parameter("idPath")]
    one = _ref("Webhook")
    return {
        "/webhooks": {
            "get": _operation(
                "webhooks",
                "findManyWebhooks",
                "Find Many webhooks",
                (200, _data("webhooks", {"type": "array", "items": one})),
                _READ,
            ),
            "post": _operation(
                "webhooks",
                "createOneWebhook",
                "Create One webhook",
                (201, _data("createWebhook", _ref("WebhookWithSecret"))),
                _CREATE,
                body="CreateWebhookInput",
            ),
        },
        "/webhooks/{id}": {
            "get": _operation(
                "webhooks",
                "findOneWebhook",
                "Find One webhook",
                (200, _data("webhook", one)),
                _READ_ONE,
                parameters=by_id,
            ),
            "patch": _operation(
                "webhooks",
                "updateOneWebhook",
                "Update One webhook",
                (200, _data("updateWebhook", one)),
                _CHANGE,
                parameters=by_id,
                body="UpdateWebhookInput",
                description="Re-enables a disabled webhook",
            ),
            "delete": _operation(
                "webhooks",
                "deleteOneWebhook",
                "Delete One webhook",
                (200, _data("deleteWebhook", one)),
                _REMOVE,
                parameters=by_id,
            ),
        },
        "/webhooks/{id}/deliveries": {
            "get": _operation(
                "webhooks",
                "findManyWebhookDeliveries",
                "Find a webhook's deliveries",
                (
                    200,
                    _data("webhookDeliveries", {"type": "array", "items": _ref("WebhookDelivery")}),
                ),
                _READ_ONE,
                parameters=[*by_id, _parameter("deliveriesLimit")],
                description="Newest first",
            ),
        },
        "/webhooks/{id}/deliveries/{deliveryId}/replay": {
            "post": _operation(
                "webhooks",
                "replayWebhookDelivery",
                "Replay a delivery",
                (200, _data("replayWebhookDelivery", _ref("WebhookDelivery"))),
                _READ_ONE,
                parameters=[
                    *by_id,
                    {
                        "name": "deliveryId",
                        "in": "path",
                        "required": True,
                        "schema": UUID,
                        "description": "The delivery's id",
                    },
                ],
                description="Sends the delivery again now (the same `Webhook-Id`)",
            ),
        },
    }


def paths() -> dict[str, dict[str, Operation]]:
    return {
        **_model_paths("object", "objects", "Object"),
        **_model_paths("field", "fields", "Field"),
        **_api_key_paths(),
        **_webhook_paths(),
    }


def tags() -> list[dict[str, str]]:
    return [
        {"name": "objects", "description": "The workspace's objects"},
        {"name": "fields", "description": "The objects' fields, relations included"},
        {"name": "apiKeys", "description": "API keys"},
        {"name": "webhooks", "description": "Webhooks and their delivery log"},
    ]


def schemas() -> dict[str, Schema]:
    return {**metadata_schemas.metadata_schemas(), "MetadataPageInfo": metadata_schemas.page_info()}


def parameters() -> dict[str, dict[str, Any]]:
    def query(name: str, schema: Schema, description: str) -> dict[str, Any]:
        return {"name": name, "in": "query", "schema": schema, "description": description}

    return {
        "idPath": {
            "name": "id",
            "in": "path",
            "required": True,
            "schema": UUID,
            "description": "The id",
        },
        "limit": query(
            "limit",
            {"type": "integer", "minimum": 0, "default": _METADATA_LIMIT},
            f"Items per page; default and maximum {_METADATA_LIMIT} (a larger value is read "
            f"as {_METADATA_LIMIT})",
        ),
        "startingAfter": query(
            "starting_after", UUID, "The items after this id (a `pageInfo.endCursor`)"
        ),
        "endingBefore": query(
            "ending_before", UUID, "The items before this id (a `pageInfo.startCursor`)"
        ),
        "deliveriesLimit": query(
            "limit",
            {"type": "integer", "minimum": 1, "default": DELIVERIES_DEFAULT_LIMIT},
            f"Deliveries to return, newest first; default {DELIVERIES_DEFAULT_LIMIT}, at most "
            f"{DELIVERIES_MAX_LIMIT}",
        ),
    }
