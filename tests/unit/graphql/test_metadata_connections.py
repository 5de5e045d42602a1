"""Connections over in-memory metadata lists: filters, cursor windows, page info."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from chalicelib.core.cursors import encode_cursor
from chalicelib.errors import InvalidQueryParamError
from chalicelib.graphql.metadata_connections import (
    DEFAULT_PAGE_SIZE,
    OBJECTS,
    Window,
    connection,
    list_tag,
    matches,
    read_paging,
)

TAG = list_tag("ws", OBJECTS)


@dataclass(frozen=True)
class Node:
    view: dict


def nodes(count, **flags):
    return [Node({"id": f"id-{i:02d}", "isActive": i % 2 == 0, **flags}) for i in range(count)]


def ids(found):
    return [edge["node"].view["id"] for edge in found["edges"]]


def window(**kw):
    paging = {k: encode_cursor(TAG, v) if k in ("after", "before") else v for k, v in kw.items()}
    return read_paging(paging, TAG)


def test_without_a_size_the_page_has_ten_items():
    assert read_paging(None, TAG) == Window(TAG, DEFAULT_PAGE_SIZE, None, None, None)
    assert window(before="id-03").last == DEFAULT_PAGE_SIZE


@pytest.mark.parametrize("paging", [{"first": 1001}, {"last": -1}, {"after": "bm9wZQ"}])
def test_bad_sizes_and_cursors_are_refused(paging):
    with pytest.raises(InvalidQueryParamError):
        read_paging(paging, TAG)


def test_a_cursor_of_another_list_is_refused():
    with pytest.raises(InvalidQueryParamError, match="another list"):
        read_paging({"after": encode_cursor(list_tag("other", OBJECTS), "id-01")}, TAG)


def test_first_and_after_walk_forward():
    found = connection(nodes(5), None, window(first=2, after="id-01"))
    assert ids(found) == ["id-02", "id-03"]
    assert found["pageInfo"]["hasNextPage"] and found["pageInfo"]["hasPreviousPage"]
    assert found["totalCount"] == 5
    assert found["pageInfo"]["endCursor"] == encode_cursor(TAG, "id-03")


def test_last_and_before_walk_backward():
    found = connection(nodes(5), None, window(last=2, before="id-03"))
    assert ids(found) == ["id-01", "id-02"]
    assert found["pageInfo"]["hasPreviousPage"] and found["pageInfo"]["hasNextPage"]


def test_a_cursor_stays_usable_when_its_item_no_longer_matches_the_filter():
    found = connection(nodes(6), {"isActive": {"is": True}}, window(first=10, after="id-01"))
    assert ids(found) == ["id-02", "id-04"]
    assert found["totalCount"] == 3
    assert found["pageInfo"]["hasPreviousPage"] is True
    assert found["pageInfo"]["hasNextPage"] is False


def test_a_cursor_of_a_vanished_item_is_bad_input():
    with pytest.raises(InvalidQueryParamError, match="no longer in this list"):
        connection(nodes(2), None, window(after="id-09"))


def test_first_zero_gives_no_edge_and_a_next_page():
    found = connection(nodes(2), None, window(first=0))
    assert found["edges"] == [] and found["pageInfo"]["hasNextPage"] is True
    assert found["pageInfo"]["startCursor"] is None


VIEW = {"id": "a1", "isActive": True, "isCustom": False}


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({}, True),
        ({"isActive": {"is": True}}, True),
        ({"isActive": {"isNot": True}}, False),
        ({"isActive": {"is": True}, "isCustom": {"is": True}}, False),
        ({"id": {"eq": "A1"}}, True),
        ({"id": {"neq": "a1"}}, False),
        ({"id": {"in": ["b2", "a1"]}}, True),
        ({"id": {"notIn": ["a1"]}}, False),
        ({"id": {"is": None}}, False),
        ({"id": {"isNot": None}}, True),
        ({"id": {"is": True}}, False),
        ({"or": [{"isCustom": {"is": True}}, {"id": {"eq": "a1"}}]}, True),
        ({"or": []}, True),
        ({"and": [{"isActive": {"is": True}}, {"isCustom": {"is": True}}]}, False),
        ({"and": [{"or": [{"id": {"eq": "zz"}}]}]}, False),
    ],
)
def test_filters_follow_nestjs_query_semantics(condition, expected):
    assert matches(VIEW, condition) is expected
