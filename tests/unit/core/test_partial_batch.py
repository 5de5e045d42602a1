"""The field a per-item error names (`errors[].field` of a partial batch), read from the
errors the coercion itself raises."""

from __future__ import annotations

import pytest

from chalicelib.core.coercion import apply_create_defaults, coerce_input
from chalicelib.core.partial_batch import field_named
from chalicelib.errors import CrmError, UniqueViolationError
from chalicelib.metadata.model import FieldType
from tests.builders import make_field, make_many_to_one, make_object

THING = make_object(
    "thing",
    "things",
    [
        make_field("count", FieldType.NUMBER),
        make_field("emails", FieldType.EMAILS),
        make_field("size", FieldType.NUMBER, is_nullable=False),
        make_many_to_one("owner"),
    ],
)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"count": "many"}, "count"),
        ({"emails": {"primaryEmail": 3}}, "emails.primaryEmail"),
        ({"emails": {"nope": "x"}}, "emails.nope"),
        ({"shoeSize": 1}, "shoeSize"),
        ({"createdAt": "2024-01-01"}, "createdAt"),
        ({"owner": {"id": "x"}}, "owner"),
        ({"ownerId": "not a uuid"}, "ownerId"),
        ({"id": "not a uuid"}, "id"),
    ],
)
def test_a_refused_value_names_its_field(body, field):
    with pytest.raises(CrmError) as refused:
        coerce_input(THING, {"size": 1, **body}, for_update=False)
    assert field_named(refused.value) == field


def test_a_missing_required_value_names_its_field():
    with pytest.raises(CrmError) as refused:
        apply_create_defaults(THING, {})
    assert field_named(refused.value) == "size"


def test_an_error_about_no_field_names_none():
    with pytest.raises(CrmError) as refused:
        coerce_input(THING, ["not", "an", "object"], for_update=False)
    assert field_named(refused.value) is None
    assert field_named(UniqueViolationError("A record with id 'x' already exists")) is None
