"""GraphQL filter, orderBy and paging arguments become the core's one filter/sort model."""

from __future__ import annotations

import pytest

from chalicelib.core.cursors import binding, encode_cursor
from chalicelib.core.filters import And, Condition, Direction, Not, Operator, Or, SortKey
from chalicelib.errors import InvalidQueryParamError
from chalicelib.graphql.arguments import page_args, to_filter, to_order


def test_field_filters_become_conditions_and_several_keys_are_anded():
    assert to_filter({"name": {"eq": "Acme"}, "employees": {"gt": 5}}) == And(
        (
            Condition(("name",), Operator.EQ, "Acme"),
            Condition(("employees",), Operator.GT, 5),
        )
    )


def test_composite_sub_fields_make_dotted_paths():
    assert to_filter({"emails": {"primaryEmail": {"ilike": "%@x.io"}}}) == Condition(
        ("emails", "primaryEmail"), Operator.ILIKE, "%@x.io"
    )


def test_and_or_not_nest_and_nulls_are_ignored():
    found = to_filter(
        {"or": [{"name": {"eq": "a"}}, {"not": {"name": {"is": "NULL"}}}], "city": None}
    )
    assert found == Or(
        (Condition(("name",), Operator.EQ, "a"), Not(Condition(("name",), Operator.IS, "NULL")))
    )


def test_an_empty_filter_selects_everything():
    assert to_filter({}) is None and to_filter(None) is None


def test_order_by_keeps_the_given_order_and_composite_sub_fields():
    assert to_order([{"name": {"lastName": "AscNullsLast"}}, {"createdAt": "DescNullsFirst"}]) == (
        SortKey(("name", "lastName"), Direction.ASC_NULLS_LAST),
        SortKey(("createdAt",), Direction.DESC_NULLS_FIRST),
    )


def test_last_without_before_pages_the_exact_reverse_order():
    paging = page_args({"last": 3, "orderBy": [{"name": "AscNullsFirst"}]}, "ws", "obj", 60, 200)
    assert paging.reverse and paging.limit == 3
    assert paging.order_by == (
        SortKey(("name",), Direction.DESC_NULLS_LAST),
        SortKey(("id",), Direction.DESC_NULLS_LAST),
    )


def test_cursors_decode_to_record_ids_of_this_list():
    tag = binding("ws", "obj", [])
    paging = page_args({"after": encode_cursor(tag, "r1"), "first": 2}, "ws", "obj", 60, 200)
    assert (paging.after, paging.limit, paging.reverse) == ("r1", 2, False)


@pytest.mark.parametrize("args", [{"first": 201}, {"last": -1}])
def test_out_of_range_page_sizes_are_refused(args):
    with pytest.raises(InvalidQueryParamError):
        page_args(args, "ws", "obj", 60, 200)


def test_last_with_after_is_refused():
    cursor = encode_cursor(binding("ws", "obj", []), "r1")
    with pytest.raises(InvalidQueryParamError, match="combine it with 'before'"):
        page_args({"last": 2, "after": cursor}, "ws", "obj", 60, 200)
