"""Client record input checked and normalised against metadata; defaults and merges."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.core.coercion import (
    apply_create_defaults,
    coerce_input,
    coerce_value,
    merge_update,
    unquote_default,
)
from chalicelib.errors import InvalidFieldValueError, ReadOnlyFieldError, UnknownFieldError
from chalicelib.metadata.model import FieldType
from tests.builders import make_field, make_many_to_one, make_object, make_one_to_many

UUID_V4 = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"

THING = make_object(
    "thing",
    "things",
    [
        make_field("name", FieldType.TEXT, is_nullable=False, default_value="''"),
        make_field("notes", FieldType.RICH_TEXT),
        make_field("employees", FieldType.NUMBER, settings={"dataType": "int"}),
        make_field("visits", FieldType.NUMBER, settings={"dataType": "bigint"}),
        make_field("score", FieldType.NUMBER, settings={"dataType": "float", "decimals": 2}),
        make_field("revenue", FieldType.NUMERIC),
        make_field("active", FieldType.BOOLEAN, is_nullable=False, default_value=False),
        make_field("birthday", FieldType.DATE),
        make_field("closeAt", FieldType.DATE_TIME),
        make_field("externalId", FieldType.UUID),
        make_field("stage", FieldType.SELECT, options=("NEW", "WON"), default_value="'NEW'"),
        make_field(
            "tags", FieldType.MULTI_SELECT, options=("A", "B", "C"), default_value=["'A'", "'B'"]
        ),
        make_field("rating", FieldType.RATING),
        make_field("payload", FieldType.RAW_JSON),
        make_field("aliases", FieldType.ARRAY),
        make_field(
            "amount",
            FieldType.CURRENCY,
            default_value={"amountMicros": None, "currencyCode": "'USD'"},
        ),
        make_field("fullName", FieldType.FULL_NAME),
        make_field("emails", FieldType.EMAILS, is_unique=True),
        make_field("phones", FieldType.PHONES),
        make_field(
            "links",
            FieldType.LINKS,
            default_value={
                "primaryLinkUrl": "''",
                "primaryLinkLabel": "''",
                "secondaryLinks": None,
            },
        ),
        make_field("address", FieldType.ADDRESS),
        make_field("owner", FieldType.ACTOR),
        make_field("body", FieldType.RICH_TEXT_V2),
        make_many_to_one("company", "company"),
        make_one_to_many("people", "person"),
        make_field("legacy", FieldType.TEXT, is_active=False),
    ],
)


def field(name: str) -> Any:
    return THING.by_name[name]


def coerce(name: str, value: Any) -> Any:
    return coerce_input(THING, {name: value}, for_update=False)[name]


# --- the body as a whole ----------------------------------------------------------------------


@pytest.mark.parametrize("body", [[], "x", None, 3])
def test_a_body_that_is_not_an_object_is_refused(body: object) -> None:
    with pytest.raises(InvalidFieldValueError, match="Record data must be a JSON object"):
        coerce_input(THING, body, for_update=False)


def test_only_the_given_keys_come_back_normalised_and_in_input_order() -> None:
    result = coerce_input(
        THING, {"stage": "WON", "externalId": UUID_V4.upper(), "name": "Acme"}, for_update=True
    )
    assert list(result.items()) == [("stage", "WON"), ("externalId", UUID_V4), ("name", "Acme")]


def test_an_empty_body_gives_no_values() -> None:
    assert coerce_input(THING, {}, for_update=False) == {}


# --- id, server-owned fields, relations, unknown names ---------------------------------------


def test_an_id_may_be_given_on_create_and_comes_back_lowercase() -> None:
    assert coerce_input(THING, {"id": UUID_V4.upper()}, for_update=False) == {"id": UUID_V4}


@pytest.mark.parametrize(
    "value",
    [
        "not-a-uuid",
        "00000000-0000-0000-0000-000000000000",
        "3f2504e0-4f89-61d3-9a0c-0305e82c3301",  # version 6
        "3f2504e0-4f89-41d3-ca0c-0305e82c3301",  # not the RFC 4122 variant
        "3f2504e04f8941d39a0c0305e82c3301",
        12,
        None,
    ],
)
def test_an_id_on_create_must_be_a_uuid_of_version_1_to_5(value: Any) -> None:
    with pytest.raises(InvalidFieldValueError, match="'id'.*version 1 to 5"):
        coerce_input(THING, {"id": value}, for_update=False)


def test_an_id_on_update_is_refused_as_read_only() -> None:
    with pytest.raises(ReadOnlyFieldError, match="'id'"):
        coerce_input(THING, {"id": UUID_V4}, for_update=True)


@pytest.mark.parametrize("name", ["createdAt", "updatedAt", "deletedAt", "createdBy", "updatedBy"])
@pytest.mark.parametrize("for_update", [False, True])
def test_server_owned_fields_are_refused_as_read_only(name: str, for_update: bool) -> None:
    with pytest.raises(ReadOnlyFieldError, match=f"'{name}'"):
        coerce_input(THING, {name: None}, for_update=for_update)


def test_position_may_be_set_by_the_client() -> None:
    assert coerce_input(THING, {"position": 2.5}, for_update=True) == {"position": 2.5}


def test_position_is_accepted_even_when_the_model_does_not_declare_it() -> None:
    bare = make_object("bare", "bares", [], with_system_fields=False)
    assert coerce_input(bare, {"position": 1}, for_update=False) == {"position": 1}
    with pytest.raises(InvalidFieldValueError, match="'position'"):
        coerce_input(bare, {"position": "first"}, for_update=False)


def test_a_join_column_takes_a_uuid_and_returns_it_lowercase() -> None:
    assert coerce("companyId", UUID_V4.upper()) == UUID_V4


def test_a_join_column_may_be_cleared_with_null() -> None:
    assert coerce("companyId", None) is None


@pytest.mark.parametrize("value", ["acme", 42, {"id": UUID_V4}])
def test_a_join_column_refuses_anything_but_a_uuid(value: Any) -> None:
    with pytest.raises(InvalidFieldValueError, match="'companyId'"):
        coerce("companyId", value)


def test_a_join_column_of_a_required_relation_refuses_null() -> None:
    obj = make_object("task", "tasks", [make_many_to_one("owner", is_nullable=False)])
    with pytest.raises(InvalidFieldValueError, match="'ownerId'"):
        coerce_input(obj, {"ownerId": None}, for_update=False)


def test_writing_a_many_to_one_relation_by_name_points_to_its_join_column() -> None:
    with pytest.raises(InvalidFieldValueError, match="'company'.*set 'companyId'"):
        coerce("company", {"id": UUID_V4})


def test_writing_a_one_to_many_relation_is_refused() -> None:
    with pytest.raises(InvalidFieldValueError, match="'people' is a one-to-many relation"):
        coerce("people", [])


def test_an_unknown_field_is_named_with_its_object() -> None:
    with pytest.raises(UnknownFieldError) as caught:
        coerce("foo", 1)
    assert caught.value.message == "Field 'foo' does not exist on object 'thing'"


def test_an_inactive_field_counts_as_unknown() -> None:
    with pytest.raises(UnknownFieldError, match="'legacy'"):
        coerce("legacy", "old")


# --- every scalar field type: a good value ---------------------------------------------------

GOOD_VALUES = [
    ("name", "Acme", "Acme"),
    ("name", "", ""),
    ("notes", "<p>hi</p>", "<p>hi</p>"),
    ("employees", 10, 10),
    ("employees", 10.0, 10),
    ("employees", -(2**31), -(2**31)),
    ("visits", 2**40, 2**40),
    ("score", 1.5, 1.5),
    ("score", 3, 3),
    ("revenue", 12, 12),
    ("revenue", 12.0, 12),
    ("revenue", 12.25, 12.25),
    ("revenue", "12.50", 12.5),
    ("revenue", "-3", -3),
    ("revenue", "1e3", 1000),
    ("revenue", "123456789012345678901234567890", 123456789012345678901234567890),
    ("active", True, True),
    ("active", False, False),
    ("birthday", "2024-02-29", "2024-02-29"),
    ("closeAt", "2024-01-31T09:30:00Z", "2024-01-31T09:30:00.000Z"),
    ("closeAt", "2024-01-31T09:30:00.123456Z", "2024-01-31T09:30:00.123Z"),
    ("closeAt", "2024-01-31T11:30:00+02:00", "2024-01-31T09:30:00.000Z"),
    ("closeAt", "2024-01-31T04:00:00-0530", "2024-01-31T09:30:00.000Z"),
    ("closeAt", "2024-01-31T09:30:00", "2024-01-31T09:30:00.000Z"),
    ("closeAt", "2024-01-31 09:30", "2024-01-31T09:30:00.000Z"),
    ("closeAt", "2024-01-31", "2024-01-31T00:00:00.000Z"),
    ("closeAt", "2024-01-01T00:30:00.5+01:00", "2023-12-31T23:30:00.500Z"),
    ("externalId", UUID_V4.upper(), UUID_V4),
    ("externalId", "00000000-0000-0000-0000-000000000000", "00000000-0000-0000-0000-000000000000"),
    ("stage", "WON", "WON"),
    ("tags", ["C", "A"], ["C", "A"]),
    ("tags", [], []),
    ("rating", "RATING_1", "RATING_1"),
    ("rating", "RATING_5", "RATING_5"),
    ("position", 0, 0),
    ("position", -1.25, -1.25),
    ("payload", {"a": [1, None, "x"]}, {"a": [1, None, "x"]}),
    ("payload", "just text", "just text"),
    ("payload", 3, 3),
    ("aliases", ["x", "y"], ["x", "y"]),
    ("aliases", [], []),
]


@pytest.mark.parametrize(("name", "value", "expected"), GOOD_VALUES)
def test_a_good_scalar_value_is_accepted_and_normalised(
    name: str, value: Any, expected: Any
) -> None:
    result = coerce(name, value)
    assert result == expected
    assert type(result) is type(expected)


# --- every scalar field type: a bad value ----------------------------------------------------

BAD_VALUES = [
    ("name", 3, "(TEXT): expected a string, got 3"),
    ("notes", ["x"], "(RICH_TEXT): expected a string"),
    ("employees", "ten", "(NUMBER, integer): expected an integer, got 'ten'"),
    ("employees", 1.5, "expected an integer, got 1.5"),
    ("employees", True, "expected an integer, got true"),
    ("employees", 2**31, "expected an integer between -2147483648 and 2147483647"),
    ("visits", 2**63, "(NUMBER, big integer): expected an integer between"),
    ("score", "1.5", "(NUMBER): expected a number, got '1.5'"),
    ("score", float("nan"), "expected a number"),
    ("score", float("inf"), "expected a number"),
    ("score", 10**40, "at most 38 digits"),
    ("score", 1e200, "magnitude"),
    ("revenue", "12,5", "(NUMERIC): expected a number or a decimal string, got '12,5'"),
    ("revenue", "NaN", "expected a number or a decimal string"),
    ("revenue", "1e999999999", "magnitude"),
    ("revenue", False, "expected a number or a decimal string, got false"),
    ("active", "true", "(BOOLEAN): expected true or false, got 'true'"),
    ("active", 1, "expected true or false, got 1"),
    ("birthday", "2023-02-29", "(DATE): expected a date formatted YYYY-MM-DD"),
    ("birthday", "2024-01-31T00:00:00Z", "expected a date formatted YYYY-MM-DD"),
    ("birthday", "31/01/2024", "expected a date formatted YYYY-MM-DD"),
    ("closeAt", "yesterday", "(DATE_TIME): expected an ISO 8601 date-time"),
    ("closeAt", "2024-13-01T00:00:00Z", "expected an ISO 8601 date-time"),
    ("closeAt", "2024-01-31T25:00:00Z", "expected an ISO 8601 date-time"),
    ("closeAt", "2024-01-31T09:30:00+2", "expected an ISO 8601 date-time"),
    ("closeAt", "2024-01-31T09:30:00+02:75", "expected an ISO 8601 date-time"),
    ("closeAt", "2024-01-31T09:30:00+24:00", "expected an ISO 8601 date-time"),
    ("closeAt", 1706693400, "expected an ISO 8601 date-time"),
    ("closeAt", "0001-01-01T00:00:00+01:00", "expected an ISO 8601 date-time"),
    ("externalId", "abc", "(UUID): expected a UUID, got 'abc'"),
    ("externalId", "{3f2504e0-4f89-41d3-9a0c-0305e82c3301}", "expected a UUID"),
    ("stage", "LOST", "(SELECT): expected one of 'NEW', 'WON', got 'LOST'"),
    ("stage", 1, "expected one of 'NEW', 'WON'"),
    ("tags", "A", "(MULTI_SELECT): expected a list of values among 'A', 'B', 'C'"),
    ("tags", ["A", "Z"], "expected a list of values among 'A', 'B', 'C'"),
    ("tags", ["A", "A"], "each at most once"),
    ("rating", "RATING_6", "(RATING): expected one of RATING_1, RATING_2"),
    ("rating", 3, "expected one of RATING_1"),
    ("position", True, "(POSITION): expected a number, got true"),
    ("position", "1", "expected a number"),
    ("payload", float("nan"), "(RAW_JSON): expected a JSON value"),
    ("payload", {"x": {1, 2}}, "expected a JSON value"),
    ("aliases", "x", "(ARRAY): expected a list of strings, got 'x'"),
    ("aliases", ["x", 1], "expected a list of strings"),
]


@pytest.mark.parametrize(("name", "value", "message"), BAD_VALUES)
def test_a_bad_scalar_value_is_refused_with_a_message_naming_the_field(
    name: str, value: Any, message: str
) -> None:
    with pytest.raises(InvalidFieldValueError) as caught:
        coerce(name, value)
    assert caught.value.message.startswith(f"Invalid value for field '{name}' (")
    assert message in caught.value.message


def test_the_example_message_reads_as_documented() -> None:
    with pytest.raises(InvalidFieldValueError) as caught:
        coerce("employees", "ten")
    assert caught.value.message == (
        "Invalid value for field 'employees' (NUMBER, integer): expected an integer, got 'ten'"
    )


def test_long_values_are_shortened_in_messages() -> None:
    with pytest.raises(InvalidFieldValueError) as caught:
        coerce("active", "x" * 500)
    assert len(caught.value.message) < 200
    assert caught.value.message.endswith("...")


# --- null ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["notes", "employees", "birthday", "closeAt", "stage", "tags"])
def test_null_is_accepted_for_a_nullable_field(name: str) -> None:
    assert coerce(name, None) is None


@pytest.mark.parametrize("name", ["name", "active"])
def test_null_is_refused_for_a_non_nullable_field(name: str) -> None:
    with pytest.raises(InvalidFieldValueError, match=f"'{name}'.*not nullable.*got null"):
        coerce(name, None)


def test_null_for_a_composite_means_the_empty_composite() -> None:
    assert coerce("amount", None) == {"amountMicros": None, "currencyCode": ""}


def test_null_for_a_non_nullable_composite_still_means_the_empty_composite() -> None:
    obj = make_object("p", "ps", [make_field("name", FieldType.FULL_NAME, is_nullable=False)])
    assert coerce_input(obj, {"name": None}, for_update=True) == {
        "name": {"firstName": "", "lastName": ""}
    }


# --- composites ------------------------------------------------------------------------------

GOOD_COMPOSITES = [
    (
        "amount",
        {"amountMicros": 1_500_000, "currencyCode": "EUR"},
        {"amountMicros": 1_500_000, "currencyCode": "EUR"},
    ),
    ("amount", {"amountMicros": "2500000"}, {"amountMicros": 2_500_000}),
    (
        "amount",
        {"amountMicros": "0.5", "currencyCode": ""},
        {"amountMicros": 0.5, "currencyCode": ""},
    ),
    ("amount", {"currencyCode": None}, {"currencyCode": ""}),
    ("fullName", {"firstName": "Ada"}, {"firstName": "Ada"}),
    (
        "emails",
        {"primaryEmail": "ada@example.com", "additionalEmails": ["a@b.io"]},
        {"primaryEmail": "ada@example.com", "additionalEmails": ["a@b.io"]},
    ),
    (
        "emails",
        {"primaryEmail": "", "additionalEmails": None},
        {"primaryEmail": "", "additionalEmails": []},
    ),
    (
        "phones",
        {
            "primaryPhoneNumber": "612345678",
            "primaryPhoneCountryCode": "FR",
            "primaryPhoneCallingCode": "+33",
            "additionalPhones": [{"number": "700000000", "callingCode": "+44"}],
        },
        {
            "primaryPhoneNumber": "612345678",
            "primaryPhoneCountryCode": "FR",
            "primaryPhoneCallingCode": "+33",
            "additionalPhones": [{"number": "700000000", "countryCode": "", "callingCode": "+44"}],
        },
    ),
    (
        "links",
        {
            "primaryLinkUrl": "https://acme.com",
            "secondaryLinks": [{"url": "https://blog.acme.com", "label": None}],
        },
        {
            "primaryLinkUrl": "https://acme.com",
            "secondaryLinks": [{"url": "https://blog.acme.com", "label": ""}],
        },
    ),
    (
        "address",
        {"addressCity": "Paris", "addressLat": 48.85, "addressLng": "2.35"},
        {"addressCity": "Paris", "addressLat": 48.85, "addressLng": 2.35},
    ),
    (
        "owner",
        {
            "source": "API",
            "name": "Sync key",
            "workspaceMemberId": UUID_V4.upper(),
            "context": {"provider": "google"},
        },
        {
            "source": "API",
            "name": "Sync key",
            "workspaceMemberId": UUID_V4,
            "context": {"provider": "google"},
        },
    ),
    ("body", {"markdown": "# Hi", "blocknote": None}, {"markdown": "# Hi", "blocknote": None}),
    ("fullName", {}, {}),
]


@pytest.mark.parametrize(("name", "value", "expected"), GOOD_COMPOSITES)
def test_a_partial_composite_is_accepted_with_only_the_given_sub_fields(
    name: str, value: Any, expected: Any
) -> None:
    assert coerce(name, value) == expected


BAD_COMPOSITES = [
    (
        "amount",
        "100 EUR",
        "amount",
        "(CURRENCY): expected an object with sub-fields amountMicros, currencyCode, or null",
    ),
    (
        "amount",
        {"amountMicros": "lots"},
        "amount.amountMicros",
        "expected a number, a decimal string or null, got 'lots'",
    ),
    (
        "amount",
        {"currencyCode": "eur"},
        "amount.currencyCode",
        "expected an ISO 4217 code of 3 upper-case letters",
    ),
    ("fullName", {"firstName": 1}, "fullName.firstName", "expected a string or null, got 1"),
    ("emails", {"primaryEmail": "nobody"}, "emails.primaryEmail", "expected an email address"),
    ("emails", {"primaryEmail": "a@b@c"}, "emails.primaryEmail", "expected an email address"),
    (
        "emails",
        {"additionalEmails": "a@b.io"},
        "emails.additionalEmails",
        "expected a list of email addresses",
    ),
    (
        "emails",
        {"additionalEmails": ["a@b.io", "nope"]},
        "emails.additionalEmails",
        "expected a list of email addresses",
    ),
    ("phones", {"primaryPhoneNumber": 612345678}, "phones.primaryPhoneNumber", "expected a string"),
    (
        "phones",
        {"additionalPhones": [{"number": 1}]},
        "phones.additionalPhones",
        "expected a list of objects with string keys number, countryCode, callingCode",
    ),
    (
        "phones",
        {"additionalPhones": [{"phone": "1"}]},
        "phones.additionalPhones",
        "expected a list of objects",
    ),
    (
        "links",
        {"secondaryLinks": ["https://x.io"]},
        "links.secondaryLinks",
        "expected a list of objects with string keys url, label",
    ),
    ("address", {"addressLat": "north"}, "address.addressLat", "expected a number"),
    ("owner", {"source": "TELEPATHY"}, "owner.source", "expected one of EMAIL, CALENDAR"),
    ("owner", {"workspaceMemberId": "me"}, "owner.workspaceMemberId", "expected a UUID"),
    ("owner", {"context": ["x"]}, "owner.context", "expected a JSON object"),
    ("body", {"markdown": 5}, "body.markdown", "expected a string or null"),
]


@pytest.mark.parametrize(("name", "value", "path", "message"), BAD_COMPOSITES)
def test_a_bad_sub_field_value_is_refused_naming_field_and_sub_field(
    name: str, value: Any, path: str, message: str
) -> None:
    with pytest.raises(InvalidFieldValueError) as caught:
        coerce(name, value)
    assert caught.value.message.startswith(f"Invalid value for field '{path}' (")
    assert message in caught.value.message


def test_an_unknown_sub_field_is_refused_naming_field_dot_sub_field() -> None:
    with pytest.raises(UnknownFieldError) as caught:
        coerce("fullName", {"firstName": "Ada", "middleName": "B"})
    assert "'fullName.middleName'" in caught.value.message
    assert "firstName, lastName" in caught.value.message


def test_coerce_value_works_on_a_single_field() -> None:
    assert coerce_value(field("stage"), "NEW") == "NEW"
    with pytest.raises(InvalidFieldValueError):
        coerce_value(field("company"), UUID_V4)


# --- DATE_TIME and NUMERIC properties --------------------------------------------------------

aware_moments = st.datetimes(
    min_value=datetime(1900, 1, 2),
    max_value=datetime(2999, 12, 30),
    timezones=st.sampled_from(
        [UTC, timezone(timedelta(hours=2)), timezone(-timedelta(hours=5, minutes=30))]
    ),
)


@given(aware_moments)
def test_any_offset_date_time_is_normalised_to_the_same_utc_millisecond(moment: datetime) -> None:
    expected = moment.astimezone(UTC).replace(tzinfo=None)
    expected = expected.replace(microsecond=expected.microsecond // 1000 * 1000)
    normalised = coerce("closeAt", moment.isoformat())
    assert normalised.endswith("Z") and len(normalised) == 24
    assert datetime.fromisoformat(normalised[:-1]) == expected
    assert coerce("closeAt", normalised) == normalised


@given(st.integers(min_value=-(10**30), max_value=10**30))
def test_an_integral_decimal_string_becomes_the_same_integer(number: int) -> None:
    assert coerce("revenue", str(number)) == number


# --- defaults on create ----------------------------------------------------------------------

NOW = datetime(2024, 5, 1, 12, 0, 0, 250000, tzinfo=UTC)


def test_create_defaults_fill_every_stored_field_and_join_column() -> None:
    record = apply_create_defaults(THING, {"name": "Acme"})
    expected_keys = {f.name for f in THING.stored_fields()} - {
        "id",
        "createdAt",
        "updatedAt",
        "deletedAt",
        "position",
        "createdBy",
        "updatedBy",
    }
    assert set(record) == expected_keys | {"companyId"}
    assert record["name"] == "Acme"
    assert record["companyId"] is None
    assert record["employees"] is None


def test_a_select_default_in_metadata_form_is_unquoted() -> None:
    assert apply_create_defaults(THING, {})["stage"] == "NEW"


def test_a_given_value_wins_over_the_default() -> None:
    assert apply_create_defaults(THING, {"stage": "WON"})["stage"] == "WON"
    assert apply_create_defaults(THING, {"stage": None})["stage"] is None


def test_text_boolean_and_multi_select_defaults_are_interpreted() -> None:
    record = apply_create_defaults(THING, {})
    assert record["name"] == ""
    assert record["active"] is False
    assert record["tags"] == ["A", "B"]


def test_composite_defaults_merge_empty_then_metadata_default_then_given_partial() -> None:
    record = apply_create_defaults(THING, {"amount": {"amountMicros": 7}})
    assert record["amount"] == {"amountMicros": 7, "currencyCode": "USD"}
    assert record["fullName"] == {"firstName": "", "lastName": ""}
    assert record["links"] == {"primaryLinkUrl": "", "primaryLinkLabel": "", "secondaryLinks": []}
    assert record["emails"] == {"primaryEmail": "", "additionalEmails": []}


def test_a_null_composite_on_create_is_the_empty_composite_over_the_default() -> None:
    values = coerce_input(THING, {"amount": None}, for_update=False)
    assert apply_create_defaults(THING, values)["amount"] == {
        "amountMicros": None,
        "currencyCode": "",
    }


def test_system_fields_are_left_to_the_caller_but_passed_through_when_given() -> None:
    record = apply_create_defaults(THING, {"id": UUID_V4, "position": 3})
    assert record["id"] == UUID_V4 and record["position"] == 3
    assert "createdAt" not in record and "createdBy" not in record


def test_function_defaults_now_and_uuid_are_evaluated() -> None:
    obj = make_object(
        "log",
        "logs",
        [
            make_field("seenAt", FieldType.DATE_TIME, default_value="now"),
            make_field("seenOn", FieldType.DATE, default_value="now"),
            make_field("token", FieldType.UUID, default_value="uuid"),
        ],
    )
    record = apply_create_defaults(obj, {}, now=NOW)
    assert record["seenAt"] == "2024-05-01T12:00:00.250Z"
    assert record["seenOn"] == "2024-05-01"
    assert coerce_value(obj.by_name["token"], record["token"]) == record["token"]


def test_a_required_field_without_a_default_is_reported_when_missing() -> None:
    obj = make_object("deal", "deals", [make_field("score", FieldType.NUMBER, is_nullable=False)])
    with pytest.raises(InvalidFieldValueError, match="'score'.*required"):
        apply_create_defaults(obj, {})
    assert apply_create_defaults(obj, {"score": 1})["score"] == 1


def test_a_required_text_without_a_default_starts_empty() -> None:
    obj = make_object("deal", "deals", [make_field("title", FieldType.TEXT, is_nullable=False)])
    assert apply_create_defaults(obj, {})["title"] == ""


@pytest.mark.parametrize(
    ("default", "expected"),
    [
        ("''", ""),
        ("'NEW'", "NEW"),
        ("'it''s'", "it''s"),
        ("plain", "plain"),
        (["'A'", "'B'"], ["A", "B"]),
        (
            {"currencyCode": "'EUR'", "amountMicros": None},
            {"currencyCode": "EUR", "amountMicros": None},
        ),
        (0, 0),
        (True, True),
        (None, None),
    ],
)
def test_metadata_defaults_are_unquoted_like_twenty(default: Any, expected: Any) -> None:
    assert unquote_default(default) == expected


# --- merges on update ------------------------------------------------------------------------


def test_a_partial_composite_update_merges_sub_field_by_sub_field() -> None:
    current = {
        "name": "Acme",
        "fullName": {"firstName": "Ada", "lastName": "Lovelace"},
        "stage": "NEW",
    }
    changes = coerce_input(
        THING, {"fullName": {"lastName": "King"}, "stage": "WON"}, for_update=True
    )
    merged = merge_update(THING, current, changes)
    assert merged == {
        "name": "Acme",
        "fullName": {"firstName": "Ada", "lastName": "King"},
        "stage": "WON",
    }
    assert current["fullName"]["lastName"] == "Lovelace"


def test_a_composite_update_completes_a_composite_that_was_never_stored() -> None:
    merged = merge_update(THING, {}, {"amount": {"currencyCode": "EUR"}})
    assert merged["amount"] == {"amountMicros": None, "currencyCode": "EUR"}


def test_a_null_composite_update_empties_the_whole_composite() -> None:
    current = {"fullName": {"firstName": "Ada", "lastName": "Lovelace"}}
    changes = coerce_input(THING, {"fullName": None}, for_update=True)
    assert merge_update(THING, current, changes)["fullName"] == {"firstName": "", "lastName": ""}


def test_scalar_lists_and_join_columns_are_replaced_not_merged() -> None:
    current = {"tags": ["A", "B"], "companyId": UUID_V4, "payload": {"a": 1}}
    merged = merge_update(THING, current, {"tags": ["C"], "companyId": None, "payload": {"b": 2}})
    assert merged == {"tags": ["C"], "companyId": None, "payload": {"b": 2}}
