"""How a stored record is shown to clients at depth 0."""

from __future__ import annotations

from chalicelib.core.presentation import present_record
from chalicelib.metadata.model import FieldType
from tests.builders import make_field, make_many_to_one, make_object, make_one_to_many

PERSON_ID = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
COMPANY_ID = "9b2c7d1e-0a4f-4b8e-8c3d-5e6f7a8b9c0d"
ACTOR = {"source": "API", "name": "Sync", "workspaceMemberId": None, "context": {}}

PERSON = make_object(
    "person",
    "people",
    [
        make_field("name", FieldType.FULL_NAME),
        make_field("jobTitle", FieldType.TEXT),
        make_many_to_one("company", "company"),
        make_field("emails", FieldType.EMAILS),
        make_one_to_many("notes", "note"),
        make_field("city", FieldType.TEXT),
        make_field("nickname", FieldType.TEXT, is_active=False),
    ],
)

STORED = {
    "id": PERSON_ID,
    "name": {"firstName": "Ada"},
    "jobTitle": "Engineer",
    "companyId": COMPANY_ID,
    "createdAt": "2024-01-01T00:00:00.000Z",
    "updatedAt": "2024-01-02T00:00:00.000Z",
    "deletedAt": None,
    "position": 1,
    "createdBy": ACTOR,
    "updatedBy": ACTOR,
    "nickname": "the countess",
    "droppedField": 42,
}


def test_id_comes_first_then_fields_in_model_order_with_join_columns_in_place() -> None:
    assert list(present_record(PERSON, STORED)) == [
        "id",
        "name",
        "jobTitle",
        "companyId",
        "emails",
        "city",
        "createdAt",
        "updatedAt",
        "deletedAt",
        "position",
        "createdBy",
        "updatedBy",
    ]


def test_composites_come_whole_with_unset_sub_fields_empty() -> None:
    shown = present_record(PERSON, STORED)
    assert shown["name"] == {"firstName": "Ada", "lastName": ""}
    assert shown["emails"] == {"primaryEmail": "", "additionalEmails": []}


def test_missing_values_and_missing_join_columns_are_null() -> None:
    shown = present_record(PERSON, {"id": PERSON_ID})
    assert shown["city"] is None
    assert shown["companyId"] is None
    assert shown["createdAt"] is None and shown["createdBy"] is None


def test_values_of_inactive_or_deleted_fields_are_not_shown() -> None:
    shown = present_record(PERSON, STORED)
    assert "nickname" not in shown
    assert "droppedField" not in shown


def test_relation_fields_themselves_are_not_shown_at_depth_zero() -> None:
    shown = present_record(PERSON, STORED)
    assert "company" not in shown and "notes" not in shown


def test_system_fields_are_shown_as_stored() -> None:
    shown = present_record(PERSON, STORED)
    assert shown["createdBy"] == ACTOR
    assert shown["position"] == 1
    assert shown["deletedAt"] is None


def test_system_fields_appear_even_when_the_model_does_not_declare_them() -> None:
    bare = make_object(
        "bare", "bares", [make_field("title", FieldType.TEXT)], with_system_fields=False
    )
    shown = present_record(bare, {"id": PERSON_ID, "title": "x", "position": 2})
    assert list(shown) == [
        "id",
        "title",
        "createdAt",
        "updatedAt",
        "deletedAt",
        "position",
        "createdBy",
        "updatedBy",
    ]
    assert shown["position"] == 2


def test_presenting_does_not_change_the_stored_record() -> None:
    stored = {"id": PERSON_ID, "name": {"firstName": "Ada"}}
    present_record(PERSON, stored)
    assert stored == {"id": PERSON_ID, "name": {"firstName": "Ada"}}
