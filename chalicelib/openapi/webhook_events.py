"""The document's `webhooks` section: the request this server POSTs for each record event."""

from __future__ import annotations

from typing import Any

from chalicelib.metadata.model import ObjectDef
from chalicelib.openapi import naming
from chalicelib.openapi.values import DATE_TIME, UUID, Schema

# What `webhooks/events.py` emits (reference 11.2).
ACTIONS = ("created", "updated", "deleted", "restored", "destroyed")

_HEADERS = (
    (
        "X-Twenty-Webhook-Signature",
        "Lowercase hex HMAC-SHA256, keyed by the webhook's secret, of `<timestamp>:<body>` "
        "(the exact body bytes). Absent when the webhook has no secret",
        False,
        {"type": "string", "pattern": "^[0-9a-f]{64}$"},
    ),
    (
        "X-Twenty-Webhook-Timestamp",
        "When this attempt was signed, in milliseconds since the epoch",
        True,
        {"type": "string", "pattern": "^[0-9]+$"},
    ),
    (
        "X-Twenty-Webhook-Nonce",
        "16 random bytes in hex, new on every attempt",
        True,
        {"type": "string", "pattern": "^[0-9a-f]{32}$"},
    ),
    (
        "Webhook-Id",
        "The event's id: the same on every retry and replay, to de-duplicate",
        True,
        UUID,
    ),
)


def webhooks_section(objects: list[ObjectDef]) -> dict[str, Any]:
    """`"<Singular> <Action>"` (Twenty's keys, e.g. `Company Created`) -> the POST sent."""
    return {
        f"{naming.pascal(obj.name_singular)} {naming.pascal(action)}": {
            "post": _event_request(obj, action)
        }
        for obj in objects
        for action in ACTIONS
    }


def _event_request(obj: ObjectDef, action: str) -> dict[str, Any]:
    event = f"{obj.name_singular}.{action}"
    return {
        "tags": [obj.name_plural],
        "summary": f"{event}: sent to every webhook whose operations match it",
        "operationId": f"{obj.name_singular}{naming.pascal(action)}Webhook",
        "description": "Delivered at least once: a failed delivery (network error, timeout, "
        "non-2xx answer) is retried with backoff. The record is the one after the change; for "
        "deleted and destroyed, the last one before it",
        "parameters": [
            {
                "name": name,
                "in": "header",
                "required": required,
                "description": text,
                "schema": schema,
            }
            for name, text, required, schema in _HEADERS
        ],
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": payload_schema(obj, action)}},
        },
        "responses": {"200": {"description": "Any 2xx answer acknowledges the event"}},
    }


def payload_schema(obj: ObjectDef, action: str) -> Schema:
    properties: dict[str, Schema] = {
        "targetUrl": {"type": "string", "format": "uri"},
        "eventName": {"type": "string", "const": f"{obj.name_singular}.{action}"},
        "objectMetadata": {
            "type": "object",
            "properties": {
                "id": UUID,
                "nameSingular": {"type": "string", "const": obj.name_singular},
            },
            "required": ["id", "nameSingular"],
            "additionalProperties": False,
        },
        "workspaceId": UUID,
        "webhookId": UUID,
        "eventDate": DATE_TIME,
        "record": naming.schema_ref(naming.response_schema(obj)),
    }
    if action == "updated":
        properties["updatedFields"] = {
            "type": "array",
            "items": {"type": "string"},
            "description": "The fields the update changed",
        }
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }
