"""Idempotency-Key items on the embedded DynamoDB: claim, lease takeover, expiry, stored answers,
and the WRITTEN mark the executor puts in a plan's first transaction."""

from __future__ import annotations

import os
import uuid

import pytest

from chalicelib.core import plan as ops
from chalicelib.errors import IdempotencyKeyInUseError, UniqueViolationError
from chalicelib.settings import SETTINGS
from chalicelib.storage import idempotency as store
from chalicelib.storage import keys
from chalicelib.storage.connection import call
from chalicelib.storage.executor import MAX_TRANSACTION_ACTIONS, _pack, action_builder, execute_plan

WS, KEY_ID = "ws-1", "key-1"
T0 = 1_800_000_000.0


def claim(key_text: str = "k", fingerprint: str = "fp", now: float = T0):
    return store.claim(WS, KEY_ID, key_text, fingerprint, now=now)


def stored(key_text: str = "k") -> dict | None:
    key = keys.idempotency_key(WS, KEY_ID, key_text)
    request = {
        "TableName": SETTINGS.main_table,
        "Key": {"pk": {"S": key.pk}, "sk": {"S": key.sk}},
        "ConsistentRead": True,
    }
    return call("GetItem", request).get("Item")


def record_exists(record_id: str) -> bool:
    """A live record (an undone create leaves a tombstone)."""
    key = keys.record_key(WS, "obj", record_id)
    request = {
        "TableName": SETTINGS.main_table,
        "Key": {"pk": {"S": key.pk}, "sk": {"S": key.sk}},
        "ConsistentRead": True,
    }
    item = call("GetItem", request).get("Item")
    return item is not None and "tomb" not in item


def create(record_id: str, guard: str | None = None) -> ops.Plan:
    operations: list[ops.Operation] = [ops.PutRecord("obj", record_id, {}, version=1)]
    if guard is not None:
        operations.append(ops.ReserveUnique("obj", "email", guard, record_id))
    return ops.Plan((ops.Unit((*operations, ops.AdjustCount("obj", 1)), 0),))


def test_a_new_key_is_claimed_in_progress_with_a_lease_and_a_ttl(aws):
    got = claim()
    assert isinstance(got, store.Claim)
    item = stored()
    assert item["state"] == {"S": store.IN_PROGRESS}
    assert float(item["leaseUntil"]["N"]) == T0 + store.LEASE_SECONDS
    assert int(item["expiresAt"]["N"]) == int(T0) + SETTINGS.idempotency_hours * 3600


def test_a_second_claim_finds_the_first_in_progress_with_its_fingerprint(aws):
    claim()
    assert claim(now=T0 + 1) == store.Found(store.IN_PROGRESS, "fp", None, T0 + store.LEASE_SECONDS)
    assert claim(fingerprint="other", now=T0 + 1) == store.Found(
        store.IN_PROGRESS, "fp", None, T0 + store.LEASE_SECONDS
    )


def test_a_claim_whose_lease_ran_out_is_taken_over_and_the_old_holder_can_change_nothing(aws):
    first = claim()
    second = claim(now=T0 + store.LEASE_SECONDS + 1)
    assert isinstance(second, store.Claim) and second.token != first.token

    assert store.complete(first, 201, "application/json", b"{}") is False
    assert store.release(first) is False
    assert stored()["claimToken"] == {"S": second.token}


def test_a_stale_claim_is_not_taken_over_by_another_request(aws):
    claim()
    found = claim(fingerprint="other", now=T0 + store.LEASE_SECONDS + 1)
    assert found == store.Found(store.IN_PROGRESS, "fp", None, T0 + store.LEASE_SECONDS)


def test_an_expired_item_is_claimed_again_even_by_another_request(aws):
    claim()
    expired = T0 + SETTINGS.idempotency_hours * 3600 + 1
    assert isinstance(claim(fingerprint="other", now=expired), store.Claim)


def test_a_completed_answer_comes_back_to_the_next_claim(aws):
    first = claim()
    body = b'{"data": {"createCompany": {"id": "x"}}}' * 100
    assert store.complete(first, 201, "application/json", body) is True

    found = claim(now=T0 + 5)

    assert found == store.Found(
        store.COMPLETED, "fp", store.StoredAnswer(201, "application/json", body)
    )
    assert len(stored()["body"]["B"]) < len(body) / 10  # kept compressed
    assert "leaseUntil" not in stored()


def test_an_answer_too_large_for_an_item_is_stored_without_its_body(aws):
    first = claim()
    incompressible = os.urandom(450_000)
    assert store.complete(first, 201, "application/json", incompressible) is True

    found = claim(now=T0 + 5)

    assert found == store.Found(
        store.COMPLETED, "fp", store.StoredAnswer(201, "application/json", None)
    )
    assert stored()["bodyOmitted"] == {"BOOL": True}


def test_a_released_claim_leaves_nothing(aws):
    assert store.release(claim()) is True
    assert stored() is None
    assert isinstance(claim(now=T0 + 1), store.Claim)


# -- the WRITTEN mark ----------------------------------------------------------------------


def test_a_plan_run_under_a_claim_marks_it_written_in_the_same_transaction(aws, meter):
    held = claim()
    meter.reset()
    with store.marking_writes() as binding:
        binding.claim = held
        execute_plan(WS, create("r1"))

    assert meter.operations == {"TransactWriteItems": 1}
    assert stored()["state"] == {"S": store.WRITTEN}
    assert held.plans_committed == 1
    assert record_exists("r1")


def test_a_written_claim_is_never_taken_over_even_after_its_lease(aws):
    held = claim()
    with store.marking_writes() as binding:
        binding.claim = held
        execute_plan(WS, create("r1"))

    assert claim(now=T0 + store.LEASE_SECONDS + 1) == store.Found(
        store.WRITTEN, "fp", None, T0 + store.LEASE_SECONDS
    )


def test_a_request_whose_claim_was_taken_over_cannot_write(aws):
    old = claim()
    newer = claim(now=T0 + store.LEASE_SECONDS + 1)  # `old` is slow: its lease ran out
    assert isinstance(newer, store.Claim)

    with store.marking_writes() as binding, pytest.raises(IdempotencyKeyInUseError):
        binding.claim = old
        execute_plan(WS, create("r1"))

    assert not record_exists("r1")
    assert old.plans_committed == 0


def test_plans_outside_a_binding_carry_no_mark(aws, meter):
    claim()
    execute_plan(WS, create("r1"))
    assert stored()["state"] == {"S": store.IN_PROGRESS}


def test_a_failed_plan_leaves_the_claim_in_progress_and_counts_nothing(aws):
    execute_plan(WS, create("r0", guard="taken"))
    held = claim()
    with store.marking_writes() as binding, pytest.raises(UniqueViolationError):
        binding.claim = held
        execute_plan(WS, create("r1", guard="taken"))
    assert stored()["state"] == {"S": store.IN_PROGRESS}
    assert held.plans_committed == 0


def test_an_undone_multi_transaction_plan_no_longer_counts_as_committed(aws):
    execute_plan(WS, create("last", guard="taken"))
    units = [
        ops.Unit(
            (
                ops.PutRecord("obj", f"r{i}", {}, version=1),
                ops.ReserveUnique("obj", "email", "taken" if i == 59 else f"v{i}", f"r{i}"),
                ops.AdjustCount("obj", 1),
            ),
            i,
        )
        for i in range(60)
    ]
    held = claim()
    with store.marking_writes() as binding, pytest.raises(UniqueViolationError):
        binding.claim = held
        execute_plan(WS, ops.Plan(tuple(units)))  # the second transaction is refused

    # The first transaction committed (its mark stays) and was undone: nothing of the plan
    # remains, so the request's failure may release the key.
    assert stored()["state"] == {"S": store.WRITTEN}
    assert held.plans_committed == 0
    assert not record_exists("r0")


def test_transactions_keep_room_for_the_mark():
    build = action_builder("table", WS)
    # 98 records, their counter and room for one more counter: exactly one transaction.
    units = [
        ops.Unit((ops.PutRecord("obj", f"r{i}", {}, version=1), ops.AdjustCount("obj", 1)), i)
        for i in range(98)
    ]
    assert len(_pack(units, set(), build)) == 1
    marked = _pack(units, set(), build, reserved=1)
    assert len(marked) == 2
    for transaction in marked:
        assert transaction.size() + len(transaction.counts) + 1 <= MAX_TRANSACTION_ACTIONS


def test_claim_keys_hash_the_client_text():
    key = keys.idempotency_key(WS, KEY_ID, "#" * 255 + str(uuid.uuid4()))
    assert key.pk == f"WS#{WS}#IDEM#{KEY_ID}" and len(key.sk) == 64
