"""The webhook delivery log against the embedded DynamoDB: conditional creation, reads, updates."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import replace

from botocore.awsrequest import AWSResponse

from chalicelib.settings import SETTINGS
from chalicelib.storage import keys
from chalicelib.storage import webhook_deliveries as store
from chalicelib.storage.connection import call
from chalicelib.webhooks.events import delivery_id
from chalicelib.webhooks.model import DELIVERED, FAILED, PENDING, Delivery, DeliveryRef

WORKSPACE = "11111111-1111-4111-8111-111111111111"
OTHER_WORKSPACE = "22222222-2222-4222-8222-222222222222"
HOOK = "33333333-3333-4333-8333-333333333333"
OTHER_HOOK = "44444444-4444-4444-8444-444444444444"
NOW = "2026-01-02T03:04:05.006Z"
BASE_MS = 1_767_322_000_000


def make_delivery(n: int = 0, *, hook: str = HOOK, workspace: str = WORKSPACE, **changes):
    event_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"event-{n}"))
    body = json.dumps({"eventName": "person.created", "record": {"id": str(n), "bio": "é" * 200}})
    delivery = Delivery(
        id=delivery_id(event_id, hook, BASE_MS + n),
        workspace_id=workspace,
        webhook_id=hook,
        event_id=event_id,
        event_name="person.created",
        record_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"record-{n}")),
        body=body,
        status=PENDING,
        attempts=0,
        last_status_code=None,
        last_error=None,
        next_attempt_at=NOW,
        created_at=NOW,
        updated_at=NOW,
    )
    return replace(delivery, **changes)


def ref(delivery: Delivery) -> DeliveryRef:
    return DeliveryRef(delivery.workspace_id, delivery.webhook_id, delivery.id)


def raw_item(delivery: Delivery) -> dict:
    key = keys.delivery_key(delivery.workspace_id, delivery.webhook_id, delivery.id)
    request = {"TableName": SETTINGS.main_table, "Key": {"pk": {"S": key.pk}, "sk": {"S": key.sk}}}
    return call("GetItem", request)["Item"]


def test_a_stored_delivery_reads_back_equal(aws):
    delivery = make_delivery()
    assert store.put_new_deliveries([delivery]) == [delivery]
    assert store.get_delivery(ref(delivery)) == delivery


def test_the_body_is_stored_compressed_and_the_entry_expires_after_the_log_days(aws):
    delivery = make_delivery()
    store.put_new_deliveries([delivery])
    item = raw_item(delivery)
    assert len(item["body"]["B"]) < len(delivery.body.encode()) / 4
    expires = int(item["expiresAt"]["N"])
    assert abs(expires - (time.time() + SETTINGS.webhook_log_days * 86_400)) < 60


def test_deliveries_already_stored_are_not_created_again(aws):
    first = [make_delivery(n) for n in range(3)]
    assert store.put_new_deliveries(first) == first
    tried = replace(first[1], status=DELIVERED, attempts=1, last_status_code=200)
    store.save_delivery(tried)
    more = first + [make_delivery(n) for n in range(3, 5)]
    assert store.put_new_deliveries(more) == more[3:]
    # The stored ones kept their state: nothing was overwritten.
    assert store.get_delivery(ref(first[1])) == tried
    assert store.put_new_deliveries(more) == []


def test_more_than_a_transaction_holds_is_stored_in_several(aws, meter):
    deliveries = [make_delivery(n) for n in range(230)]
    meter.reset()
    assert store.put_new_deliveries(deliveries) == deliveries
    assert meter.operations == {"TransactWriteItems": 3}
    assert len(store.list_deliveries(WORKSPACE, HOOK, 1000)) == 230


def test_a_throttled_transaction_is_sent_again_and_stores_each_delivery_once(aws, meter):
    calls = {"n": 0}

    def throttle_once(operation, params):
        if operation == "TransactWriteItems" and calls["n"] == 0:
            calls["n"] += 1
            parsed = {"Error": {"Code": "ThrottlingException", "Message": "slow down"}}
            return AWSResponse("https://dynamodb.local", 400, {}, None), parsed
        return None

    deliveries = [make_delivery(n) for n in range(3)]
    meter.interceptors.append(throttle_once)
    try:
        assert store.put_new_deliveries(deliveries) == deliveries
    finally:
        meter.interceptors.remove(throttle_once)
    assert calls["n"] == 1
    assert len(store.list_deliveries(WORKSPACE, HOOK, 10)) == 3


def test_the_log_lists_newest_first_up_to_the_limit(aws):
    deliveries = [make_delivery(n) for n in range(5)]
    store.put_new_deliveries(list(reversed(deliveries)))
    store.put_new_deliveries([make_delivery(9, hook=OTHER_HOOK)])
    listed = store.list_deliveries(WORKSPACE, HOOK, 3)
    assert [d.id for d in listed] == [d.id for d in reversed(deliveries)][:3]
    assert store.list_deliveries(WORKSPACE, HOOK, 0) == []


def test_a_delivery_is_found_by_its_id_among_the_workspaces_webhooks_only(aws):
    mine = make_delivery(1, hook=OTHER_HOOK)
    theirs = make_delivery(2, workspace=OTHER_WORKSPACE)
    store.put_new_deliveries([mine, theirs, make_delivery(3)])
    assert store.find_delivery(WORKSPACE, mine.id, [HOOK, OTHER_HOOK]) == mine
    assert store.find_delivery(WORKSPACE, theirs.id, [HOOK, OTHER_HOOK]) is None
    assert store.find_delivery(WORKSPACE, mine.id, []) is None


def test_get_deliveries_returns_the_stored_ones_among_the_refs(aws):
    stored = [make_delivery(n) for n in range(3)]
    store.put_new_deliveries(stored)
    missing = make_delivery(7)
    found = store.get_deliveries([ref(d) for d in [*stored, missing]])
    assert sorted(d.id for d in found) == sorted(d.id for d in stored)


def test_saving_an_attempt_overwrites_its_state_and_clears_what_became_null(aws):
    delivery = make_delivery()
    store.put_new_deliveries([delivery])
    waiting = replace(
        delivery,
        attempts=1,
        last_status_code=503,
        last_error="HTTP 503",
        next_attempt_at="2026-01-02T03:05:05.006Z",
        updated_at="2026-01-02T03:04:06.000Z",
    )
    assert store.save_delivery(waiting) is True
    assert store.get_delivery(ref(delivery)) == waiting
    failed = replace(waiting, status=FAILED, attempts=2, last_status_code=None,
                     last_error="timed out", next_attempt_at=None)  # fmt: skip
    store.save_delivery(failed)
    assert store.get_delivery(ref(delivery)) == failed
    assert "nextAttemptAt" not in raw_item(delivery) and "lastStatusCode" not in raw_item(delivery)


def test_saving_a_delivery_that_is_gone_writes_nothing(aws):
    delivery = make_delivery()
    assert store.save_delivery(replace(delivery, attempts=1)) is False
    assert store.get_delivery(ref(delivery)) is None
