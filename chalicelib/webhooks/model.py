"""The webhook and delivery values shared by management, the stream side and the sender.

Plain frozen dataclasses: storage/webhooks.py and storage/webhook_deliveries.py turn them into
items and back; nothing here talks to DynamoDB or the network.
"""

from __future__ import annotations

from dataclasses import dataclass

# Webhook.status
ACTIVE = "ACTIVE"
DISABLED = "DISABLED"

# Delivery.status
PENDING = "PENDING"
DELIVERED = "DELIVERED"
FAILED = "FAILED"

# The record events a webhook can ask for (reference 11.2); `upserted` is never emitted here:
# an upsert that creates emits `created`, one that updates emits `updated`.
ACTIONS = ("created", "updated", "deleted", "restored", "destroyed", "upserted")


@dataclass(frozen=True, slots=True)
class Webhook:
    id: str
    workspace_id: str
    target_url: str
    operations: tuple[str, ...]
    description: str | None
    secret: str  # "" when none: deliveries are then sent unsigned, as Twenty does
    status: str  # ACTIVE | DISABLED
    disabled_reason: str | None
    consecutive_failures: int  # deliveries that ended FAILED since the last success
    created_at: str
    updated_at: str


@dataclass(frozen=True, slots=True)
class Delivery:
    """One event for one webhook: its payload and where its attempts stand."""

    id: str  # time-ordered UUID, deterministic per (event, webhook): see webhooks/events.py
    workspace_id: str
    webhook_id: str
    event_id: str  # the `Webhook-Id` header: the same across retries and replays
    event_name: str  # e.g. "person.updated"
    record_id: str
    body: str  # the exact JSON text POSTed (compact separators)
    status: str  # PENDING | DELIVERED | FAILED
    attempts: int
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: str | None  # ISO 8601 UTC, None once DELIVERED or FAILED
    created_at: str
    updated_at: str


@dataclass(frozen=True, slots=True)
class DeliveryRef:
    """What the retry queue carries: enough to load the delivery (never its payload)."""

    workspace_id: str
    webhook_id: str
    delivery_id: str
