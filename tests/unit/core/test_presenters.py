"""The per-object presenters: worked out once per object definition, exact on every record."""

from __future__ import annotations

import pytest

from chalicelib.core.composites import empty_composite
from chalicelib.core.ports import StoredRecord
from chalicelib.core.presentation import present_record, present_records, present_stored
from chalicelib.metadata.model import FieldType
from tests.builders import make_field, make_object

COMPANY = make_object(
    "company",
    "companies",
    [make_field("name", FieldType.TEXT), make_field("domainName", FieldType.LINKS)],
)
LINKS = {"primaryLinkUrl": "https://acme.io", "primaryLinkLabel": "", "secondaryLinks": None}


def test_a_composite_stored_whole_is_shown_as_a_copy_not_the_stored_dict() -> None:
    stored = {"id": "c1", "name": "Acme", "domainName": dict(LINKS)}
    shown = present_record(COMPANY, stored)
    assert shown["domainName"] == LINKS
    shown["domainName"]["primaryLinkUrl"] = "changed"
    assert stored["domainName"]["primaryLinkUrl"] == "https://acme.io"


def test_a_composite_stored_out_of_order_or_with_unknown_keys_is_shown_in_sub_field_order() -> None:
    scrambled = {"secondaryLinks": None, "legacy": 1, "primaryLinkUrl": "https://acme.io"}
    shown = present_record(COMPANY, {"id": "c1", "domainName": scrambled})["domainName"]
    assert list(shown) == ["primaryLinkUrl", "primaryLinkLabel", "secondaryLinks"]
    assert shown == {
        "primaryLinkUrl": "https://acme.io",
        "primaryLinkLabel": "",
        "secondaryLinks": None,
    }


def test_a_composite_stored_as_something_else_is_shown_empty() -> None:
    shown = present_record(COMPANY, {"id": "c1", "domainName": "acme.io"})["domainName"]
    assert shown == empty_composite(FieldType.LINKS)


def test_a_changed_object_definition_gets_its_own_columns() -> None:
    stored = {"id": "c1", "name": "Acme", "employees": 12}
    assert "employees" not in present_records(COMPANY, [stored])[0]
    grown = make_object(
        "company",
        "companies",
        [make_field("name", FieldType.TEXT), make_field("employees", FieldType.NUMBER)],
    )
    assert present_records(grown, [stored])[0]["employees"] == 12
    assert "employees" not in present_record(COMPANY, stored)


STORED = [
    # A body holding stale `id` and `deletedAt` values: the record's own win, as in shaped().
    StoredRecord("c1", {"name": "Acme", "domainName": dict(LINKS), "id": "x", "deletedAt": "y"}, 3),
    StoredRecord("c2", {"name": "Beta"}, 1, deleted_at="2026-12-07T10:00:00.000Z"),
    StoredRecord("c3", {}, 1),
]


@pytest.mark.parametrize(
    "only",
    [None, frozenset({"id", "name"}), frozenset({"name"}), frozenset({"deletedAt", "domainName"})],
)
def test_stored_records_are_presented_as_their_shaped_copies_are(only) -> None:
    shown = present_stored(COMPANY, STORED, only)
    expected = present_records(COMPANY, [record.shaped() for record in STORED], only)
    assert shown == expected
    assert [list(record) for record in shown] == [list(record) for record in expected]
