"""The Idempotency-Key bench cases measure what they claim: the key adds the claim and the
stored answer to a create, and a replay writes nothing."""

from __future__ import annotations

from bench.idempotency_cases import build_idempotency_cases
from bench.runner import run_case
from bench.world import build_world


def test_the_key_costs_a_put_and_an_update_and_a_replay_writes_nothing(aws, meter):
    from app import app

    world = build_world(app, 0)
    plain, keyed, replayed = (
        run_case(case, meter) for case in build_idempotency_cases(world, iterations=2)
    )

    assert plain.operations.get("TransactWriteItems") == 1
    assert "PutItem" not in plain.operations
    assert keyed.operations["TransactWriteItems"] == 1
    assert keyed.operations["PutItem"] == 1
    assert keyed.operations["UpdateItem"] == plain.operations.get("UpdateItem", 0) + 1
    assert keyed.dynamodb_requests == plain.dynamodb_requests + 2
    assert "TransactWriteItems" not in replayed.operations
    assert replayed.operations["PutItem"] == 1  # the claim, refused: the answer comes with it
    assert replayed.http_status == 201
