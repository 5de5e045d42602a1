"""CSV cells to the JSON values their field types take (the API's coercion then checks them)."""

from __future__ import annotations

import pytest

from chalicelib.metadata.model import FieldType
from chalicelib.transfer.csv_import import _column_parser, row_values
from chalicelib.transfer.fileformat import TransferError
from tests.builders import make_field, make_many_to_one, make_object

OBJ = make_object(
    "person",
    "people",
    [
        make_field("name", FieldType.FULL_NAME),
        make_field("emails", FieldType.EMAILS),
        make_field("age", FieldType.NUMBER),
        make_field("vip", FieldType.BOOLEAN),
        make_field("tags", FieldType.MULTI_SELECT, options=["A", "B"]),
        make_field("extra", FieldType.RAW_JSON),
        make_field("price", FieldType.CURRENCY),
        make_many_to_one("company", "company"),
    ],
)


def convert(header: list[str], row: list[str]) -> dict:
    return row_values(header, [_column_parser(OBJ, column) for column in header], row)


def test_cells_become_typed_values_and_dotted_paths_become_composites():
    header = [
        "name.firstName",
        "name.lastName",
        "emails.primaryEmail",
        "emails.additionalEmails",
        "age",
        "vip",
        "tags",
        "extra",
        "price.amountMicros",
        "companyId",
        "position",
    ]
    row = [
        "Ada",
        "Lovelace",
        "ada@x.test",
        "a@x.test, b@x.test",
        "36",
        "yes",
        "A,B",
        '{"k":1}',
        "1.5e6",
        "c1",
        "2.5",
    ]
    assert convert(header, row) == {
        "name": {"firstName": "Ada", "lastName": "Lovelace"},
        "emails": {"primaryEmail": "ada@x.test", "additionalEmails": ["a@x.test", "b@x.test"]},
        "age": 36,
        "vip": True,
        "tags": ["A", "B"],
        "extra": {"k": 1},
        "price": {"amountMicros": 1.5e6},
        "companyId": "c1",
        "position": 2.5,
    }


def test_empty_cells_are_left_out_so_that_defaults_apply():
    assert convert(["name.firstName", "age", "vip"], ["Ada", "", ""]) == {
        "name": {"firstName": "Ada"}
    }


def test_a_cell_of_hostile_json_is_passed_on_as_text_never_a_recursion_error():
    deep = "[" * 100_000
    assert convert(["tags"], [deep]) == {"tags": deep}


def test_a_cell_that_does_not_parse_is_passed_on_as_text_for_the_api_to_refuse():
    assert convert(["age", "vip", "tags"], ["old", "maybe", '["A"']) == {
        "age": "old",
        "vip": "maybe",
        "tags": '["A"',
    }


@pytest.mark.parametrize("column", ["shoeSize", "name.middleName", "company", "age.value"])
def test_a_header_that_is_no_field_path_is_refused_on_line_1(column):
    with pytest.raises(TransferError, match=f"line 1: column '{column}'"):
        _column_parser(OBJ, column)
