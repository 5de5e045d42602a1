"""Skipping `offset` records of a window, forwards and backwards, and its bound."""

from __future__ import annotations

import pytest

from chalicelib.core.listing import Window
from chalicelib.core.offsets import skip, widened_limit
from chalicelib.errors import InvalidQueryParamError


def window(*ids, has_next=False, has_previous=False):
    return Window([{"id": i} for i in ids], 10, has_next, has_previous)


def kept(result):
    return [record["id"] for record in result.records]


def test_forward_skipping_drops_the_first_records_and_says_there_are_earlier_ones():
    result = skip(window("a", "b", "c", has_next=True), 2, backward=False)
    assert kept(result) == ["c"]
    assert (result.has_next, result.has_previous, result.total) == (True, True, 10)


def test_backward_skipping_drops_the_records_nearest_the_cursor():
    result = skip(window("a", "b", "c", has_previous=True), 1, backward=True)
    assert kept(result) == ["a", "b"]
    assert (result.has_next, result.has_previous) == (True, True)


def test_an_offset_past_the_window_leaves_an_empty_page():
    result = skip(window("a", "b"), 5, backward=False)
    assert kept(result) == [] and result.has_previous and not result.has_next


def test_an_offset_on_an_empty_window_claims_no_neighbours():
    result = skip(window(), 3, backward=False)
    assert (kept(result), result.has_next, result.has_previous) == ([], False, False)


def test_no_offset_leaves_the_window_alone():
    original = window("a")
    assert skip(original, 0, backward=True) is original


def test_the_widened_limit_is_bounded_by_the_cap_only_when_skipping():
    assert widened_limit(10, 0, cap=5) == 10
    assert widened_limit(10, 5, cap=15) == 15
    with pytest.raises(InvalidQueryParamError, match="cursors"):
        widened_limit(10, 6, cap=15)
    with pytest.raises(InvalidQueryParamError, match="0 or more"):
        widened_limit(10, -1, cap=15)
