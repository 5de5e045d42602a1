"""Packing write plans into transactions of at most 100 actions, records never split."""

from __future__ import annotations

from chalicelib.core import plan as ops
from chalicelib.storage.executor import MAX_TRANSACTION_ACTIONS, _pack, action_builder

BUILD = action_builder("table", "ws")


def unit(index, guards=1, target=None, target_object="company"):
    record = f"r{index}"
    operations = [ops.PutRecord("obj", record, {}, version=1)]
    operations += [ops.ReserveUnique("obj", f"f{g}", f"v{index}", record) for g in range(guards)]
    if target:
        operations.append(ops.RequireRecord(target_object, target, "companyId"))
    operations.append(ops.AdjustCount("obj", 1))
    return ops.Unit(tuple(operations), index)


def test_sixty_records_with_one_guard_each_fit_two_transactions():
    units = [unit(i) for i in range(60)]
    transactions = _pack(units, {("obj", f"r{i}") for i in range(60)}, BUILD)
    assert len(transactions) == 2
    for transaction in transactions:
        assert transaction.size() + len(transaction.counts) <= MAX_TRANSACTION_ACTIONS
    assert sum(t.counts["obj"] for t in transactions) == 60


def test_a_records_actions_stay_in_one_transaction():
    units = [unit(i, guards=2) for i in range(60)]
    transactions = _pack(units, set(), BUILD)
    for transaction in transactions:
        records = {a.op.record_id for a in transaction.puts if isinstance(a.op, ops.PutRecord)}
        guards = {a.op.record_id for a in transaction.puts if isinstance(a.op, ops.ReserveUnique)}
        assert guards == records


def test_relation_checks_are_deduplicated_and_skipped_for_records_written_by_the_plan():
    units = [unit(i, guards=0, target="c1") for i in range(10)] + [
        unit(10, guards=0, target="r0", target_object="obj")
    ]
    written = {("obj", f"r{i}") for i in range(11)}
    [transaction] = _pack(units, written, BUILD)
    assert [a.op.record_id for a in transaction.checks] == ["c1"]


def test_a_handed_over_unique_value_is_one_put_conditioned_on_its_old_holder():
    from chalicelib.storage.executor import _inverse

    handover = ops.ReserveUnique(
        "obj", "emails.primaryEmail", "a@x.io", "keeper", taken_from="gone"
    )
    [transaction] = _pack([ops.Unit((handover,))], set(), BUILD)
    [action] = transaction.puts
    assert action.wire["Item"]["recordId"] == {"S": "keeper"}
    assert "recordId = :me" in action.wire["ConditionExpression"]
    assert action.wire["ExpressionAttributeValues"] == {":me": {"S": "gone"}}
    # Undoing it hands the value back, never leaves it unguarded.
    assert _inverse(handover) == ops.ReserveUnique(
        "obj", "emails.primaryEmail", "a@x.io", "gone", taken_from="keeper"
    )
