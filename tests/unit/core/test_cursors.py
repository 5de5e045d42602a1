"""Opaque (GraphQL) cursors are bound to their list and refuse anything else as bad input; REST
reads the record id out of the opaque form it used to emit, whatever list it came from."""

from __future__ import annotations

import pytest

from chalicelib.core.cursors import binding, decode_cursor, encode_cursor, record_id_of
from chalicelib.errors import InvalidQueryParamError

TAG = binding("ws-1", "obj-1", [("name", "AscNullsFirst")])


def test_a_cursor_round_trips_to_its_record_id():
    assert decode_cursor(encode_cursor(TAG, "rec-1"), TAG, "after") == "rec-1"


@pytest.mark.parametrize(
    "other",
    [
        binding("ws-2", "obj-1", [("name", "AscNullsFirst")]),
        binding("ws-1", "obj-2", [("name", "AscNullsFirst")]),
        binding("ws-1", "obj-1", [("name", "DescNullsLast")]),
    ],
)
def test_a_cursor_of_another_workspace_object_or_sort_is_refused(other):
    with pytest.raises(InvalidQueryParamError, match="cursor of another list"):
        decode_cursor(encode_cursor(other, "rec-1"), TAG, "after")


@pytest.mark.parametrize("garbage", ["", "!!!", "bm90IGpzb24", "WzFd"])
def test_garbage_is_not_a_valid_cursor(garbage):
    with pytest.raises(InvalidQueryParamError):
        decode_cursor(garbage, TAG, "before")


def test_the_record_id_of_an_old_rest_cursor_is_read_whatever_list_it_came_from():
    other = binding("ws-2", "obj-2", [("name", "DescNullsLast")])
    assert record_id_of(encode_cursor(other, "rec-1"), "starting_after") == "rec-1"


@pytest.mark.parametrize("garbage", ["", "!!!", "bm90IGpzb24", "WzFd", "WzEsIngiXQ"])
def test_garbage_has_no_record_id(garbage):
    # "WzEsIngiXQ" is [1,"x"]: a pair, but its record id is not a string.
    with pytest.raises(InvalidQueryParamError, match="'ending_before' is not a valid cursor"):
        record_id_of(garbage, "ending_before")
