"""A webhook's delivery log as both APIs show it: newest first, attempt state only.

A view never holds the payload, the secret or a signature: only what happened to each event.
"""

from __future__ import annotations

from typing import Any

from chalicelib.errors import WebhookNotFoundError
from chalicelib.settings import SETTINGS
from chalicelib.storage import webhook_deliveries, webhooks
from chalicelib.webhooks.model import Delivery


def delivery_view(delivery: Delivery) -> dict[str, Any]:
    """The API shape of one delivery (REST `webhookDeliveries[]`, GraphQL `WebhookDelivery`)."""
    return {
        "id": delivery.id,
        "webhookId": delivery.webhook_id,
        "eventId": delivery.event_id,
        "eventName": delivery.event_name,
        "recordId": delivery.record_id,
        "attempts": delivery.attempts,
        "lastStatusCode": delivery.last_status_code,
        "lastError": delivery.last_error,
        "nextAttemptAt": delivery.next_attempt_at,
        "status": delivery.status,
        "createdAt": delivery.created_at,
        "updatedAt": delivery.updated_at,
    }


def list_views(workspace_id: str, webhook_id: str, limit: int) -> list[dict[str, Any]]:
    """The newest `limit` deliveries of one of the workspace's webhooks (clamped to the page
    bounds); 404 when the workspace has no such webhook."""
    if webhooks.get_webhook(workspace_id, webhook_id) is None:
        raise WebhookNotFoundError()
    bounded = max(1, min(limit, SETTINGS.page_max))
    return [
        delivery_view(delivery)
        for delivery in webhook_deliveries.list_deliveries(workspace_id, webhook_id, bounded)
    ]
