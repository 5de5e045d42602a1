"""Transactions stay under DynamoDB's 4 MB as well as 100 actions; a record never splits."""

from __future__ import annotations

import json

import pytest

from chalicelib.core import plan as ops
from chalicelib.errors import PayloadTooLargeError
from chalicelib.storage.executor import (
    MAX_TRANSACTION_ACTIONS,
    MAX_TRANSACTION_BYTES,
    _pack,
    action_builder,
)

BUILD = action_builder("crm-main", "0b8f7c1e-1111-4222-8333-944455556666")
DYNAMODB_LIMIT = 4 * 1024 * 1024


def record(index: int, body_bytes: int, guards: int = 1) -> ops.Unit:
    record_id = f"r{index:03d}"
    operations: list[ops.Operation] = [
        ops.PutRecord("obj", record_id, {"name": "x" * body_bytes}, version=1)
    ]
    operations += [ops.ReserveUnique("obj", f"f{g}", f"v{index}", record_id) for g in range(guards)]
    operations.append(ops.AdjustCount("obj", 1))
    return ops.Unit(tuple(operations), index)


def wire_bytes(transaction) -> int:
    """The TransactItems of a packed transaction as botocore would send them."""
    items = [{"Put": a.wire} for a in transaction.checks + transaction.deletes + transaction.puts]
    items += [{"Update": a.wire} for a in transaction.updates]
    return len(json.dumps({"TransactItems": items}, separators=(",", ":")))


def test_eleven_records_of_380_kb_are_split_into_transactions_under_4_mb():
    units = [record(i, 380_000) for i in range(11)]
    transactions = _pack(units, set(), BUILD)
    assert len(transactions) == 2
    for transaction in transactions:
        assert transaction.sent_bytes <= MAX_TRANSACTION_BYTES
        assert wire_bytes(transaction) + 512 * len(transaction.counts) < DYNAMODB_LIMIT
    assert sum(t.counts["obj"] for t in transactions) == 11


def test_a_records_actions_stay_together_when_bytes_force_a_split():
    units = [record(i, 300_000, guards=3) for i in range(20)]
    for transaction in _pack(units, set(), BUILD):
        records = {a.op.record_id for a in transaction.puts if isinstance(a.op, ops.PutRecord)}
        guards = {a.op.record_id for a in transaction.puts if isinstance(a.op, ops.ReserveUnique)}
        assert guards == records
        assert transaction.counts["obj"] == len(records)


def test_small_records_are_still_bounded_by_the_action_count():
    transactions = _pack([record(i, 100) for i in range(60)], set(), BUILD)
    assert len(transactions) == 2
    for transaction in transactions:
        assert transaction.size() + len(transaction.counts) <= MAX_TRANSACTION_ACTIONS


def test_the_measured_size_is_the_action_as_sent():
    [transaction] = _pack([record(0, 1_000)], set(), BUILD)
    sent = sum(len(json.dumps(a.wire, separators=(",", ":"))) for a in transaction.puts)
    assert transaction.sent_bytes == sent
    # Quotes in a body are escaped twice on the way (in `d`, then in the request): counted.
    [quoted] = _pack(
        [ops.Unit((ops.PutRecord("obj", "q", {"name": '"' * 1_000}, version=1),), 0)],
        set(),
        BUILD,
    )
    assert quoted.sent_bytes > 4_000


def test_a_record_that_cannot_fit_one_transaction_alone_is_refused_before_any_write():
    units = [record(0, 1_000), record(1, 3_600_000), record(2, 1_000)]
    with pytest.raises(PayloadTooLargeError) as raised:
        _pack(units, set(), BUILD)
    assert raised.value.message.startswith("Record 1: its writes")
    assert f"{MAX_TRANSACTION_BYTES:,} bytes" in raised.value.message


def test_a_record_with_more_actions_than_a_transaction_holds_is_refused():
    operations = [ops.PutRecord("obj", "r", {}, version=1)]
    operations += [ops.RequireRecord("company", f"c{i}", f"f{i}") for i in range(100)]
    with pytest.raises(PayloadTooLargeError):
        _pack([ops.Unit(tuple(operations), 4)], set(), BUILD)
