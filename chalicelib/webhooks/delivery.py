"""Attempting a webhook delivery: send it, record the attempt, schedule the retry or give up.

Every attempt starts from the stored delivery (consistent read), so a message that arrives twice,
late or early changes nothing it should not: a settled delivery is left alone, one not yet due
goes back to the queue for the time left. A failed HTTP exchange is never an exception here: it
is recorded and scheduled; only storage or queue failures raise (the message is then retried).

Delivery is at least once: an attempt whose outcome could not be saved is sent again, which is
why every request carries the event's stable `Webhook-Id`.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from chalicelib.context import utc_now_iso
from chalicelib.errors import WebhookDeliveryNotFoundError, WebhookNotFoundError
from chalicelib.observability import delivery_metrics
from chalicelib.settings import SETTINGS
from chalicelib.storage import webhook_deliveries, webhooks
from chalicelib.webhooks import queue, sender
from chalicelib.webhooks.model import (
    DELIVERED,
    DISABLED,
    FAILED,
    PENDING,
    Delivery,
    DeliveryRef,
    Webhook,
)

logger = logging.getLogger(__name__)

# One SQS batch is at most 10 messages; each attempt may wait up to the 10 s send timeout, so
# they run side by side and a batch takes about as long as its slowest attempt.
MAX_CONCURRENT_ATTEMPTS = 10
# The jittered delay is this fraction of the nominal one, drawn uniformly: retries of many
# deliveries to a target that was down spread out instead of arriving together.
JITTER_LOW, JITTER_HIGH = 0.5, 1.0
# A message this close to its delivery's due time is attempted now rather than queued again
# (SQS rounds delays up to whole seconds; clocks of two containers may differ slightly).
_DUE_TOLERANCE_SECONDS = 1.0


class QueueRecord(Protocol):
    """The part of chalice's SQSRecord this module reads."""

    body: str

    def to_dict(self) -> dict[str, Any]: ...


def retry_delay(
    retry: int, *, base: float | None = None, rng: Callable[[], float] = random.random
) -> float:
    """Seconds before the `retry`-th retry (1-based): base * 2^(retry-1), jittered down by up to
    half. With the default base of 60 s, six retries span at most 63 minutes."""
    if retry < 1:
        raise ValueError("retries are numbered from 1")
    nominal = (SETTINGS.webhook_retry_base_seconds if base is None else base) * 2 ** (retry - 1)
    return nominal * (JITTER_LOW + (JITTER_HIGH - JITTER_LOW) * rng())


def attempt(ref: DeliveryRef) -> Delivery | None:
    """Attempt the delivery `ref` names if it is due; the delivery as it now stands.

    None when the delivery no longer exists (its log entry expired or was never written).
    """
    delivery = webhook_deliveries.get_delivery(ref)
    if delivery is None or delivery.status != PENDING:
        return delivery
    wait = _seconds_until(delivery.next_attempt_at)
    if wait > _DUE_TOLERANCE_SECONDS:
        queue.enqueue([ref], wait)
        return delivery
    webhook = webhooks.get_webhook(ref.workspace_id, ref.webhook_id)
    if webhook is None:
        return _give_up(delivery, "webhook deleted")
    if webhook.status == DISABLED:
        return _give_up(delivery, f"webhook disabled: {webhook.disabled_reason or 'no reason'}")
    return _send(delivery, webhook, ref)


def handle_queue_batch(records: Iterable[QueueRecord]) -> dict[str, list[dict[str, str]]]:
    """Attempt every message of an SQS batch; Lambda's partial-batch response.

    Only messages whose processing raised are reported (SQS makes them visible again, and after
    the queue's receive limit moves them to its dead-letter queue); a failed HTTP delivery was
    already scheduled by `attempt`. Messages naming the same delivery are attempted once.
    """
    failed: list[str] = []
    message_ids_by_ref: dict[DeliveryRef, list[str]] = {}
    for record in records:
        message_id = str(record.to_dict().get("messageId"))
        try:
            ref = queue.ref_from_message(record.body)
        except ValueError as exc:
            logger.error("unreadable webhook delivery message %s: %s", message_id, exc)
            failed.append(message_id)
            continue
        message_ids_by_ref.setdefault(ref, []).append(message_id)
    if message_ids_by_ref:
        failed += _attempt_concurrently(message_ids_by_ref)
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}


def replay(workspace_id: str, delivery_id: str, webhook_id: str | None = None) -> Delivery:
    """Queue one delivery of the workspace for an immediate attempt, whatever its status.

    Its attempts keep counting, so a replay that fails is FAILED again without a new series of
    retries. Without `webhook_id`, the delivery is looked up among all the workspace's webhooks.
    """
    if webhook_id is not None:
        if webhooks.get_webhook(workspace_id, webhook_id) is None:
            raise WebhookNotFoundError()
        found = webhook_deliveries.get_delivery(DeliveryRef(workspace_id, webhook_id, delivery_id))
    else:
        webhook_ids = [webhook.id for webhook in webhooks.list_webhooks(workspace_id)]
        found = webhook_deliveries.find_delivery(workspace_id, delivery_id, webhook_ids)
    if found is None or found.workspace_id != workspace_id:
        raise WebhookDeliveryNotFoundError()
    now = utc_now_iso()
    pending = replace(found, status=PENDING, next_attempt_at=now, updated_at=now)
    webhook_deliveries.save_delivery(pending)
    queue.enqueue([_ref(pending)])
    logger.info("webhook delivery %s replayed", pending.id)
    return pending


def _send(delivery: Delivery, webhook: Webhook, ref: DeliveryRef) -> Delivery:
    # Signed now, with the webhook's current secret: the timestamp is the attempt's own.
    headers = sender.signed_headers(
        webhook.secret, delivery.body, delivery.event_id, int(time.time() * 1000)
    )
    result = sender.send(webhook.target_url, delivery.body, headers)
    attempts = delivery.attempts + 1
    logger.info(
        "webhook delivery %s attempt %d: %s in %d ms",
        delivery.id,
        attempts,
        result.error or f"HTTP {result.status_code}",
        result.elapsed_ms,
    )
    delivery_metrics.record_attempt(
        workspace_id=delivery.workspace_id,
        webhook_id=delivery.webhook_id,
        delivery_id=delivery.id,
        attempt=attempts,
        status_code=result.status_code,
        delivered=result.delivered,
        elapsed_ms=result.elapsed_ms,
        final=attempts > SETTINGS.webhook_max_retries,
    )
    tried = replace(
        delivery,
        attempts=attempts,
        last_status_code=result.status_code,
        last_error=result.error,
        updated_at=utc_now_iso(),
    )
    if result.delivered:
        return _delivered(tried, webhook)
    if attempts <= SETTINGS.webhook_max_retries:
        return _schedule_retry(tried, ref, retry_delay(attempts))
    return _failed_for_good(tried, result.error or "failed")


def _delivered(tried: Delivery, webhook: Webhook) -> Delivery:
    done = replace(tried, status=DELIVERED, next_attempt_at=None)
    webhook_deliveries.save_delivery(done)
    if webhook.consecutive_failures > 0:  # a healthy webhook costs no write
        webhooks.reset_failures(webhook.workspace_id, webhook.id)
    return done


def _schedule_retry(tried: Delivery, ref: DeliveryRef, delay: float) -> Delivery:
    due = _iso(datetime.now(UTC) + timedelta(seconds=delay))
    waiting = replace(tried, status=PENDING, next_attempt_at=due)
    # False: the log entry expired meanwhile, and a retry would find nothing to send.
    if webhook_deliveries.save_delivery(waiting) is not False:
        queue.enqueue([ref], delay)
    return waiting


def _failed_for_good(tried: Delivery, last_error: str) -> Delivery:
    failed = replace(tried, status=FAILED, next_attempt_at=None)
    webhook_deliveries.save_delivery(failed)
    reason = (
        f"{SETTINGS.webhook_disable_after} consecutive deliveries failed; the last one after "
        f"{failed.attempts} attempts: {last_error}"
    )
    webhook = webhooks.count_failure(
        failed.workspace_id,
        failed.webhook_id,
        disable_after=SETTINGS.webhook_disable_after,
        reason=reason,
    )
    if webhook is not None and webhook.status == DISABLED:
        logger.warning("webhook %s disabled: %s", webhook.id, webhook.disabled_reason)
    return failed


def _give_up(delivery: Delivery, reason: str) -> Delivery:
    """FAILED without an attempt (the webhook is gone or disabled); replayable later."""
    failed = replace(
        delivery, status=FAILED, last_error=reason, next_attempt_at=None, updated_at=utc_now_iso()
    )
    webhook_deliveries.save_delivery(failed)
    return failed


def _attempt_concurrently(message_ids_by_ref: dict[DeliveryRef, list[str]]) -> list[str]:
    failed: list[str] = []
    workers = min(MAX_CONCURRENT_ATTEMPTS, len(message_ids_by_ref))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {ref: pool.submit(attempt, ref) for ref in message_ids_by_ref}
        for ref, future in futures.items():
            error = future.exception()
            if error is not None:
                logger.error(
                    "webhook delivery %s not attempted: %r", ref.delivery_id, error, exc_info=error
                )
                failed += message_ids_by_ref[ref]
    return failed


def _ref(delivery: Delivery) -> DeliveryRef:
    return DeliveryRef(delivery.workspace_id, delivery.webhook_id, delivery.id)


def _seconds_until(moment: str | None) -> float:
    if not moment:
        return 0.0
    return (datetime.fromisoformat(moment) - datetime.now(UTC)).total_seconds()


def _iso(moment: datetime) -> str:
    """The form of context.utc_now_iso: ISO 8601, UTC, milliseconds, `Z`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
