"""The queue of webhook deliveries waiting for an attempt: SQS on AWS, an in-process sink locally.

A message carries a `DeliveryRef` only (never the payload): the consumer loads the delivery, so
a message redelivered by SQS, or one that waited out a retry delay, always sends the stored body
with the webhook's current URL and secret.
"""

from __future__ import annotations

import json
import logging
import math
import os
import time
import uuid
from collections.abc import Callable, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from chalicelib.settings import SETTINGS

if TYPE_CHECKING:
    # app.py imports this module for the queue's ARN: the delivery values load with the first
    # message, not at `import app` (the API's cold start).
    from chalicelib.webhooks.model import DeliveryRef

logger = logging.getLogger(__name__)

# SQS limits: SendMessageBatch takes at most 10 entries, DelaySeconds at most 15 minutes.
BATCH_SIZE = 10
MAX_DELAY_SECONDS = 900
# Entries SQS refused for its own reasons (not ours) are sent again this many times.
_SEND_ATTEMPTS = 3
# Like the DynamoDB client's (storage/connection.py): a call that hangs costs seconds, not the
# stream batch or the delivery attempt waiting on it.
_CONNECT_TIMEOUT_SECONDS = 3.0
_READ_TIMEOUT_SECONDS = 5.0

# Read by app.py when the decorator registers the consumer. infra/ points the event source at
# the real queue in the template; this syntactically valid placeholder only keeps `chalice
# package` and local imports working (as streams.STREAM_ARN_PLACEHOLDER does for the stream).
QUEUE_ARN_PLACEHOLDER = "arn:aws:sqs:us-east-1:123456789012:crm-webhook-deliveries"

Sink = Callable[[list["DeliveryRef"], float], None]
_local_sink: Sink | None = None

_MESSAGE_KEYS = ("workspaceId", "webhookId", "deliveryId")


def delivery_queue_arn() -> str:
    """The queue the consumer is registered for (an environment override, else a placeholder)."""
    return os.environ.get("CRM_WEBHOOK_QUEUE_ARN") or QUEUE_ARN_PLACEHOLDER


def install_local(sink: Sink) -> None:
    """Route enqueued refs to `sink(refs, delay_seconds)` while no SQS queue is configured."""
    global _local_sink
    _local_sink = sink


def uninstall_local() -> None:
    global _local_sink
    _local_sink = None


def enqueue(refs: Sequence[DeliveryRef], delay_seconds: float = 0.0) -> None:
    """Queue refs for an attempt in `delay_seconds`; raise when there is nowhere to put them.

    The raise matters: a stream batch that could not queue its deliveries must fail, so Lambda
    retries it (the deliveries it stored are found again, not created twice).
    """
    if not refs:
        return
    delay = max(0.0, delay_seconds)
    if SETTINGS.webhook_queue_url:
        _send_to_sqs(SETTINGS.webhook_queue_url, list(refs), delay)
    elif _local_sink is not None:
        _local_sink(list(refs), delay)
    else:
        raise RuntimeError(
            "no webhook delivery queue: CRM_WEBHOOK_QUEUE_URL is unset and no local queue is "
            "installed"
        )


def message_body(ref: DeliveryRef) -> str:
    """The ref as compact JSON: what an SQS message of this queue holds."""
    values = (ref.workspace_id, ref.webhook_id, ref.delivery_id)
    return json.dumps(dict(zip(_MESSAGE_KEYS, values, strict=True)), separators=(",", ":"))


def ref_from_message(body: str) -> DeliveryRef:
    """The ref a message holds; ValueError for anything but the three ids as UUID strings.

    The ids become key parts (storage/keys.py), so they are checked as strictly as request ids.
    """
    try:
        decoded = json.loads(body)
    except (TypeError, ValueError) as exc:
        raise ValueError("a delivery message must be a JSON object") from exc
    if not isinstance(decoded, dict) or set(decoded) != set(_MESSAGE_KEYS):
        raise ValueError(f"a delivery message holds exactly {', '.join(_MESSAGE_KEYS)}")
    from chalicelib.webhooks.model import DeliveryRef

    ids = [decoded[key] for key in _MESSAGE_KEYS]
    for key, value in zip(_MESSAGE_KEYS, ids, strict=True):
        if not _is_uuid(value):
            raise ValueError(f"{key} of a delivery message must be a UUID")
    return DeliveryRef(*ids)


def sqs_delay(delay_seconds: float) -> int:
    """SQS's DelaySeconds for a wish: whole seconds, rounded up, at most 15 minutes.

    A longer delay is served in steps: the consumer finds the delivery not yet due and queues it
    again for the time left (webhooks/delivery.py).
    """
    return min(MAX_DELAY_SECONDS, max(0, math.ceil(delay_seconds)))


def _is_uuid(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        return str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False


def _send_to_sqs(queue_url: str, refs: list[DeliveryRef], delay_seconds: float) -> None:
    delay = sqs_delay(delay_seconds)
    for start in range(0, len(refs), BATCH_SIZE):
        chunk = refs[start : start + BATCH_SIZE]
        entries = [
            {"Id": str(index), "MessageBody": message_body(ref), "DelaySeconds": delay}
            for index, ref in enumerate(chunk)
        ]
        _send_batch(queue_url, entries)


def _send_batch(queue_url: str, entries: list[dict[str, Any]]) -> None:
    """SendMessageBatch, sending again the entries SQS failed on its side; raise if any remain."""
    for attempt in range(_SEND_ATTEMPTS):
        answer = _sqs_client().send_message_batch(QueueUrl=queue_url, Entries=entries)
        failed = answer.get("Failed") or []
        if not failed:
            return
        if any(entry.get("SenderFault") for entry in failed) or attempt + 1 == _SEND_ATTEMPTS:
            codes = sorted({str(entry.get("Code")) for entry in failed})
            raise RuntimeError(f"SQS refused {len(failed)} delivery messages: {', '.join(codes)}")
        retry_ids = {entry["Id"] for entry in failed}
        entries = [entry for entry in entries if entry["Id"] in retry_ids]
        time.sleep(0.05 * 2**attempt)


@cache
def _sqs_client() -> Any:
    """One SQS client per container, created on first use: REST containers never pay for it."""
    import botocore.session
    from botocore.config import Config

    config = Config(
        connect_timeout=_CONNECT_TIMEOUT_SECONDS,
        read_timeout=_READ_TIMEOUT_SECONDS,
        retries={"max_attempts": 3, "mode": "standard"},
    )
    session = botocore.session.get_session()
    return session.create_client("sqs", region_name=SETTINGS.region, config=config)
