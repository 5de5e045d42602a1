"""The composite field types: sub-fields, empty values and uniqueness parts."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.core import composites
from chalicelib.core.composites import SubFieldKind
from chalicelib.metadata.model import FieldType

EXPECTED_SUB_FIELDS = {
    FieldType.CURRENCY: ("amountMicros", "currencyCode"),
    FieldType.FULL_NAME: ("firstName", "lastName"),
    FieldType.EMAILS: ("primaryEmail", "additionalEmails"),
    FieldType.PHONES: (
        "primaryPhoneNumber",
        "primaryPhoneCountryCode",
        "primaryPhoneCallingCode",
        "additionalPhones",
    ),
    FieldType.LINKS: ("primaryLinkUrl", "primaryLinkLabel", "secondaryLinks"),
    FieldType.ADDRESS: (
        "addressStreet1",
        "addressStreet2",
        "addressStreet3",
        "addressCity",
        "addressPostcode",
        "addressState",
        "addressCountry",
        "addressLat",
        "addressLng",
    ),
    FieldType.ACTOR: ("source", "name", "workspaceMemberId", "context"),
    FieldType.RICH_TEXT_V2: ("blocknote", "markdown"),
}


def test_every_composite_type_lists_its_sub_fields_in_twenty_order() -> None:
    actual = {kind: composites.sub_field_names(kind) for kind in composites.COMPOSITE_SUB_FIELDS}
    assert actual == EXPECTED_SUB_FIELDS


def test_only_the_eight_composite_types_are_composite() -> None:
    composite_types = {kind for kind in FieldType if composites.is_composite(kind)}
    assert composite_types == set(EXPECTED_SUB_FIELDS)


def test_a_scalar_type_has_no_sub_fields() -> None:
    assert composites.sub_fields(FieldType.TEXT) == ()
    assert composites.empty_composite(FieldType.TEXT) == {}
    assert composites.find_sub_field(FieldType.TEXT, "firstName") is None


def test_sub_fields_declare_the_twenty_type_used_for_filters() -> None:
    amount = composites.find_sub_field(FieldType.CURRENCY, "amountMicros")
    source = composites.find_sub_field(FieldType.ACTOR, "source")
    emails = composites.find_sub_field(FieldType.EMAILS, "additionalEmails")
    assert amount is not None and amount.type is FieldType.NUMERIC
    assert source is not None and source.type is FieldType.SELECT
    assert emails is not None and emails.type is FieldType.RAW_JSON
    assert emails.kind is SubFieldKind.EMAIL_LIST


def test_empty_composites_use_empty_text_null_numbers_and_empty_lists() -> None:
    assert composites.empty_composite(FieldType.CURRENCY) == {
        "amountMicros": None,
        "currencyCode": "",
    }
    assert composites.empty_composite(FieldType.EMAILS) == {
        "primaryEmail": "",
        "additionalEmails": [],
    }
    assert composites.empty_composite(FieldType.PHONES)["additionalPhones"] == []
    assert composites.empty_composite(FieldType.LINKS)["secondaryLinks"] == []
    address = composites.empty_composite(FieldType.ADDRESS)
    assert address["addressStreet3"] == "" and address["addressLat"] is None
    assert composites.empty_composite(FieldType.ACTOR) == {
        "source": "MANUAL",
        "name": "",
        "workspaceMemberId": None,
        "context": {},
    }
    assert composites.empty_composite(FieldType.RICH_TEXT_V2) == {
        "blocknote": None,
        "markdown": None,
    }


def test_an_empty_composite_can_be_mutated_without_affecting_the_next_one() -> None:
    first = composites.empty_composite(FieldType.EMAILS)
    first["additionalEmails"].append("x@example.com")
    actor = composites.empty_composite(FieldType.ACTOR)
    actor["context"]["provider"] = "google"
    assert composites.empty_composite(FieldType.EMAILS)["additionalEmails"] == []
    assert composites.empty_composite(FieldType.ACTOR)["context"] == {}


def test_uniqueness_uses_primary_email_primary_link_and_the_primary_phone() -> None:
    assert composites.unique_sub_field_names(FieldType.EMAILS) == ("primaryEmail",)
    assert composites.unique_sub_field_names(FieldType.LINKS) == ("primaryLinkUrl",)
    assert composites.unique_sub_field_names(FieldType.PHONES) == (
        "primaryPhoneNumber",
        "primaryPhoneCountryCode",
        "primaryPhoneCallingCode",
    )


def test_composites_without_a_unique_part_have_no_unique_sub_fields() -> None:
    for kind in (FieldType.ADDRESS, FieldType.FULL_NAME, FieldType.CURRENCY, FieldType.ACTOR):
        assert composites.unique_sub_field_names(kind) == ()


def test_filling_a_partial_composite_completes_it_in_sub_field_order() -> None:
    filled = composites.fill_composite(FieldType.FULL_NAME, {"lastName": "Doe"})
    assert list(filled.items()) == [("firstName", ""), ("lastName", "Doe")]


def test_filling_drops_keys_that_are_not_sub_fields() -> None:
    filled = composites.fill_composite(FieldType.CURRENCY, {"amountMicros": 5, "legacy": 1})
    assert filled == {"amountMicros": 5, "currencyCode": ""}


def test_filling_something_that_is_not_an_object_gives_the_empty_composite() -> None:
    assert composites.fill_composite(FieldType.LINKS, None) == composites.empty_composite(
        FieldType.LINKS
    )
    assert composites.fill_composite(FieldType.LINKS, "x") == composites.empty_composite(
        FieldType.LINKS
    )


def test_filling_keeps_stored_nulls_as_they_are() -> None:
    filled = composites.fill_composite(FieldType.EMAILS, {"additionalEmails": None})
    assert filled["additionalEmails"] is None


@given(
    kind=st.sampled_from(sorted(composites.COMPOSITE_SUB_FIELDS)),
    data=st.data(),
)
def test_filling_is_idempotent_and_always_yields_every_sub_field(
    kind: FieldType, data: st.DataObject
) -> None:
    names = composites.sub_field_names(kind)
    partial = data.draw(
        st.dictionaries(st.sampled_from(names + ("junk",)), st.text(max_size=5), max_size=4)
    )
    once = composites.fill_composite(kind, partial)
    assert tuple(once) == names
    assert composites.fill_composite(kind, once) == once
