"""Field value schemas per type: what a write accepts, what a read returns, and null."""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from chalicelib.metadata.model import FieldDef, FieldType, SelectOption
from chalicelib.openapi.values import input_schema, nullable, response_schema


def field(kind: FieldType, **extra) -> FieldDef:
    return FieldDef(id="f", object_id="o", name="x", label="X", type=kind, **extra)


def accepts(schema: dict, value: object) -> bool:
    return Draft202012Validator(schema, format_checker=FormatChecker()).is_valid(value)


STAGES = (SelectOption("NEW", "New", 1), SelectOption("WON", "Won", 0))


@pytest.mark.parametrize(
    ("kind", "extra", "good", "bad"),
    [
        (FieldType.TEXT, {}, "Acme", 3),
        (FieldType.NUMBER, {}, 2.5, "2.5"),
        (FieldType.NUMBER, {"settings": {"dataType": "int"}}, 7, 2**31),
        (FieldType.NUMERIC, {}, "1234.50", "12a"),
        (FieldType.BOOLEAN, {}, True, "true"),
        (FieldType.DATE, {}, "2024-02-29", "2024-02-29T00:00:00Z"),
        (FieldType.DATE_TIME, {}, "2024-01-31T09:30:00.000Z", "tomorrow"),
        (FieldType.UUID, {}, "5b2d7e34-5d1a-4b0e-9d43-3c1f6d2a8e71", "5b2d"),
        (FieldType.SELECT, {"options": STAGES}, "WON", "LOST"),
        (FieldType.MULTI_SELECT, {"options": STAGES}, ["NEW", "WON"], ["NEW", "NEW"]),
        (FieldType.RATING, {}, "RATING_3", "RATING_6"),
        (FieldType.ARRAY, {}, ["a", "b"], [1]),
        (FieldType.POSITION, {}, 1.5, None),
    ],
)
def test_a_write_accepts_the_types_values_and_refuses_others(kind, extra, good, bad):
    schema = input_schema(field(kind, is_nullable=kind is not FieldType.POSITION, **extra))
    assert accepts(schema, good)
    assert not accepts(schema, bad)


def test_a_non_nullable_field_refuses_null_on_write_but_may_read_null():
    name = field(FieldType.TEXT, is_nullable=False)
    assert not accepts(input_schema(name), None)
    assert accepts(response_schema(name), None)  # a field added after the record was written


def test_select_options_are_an_enum_in_option_order():
    schema = response_schema(field(FieldType.SELECT, options=STAGES))
    assert schema["enum"] == ["WON", "NEW", None]
    assert schema["type"] == ["string", "null"]


def test_a_composite_is_written_in_part_and_read_whole():
    emails = field(FieldType.EMAILS)
    written = input_schema(emails)
    assert accepts(written, {"primaryEmail": "ada@acme.io"})
    assert accepts(written, None)  # null empties the whole composite
    assert not accepts(written, {"primaryEmail": "no-at-sign"})
    assert not accepts(written, {"secondaryEmail": "a@b.c"})
    read = response_schema(emails)
    assert read["required"] == ["primaryEmail", "additionalEmails"]
    assert accepts(read, {"primaryEmail": "", "additionalEmails": []})
    assert not accepts(read, None)


def test_currency_amounts_are_numbers_or_decimal_strings_and_codes_iso_4217():
    written = input_schema(field(FieldType.CURRENCY))
    assert accepts(written, {"amountMicros": "1500000", "currencyCode": "EUR"})
    assert not accepts(written, {"currencyCode": "eur"})
    read = response_schema(field(FieldType.CURRENCY))["properties"]
    assert read["amountMicros"] == {"type": ["number", "null"]}


def test_raw_json_takes_any_value():
    assert input_schema(field(FieldType.RAW_JSON)) == {"description": "Any JSON value"}


def test_nullable_is_written_the_3_1_way():
    assert nullable({"type": "string", "format": "uuid"}) == {
        "type": ["string", "null"],
        "format": "uuid",
    }
    assert nullable({"$ref": "#/components/schemas/Company"}) == {
        "anyOf": [{"$ref": "#/components/schemas/Company"}, {"type": "null"}]
    }
