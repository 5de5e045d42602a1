"""The sending side of webhooks against moto and a real receiver on loopback: attempts, the
retry schedule, giving up and disabling, the delivery log, replay, and the SQS consumer."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from chalicelib.context import utc_now_iso
from chalicelib.errors import WebhookDeliveryNotFoundError, WebhookNotFoundError
from chalicelib.storage import webhook_deliveries, webhooks
from chalicelib.webhooks import delivery, delivery_log, queue, sender
from chalicelib.webhooks.events import delivery_id
from chalicelib.webhooks.model import (
    ACTIVE,
    DELIVERED,
    DISABLED,
    FAILED,
    PENDING,
    Delivery,
    DeliveryRef,
    Webhook,
)
from tests.support import make_tenant
from tests.unit.webhooks.receiver import Answer, Receiver
from tests.webhook_support import queue_sink

SECRET = "whsec-test-secret"
BASE = 0.01  # seconds: the schedule's shape at a test's pace


@pytest.fixture
def settings(monkeypatch):
    """Small retry settings (2 retries, disable after 2 FAILED deliveries), loopback allowed;
    `settings(**changes)` changes them further."""

    def change(**changes: Any) -> None:
        for module in (delivery, sender, queue):
            monkeypatch.setattr(module, "SETTINGS", replace(module.SETTINGS, **changes))

    change(
        webhook_retry_base_seconds=BASE,
        webhook_max_retries=2,
        webhook_disable_after=2,
        webhook_allow_loopback=True,
        webhook_queue_url="",
    )
    return change


@pytest.fixture
def sink(aws, settings):
    with queue_sink() as installed:
        yield installed


def add_webhook(workspace_id: str, url: str, *, secret: str = SECRET, failures: int = 0):
    now = utc_now_iso()
    hook = Webhook(
        id=str(uuid.uuid4()),
        workspace_id=workspace_id,
        target_url=url,
        operations=("*.*",),
        description=None,
        secret=secret,
        status=ACTIVE,
        disabled_reason=None,
        consecutive_failures=failures,
        created_at=now,
        updated_at=now,
    )
    webhooks.create_webhook(hook)
    return hook


def add_delivery(hook: Webhook, *, next_attempt_at: str | None = None, **fields: Any) -> Delivery:
    """A stored PENDING delivery of one `person.created` event, as the stream side stores it."""
    now = utc_now_iso()
    event_id = str(uuid.uuid4())
    record_id = str(uuid.uuid4())
    body = json.dumps(
        {"targetUrl": hook.target_url, "eventName": "person.created", "record": {"id": record_id}},
        separators=(",", ":"),
    )
    stored = Delivery(
        id=delivery_id(event_id, hook.id, int(time.time() * 1000)),
        workspace_id=hook.workspace_id,
        webhook_id=hook.id,
        event_id=event_id,
        event_name="person.created",
        record_id=record_id,
        body=body,
        status=PENDING,
        attempts=0,
        last_status_code=None,
        last_error=None,
        next_attempt_at=next_attempt_at or now,
        created_at=now,
        updated_at=now,
    )
    stored = replace(stored, **fields)
    assert webhook_deliveries.put_new_deliveries([stored]) == [stored]
    return stored


def ref_of(stored: Delivery) -> DeliveryRef:
    return DeliveryRef(stored.workspace_id, stored.webhook_id, stored.id)


def run_queue(sink) -> list[tuple[DeliveryRef, float]]:
    """Attempt what the queue holds, and what those attempts queue, until it is empty; the
    (ref, delay) of every enqueue, in order."""
    seen = []
    while sink.calls:
        refs, delay = sink.calls.pop(0)
        time.sleep(delay)
        for ref in refs:
            seen.append((ref, delay))
            delivery.attempt(ref)
    return seen


def log_of(hook: Webhook) -> list[dict[str, Any]]:
    return delivery_log.list_views(hook.workspace_id, hook.id, 60)


def signature_ok(request) -> bool:
    timestamp = request.header("X-Twenty-Webhook-Timestamp")
    expected = hmac.new(
        SECRET.encode(), timestamp.encode() + b":" + request.body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(expected, request.header("X-Twenty-Webhook-Signature") or "")


def failing(times: int):
    return lambda n: Answer(status=500, body=b"down") if n <= times else Answer(status=204)


# -- attempts and retries ------------------------------------------------------------------------


def test_a_receiver_failing_twice_gets_the_event_on_the_third_attempt(tenant, sink):
    with Receiver(failing(2)) as receiver:
        hook = add_webhook(tenant.workspace_id, receiver.url())
        stored = add_delivery(hook)

        first = delivery.attempt(ref_of(stored))
        assert (first.status, first.attempts, first.last_status_code) == (PENDING, 1, 500)
        assert first.last_error == "HTTP 500 Internal Server Error"
        (view,) = log_of(hook)
        assert view["status"] == PENDING and view["attempts"] == 1
        assert view["nextAttemptAt"] > stored.next_attempt_at

        retries = run_queue(sink)
    assert [delay for _, delay in retries] == [
        pytest.approx(BASE * 0.75, abs=BASE * 0.25),
        pytest.approx(BASE * 1.5, abs=BASE * 0.5),
    ]
    (view,) = log_of(hook)
    assert {key: view[key] for key in ("status", "attempts", "lastStatusCode", "lastError")} == {
        "status": DELIVERED,
        "attempts": 3,
        "lastStatusCode": 204,
        "lastError": None,
    }
    assert view["nextAttemptAt"] is None
    bodies = {request.body for request in receiver.received}
    assert bodies == {stored.body.encode()}
    assert [r.header("Webhook-Id") for r in receiver.received] == [stored.event_id] * 3
    assert all(signature_ok(request) for request in receiver.received)
    assert len({r.header("X-Twenty-Webhook-Nonce") for r in receiver.received}) == 3


def test_a_delivery_that_always_fails_is_failed_after_the_last_retry_and_counted(tenant, sink):
    with Receiver(failing(99)) as receiver:
        hook = add_webhook(tenant.workspace_id, receiver.url())
        stored = add_delivery(hook)
        delivery.attempt(ref_of(stored))
        run_queue(sink)
    assert len(receiver.received) == 3  # the first attempt and max_retries=2 retries
    (view,) = log_of(hook)
    assert (view["status"], view["attempts"], view["nextAttemptAt"]) == (FAILED, 3, None)
    after = webhooks.get_webhook(hook.workspace_id, hook.id)
    assert (after.status, after.consecutive_failures) == (ACTIVE, 1)


def test_a_webhook_is_disabled_after_n_failed_deliveries_with_a_readable_reason(tenant, sink):
    with Receiver(failing(99)) as receiver:
        hook = add_webhook(tenant.workspace_id, receiver.url())
        for _ in range(2):
            delivery.attempt(ref_of(add_delivery(hook)))
            run_queue(sink)
        sent = len(receiver.received)
        late = add_delivery(hook)
        given_up = delivery.attempt(ref_of(late))
    after = webhooks.get_webhook(hook.workspace_id, hook.id)
    assert after.status == DISABLED
    assert after.disabled_reason == (
        "2 consecutive deliveries failed; the last one after 3 attempts: "
        "HTTP 500 Internal Server Error"
    )
    # A delivery of a disabled webhook is not sent; it stays replayable.
    assert len(receiver.received) == sent == 6
    assert (given_up.status, given_up.attempts) == (FAILED, 0)
    assert given_up.last_error == f"webhook disabled: {after.disabled_reason}"


def test_a_success_resets_the_failures_of_a_webhook_that_had_some(tenant, sink):
    with Receiver() as receiver:
        hook = add_webhook(tenant.workspace_id, receiver.url(), failures=1)
        delivery.attempt(ref_of(add_delivery(hook)))
    assert webhooks.get_webhook(hook.workspace_id, hook.id).consecutive_failures == 0


def test_a_healthy_webhook_costs_no_write_on_success(tenant, sink, meter):
    with Receiver() as receiver:
        hook = add_webhook(tenant.workspace_id, receiver.url())
        stored = add_delivery(hook)
        meter.reset()
        delivery.attempt(ref_of(stored))
    # GetItem of the delivery and of the webhook, one UpdateItem of the delivery.
    assert dict(meter.operations) == {"GetItem": 2, "UpdateItem": 1}


def test_a_delivery_of_a_deleted_webhook_is_failed_without_sending(tenant, sink):
    with Receiver() as receiver:
        hook = add_webhook(tenant.workspace_id, receiver.url())
        stored = add_delivery(hook)
        webhooks.delete_webhook(hook.workspace_id, hook.id)
        result = delivery.attempt(ref_of(stored))
    assert (result.status, result.last_error, result.attempts) == (FAILED, "webhook deleted", 0)
    assert receiver.received == []
    assert webhook_deliveries.get_delivery(ref_of(stored)).status == FAILED


def test_a_target_refused_at_send_time_is_a_failed_attempt_that_is_retried(tenant, sink, settings):
    settings(webhook_allow_loopback=False)
    with Receiver() as receiver:
        hook = add_webhook(tenant.workspace_id, receiver.url())
        result = delivery.attempt(ref_of(add_delivery(hook)))
    assert receiver.received == []
    assert (result.status, result.attempts, result.last_status_code) == (PENDING, 1, None)
    assert result.last_error.startswith("target refused: ")
    assert len(sink.refs) == 1


def test_the_current_url_and_secret_of_the_webhook_are_used(tenant, sink):
    with Receiver() as old, Receiver() as new:
        hook = add_webhook(tenant.workspace_id, old.url())
        stored = add_delivery(hook)
        webhooks.replace_webhook(replace(hook, target_url=new.url(), secret="rotated"))
        delivery.attempt(ref_of(stored))
    assert old.received == []
    (request,) = new.received
    timestamp = request.header("X-Twenty-Webhook-Timestamp").encode()
    expected = hmac.new(b"rotated", timestamp + b":" + request.body, hashlib.sha256).hexdigest()
    assert request.header("X-Twenty-Webhook-Signature") == expected


# -- messages that arrive early, twice or for nothing ---------------------------------------------


def test_a_delivery_not_due_yet_goes_back_to_the_queue_for_the_time_left(tenant, sink):
    with Receiver() as receiver:
        hook = add_webhook(tenant.workspace_id, receiver.url())
        later = datetime.fromtimestamp(time.time() + 1500, UTC).isoformat()
        stored = add_delivery(hook, next_attempt_at=later)
        result = delivery.attempt(ref_of(stored))
    assert result == stored
    assert receiver.received == []
    ((refs, delay),) = sink.calls
    assert refs == [ref_of(stored)]
    assert 1490 < delay <= 1500


@pytest.mark.parametrize("status", [DELIVERED, FAILED])
def test_a_settled_delivery_is_left_alone(tenant, sink, status):
    with Receiver() as receiver:
        hook = add_webhook(tenant.workspace_id, receiver.url())
        stored = add_delivery(hook, status=status, next_attempt_at=None, attempts=3)
        assert delivery.attempt(ref_of(stored)) == stored
    assert receiver.received == [] and sink.calls == []


def test_a_message_for_a_delivery_that_no_longer_exists_does_nothing(tenant, sink):
    ref = DeliveryRef(tenant.workspace_id, str(uuid.uuid4()), str(uuid.uuid4()))
    assert delivery.attempt(ref) is None
    assert sink.calls == []


# -- the delivery log ----------------------------------------------------------------------------


def test_the_log_shows_attempt_state_newest_first_and_never_a_secret_or_body(tenant, sink):
    with Receiver() as receiver:
        hook = add_webhook(tenant.workspace_id, receiver.url())
        first = add_delivery(hook)
        time.sleep(0.005)
        second = add_delivery(hook)
        delivery.attempt(ref_of(second))
    views = log_of(hook)
    assert [view["id"] for view in views] == [second.id, first.id]
    assert list(views[0]) == [
        "id", "webhookId", "eventId", "eventName", "recordId", "attempts", "lastStatusCode",
        "lastError", "nextAttemptAt", "status", "createdAt", "updatedAt",
    ]  # fmt: skip
    assert views[0]["status"] == DELIVERED and views[1]["status"] == PENDING
    text = json.dumps(views)
    assert SECRET not in text and "X-Twenty-Webhook-Signature" not in text
    assert first.record_id in text and first.body not in text
    assert delivery_log.list_views(hook.workspace_id, hook.id, 1) == views[:1]


def test_the_log_of_another_workspaces_webhook_is_not_found(tenant, sink):
    hook = add_webhook(tenant.workspace_id, "https://hooks.example.com/")
    other = make_tenant("Other")
    with pytest.raises(WebhookNotFoundError):
        delivery_log.list_views(other.workspace_id, hook.id, 10)


# -- replay --------------------------------------------------------------------------------------


def test_replay_sends_a_delivered_event_again_with_the_same_event_id(tenant, sink):
    with Receiver() as receiver:
        hook = add_webhook(tenant.workspace_id, receiver.url())
        stored = add_delivery(hook)
        delivery.attempt(ref_of(stored))
        replayed = delivery.replay(tenant.workspace_id, stored.id, hook.id)
        assert (replayed.status, replayed.attempts) == (PENDING, 1)
        assert sink.calls == [([ref_of(stored)], 0.0)]
        run_queue(sink)
    first, again = receiver.received
    assert again.body == first.body
    assert again.header("Webhook-Id") == first.header("Webhook-Id") == stored.event_id
    (view,) = log_of(hook)
    assert (view["status"], view["attempts"]) == (DELIVERED, 2)


def test_replay_by_delivery_id_alone_finds_it_among_the_workspaces_webhooks(tenant, sink):
    with Receiver(failing(3)) as receiver:
        add_webhook(tenant.workspace_id, receiver.url())
        hook = add_webhook(tenant.workspace_id, receiver.url())
        stored = add_delivery(hook)
        delivery.attempt(ref_of(stored))
        run_queue(sink)
        assert webhook_deliveries.get_delivery(ref_of(stored)).status == FAILED

        replayed = delivery.replay(tenant.workspace_id, stored.id)
        run_queue(sink)
    assert replayed.webhook_id == hook.id
    (view,) = log_of(hook)
    assert (view["status"], view["attempts"], view["lastStatusCode"]) == (DELIVERED, 4, 204)


def test_a_failed_replay_is_failed_again_at_once_since_attempts_keep_counting(tenant, sink):
    with Receiver(failing(99)) as receiver:
        hook = add_webhook(tenant.workspace_id, receiver.url())
        stored = add_delivery(hook)
        delivery.attempt(ref_of(stored))
        run_queue(sink)
        delivery.replay(tenant.workspace_id, stored.id, hook.id)
        run_queue(sink)
    assert len(receiver.received) == 4
    (view,) = log_of(hook)
    assert (view["status"], view["attempts"]) == (FAILED, 4)


def test_replay_of_an_unknown_or_foreign_delivery_is_not_found(tenant, sink):
    hook = add_webhook(tenant.workspace_id, "https://hooks.example.com/")
    stored = add_delivery(hook)
    other = make_tenant("Other")
    with pytest.raises(WebhookDeliveryNotFoundError):
        delivery.replay(tenant.workspace_id, str(uuid.uuid4()), hook.id)
    with pytest.raises(WebhookDeliveryNotFoundError):
        delivery.replay(other.workspace_id, stored.id)
    with pytest.raises(WebhookNotFoundError):
        delivery.replay(other.workspace_id, stored.id, hook.id)
    assert webhook_deliveries.get_delivery(ref_of(stored)) == stored
    assert sink.calls == []


# -- the SQS path --------------------------------------------------------------------------------


@pytest.fixture
def sqs(aws, settings):
    """A moto SQS queue configured as the delivery queue; `sent` records every SendMessageBatch
    as the app sent it (a botocore event on the app's own client)."""
    import boto3

    client = boto3.client("sqs", region_name="us-east-1")
    url = client.create_queue(QueueName="crm-webhook-deliveries")["QueueUrl"]
    settings(webhook_queue_url=url)
    sent: list[list[dict[str, Any]]] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        sent.append([dict(entry) for entry in params["Entries"]])

    events = queue._sqs_client().meta.events
    events.register("provide-client-params.sqs.SendMessageBatch", record)
    yield client, url, sent
    events.unregister("provide-client-params.sqs.SendMessageBatch", record)


def sqs_event(client, url: str) -> dict[str, Any]:
    """What Lambda hands the consumer for the messages moto has ready (at most 10)."""
    arn = client.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
    messages = client.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": {},
                "messageAttributes": {},
                "md5OfBody": message["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": arn["QueueArn"],
                "awsRegion": "us-east-1",
            }
            for message in messages
        ]
    }


@pytest.fixture
def consumer(client):
    """Invokes the SQS handler registered in app.py, as Lambda does."""
    return lambda event: client.lambda_.invoke("on_webhook_delivery", event).payload


def test_refs_go_to_sqs_in_batches_of_ten_as_compact_json(tenant, sqs):
    client, url, sent = sqs
    refs = [
        DeliveryRef(tenant.workspace_id, str(uuid.uuid4()), str(uuid.uuid4())) for _ in "x" * 12
    ]
    queue.enqueue(refs)
    assert [len(batch) for batch in sent] == [10, 2]
    assert {entry["DelaySeconds"] for batch in sent for entry in batch} == {0}
    bodies = [entry["MessageBody"] for batch in sent for entry in batch]
    assert bodies[0] == json.dumps(
        {"workspaceId": refs[0].workspace_id, "webhookId": refs[0].webhook_id,
         "deliveryId": refs[0].delivery_id}, separators=(",", ":"),
    )  # fmt: skip
    assert [queue.ref_from_message(body) for body in bodies] == refs
    attributes = client.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == "12"


@pytest.mark.parametrize(("wanted", "delay"), [(0.2, 1), (2.0, 2), (59.01, 60), (3600, 900)])
def test_an_sqs_delay_is_whole_seconds_rounded_up_and_at_most_fifteen_minutes(
    tenant, sqs, wanted, delay
):
    _, _, sent = sqs
    queue.enqueue([DeliveryRef(tenant.workspace_id, str(uuid.uuid4()), str(uuid.uuid4()))], wanted)
    assert sent[0][0]["DelaySeconds"] == delay


def test_the_consumer_delivers_what_moto_hands_it_and_queues_retries_with_their_delay(
    tenant, sqs, consumer
):
    client, url, sent = sqs
    with Receiver(lambda n: Answer(status=503)) as failing_receiver, Receiver() as receiver:
        good = add_delivery(add_webhook(tenant.workspace_id, receiver.url()))
        bad = add_delivery(add_webhook(tenant.workspace_id, failing_receiver.url()))
        queue.enqueue([ref_of(good), ref_of(bad)])
        answer = consumer(sqs_event(client, url))
    assert answer == {"batchItemFailures": []}  # a failed HTTP delivery is scheduled, not raised
    assert webhook_deliveries.get_delivery(ref_of(good)).status == DELIVERED
    retried = webhook_deliveries.get_delivery(ref_of(bad))
    assert (retried.status, retried.attempts, retried.last_status_code) == (PENDING, 1, 503)
    (retry,) = sent[1]
    assert queue.ref_from_message(retry["MessageBody"]) == ref_of(bad)
    assert retry["DelaySeconds"] == 1  # BASE seconds, rounded up to SQS's whole seconds


def test_only_messages_whose_processing_raised_are_reported_as_failed(tenant, sqs, consumer):
    from chalicelib.storage.connection import shared_connection

    client, url, _ = sqs
    with Receiver() as receiver:
        hook = add_webhook(tenant.workspace_id, receiver.url())
        stored = add_delivery(hook)
        queue.enqueue([ref_of(stored)])
        client.send_message(QueueUrl=url, MessageBody='{"workspaceId":"x"}')
        client.send_message(QueueUrl=url, MessageBody="not json")
        event = sqs_event(client, url)
        by_body = {record["body"]: record["messageId"] for record in event["Records"]}

        events = shared_connection().client.meta.events

        def deny(**_: Any) -> None:
            raise ClientError(
                {"Error": {"Code": "AccessDeniedException", "Message": "injected"}}, "GetItem"
            )

        events.register_first("before-send.dynamodb.GetItem", deny)
        try:
            answer = consumer(event)
        finally:
            events.unregister("before-send.dynamodb.GetItem", deny)
        failed = {item["itemIdentifier"] for item in answer["batchItemFailures"]}
        assert failed == set(by_body.values())  # the unreadable two, and the one storage refused
        assert receiver.received == []
        # SQS hands the failed message back later; storage answers again by then.
        again = [record for record in event["Records"] if "deliveryId" in record["body"]]
        assert consumer({"Records": again}) == {"batchItemFailures": []}
    assert webhook_deliveries.get_delivery(ref_of(stored)).status == DELIVERED


def test_messages_naming_the_same_delivery_in_one_batch_send_it_once(tenant, sqs, consumer):
    client, url, _ = sqs
    with Receiver() as receiver:
        stored = add_delivery(add_webhook(tenant.workspace_id, receiver.url()))
        queue.enqueue([ref_of(stored)] * 3)
        answer = consumer(sqs_event(client, url))
    assert answer == {"batchItemFailures": []}
    assert len(receiver.received) == 1


def test_a_batch_of_ten_slow_receivers_takes_about_one_attempt_not_ten(tenant, sqs, consumer):
    client, url, _ = sqs
    with Receiver(lambda n: Answer(delay_seconds=0.5)) as receiver:
        hook = add_webhook(tenant.workspace_id, receiver.url())
        queue.enqueue([ref_of(add_delivery(hook)) for _ in range(10)])
        event = sqs_event(client, url)
        started = time.monotonic()
        assert consumer(event) == {"batchItemFailures": []}
        elapsed = time.monotonic() - started
    assert len(receiver.received) == 10
    assert elapsed < 3.0


def test_without_a_queue_enqueue_raises_so_the_stream_batch_is_retried(aws, settings):
    queue.uninstall_local()
    with pytest.raises(RuntimeError, match="no webhook delivery queue"):
        queue.enqueue([DeliveryRef(str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4()))])


def test_the_consumer_is_registered_for_the_delivery_queue_in_batches_of_ten():
    from app import app

    (config,) = [source for source in app.event_sources if source.name == "on_webhook_delivery"]
    assert config.queue_arn == queue.delivery_queue_arn()
    assert config.batch_size == 10
