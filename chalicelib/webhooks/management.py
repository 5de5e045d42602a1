"""Webhook management, the one service behind REST /rest/metadata/webhooks and the GraphQL
metadata fields: inputs checked, targets through the SSRF guard, operations against the
workspace's model, and the API view of a webhook.

The secret is shown in the answer of the create only. When a create gives none, one is
generated (32 random bytes, hex), as Twenty does since webhooks moved to its metadata modules;
an explicit empty string asks for unsigned deliveries.
"""

from __future__ import annotations

import json
import re
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from chalicelib.context import RequestContext
from chalicelib.errors import BadRequestError, InvalidRequestBodyError, WebhookNotFoundError
from chalicelib.metadata.model import WorkspaceModel
from chalicelib.metadata.validation import MAX_INPUT_BYTES
from chalicelib.settings import SETTINGS
from chalicelib.storage import webhooks as store
from chalicelib.webhooks import delivery, delivery_log, operations, ssrf
from chalicelib.webhooks.model import ACTIVE, Webhook

# Every stream batch of a workspace reads all its webhooks and fans each event out to the
# matching ones: a bound keeps that read one small Query and a record change's deliveries few.
MAX_WEBHOOKS_PER_WORKSPACE = 50
# The delivery log's page: Twenty's record page sizes (default 60, at most 200).
DELIVERIES_DEFAULT_LIMIT = 60
DELIVERIES_MAX_LIMIT = 200

UPDATE_KEYS = ("targetUrl", "operations", "description", "secret")
CREATE_KEYS = ("id", *UPDATE_KEYS)
_CANONICAL_UUID = re.compile(r"^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$")


def canonical_uuid(value: object) -> str | None:
    """`value` as a lower-case canonical UUID (any version: delivery ids are time-ordered
    UUIDv7s), None when it is not one."""
    if not isinstance(value, str):
        return None
    lowered = value.lower()
    return lowered if _CANONICAL_UUID.match(lowered) else None


def webhook_view(webhook: Webhook, *, with_secret: bool) -> dict[str, Any]:
    """A webhook as both APIs show it; `secret` only in the answer of its creation."""
    view: dict[str, Any] = {
        "id": webhook.id,
        "targetUrl": webhook.target_url,
        "operations": list(webhook.operations),
        "description": webhook.description,
    }
    if with_secret:
        view["secret"] = webhook.secret
    view.update(
        status=webhook.status,
        disabledReason=webhook.disabled_reason,
        createdAt=webhook.created_at,
        updatedAt=webhook.updated_at,
    )
    return view


# -- reads ---------------------------------------------------------------------------------------


def list_webhooks(workspace_id: str) -> list[Webhook]:
    return store.list_webhooks(workspace_id)


def find_webhook(workspace_id: str, webhook_id: str) -> Webhook | None:
    return store.get_webhook(workspace_id, webhook_id)


def get_webhook(workspace_id: str, webhook_id: str) -> Webhook:
    """One webhook of the workspace; 404 for an unknown id or another workspace's."""
    found = store.get_webhook(workspace_id, webhook_id)
    if found is None:
        raise WebhookNotFoundError(f"Webhook '{webhook_id}' not found")
    return found


def delivery_views(workspace_id: str, webhook_id: str, limit: int | None) -> list[dict[str, Any]]:
    """The newest deliveries of one webhook (`limit` defaults to 60, at most 200)."""
    if limit is not None and limit < 1:
        raise BadRequestError("limit must be a positive integer")
    wanted = DELIVERIES_DEFAULT_LIMIT if limit is None else min(limit, DELIVERIES_MAX_LIMIT)
    return delivery_log.list_views(workspace_id, webhook_id, wanted)


def replay_delivery(
    workspace_id: str, delivery_id: str, webhook_id: str | None = None
) -> dict[str, Any]:
    """Send one delivery again now; its view, PENDING. 404 when unknown."""
    return delivery_log.delivery_view(delivery.replay(workspace_id, delivery_id, webhook_id))


# -- writes --------------------------------------------------------------------------------------


def create_webhook(ctx: RequestContext, model: WorkspaceModel, raw: object) -> Webhook:
    """Create a webhook from `{targetUrl, operations?, description?, secret?, id?}`."""
    given = _input(raw, CREATE_KEYS, "createWebhook")
    webhook_id = _new_id(given.get("id"))
    raw_operations = given.get("operations")
    ops = (
        operations.DEFAULT_OPERATIONS
        if raw_operations is None
        else operations.validate_operations(model, raw_operations)
    )
    description = _optional_text(given, "description")
    secret = _optional_text(given, "secret")
    target_url = _target_url(given)
    # Counted before the write, not in it: two concurrent creates may both pass at 49. The
    # bound is about cost, so one over it is harmless and not worth a counter item.
    if len(store.list_webhooks(ctx.workspace_id)) >= MAX_WEBHOOKS_PER_WORKSPACE:
        raise BadRequestError(
            f"A workspace may have at most {MAX_WEBHOOKS_PER_WORKSPACE} webhooks; delete one first"
        )
    webhook = Webhook(
        id=webhook_id,
        workspace_id=ctx.workspace_id,
        target_url=target_url,
        operations=ops,
        description=description,
        secret=secrets.token_hex(32) if secret is None else secret,
        status=ACTIVE,
        disabled_reason=None,
        consecutive_failures=0,
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    store.create_webhook(webhook)
    return webhook


def update_webhook(
    ctx: RequestContext, model: WorkspaceModel, webhook_id: str, raw: object
) -> Webhook:
    """Change any of targetUrl, operations, description, secret. Every update also gives the
    webhook a fresh start: ACTIVE again, no disabledReason, no failures counted."""
    given = _input(raw, UPDATE_KEYS, "update")
    current = get_webhook(ctx.workspace_id, webhook_id)
    changes: dict[str, Any] = {}
    if "operations" in given:
        changes["operations"] = operations.validate_operations(model, given["operations"])
    if "description" in given:
        changes["description"] = _optional_text(given, "description")
    if "secret" in given:
        changes["secret"] = _required_text(given, "secret")
    if "targetUrl" in given:
        changes["target_url"] = _target_url(given)
    updated = replace(
        current,
        **changes,
        status=ACTIVE,
        disabled_reason=None,
        consecutive_failures=0,
        updated_at=ctx.now,
    )
    store.replace_webhook(updated)
    return updated


def delete_webhook(workspace_id: str, webhook_id: str) -> Webhook:
    """Delete a webhook for good (its delivery log expires by TTL); the webhook as it was."""
    current = get_webhook(workspace_id, webhook_id)
    if not store.delete_webhook(workspace_id, webhook_id):
        raise WebhookNotFoundError(f"Webhook '{webhook_id}' not found")
    return current


# -- input checks --------------------------------------------------------------------------------


def _input(raw: object, allowed: tuple[str, ...], what: str) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise InvalidRequestBodyError(f"{what} must be a JSON object")
    size = len(json.dumps(raw, default=str).encode())
    if size > MAX_INPUT_BYTES:
        # One webhook is one item, and every stream batch of the workspace reads them all.
        raise InvalidRequestBodyError(
            f"{what} is {size} bytes of JSON; a webhook may take at most {MAX_INPUT_BYTES}"
        )
    unknown = [key for key in raw if key not in allowed]
    if unknown:
        raise InvalidRequestBodyError(
            messages=[f"property '{str(key)[:100]}' should not exist" for key in unknown]
        )
    return raw


def _new_id(value: object) -> str:
    if value is None:
        return str(uuid.uuid4())
    found = canonical_uuid(value)
    if found is None:
        raise InvalidRequestBodyError(f"id '{str(value)[:100]}' is not a valid UUID")
    return found


def _optional_text(given: Mapping[str, Any], key: str) -> str | None:
    value = given.get(key)
    if value is not None and not isinstance(value, str):
        raise InvalidRequestBodyError(f"{key} must be a string")
    return value


def _required_text(given: Mapping[str, Any], key: str) -> str:
    value = given.get(key)
    if not isinstance(value, str):
        raise InvalidRequestBodyError(f"{key} must be a string")
    return value


def _target_url(given: Mapping[str, Any]) -> str:
    if given.get("targetUrl") is None:
        raise InvalidRequestBodyError("targetUrl is required")
    url = _required_text(given, "targetUrl")
    return ssrf.checked_target(url, allow_loopback=SETTINGS.webhook_allow_loopback).url
