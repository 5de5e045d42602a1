"""In-memory filter and sort semantics: SQL nulls, three-valued logic, every operator and order."""

from __future__ import annotations

import functools
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.core.evaluation import (
    compile_filter,
    compile_sort_key,
    json_text,
    like_pattern,
    matches,
    sort_key,
    text_sort_form,
)
from chalicelib.core.filters import And, Condition, Direction, Filter, Not, Operator, Or, SortKey
from chalicelib.core.presentation import present_record
from chalicelib.core.query_validation import validate_filter, validate_sort
from chalicelib.metadata.model import FieldType, SelectOption
from tests.builders import make_field, make_many_to_one, make_object, stable_id

COMPANY_A = stable_id("company", "a")
COMPANY_B = stable_id("company", "b")

THING = make_object(
    "thing",
    "things",
    [
        make_field("name", FieldType.TEXT),
        make_field("employees", FieldType.NUMBER),
        make_field("revenue", FieldType.NUMERIC),
        make_field("active", FieldType.BOOLEAN),
        make_field("birthday", FieldType.DATE),
        make_field("closeAt", FieldType.DATE_TIME),
        # Positions deliberately disagree with both declaration and alphabetical order.
        make_field(
            "stage",
            FieldType.SELECT,
            options=(
                SelectOption("NEW", "New", 0),
                SelectOption("LOST", "Lost", 2),
                SelectOption("WON", "Won", 1),
            ),
        ),
        make_field("tags", FieldType.MULTI_SELECT, options=("A", "B", "C")),
        make_field("rating", FieldType.RATING),
        make_field("payload", FieldType.RAW_JSON),
        make_field("aliases", FieldType.ARRAY),
        make_field("amount", FieldType.CURRENCY),
        make_field("fullName", FieldType.FULL_NAME),
        make_field("emails", FieldType.EMAILS),
        make_many_to_one("company", "company"),
    ],
)


def record(label: str, **values: Any) -> dict[str, Any]:
    """A stored record as the API presents it, whose id stands for `label` (see `label_of`)."""
    return present_record(THING, {"id": stable_id("record", label), **values})


def where(path: str, operator: str, value: Any) -> Filter:
    return validate_filter(THING, Condition(tuple(path.split(".")), Operator(operator), value))


def label_of(stored: dict[str, Any]) -> str:
    return next(label for label in LABELS if stable_id("record", label) == stored["id"])


LABELS = [f"r{i}" for i in range(40)] + ["Acme", "acme", "none", "apple", "Banana", "banana"]


def selected(records: list[dict[str, Any]], filter: Filter | None) -> list[str]:
    return [label_of(r) for r in records if matches(r, filter, THING)]


def ordered(records: list[dict[str, Any]], keys: tuple[SortKey, ...]) -> list[str]:
    full = validate_sort(THING, keys)
    return [label_of(r) for r in sorted(records, key=lambda r: sort_key(r, full, THING))]


# --- text --------------------------------------------------------------------------------------

TEXTS = [record("Acme", name="Acme"), record("acme", name="acme"), record("none", name=None)]


@pytest.mark.parametrize(
    ("operator", "value", "expected"),
    [
        ("eq", "Acme", ["Acme"]),
        ("neq", "Acme", ["acme"]),
        ("in", ["acme", "Other"], ["acme"]),
        ("in", [], []),
        ("is", "NULL", ["none"]),
        ("is", "NOT_NULL", ["Acme", "acme"]),
        ("startsWith", "Ac", ["Acme"]),
        ("endsWith", "me", ["Acme", "acme"]),
        ("like", "A%", ["Acme"]),
        ("like", "%c%", ["Acme", "acme"]),
        ("like", "_cme", ["Acme", "acme"]),
        ("like", "Acm", []),
        ("like", "%", ["Acme", "acme"]),
        ("ilike", "ACME", ["Acme", "acme"]),
        ("ilike", "%CM_", ["Acme", "acme"]),
        ("ilike", "b%", []),
    ],
)
def test_text_operators_compare_case_sensitively_except_ilike_and_skip_nulls(
    operator: str, value: Any, expected: list[str]
) -> None:
    assert selected(TEXTS, where("name", operator, value)) == expected


def test_like_treats_regex_characters_literally_and_backslash_as_its_escape() -> None:
    records = [record("r1", name="100%"), record("r2", name="100x"), record("r3", name="a.c")]
    assert selected(records, where("name", "like", r"100\%")) == ["r1"]
    assert selected(records, where("name", "like", "100%")) == ["r1", "r2"]
    assert selected(records, where("name", "like", "a.c")) == ["r3"]
    assert selected(records, where("name", "like", "a_c")) == ["r3"]
    assert like_pattern("a\\").fullmatch("a\\")


def test_like_wildcards_span_line_breaks() -> None:
    assert selected([record("r1", name="one\ntwo")], where("name", "like", "one%two")) == ["r1"]


def test_startswith_takes_percent_literally() -> None:
    records = [record("r1", name="50% off"), record("r2", name="500 off")]
    assert selected(records, where("name", "startsWith", "50%")) == ["r1"]


def test_text_ranges_compare_in_the_case_insensitive_sort_order() -> None:
    records = [record(label, name=label) for label in ("apple", "Banana", "banana")]
    records.append(record("none", name=None))
    assert selected(records, where("name", "gt", "Banana")) == ["banana"]
    assert selected(records, where("name", "gte", "Banana")) == ["Banana", "banana"]
    assert selected(records, where("name", "lt", "b")) == ["apple"]
    assert selected(records, where("name", "lte", "banana")) == ["apple", "Banana", "banana"]


def test_text_sort_form_folds_case_then_breaks_ties_by_code_point() -> None:
    assert text_sort_form("Straße") == ("strasse", "Straße")
    assert sorted(["b", "B", "a", "A"], key=text_sort_form) == ["A", "a", "B", "b"]


# --- numbers, booleans, dates, ids -------------------------------------------------------------

NUMBERS = [
    record("r1", employees=1),
    record("r2", employees=5),
    record("r3", employees=None),
    record("r4", employees=10),
]


@pytest.mark.parametrize(
    ("operator", "value", "expected"),
    [
        ("eq", "5", ["r2"]),
        ("neq", "5", ["r1", "r4"]),
        ("in", ["1", "10"], ["r1", "r4"]),
        ("gt", "5", ["r4"]),
        ("gte", "5", ["r2", "r4"]),
        ("lt", "5", ["r1"]),
        ("lte", "5.0", ["r1", "r2"]),
        ("gt", "-1.5", ["r1", "r2", "r4"]),
        ("is", "NULL", ["r3"]),
        ("is", "NOT_NULL", ["r1", "r2", "r4"]),
    ],
)
def test_number_operators_never_select_a_null(
    operator: str, value: Any, expected: list[str]
) -> None:
    assert selected(NUMBERS, where("employees", operator, value)) == expected


def test_booleans_compare_by_value_and_a_null_is_neither() -> None:
    records = [record("r1", active=True), record("r2", active=False), record("r3", active=None)]
    assert selected(records, where("active", "eq", "false")) == ["r2"]
    assert selected(records, where("active", "neq", "true")) == ["r2"]
    assert selected(records, where("active", "is", "NULL")) == ["r3"]


def test_date_times_compare_chronologically_after_normalisation() -> None:
    records = [
        record("r1", closeAt="2023-12-31T23:59:59.999Z"),
        record("r2", closeAt="2024-01-01T00:00:00.000Z"),
        record("r3", closeAt="2024-06-01T12:00:00.000Z"),
        record("r4", closeAt=None),
    ]
    assert selected(records, where("closeAt", "gte", "2024-01-01")) == ["r2", "r3"]
    assert selected(records, where("closeAt", "eq", "2024-01-01T01:00:00+01:00")) == ["r2"]
    assert selected(records, where("closeAt", "lt", "2024-01-01T00:00:00.001Z")) == ["r1", "r2"]


def test_dates_compare_chronologically() -> None:
    records = [record("r1", birthday="1999-12-31"), record("r2", birthday="2000-01-01")]
    assert selected(records, where("birthday", "lt", "2000-01-01")) == ["r1"]


def test_join_columns_compare_as_lowercase_uuids() -> None:
    records = [
        record("r1", companyId=COMPANY_A),
        record("r2", companyId=COMPANY_B),
        record("r3", companyId=None),
    ]
    assert selected(records, where("companyId", "eq", COMPANY_A.upper())) == ["r1"]
    assert selected(records, where("companyId", "neq", COMPANY_A)) == ["r2"]
    assert selected(records, where("companyId", "in", [COMPANY_A, COMPANY_B])) == ["r1", "r2"]


def test_ids_compare_in_the_order_of_their_lowercase_text_like_postgres_uuids() -> None:
    records = [record(f"r{i}") for i in range(6)]
    by_id = sorted(records, key=lambda r: r["id"])
    pivot = by_id[2]["id"]
    assert selected(by_id, where("id", "gt", pivot.upper())) == [label_of(r) for r in by_id[3:]]


# --- select, rating, lists, JSON ---------------------------------------------------------------

STAGES = [
    record("r1", stage="NEW"),
    record("r2", stage="WON"),
    record("r3", stage="LOST"),
    record("r4", stage=None),
]


@pytest.mark.parametrize(
    ("operator", "value", "expected"),
    [
        ("eq", "WON", ["r2"]),
        ("neq", "WON", ["r1", "r3"]),
        ("in", ["NEW", "LOST"], ["r1", "r3"]),
        ("containsAny", ["NEW", "LOST"], ["r1", "r3"]),
        ("gt", "NEW", ["r2", "r3"]),
        ("gte", "WON", ["r2", "r3"]),
        ("lt", "LOST", ["r1", "r2"]),
        ("lte", "NEW", ["r1"]),
    ],
)
def test_select_ranges_follow_option_positions(
    operator: str, value: Any, expected: list[str]
) -> None:
    assert selected(STAGES, where("stage", operator, value)) == expected


def test_a_stored_option_that_was_removed_ranks_after_every_option() -> None:
    records = [record("r1", stage="ARCHIVED"), record("r2", stage="NEW")]
    assert selected(records, where("stage", "gt", "LOST")) == ["r1"]


def test_ratings_compare_by_their_number() -> None:
    records = [record(f"r{n}", rating=f"RATING_{n}") for n in range(1, 6)]
    assert selected(records, where("rating", "lt", "RATING_3")) == ["r1", "r2"]
    assert selected(records, where("rating", "gte", "RATING_4")) == ["r4", "r5"]


def test_contains_any_on_lists_needs_one_shared_element() -> None:
    records = [
        record("r1", tags=["A", "B"]),
        record("r2", tags=["C"]),
        record("r3", tags=[]),
        record("r4", tags=None),
    ]
    assert selected(records, where("tags", "containsAny", ["B", "C"])) == ["r1", "r2"]
    assert selected(records, where("tags", "containsAny", [])) == []
    assert selected(records, where("tags", "is", "NULL")) == ["r4"]
    assert selected(records, where("tags", "is", "NOT_NULL")) == ["r1", "r2", "r3"]
    aliases = [record("r1", aliases=["x", "y"]), record("r2", aliases=["z"])]
    assert selected(aliases, where("aliases", "containsAny", ["y"])) == ["r1"]


def test_raw_json_like_matches_the_text_postgres_prints() -> None:
    records = [
        record("r1", payload={"provider": "google", "a": [1, True, None]}),
        record("r2", payload={"provider": "microsoft"}),
        record("r3", payload=None),
    ]
    assert json_text(records[0]["payload"]) == '{"a": [1, true, null], "provider": "google"}'
    assert selected(records, where("payload", "like", '%"provider": "google"%')) == ["r1"]
    assert selected(records, where("payload", "is", "NULL")) == ["r3"]


def test_json_text_orders_keys_by_length_then_bytes_like_jsonb() -> None:
    assert json_text({"bb": 1, "c": "é", "a": {}}) == '{"a": {}, "c": "é", "bb": 1}'


# --- composite sub-fields ----------------------------------------------------------------------


def test_sub_fields_are_compared_with_their_own_type() -> None:
    records = [
        record(
            "r1",
            amount={"amountMicros": 2_000_000, "currencyCode": "EUR"},
            emails={"primaryEmail": "a@x.io"},
        ),
        record(
            "r2", amount={"amountMicros": None, "currencyCode": "USD"}, emails={"primaryEmail": ""}
        ),
    ]
    assert selected(records, where("amount.amountMicros", "gt", "1000000")) == ["r1"]
    assert selected(records, where("amount.amountMicros", "is", "NULL")) == ["r2"]
    assert selected(records, where("emails.primaryEmail", "ilike", "%@X.IO")) == ["r1"]
    # An empty text sub-field is "", not null, exactly as Twenty stores it.
    assert selected(records, where("emails.primaryEmail", "is", "NULL")) == []


def test_a_sub_field_of_an_absent_composite_is_null() -> None:
    records = [
        {"id": stable_id("record", "r1"), "createdBy": None},
        {"id": stable_id("record", "r2"), "createdBy": {"source": "API", "name": "k"}},
        {"id": stable_id("record", "r3")},
    ]
    assert selected(records, where("createdBy.source", "eq", "API")) == ["r2"]
    assert selected(records, where("createdBy.source", "is", "NULL")) == ["r1", "r3"]


def test_soft_deleted_records_are_found_by_their_deleted_at() -> None:
    records = [record("r1", deletedAt=None), record("r2", deletedAt="2024-01-01T00:00:00.000Z")]
    assert selected(records, where("deletedAt", "is", "NOT_NULL")) == ["r2"]


# --- logic -------------------------------------------------------------------------------------

LOGIC = [
    record("r1", employees=5, name="a"),
    record("r2", employees=None, name="a"),
    record("r3", employees=7, name="b"),
]
UNKNOWN_FOR_R2 = Condition(("employees",), Operator.EQ, 5)
NAME_IS_B = Condition(("name",), Operator.EQ, "b")


@pytest.mark.parametrize(
    ("filter", "expected"),
    [
        (None, ["r1", "r2", "r3"]),
        (Not(UNKNOWN_FOR_R2), ["r3"]),
        (Not(Not(UNKNOWN_FOR_R2)), ["r1"]),
        (Or((UNKNOWN_FOR_R2, Condition(("employees",), Operator.IS, "NULL"))), ["r1", "r2"]),
        # For r2, unknown AND false is false, so its negation selects r2.
        (Not(And((UNKNOWN_FOR_R2, NAME_IS_B))), ["r1", "r2", "r3"]),
        # For r2, unknown OR false stays unknown, and so does its negation.
        (Not(Or((UNKNOWN_FOR_R2, NAME_IS_B))), []),
        (Or((UNKNOWN_FOR_R2, Condition(("name",), Operator.EQ, "a"))), ["r1", "r2"]),
        (And((UNKNOWN_FOR_R2, Condition(("name",), Operator.EQ, "a"))), ["r1"]),
        (And(()), ["r1", "r2", "r3"]),
        (Or(()), []),
        (Not(Or(())), ["r1", "r2", "r3"]),
    ],
)
def test_groups_follow_sql_three_valued_logic(filter: Filter | None, expected: list[str]) -> None:
    assert selected(LOGIC, filter) == expected


def test_a_compiled_filter_gives_the_same_answers_for_many_records() -> None:
    predicate = compile_filter(Not(UNKNOWN_FOR_R2), THING)
    assert [predicate(r) for r in LOGIC] == [False, False, True]
    assert compile_filter(None, THING)(LOGIC[0]) is True


def test_a_stored_value_of_another_type_compares_as_unknown_instead_of_failing() -> None:
    records = [record("r1", employees="12"), record("r2", employees=12)]
    assert selected(records, where("employees", "gt", "3")) == ["r2"]
    assert selected(records, Not(where("employees", "gt", "3"))) == []
    assert selected([record("r1", name=12)], where("name", "like", "1%")) == []


# --- sorts -------------------------------------------------------------------------------------

SORTABLE = [
    record("r1", employees=3),
    record("r2", employees=None),
    record("r3", employees=1),
    record("r4", employees=2),
]


@pytest.mark.parametrize(
    ("direction", "expected"),
    [
        (Direction.ASC_NULLS_FIRST, ["r2", "r3", "r4", "r1"]),
        (Direction.ASC_NULLS_LAST, ["r3", "r4", "r1", "r2"]),
        (Direction.DESC_NULLS_FIRST, ["r2", "r1", "r4", "r3"]),
        (Direction.DESC_NULLS_LAST, ["r1", "r4", "r3", "r2"]),
    ],
)
def test_each_direction_places_nulls_as_it_names_them(
    direction: Direction, expected: list[str]
) -> None:
    assert ordered(SORTABLE, (SortKey(("employees",), direction),)) == expected


def test_text_sorts_case_insensitively_with_a_deterministic_tie_break() -> None:
    records = [record(label, name=label) for label in ("banana", "Banana", "apple", "Acme")]
    assert ordered(records, (SortKey(("name",)),)) == ["Acme", "apple", "Banana", "banana"]
    descending = (SortKey(("name",), Direction.DESC_NULLS_LAST),)
    assert ordered(records, descending) == ["banana", "Banana", "apple", "Acme"]


def test_booleans_sort_false_before_true() -> None:
    records = [record("r1", active=True), record("r2", active=False), record("r3", active=None)]
    assert ordered(records, (SortKey(("active",), Direction.ASC_NULLS_LAST),)) == ["r2", "r1", "r3"]


def test_selects_sort_by_option_position_and_ratings_by_number() -> None:
    assert ordered(STAGES, (SortKey(("stage",), Direction.ASC_NULLS_LAST),)) == [
        "r1",
        "r2",
        "r3",
        "r4",
    ]
    ratings = [record("r1", rating="RATING_5"), record("r2", rating="RATING_2")]
    assert ordered(ratings, (SortKey(("rating",), Direction.DESC_NULLS_LAST),)) == ["r1", "r2"]


def test_sub_fields_sort_like_any_value_and_an_absent_composite_counts_as_null() -> None:
    records = [
        record("r1", fullName={"firstName": "Zoe", "lastName": "Adams"}),
        record("r2", fullName={"firstName": "Al", "lastName": "Brown"}),
    ]
    assert ordered(records, (SortKey(("fullName", "lastName"), Direction.DESC_NULLS_LAST),)) == [
        "r2",
        "r1",
    ]
    actors = [
        {"id": stable_id("record", "r1"), "createdBy": {"source": "API", "name": "b"}},
        {"id": stable_id("record", "r2"), "createdBy": None},
        {"id": stable_id("record", "r3"), "createdBy": {"source": "API", "name": "A"}},
    ]
    assert ordered(actors, (SortKey(("createdBy", "name"), Direction.ASC_NULLS_LAST),)) == [
        "r3",
        "r1",
        "r2",
    ]


def test_later_keys_break_ties_of_earlier_ones_and_id_breaks_the_rest() -> None:
    records = [
        record("r1", stage="WON", employees=1),
        record("r2", stage="NEW", employees=1),
        record("r3", stage="WON", employees=9),
        record("r4", stage="NEW", employees=1),
    ]
    keys = (SortKey(("stage",)), SortKey(("employees",), Direction.DESC_NULLS_FIRST))
    result = ordered(records, keys)
    tied = sorted(["r2", "r4"], key=lambda label: stable_id("record", label))
    assert result == [*tied, "r3", "r1"]


def test_a_compiled_sort_key_equals_the_one_record_form() -> None:
    keys = validate_sort(THING, (SortKey(("name",), Direction.DESC_NULLS_LAST),))
    key = compile_sort_key(keys, THING)
    assert all(key(r) == sort_key(r, keys, THING) for r in TEXTS)


# --- property: sort_key agrees with a naive comparator -----------------------------------------

STAGE_POSITION = {"NEW": 0, "WON": 1, "LOST": 2}
PROPERTY_PATHS = {
    ("name",): lambda value: (value.casefold(), value),
    ("employees",): lambda value: value,
    ("stage",): lambda value: STAGE_POSITION[value],
    ("active",): lambda value: value,
    ("amount", "amountMicros"): lambda value: value,
}

values = {
    ("name",): st.none() | st.text(alphabet="aAbBsSß ", max_size=3),
    ("employees",): st.none() | st.integers(-3, 3) | st.floats(-3, 3, allow_nan=False),
    ("stage",): st.none() | st.sampled_from(list(STAGE_POSITION)),
    ("active",): st.none() | st.booleans(),
    ("amount", "amountMicros"): st.none() | st.integers(-2, 2),
}


@st.composite
def stored_records(draw: st.DrawFn) -> dict[str, Any]:
    body: dict[str, Any] = {"id": draw(st.uuids()).hex[:8] + "-0000-4000-8000-000000000000"}
    for path, strategy in values.items():
        value = draw(strategy)
        if len(path) == 1:
            body[path[0]] = value
        else:
            body[path[0]] = {path[1]: value}
    return body


sort_keys = st.lists(
    st.tuples(st.sampled_from(list(PROPERTY_PATHS)), st.sampled_from(list(Direction))),
    unique_by=lambda item: item[0],
    max_size=4,
).map(lambda items: tuple(SortKey(path, direction) for path, direction in items))


def naive_compare(a: dict[str, Any], b: dict[str, Any], keys: tuple[SortKey, ...]) -> int:
    """The definition, key by key: nulls where the direction says, else values, maybe reversed."""
    for key in keys:
        left, right = (read(a, key.path), read(b, key.path))
        if left is None and right is None:
            continue
        if left is None or right is None:
            null_first = -1 if key.direction.nulls_first else 1
            return null_first if left is None else -null_first
        form = PROPERTY_PATHS.get(key.path, lambda value: value)
        outcome = (form(left) > form(right)) - (form(left) < form(right))
        if outcome:
            return -outcome if key.direction.descending else outcome
    return 0


def read(stored: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = stored
    for part in path:
        value = value.get(part) if isinstance(value, dict) else None
    return value


@given(st.lists(stored_records(), max_size=12), sort_keys)
def test_sort_key_orders_like_a_naive_comparator(
    records: list[dict[str, Any]], keys: tuple[SortKey, ...]
) -> None:
    full = validate_sort(THING, keys)
    by_key = sorted(records, key=compile_sort_key(full, THING))
    by_comparator = sorted(
        records, key=functools.cmp_to_key(lambda a, b: naive_compare(a, b, full))
    )
    assert by_key == by_comparator
