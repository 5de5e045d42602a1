"""The delta-sync bench case measures what it claims: 60 changes for one index Query and one
BatchGetItem of the records, whatever the object held before the token."""

from __future__ import annotations

import pytest

from bench.changes_cases import CHANGES, build_changes_cases
from bench.runner import run_case
from bench.world import build_world
from chalicelib import wiring


@pytest.fixture
def restore_settle(monkeypatch):
    # The case sets the settle time to 0 for its run; put it back for the tests after this one.
    monkeypatch.setattr(wiring.change_feed(), "settle_seconds", wiring.change_feed().settle_seconds)


def test_a_delta_of_60_costs_one_query_and_one_batch_read_of_60(aws, meter, restore_settle):
    from app import app

    world = build_world(app, 30)
    (case,) = build_changes_cases(world, iterations=3)
    result = run_case(case, meter)

    assert result.http_status == 200
    assert result.operations["Query"] == 1
    assert result.items_read_by_operation["Query"] == CHANGES  # the 30 seeded are never read
    # The records take one BatchGetItem; authentication may take another (key and workspace).
    assert result.operations["BatchGetItem"] <= 2
    assert CHANGES <= result.items_read_by_operation["BatchGetItem"] <= CHANGES + 2
