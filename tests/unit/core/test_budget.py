"""The response budget: records paid for in wire bytes, pages cut with the right side flagged."""

from __future__ import annotations

import json

import pytest

from chalicelib.core import budget
from chalicelib.core.budget import (
    ENVELOPE_RESERVE,
    RECORD_OVERHEAD,
    ResponseBudget,
    response_budget,
    text_wire_size,
    wire_size,
)
from chalicelib.core.listing import Window, within_budget
from chalicelib.errors import ResponseTooLargeError


def record(index: int, size: int = 1000) -> dict[str, object]:
    return {"id": f"id-{index:03d}", "name": "x" * size}


def budget_for(records: int, size: int = 1000) -> int:
    """A limit that pays for exactly `records` records of `size` characters."""
    return ENVELOPE_RESERVE + records * (wire_size(record(0, size)) + RECORD_OVERHEAD)


def test_the_wire_size_counts_the_escaping_of_the_lambda_envelope():
    text = json.dumps({"a": 'say "hi" \\ é'})
    # The body is a JSON string inside Lambda's JSON answer: every quote and backslash doubles.
    assert text_wire_size(text) == len(json.dumps(text))


def test_a_page_that_fits_is_returned_whole_and_not_flagged():
    records = [record(i) for i in range(5)]
    answer = ResponseBudget(budget_for(5))
    assert answer.fit(records, from_end=False) == records
    assert not answer.shortened


def test_a_page_that_fits_whole_costs_exactly_its_records_one_by_one():
    records = [
        {"id": "a", "name": 'say "hi" \\ é', "tags": ["x", {"y": None}]},
        {"id": "b", "links": {"primaryLinkUrl": "", "secondaryLinks": []}},
        {},
    ]
    answer = ResponseBudget(10 * 1024 * 1024)
    before = answer.remaining
    assert answer.fit(records, from_end=False) == records
    assert before - answer.remaining == sum(wire_size(r) + RECORD_OVERHEAD for r in records)


def test_a_page_stops_before_the_first_record_that_would_pass_the_budget():
    records = [record(i) for i in range(10)]
    answer = ResponseBudget(budget_for(4))
    assert answer.fit(records, from_end=False) == records[:4]
    assert answer.shortened


def test_a_page_read_backwards_keeps_the_records_next_to_its_cursor():
    records = [record(i) for i in range(10)]
    answer = ResponseBudget(budget_for(4))
    assert answer.fit(records, from_end=True) == records[-4:]


def test_lists_of_one_request_share_the_budget():
    answer = ResponseBudget(budget_for(6))
    assert len(answer.fit([record(i) for i in range(4)], from_end=False)) == 4
    assert len(answer.fit([record(i) for i in range(4)], from_end=False)) == 2


def test_a_single_record_larger_than_what_is_left_is_refused_not_dropped():
    answer = ResponseBudget(budget_for(1))
    with pytest.raises(ResponseTooLargeError, match="depth=1"):
        answer.fit([record(0, 5000)], from_end=False)


def test_a_write_echo_is_checked_without_being_paid_for():
    answer = ResponseBudget(budget_for(3))
    answer.require_room([record(i) for i in range(3)], "send fewer")
    answer.require_room([record(i) for i in range(3)], "send fewer")  # a retry checks again
    with pytest.raises(ResponseTooLargeError, match="send fewer"):
        answer.require_room([record(i) for i in range(4)], "send fewer")


def test_the_final_check_refuses_a_serialized_answer_over_the_limit():
    answer = ResponseBudget(10_000)
    answer.require_sendable("x" * 9_000, "ask less")
    with pytest.raises(ResponseTooLargeError, match="ask less"):
        answer.require_sendable("x" * 10_001, "ask less")


def test_within_budget_flags_the_side_that_lost_records():
    records = [record(i) for i in range(10)]
    window = Window(records, total=30, has_next=False, has_previous=False)
    with response_budget(budget_for(3)) as answer:
        forward = within_budget(window, backward=False)
    assert (forward.records, forward.has_next, forward.has_previous) == (records[:3], True, False)
    assert forward.total == 30 and answer.shortened
    with response_budget(budget_for(3)):
        backward = within_budget(window, backward=True)
    assert (backward.records, backward.has_next, backward.has_previous) == (
        records[-3:],
        False,
        True,
    )


def test_outside_a_request_nothing_is_limited():
    records = [record(i, 100_000) for i in range(100)]
    assert budget.current() is None
    assert budget.fit_page(records) == records
    budget.require_room(records, "never")
    budget.require_sendable("x" * 10_000_000, "never")
