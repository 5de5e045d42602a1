"""Twenty's REST `order_by` parameter parsed into sort keys."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.core.filters import Direction, SortKey
from chalicelib.errors import InvalidQueryParamError
from chalicelib.rest.order_parser import parse_order_by

ALLOWED = "AscNullsFirst, AscNullsLast, DescNullsFirst, DescNullsLast"


def rejects(text: str) -> str:
    with pytest.raises(InvalidQueryParamError) as caught:
        parse_order_by(text)
    return caught.value.message


def test_a_bare_field_sorts_ascending_with_nulls_first() -> None:
    assert parse_order_by("createdAt") == (SortKey(("createdAt",), Direction.ASC_NULLS_FIRST),)


@pytest.mark.parametrize("direction", list(Direction))
def test_every_direction_is_accepted(direction: Direction) -> None:
    assert parse_order_by(f"name[{direction.value}]") == (SortKey(("name",), direction),)


def test_dotted_paths_name_composite_sub_fields() -> None:
    keys = parse_order_by("name.lastName[AscNullsLast]")
    assert keys == (SortKey(("name", "lastName"), Direction.ASC_NULLS_LAST),)


def test_several_keys_keep_their_order_and_no_id_tiebreaker_is_added() -> None:
    keys = parse_order_by("stage[DescNullsLast],amount.amountMicros,createdAt[AscNullsLast]")
    assert keys == (
        SortKey(("stage",), Direction.DESC_NULLS_LAST),
        SortKey(("amount", "amountMicros"), Direction.ASC_NULLS_FIRST),
        SortKey(("createdAt",), Direction.ASC_NULLS_LAST),
    )


def test_whitespace_around_items_is_ignored() -> None:
    assert parse_order_by(" a , b[DescNullsFirst] ") == (
        SortKey(("a",)),
        SortKey(("b",), Direction.DESC_NULLS_FIRST),
    )


def test_a_join_column_can_be_sorted_on() -> None:
    assert parse_order_by("companyId") == (SortKey(("companyId",)),)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "'order_by' invalid: empty item in ''"),
        ("  ", "'order_by' invalid: empty item in '  '"),
        ("a,,b", "'order_by' invalid: empty item in 'a,,b'"),
        ("a,", "'order_by' invalid: empty item in 'a,'"),
        (",a", "'order_by' invalid: empty item in ',a'"),
        ("a[Up]", f"'order_by' invalid for 'a[Up]', direction Up not in {ALLOWED}"),
        (
            "a[ascnullsfirst]",
            f"'order_by' invalid for 'a[ascnullsfirst]', direction ascnullsfirst not in {ALLOWED}",
        ),
        ("a[]", f"'order_by' invalid for 'a[]', direction  not in {ALLOWED}"),
        (
            "a[AscNullsLast",
            "'order_by' invalid for 'a[AscNullsLast', expected field or field[Direction]",
        ),
        (
            "a[AscNullsLast]x",
            "'order_by' invalid for 'a[AscNullsLast]x', expected field or field[Direction]",
        ),
        (
            "a[[AscNullsLast]]",
            "'order_by' invalid for 'a[[AscNullsLast]]', expected field or field[Direction]",
        ),
        ("a]", "'order_by' invalid for 'a]', 'a]' is not a valid field name"),
        ("[AscNullsLast]", "'order_by' invalid for '[AscNullsLast]', '' is not a valid field name"),
        ("a..b", "'order_by' invalid for 'a..b', '' is not a valid field name"),
        ("1a", "'order_by' invalid for '1a', '1a' is not a valid field name"),
        ("na me", "'order_by' invalid for 'na me', 'na me' is not a valid field name"),
        ("a,a", "'order_by' invalid: 'a' appears more than once"),
        ("a[AscNullsFirst],b,a[DescNullsLast]", "'order_by' invalid: 'a' appears more than once"),
        (
            "name.lastName,name.lastName[DescNullsLast]",
            "'order_by' invalid: 'name.lastName' appears more than once",
        ),
    ],
)
def test_invalid_order_by_is_refused_with_a_specific_message(text: str, message: str) -> None:
    assert rejects(text) == message


def test_sibling_sub_fields_of_one_composite_are_not_duplicates() -> None:
    assert len(parse_order_by("name.firstName,name.lastName")) == 2


NAMES = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,6}", fullmatch=True)
KEYS = st.builds(
    SortKey, st.lists(NAMES, min_size=1, max_size=3).map(tuple), st.sampled_from(list(Direction))
)


@given(st.lists(KEYS, min_size=1, max_size=5, unique_by=lambda key: key.path))
def test_any_rendered_sort_parses_back_to_itself(keys: list[SortKey]) -> None:
    text = ",".join(f"{'.'.join(key.path)}[{key.direction.value}]" for key in keys)
    assert parse_order_by(text) == tuple(keys)
