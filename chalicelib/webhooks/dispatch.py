"""Stream batch -> webhook deliveries: every record event, for every active webhook that wants it,
stored once in the delivery log (PENDING) and queued for its first attempt.

Per workspace of a batch, its webhooks are read once (one Query) and, only when one is active,
its model is loaded once (a GetItem on a warm cache): never once per record. A workspace whose
processing raises has its records reported as failed, so Lambda sends the batch again from the
first of them; the others go on. Processing a batch again is harmless: delivery ids are
deterministic, existing deliveries are not created twice, and those that were stored but never
attempted (the queue was down the first time) are queued again. A delivery may then be queued
twice, which at-least-once delivery allows (receivers drop repeats by `Webhook-Id`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from chalicelib.context import utc_now_iso
from chalicelib.errors import AuthenticationError
from chalicelib.metadata.registry import load_model
from chalicelib.storage import webhook_deliveries, webhooks
from chalicelib.webhooks import queue
from chalicelib.webhooks.events import (
    RecordChange,
    RecordEvent,
    StreamRecord,
    delivery_id,
    event_body,
    record_change,
    record_event,
)
from chalicelib.webhooks.model import ACTIVE, PENDING, Delivery, DeliveryRef, Webhook
from chalicelib.webhooks.operations import matches

LOG = logging.getLogger("crm.webhooks.dispatch")
LOG.setLevel(logging.INFO)


@dataclass(frozen=True, slots=True)
class WorkspaceOutcome:
    events: int
    stored: int  # deliveries created by this run
    queued: int  # refs queued (created, plus stored earlier but never attempted)


def dispatch(records: Iterable[StreamRecord]) -> list[str]:
    """Turn a batch's record changes into queued deliveries; the sequence numbers that failed."""
    by_workspace: dict[str, list[RecordChange]] = {}
    for record in records:
        change = record_change(record)
        if change is not None:
            by_workspace.setdefault(change.workspace_id, []).append(change)
    failed: list[str] = []
    for workspace_id, changes in by_workspace.items():
        try:
            outcome = dispatch_workspace(workspace_id, changes)
        except Exception:
            LOG.exception("webhook dispatch failed for workspace %s", workspace_id)
            failed += [change.sequence_number for change in changes]
            continue
        if outcome.events:
            LOG.info(
                "webhooks of %s: %d events, %d deliveries stored, %d queued",
                workspace_id,
                outcome.events,
                outcome.stored,
                outcome.queued,
                extra={"webhookDispatch": {"workspaceId": workspace_id, **_fields(outcome)}},
            )
    return failed


def _fields(outcome: WorkspaceOutcome) -> dict[str, int]:
    return {"events": outcome.events, "stored": outcome.stored, "queued": outcome.queued}


def dispatch_workspace(workspace_id: str, changes: list[RecordChange]) -> WorkspaceOutcome:
    """Deliveries of one workspace's changes (in stream order), stored and queued."""
    active = [hook for hook in webhooks.list_webhooks(workspace_id) if hook.status == ACTIVE]
    if not active:
        return WorkspaceOutcome(0, 0, 0)  # no model load, no write
    try:
        model = load_model(workspace_id)
    except AuthenticationError:
        # The workspace is gone: nothing of it is delivered, and no retry would change that.
        LOG.warning("stream changes of workspace %s, which no longer exists", workspace_id)
        return WorkspaceOutcome(0, 0, 0)
    events = [event for change in changes if (event := record_event(change, model)) is not None]
    now = utc_now_iso()
    deliveries = [
        new_delivery(event, hook, now)
        for event in events
        for hook in active
        if matches(hook.operations, event.event_name)
    ]
    if not deliveries:
        return WorkspaceOutcome(len(events), 0, 0)
    created = webhook_deliveries.put_new_deliveries(deliveries)
    refs = [_ref(delivery) for delivery in created]
    refs += _never_attempted(deliveries, created)
    queue.enqueue(refs)
    return WorkspaceOutcome(len(events), len(created), len(refs))


def new_delivery(event: RecordEvent, webhook: Webhook, now: str) -> Delivery:
    """The event for one webhook, waiting for its first attempt now."""
    return Delivery(
        id=delivery_id(event.event_id, webhook.id, event.event_ms),
        workspace_id=event.workspace_id,
        webhook_id=webhook.id,
        event_id=event.event_id,
        event_name=event.event_name,
        record_id=event.record_id,
        body=event_body(event, webhook),
        status=PENDING,
        attempts=0,
        last_status_code=None,
        last_error=None,
        next_attempt_at=now,
        created_at=now,
        updated_at=now,
    )


def _ref(delivery: Delivery) -> DeliveryRef:
    return DeliveryRef(delivery.workspace_id, delivery.webhook_id, delivery.id)


def _never_attempted(wanted: list[Delivery], created: list[Delivery]) -> list[DeliveryRef]:
    """Refs of deliveries stored by an earlier run of this batch and still waiting for their
    first attempt: that run may have failed before it queued them. One BatchGetItem, and only
    when a batch is processed again."""
    created_ids = {delivery.id for delivery in created}
    existing = [_ref(delivery) for delivery in wanted if delivery.id not in created_ids]
    if not existing:
        return []
    stored = webhook_deliveries.get_deliveries(existing)
    return [
        _ref(delivery)
        for delivery in stored
        if delivery.status == PENDING and delivery.attempts == 0
    ]
