"""Raw filters and sorts checked against metadata: paths, operators per type, typed values."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.core.filters import And, Condition, Direction, Not, Operator, Or, SortKey
from chalicelib.core.query_validation import (
    ID_TIEBREAKER,
    MAX_FILTER_DEPTH,
    allowed_operators,
    filter_mentions,
    resolve_path,
    validate_filter,
    validate_sort,
)
from chalicelib.errors import InvalidQueryParamError
from chalicelib.metadata.model import FieldType
from tests.builders import make_field, make_many_to_one, make_object, make_one_to_many

UUID_V4 = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"

THING = make_object(
    "thing",
    "things",
    [
        make_field("name", FieldType.TEXT),
        make_field("notes", FieldType.RICH_TEXT),
        make_field("employees", FieldType.NUMBER, settings={"dataType": "int"}),
        make_field("revenue", FieldType.NUMERIC),
        make_field("active", FieldType.BOOLEAN),
        make_field("birthday", FieldType.DATE),
        make_field("closeAt", FieldType.DATE_TIME),
        make_field("externalId", FieldType.UUID),
        make_field("stage", FieldType.SELECT, options=("NEW", "WON", "LOST")),
        make_field("tags", FieldType.MULTI_SELECT, options=("A", "B")),
        make_field("rating", FieldType.RATING),
        make_field("payload", FieldType.RAW_JSON),
        make_field("aliases", FieldType.ARRAY),
        make_field("amount", FieldType.CURRENCY),
        make_field("fullName", FieldType.FULL_NAME),
        make_field("emails", FieldType.EMAILS),
        make_field("address", FieldType.ADDRESS),
        make_field("owner", FieldType.ACTOR),
        make_field("body", FieldType.RICH_TEXT_V2),
        make_many_to_one("company", "company"),
        make_one_to_many("people", "person"),
        make_field("legacy", FieldType.TEXT, is_active=False),
    ],
)

BARE = make_object("bare", "bares", [make_field("name", FieldType.TEXT)], with_system_fields=False)

ALL_OPERATORS = tuple(Operator)
COMPARABLE = {"eq", "neq", "in", "is", "gt", "gte", "lt", "lte"}
TEXT = COMPARABLE | {"startsWith", "endsWith", "like", "ilike"}

# path -> (a valid raw scalar for it, the operators its type allows)
PATHS: dict[str, tuple[Any, set[str]]] = {
    "id": (UUID_V4, COMPARABLE),
    "companyId": (UUID_V4, COMPARABLE),
    "externalId": (UUID_V4, COMPARABLE),
    "name": ("Acme", TEXT),
    "notes": ("x", TEXT),
    "employees": ("12", COMPARABLE),
    "revenue": ("1.5", COMPARABLE),
    "position": ("3", COMPARABLE),
    "active": ("true", {"eq", "neq", "is"}),
    "birthday": ("2024-01-01", COMPARABLE),
    "closeAt": ("2024-01-01", COMPARABLE),
    "createdAt": ("2024-01-01", COMPARABLE),
    "deletedAt": ("2024-01-01", COMPARABLE),
    "stage": ("NEW", COMPARABLE | {"containsAny"}),
    "rating": ("RATING_3", COMPARABLE),
    "tags": ("A", {"containsAny", "is"}),
    "aliases": ("x", {"containsAny", "is"}),
    "payload": ("x", {"is", "like"}),
    "amount.amountMicros": ("1000000", COMPARABLE),
    "amount.currencyCode": ("EUR", TEXT),
    "fullName.firstName": ("Ada", TEXT),
    "emails.primaryEmail": ("a@b.c", TEXT),
    "emails.additionalEmails": ("x", {"is", "like"}),
    "address.addressLat": ("1.5", COMPARABLE),
    "owner.source": ("API", COMPARABLE | {"containsAny"}),
    "owner.workspaceMemberId": (UUID_V4, COMPARABLE),
    "owner.context": ("x", {"is", "like"}),
    "createdBy.source": ("API", COMPARABLE | {"containsAny"}),
    "body.markdown": ("x", TEXT),
}


def cond(path: str, operator: str, value: Any) -> Condition:
    return Condition(tuple(path.split(".")), Operator(operator), value)


def typed(path: str, operator: str, value: Any, obj: Any = THING) -> Any:
    result = validate_filter(obj, cond(path, operator, value))
    assert isinstance(result, Condition)
    return result.value


def raw_value_for(operator: Operator, sample: Any) -> Any:
    if operator is Operator.IS:
        return "NULL"
    if operator in (Operator.IN, Operator.CONTAINS_ANY):
        return [sample]
    if operator in (Operator.STARTS_WITH, Operator.ENDS_WITH, Operator.LIKE, Operator.ILIKE):
        return "%a%"
    return sample


def refused(match: str) -> Any:
    return pytest.raises(InvalidQueryParamError, match=match)


# --- operators per type ------------------------------------------------------------------------


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("operator", ALL_OPERATORS, ids=str)
def test_each_type_allows_exactly_its_operators(path: str, operator: Operator) -> None:
    sample, allowed = PATHS[path]
    condition = cond(path, operator, raw_value_for(operator, sample))
    if operator in allowed:
        assert validate_filter(THING, condition).operator is operator
    else:
        with refused(
            rf"Invalid filter '{path}\[{operator}\]': operator '{operator}' is not "
            rf"allowed on field '{path}' \(.+\); allowed: "
        ):
            validate_filter(THING, condition)


def test_a_refused_operator_lists_the_allowed_ones_in_order() -> None:
    with refused(
        r"operator 'startsWith' is not allowed on field 'employees' \(NUMBER\); "
        r"allowed: eq, neq, in, is, gt, gte, lt, lte$"
    ):
        validate_filter(THING, cond("employees", "startsWith", "1"))


def test_allowed_operators_follow_the_declaration_order_of_operators() -> None:
    assert allowed_operators(FieldType.BOOLEAN) == (Operator.EQ, Operator.NEQ, Operator.IS)
    assert allowed_operators(FieldType.RELATION) == ()


def test_an_unknown_operator_is_refused_with_the_known_ones() -> None:
    condition = Condition(("name",), "regex", "a.*")  # type: ignore[arg-type]
    with refused(r"Invalid filter 'name\[regex\]': unknown operator; expected one of eq, neq"):
        validate_filter(THING, condition)


# --- typed values ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "operator", "raw", "expected"),
    [
        ("employees", "eq", "12", 12),
        ("employees", "gt", "-3", -3),
        ("employees", "gt", "1.5", 1.5),
        ("employees", "eq", 12, 12),
        ("revenue", "lte", " 2.50 ", 2.5),
        ("revenue", "lte", 2.0, 2),
        ("position", "gte", "0.25", 0.25),
        ("amount.amountMicros", "gt", "1000000", 1_000_000),
        ("active", "eq", "TRUE", True),
        ("active", "neq", "false", False),
        ("active", "eq", False, False),
        ("closeAt", "gte", "2024-01-01", "2024-01-01T00:00:00.000Z"),
        ("closeAt", "lt", "2024-01-01T10:00:00+02:00", "2024-01-01T08:00:00.000Z"),
        ("createdAt", "eq", "2024-01-01T10:00:00.123456Z", "2024-01-01T10:00:00.123Z"),
        ("birthday", "eq", "2024-02-29", "2024-02-29"),
        ("id", "eq", UUID_V4.upper(), UUID_V4),
        ("companyId", "neq", UUID_V4.upper(), UUID_V4),
        ("owner.workspaceMemberId", "eq", UUID_V4.upper(), UUID_V4),
        ("stage", "eq", "WON", "WON"),
        ("owner.source", "eq", "API", "API"),
        ("rating", "gte", "RATING_3", "RATING_3"),
        ("name", "eq", "  Acme ", "  Acme "),
        ("name", "like", "%cm_", "%cm_"),
        ("payload", "like", '%"a": 1%', '%"a": 1%'),
        ("name", "is", "null", "NULL"),
        ("tags", "is", "Not_Null", "NOT_NULL"),
        ("employees", "in", ["1", "2.5"], [1, 2.5]),
        ("id", "in", [UUID_V4.upper()], [UUID_V4]),
        ("stage", "containsAny", ["NEW", "WON"], ["NEW", "WON"]),
        ("tags", "containsAny", ["A", "B"], ["A", "B"]),
        ("aliases", "containsAny", ["x", "y"], ["x", "y"]),
        ("name", "in", [], []),
    ],
)
def test_values_are_typed_with_the_stored_normalisation(
    path: str, operator: str, raw: Any, expected: Any
) -> None:
    value = typed(path, operator, raw)
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize(
    ("path", "operator", "raw", "message"),
    [
        ("employees", "eq", "abc", "expected a number, got 'abc'"),
        ("employees", "eq", True, "expected a number, got true"),
        ("employees", "gt", "1e999", "expected a number"),
        ("employees", "gt", "NaN", "expected a number"),
        ("active", "eq", "yes", "expected true or false, got 'yes'"),
        ("active", "eq", 1, "expected true or false, got 1"),
        ("closeAt", "gt", "yesterday", "expected an ISO 8601 date-time"),
        ("birthday", "eq", "2024-13-01", "expected a date formatted YYYY-MM-DD"),
        ("birthday", "eq", "2024-01-01T00:00:00Z", "expected a date formatted YYYY-MM-DD"),
        ("id", "eq", "not-a-uuid", "expected a UUID, got 'not-a-uuid'"),
        ("companyId", "eq", "42", "expected a UUID"),
        ("stage", "eq", "new", "expected one of 'NEW', 'WON', 'LOST', got 'new'"),
        ("owner.source", "eq", "ROBOT", "expected one of 'EMAIL', 'CALENDAR'"),
        ("rating", "eq", "RATING_6", "expected one of 'RATING_1', "),
        ("name", "eq", 3, "expected a string, got 3"),
        ("name", "eq", None, "got null \\(to match empty values use the 'is' operator"),
        ("stage", "in", "NEW", "expected a list of values, each one of 'NEW'"),
        ("tags", "containsAny", ["A", "Z"], "expected each value to be one of 'A', 'B', got 'Z'"),
        ("aliases", "containsAny", ["x", 3], "expected each value to be a string, got 3"),
        ("employees", "in", ["1", None], "expected each value to be a number, got null"),
        ("name", "is", "EMPTY", "expected NULL or NOT_NULL, got 'EMPTY'"),
        ("name", "is", None, "expected NULL or NOT_NULL, got null"),
        ("name", "like", 3, "expected a string pattern, got 3"),
        ("payload", "like", {"a": 1}, "expected a string pattern"),
    ],
)
def test_a_bad_value_names_the_condition_and_the_expected_form(
    path: str, operator: str, raw: Any, message: str
) -> None:
    escaped_path = path.replace(".", r"\.")
    with refused(rf"^Invalid filter '{escaped_path}\[{operator}\]': .*{message}"):
        typed(path, operator, raw)


def test_a_long_value_is_shortened_in_the_message() -> None:
    with refused(r"got '" + "x" * 56 + r"\.\.\.$"):
        typed("employees", "eq", "x" * 200)


# --- paths -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("nope", "field 'nope' does not exist on object 'thing'"),
        ("legacy", "field 'legacy' does not exist on object 'thing'"),
        (
            "emails",
            r"field 'emails' \(EMAILS\) is a composite field; use one of its sub-fields: "
            r"emails\.primaryEmail, emails\.additionalEmails$",
        ),
        ("createdBy", r"field 'createdBy' \(ACTOR\) is a composite field; use one of its"),
        ("company", "field 'company' is a relation; use its join column 'companyId'"),
        ("company.name", "field 'company' is a relation; use its join column 'companyId'"),
        ("people", "field 'people' is a one-to-many relation"),
        (
            "emails.email",
            r"'emails\.email' is not a sub-field of EMAILS field 'emails'; expected "
            r"one of emails\.primaryEmail, emails\.additionalEmails",
        ),
        ("fullName.firstName.x", r"'fullName\.firstName\.x' is not a sub-field"),
        ("name.first", r"field 'name' \(TEXT\) has no sub-field 'first'"),
        ("companyId.x", r"field 'companyId' \(UUID\) has no sub-field 'x'"),
    ],
)
def test_a_path_that_names_no_value_is_refused_with_what_to_use(path: str, message: str) -> None:
    escaped_path = path.replace(".", r"\.")
    with refused(rf"^Invalid filter '{escaped_path}\[eq\]': {message}"):
        validate_filter(THING, cond(path, "eq", "x"))


def test_an_empty_path_is_refused() -> None:
    with refused(r"Invalid filter '\[eq\]': a path is one or more non-empty names"):
        validate_filter(THING, Condition((), Operator.EQ, "x"))


@pytest.mark.parametrize(
    ("path", "field_type"),
    [
        ("id", FieldType.UUID),
        ("createdAt", FieldType.DATE_TIME),
        ("updatedAt", FieldType.DATE_TIME),
        ("deletedAt", FieldType.DATE_TIME),
        ("position", FieldType.POSITION),
        ("createdBy.source", FieldType.SELECT),
        ("updatedBy.workspaceMemberId", FieldType.UUID),
    ],
)
def test_system_fields_resolve_even_when_the_model_does_not_declare_them(
    path: str, field_type: FieldType
) -> None:
    assert resolve_path(BARE, tuple(path.split("."))).type is field_type


def test_a_join_column_resolves_as_a_uuid_of_its_relation() -> None:
    target = resolve_path(THING, ("companyId",))
    assert (target.type, target.is_join_column, target.field_def.name) == (
        FieldType.UUID,
        True,
        "company",
    )


def test_a_sub_field_resolves_to_its_declared_type_within_its_composite() -> None:
    target = resolve_path(THING, ("amount", "amountMicros"))
    assert (target.type, target.field_def.name, target.label) == (
        FieldType.NUMERIC,
        "amount",
        "amount.amountMicros",
    )


def test_select_ranks_follow_option_positions_and_rating_ranks_follow_the_number() -> None:
    assert resolve_path(THING, ("stage",)).ranks == {"NEW": 0, "WON": 1, "LOST": 2}
    assert resolve_path(THING, ("rating",)).ranks["RATING_5"] == 4


def test_resolve_path_reports_an_unknown_field_as_a_query_error() -> None:
    with refused(r"Invalid path 'nope\.x': field 'nope' does not exist"):
        resolve_path(THING, ("nope", "x"))


# --- trees -------------------------------------------------------------------------------------


def test_a_filter_tree_keeps_its_shape_with_typed_values() -> None:
    raw = And(
        (
            cond("employees", "gt", "10"),
            Or((cond("stage", "eq", "NEW"), Not(cond("active", "eq", "true")))),
        )
    )
    assert validate_filter(THING, raw) == And(
        (
            Condition(("employees",), Operator.GT, 10),
            Or(
                (
                    Condition(("stage",), Operator.EQ, "NEW"),
                    Not(Condition(("active",), Operator.EQ, True)),
                )
            ),
        )
    )


def test_empty_groups_are_kept() -> None:
    assert validate_filter(THING, Or(())) == Or(())


def test_an_error_deep_in_a_tree_names_its_condition() -> None:
    raw = And((cond("name", "eq", "a"), Or((Not(cond("employees", "eq", "many")),))))
    with refused(r"Invalid filter 'employees\[eq\]'"):
        validate_filter(THING, raw)


def test_groups_nested_to_the_limit_pass_and_one_more_is_refused() -> None:
    node: Any = cond("name", "eq", "a")
    for _ in range(MAX_FILTER_DEPTH):
        node = Not(node)
    assert validate_filter(THING, node) == node
    with refused(f"nested more than {MAX_FILTER_DEPTH} levels deep"):
        validate_filter(THING, And((node,)))


def test_filter_mentions_looks_at_the_first_segment_of_every_condition() -> None:
    tree = And((cond("name", "eq", "a"), Or((Not(cond("deletedAt", "is", "NOT_NULL")),))))
    assert filter_mentions(tree, "deletedAt")
    assert filter_mentions(cond("emails.primaryEmail", "eq", "a"), "emails")
    assert not filter_mentions(tree, "createdAt")
    assert not filter_mentions(cond("fullName.deletedAt", "eq", "a"), "deletedAt")
    assert not filter_mentions(None, "deletedAt")
    assert not filter_mentions(And(()), "deletedAt")


# --- sorts -------------------------------------------------------------------------------------


ORDERABLE_PATHS = [
    "id",
    "companyId",
    "externalId",
    "name",
    "notes",
    "employees",
    "revenue",
    "position",
    "active",
    "birthday",
    "closeAt",
    "createdAt",
    "updatedAt",
    "deletedAt",
    "stage",
    "rating",
    "amount.amountMicros",
    "amount.currencyCode",
    "fullName.lastName",
    "emails.primaryEmail",
    "address.addressCity",
    "address.addressLng",
    "owner.source",
    "createdBy.name",
    "updatedBy.workspaceMemberId",
    "body.markdown",
]


@pytest.mark.parametrize("path", ORDERABLE_PATHS)
def test_scalar_values_can_be_sorted_on(path: str) -> None:
    key = SortKey(tuple(path.split(".")), Direction.DESC_NULLS_LAST)
    assert validate_sort(THING, (key,))[0] == key


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("tags", r"field 'tags' \(MULTI_SELECT\) cannot be sorted on"),
        ("aliases", r"field 'aliases' \(ARRAY\) cannot be sorted on"),
        ("payload", r"field 'payload' \(RAW_JSON\) cannot be sorted on"),
        ("emails.additionalEmails", r"field 'emails\.additionalEmails' \(RAW_JSON\) cannot be"),
        ("owner.context", r"field 'owner\.context' \(RAW_JSON\) cannot be sorted on"),
        ("emails", r"is a composite field; use one of its sub-fields: emails\.primaryEmail$"),
        ("company", "use its join column 'companyId'"),
        ("people", "one-to-many relation"),
        ("nope", "field 'nope' does not exist"),
    ],
)
def test_values_without_an_order_are_refused_naming_the_sort_key(path: str, message: str) -> None:
    escaped_path = path.replace(".", r"\.")
    with refused(rf"^Invalid sort '{escaped_path}\[AscNullsLast\]': .*{message}"):
        validate_sort(THING, (SortKey(tuple(path.split(".")), Direction.ASC_NULLS_LAST),))


def test_id_is_appended_as_the_final_tiebreaker_in_the_first_keys_direction() -> None:
    keys = (SortKey(("name",), Direction.DESC_NULLS_FIRST), SortKey(("employees",)))
    assert validate_sort(THING, keys) == (*keys, SortKey(("id",), Direction.DESC_NULLS_FIRST))
    ascending = (SortKey(("employees",), Direction.ASC_NULLS_LAST),)
    assert validate_sort(THING, ascending) == (*ascending, ID_TIEBREAKER)
    assert validate_sort(THING, ()) == (SortKey(("id",), Direction.ASC_NULLS_FIRST),)


def test_a_sort_that_already_has_id_is_kept_as_given() -> None:
    keys = (SortKey(("id",), Direction.DESC_NULLS_LAST), SortKey(("name",)))
    assert validate_sort(THING, keys) == keys


def test_a_path_given_twice_is_refused() -> None:
    keys = (SortKey(("name",)), SortKey(("name",), Direction.DESC_NULLS_LAST))
    with refused(r"Invalid sort 'name\[DescNullsLast\]': 'name' is already a sort key"):
        validate_sort(THING, keys)


def test_directions_given_as_text_come_back_as_directions() -> None:
    key = SortKey(("name",), "DescNullsLast")  # type: ignore[arg-type]
    assert validate_sort(THING, (key,))[0].direction is Direction.DESC_NULLS_LAST


def test_operators_given_as_text_come_back_as_operators() -> None:
    condition = Condition(("name",), "ilike", "%a%")  # type: ignore[arg-type]
    assert validate_filter(THING, condition).operator is Operator.ILIKE


def test_an_unknown_direction_is_refused_with_the_known_ones() -> None:
    key = SortKey(("name",), "Sideways")  # type: ignore[arg-type]
    with refused(
        r"Invalid sort 'name\[Sideways\]': unknown direction; expected one of "
        r"AscNullsFirst, AscNullsLast, DescNullsFirst, DescNullsLast"
    ):
        validate_sort(THING, (key,))
