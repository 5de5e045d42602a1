"""A command that lost a race runs again on fresh reads for a bounded time, not a count."""

from __future__ import annotations

import pytest

from chalicelib.core.conflicts import retry_conflicts
from chalicelib.errors import (
    RecordNotFoundError,
    UniqueViolationError,
    VersionConflictError,
    WriteContentionError,
)
from tests.support import FakeTime


def losing(times: int, error: Exception, time: FakeTime | None = None, cost: float = 0.0):
    calls = {"n": 0}

    def attempt() -> str:
        calls["n"] += 1
        if time is not None:
            time.now += cost  # one read and one write
        if calls["n"] <= times:
            raise error
        return "landed"

    return attempt, calls


def test_many_lost_races_in_a_row_still_land_within_the_budget():
    time = FakeTime()
    attempt, calls = losing(15, VersionConflictError(), time, cost=0.02)
    result = retry_conflicts(attempt, seconds=30.0, sleep=time.sleep, clock=time.clock)
    assert result == "landed"
    assert calls["n"] == 16  # far beyond the five attempts that used to answer 409
    assert time.now < 30.0


def test_the_waits_are_jittered_and_grow_up_to_a_cap():
    time = FakeTime()
    attempt, _ = losing(12, VersionConflictError())
    retry_conflicts(attempt, seconds=60.0, sleep=time.sleep, clock=time.clock)
    assert all(0 <= delay <= min(1.0, 0.01 * 2**i) for i, delay in enumerate(time.slept))
    assert len(set(time.slept)) > 1


def test_past_the_budget_the_answer_is_a_503_contention_error():
    time = FakeTime()
    attempt, calls = losing(10_000, VersionConflictError(), time, cost=0.05)
    with pytest.raises(WriteContentionError) as raised:
        retry_conflicts(attempt, seconds=2.0, sleep=time.sleep, clock=time.clock)
    assert isinstance(raised.value.__cause__, VersionConflictError)
    assert time.now <= 2.0 + 0.05
    assert calls["n"] > 5


@pytest.mark.parametrize("error", [RecordNotFoundError(), UniqueViolationError("taken")])
def test_other_errors_are_not_retried(error):
    time = FakeTime()
    attempt, calls = losing(1, error)
    with pytest.raises(type(error)):
        retry_conflicts(attempt, seconds=5.0, sleep=time.sleep, clock=time.clock)
    assert calls["n"] == 1


def test_the_caller_decides_what_else_is_a_lost_race():
    time = FakeTime()
    attempt, calls = losing(1, UniqueViolationError("taken", claim=("id", "p1")))
    result = retry_conflicts(
        attempt,
        seconds=5.0,
        retryable=lambda e: isinstance(e, UniqueViolationError),
        sleep=time.sleep,
        clock=time.clock,
    )
    assert result == "landed"
    assert calls["n"] == 2
