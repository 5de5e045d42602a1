"""Merging records: Twenty's value rules, the argument checks and the unit a merge writes."""

from __future__ import annotations

import pytest

from chalicelib.core import plan as ops
from chalicelib.core.many_commands import MergeRecords
from chalicelib.core.merge import (
    _hand_over,
    check_merge,
    has_value,
    merged_values,
    survivor_changes,
)
from chalicelib.core.ports import StoredRecord
from chalicelib.errors import BadRequestError, TooManyRecordsError
from chalicelib.metadata.model import FieldType, WorkspaceModel
from tests.builders import make_field, make_many_to_one, make_object, stable_id

ROCKET = make_object(
    "rocket",
    "rockets",
    [
        make_field("name", FieldType.TEXT),
        make_field("stages", FieldType.NUMBER),
        make_field("reusable", FieldType.BOOLEAN),
        make_field("kinds", FieldType.MULTI_SELECT, options=["A", "B", "C"]),
        make_field("tags", FieldType.ARRAY),
        make_field("pilot", FieldType.FULL_NAME),
        make_field("emails", FieldType.EMAILS, is_unique=True),
        make_field("site", FieldType.LINKS),
        make_field("phones", FieldType.PHONES),
        make_field("secret", FieldType.TEXT, is_system=True),
        make_many_to_one("maker"),
        make_many_to_one("parent", target="rocket"),
    ],
)
A, B, C = (stable_id("record", name) for name in "abc")


def _record(record_id: str, **body) -> StoredRecord:
    return StoredRecord(record_id, body, version=3)


def _merge(*records: StoredRecord, survivor: str = A) -> dict:
    return merged_values(ROCKET, list(records), survivor)


def test_emptiness_follows_twenty_blank_text_empty_lists_and_all_empty_objects():
    assert not any(map(has_value, [None, "", "  ", [], {}, {"a": "", "b": None}, float("nan")]))
    assert all(map(has_value, [False, 0, "x", ["a"], {"a": "", "b": 1}]))


def test_the_survivor_keeps_its_values_and_its_empty_ones_are_filled_in_the_order_of_ids():
    merged = _merge(
        _record(B, name="Beta", stages=None, reusable=False),
        _record(A, name="Alpha", stages=None, reusable=None),
        _record(C, name="Gamma", stages=3, reusable=True),
    )
    assert merged["name"] == "Alpha"
    assert merged["stages"] == 3
    # false is a value (Twenty's rule): the first record's false fills the survivor's null.
    assert merged["reusable"] is False


def test_a_field_nobody_has_a_value_for_is_left_out():
    merged = _merge(_record(A, name=""), _record(B, name="  "))
    assert "name" not in merged


def test_a_composite_is_taken_whole_from_the_first_record_with_any_sub_field_set():
    merged = _merge(
        _record(A, pilot={"firstName": "", "lastName": ""}),
        _record(B, pilot={"firstName": "", "lastName": "Gagarin"}),
        _record(C, pilot={"firstName": "Yuri", "lastName": "G."}),
    )
    assert merged["pilot"] == {"firstName": "", "lastName": "Gagarin"}


def test_multi_select_and_array_values_are_combined_without_repeats():
    merged = _merge(
        _record(B, kinds=["B"], tags=["x", "y"]),
        _record(A, kinds=["A", "B"], tags=[]),
        _record(C, kinds=None, tags=["y", "z"]),
    )
    assert merged["kinds"] == ["B", "A"]
    assert merged["tags"] == ["x", "y", "z"]


def test_emails_keep_the_survivors_primary_and_gather_every_other_address():
    merged = _merge(
        _record(A, emails={"primaryEmail": "a@x.io", "additionalEmails": ["b@x.io"]}),
        _record(B, emails={"primaryEmail": "b@x.io", "additionalEmails": ["c@x.io", "a@x.io"]}),
    )
    assert merged["emails"] == {"primaryEmail": "a@x.io", "additionalEmails": ["b@x.io", "c@x.io"]}


def test_an_empty_primary_email_is_taken_from_the_first_record_that_has_one():
    merged = _merge(
        _record(A, emails={"primaryEmail": "", "additionalEmails": ["z@x.io"]}),
        _record(B, emails={"primaryEmail": "b@x.io", "additionalEmails": []}),
    )
    assert merged["emails"] == {"primaryEmail": "b@x.io", "additionalEmails": ["z@x.io"]}


def test_links_and_phones_keep_one_primary_and_the_others_as_secondary_values():
    merged = _merge(
        _record(
            A,
            site={"primaryLinkUrl": "", "primaryLinkLabel": "",
                  "secondaryLinks": [{"url": "a.io", "label": "A"}]},
            phones={"primaryPhoneNumber": "111", "primaryPhoneCountryCode": "FR",
                    "primaryPhoneCallingCode": "+33", "additionalPhones": []},
        ),
        _record(
            B,
            site={"primaryLinkUrl": "b.io", "primaryLinkLabel": "B",
                  "secondaryLinks": [{"url": "c.io", "label": "C"}, {"url": "b.io", "label": ""}]},
            phones={"primaryPhoneNumber": "222", "primaryPhoneCountryCode": "US",
                    "primaryPhoneCallingCode": "+1",
                    "additionalPhones": [{"number": "111", "countryCode": "FR", "callingCode": "+33"}]},
        ),
    )  # fmt: skip
    assert merged["site"] == {
        "primaryLinkUrl": "b.io",
        "primaryLinkLabel": "B",
        "secondaryLinks": [{"url": "a.io", "label": "A"}, {"url": "c.io", "label": "C"}],
    }
    assert merged["phones"] == {
        "primaryPhoneNumber": "111",
        "primaryPhoneCountryCode": "FR",
        "primaryPhoneCallingCode": "+33",
        "additionalPhones": [{"number": "222", "countryCode": "US", "callingCode": "+1"}],
    }


def test_system_fields_stay_the_survivors():
    merged = _merge(
        _record(A, secret="", position=1, createdAt="2020"),
        _record(B, secret="s", position=2, createdAt="2021"),
    )
    assert not {"secret", "position", "createdAt", "id"} & set(merged)


def test_a_join_column_pointing_at_a_merged_record_points_at_the_survivor():
    maker = stable_id("record", "maker")
    survivor = _record(A, parentId=B, makerId=None)
    changes = survivor_changes(ROCKET, [survivor, _record(B, makerId=maker)], survivor)
    assert changes == {"parentId": A, "makerId": maker}


@pytest.mark.parametrize(
    ("ids", "index", "error", "text"),
    [
        ((A,), 0, BadRequestError, "At least 2"),
        (tuple(stable_id("r", str(i)) for i in range(10)), 0, TooManyRecordsError, "Maximum 9"),
        ((A, B, A), 0, BadRequestError, "repeated"),
        ((A, B), 2, BadRequestError, "Valid options for 2 records: 0-1"),
        ((A, B), -1, BadRequestError, "Invalid conflict priority"),
        ((A, "not-an-id"), 0, BadRequestError, "UUIDs"),
    ],
)
def test_bad_arguments_are_refused_before_anything_is_read(ids, index, error, text):
    model = WorkspaceModel("ws", 1, (ROCKET,))
    with pytest.raises(error, match=text):
        check_merge(MergeRecords(ROCKET, ids, index, model))


def test_a_unique_value_the_survivor_takes_changes_hands_in_one_action():
    loser = _record(B, emails={"primaryEmail": "b@x.io"})
    survivor_unit = ops.Unit((
        ops.PutRecord(ROCKET.id, A, {}, 4, expected_version=3),
        ops.ReserveUnique(ROCKET.id, "emails.primaryEmail", "b@x.io", A),
    ))  # fmt: skip
    removal = ops.Unit((
        ops.PutRecord(ROCKET.id, B, {}, 4, deleted_at="now", expected_version=3),
        ops.ReleaseUnique(ROCKET.id, "emails.primaryEmail", "b@x.io", B),
        ops.AdjustCount(ROCKET.id, -1),
    ))  # fmt: skip
    unit = _hand_over(ROCKET, survivor_unit, [loser], [removal])
    guards = [op for op in unit.operations if isinstance(op, ops.ReserveUnique | ops.ReleaseUnique)]
    assert guards == [
        ops.ReserveUnique(ROCKET.id, "emails.primaryEmail", "b@x.io", A, taken_from=B)
    ]
    assert sum(isinstance(op, ops.PutRecord) for op in unit.operations) == 2
