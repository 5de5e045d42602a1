"""Rewriting a stored record under its object's current model."""

from __future__ import annotations

from chalicelib.core.plan import PutRecord
from chalicelib.core.ports import StoredRecord
from chalicelib.core.record_migration import RecordMigrator, migrated_body
from chalicelib.metadata.model import FieldType, IndexSpec
from tests.builders import make_field, make_many_to_one, make_object

ROCKET = make_object(
    "rocket",
    "rockets",
    [
        make_field("name", FieldType.TEXT),
        make_field("grade", FieldType.SELECT, options=["A", "B"]),
        make_field("kinds", FieldType.MULTI_SELECT, options=["A", "B"]),
        make_field("stages", FieldType.NUMBER, default_value=2),
        make_field("dormant", FieldType.TEXT, is_active=False),
        make_many_to_one("maker"),
    ],
    indexes=(IndexSpec(path="name", slot=1),),
)


def test_values_of_fields_the_model_no_longer_has_are_dropped():
    body = {"name": "x", "color": "red", "oldId": "1", "stages": 3, "makerId": None}
    assert migrated_body(ROCKET, body) == {"name": "x", "stages": 3, "makerId": None}


def test_inactive_fields_keep_their_values():
    assert migrated_body(ROCKET, {"dormant": "zz", "stages": 1})["dormant"] == "zz"


def test_removed_options_are_cleared_from_select_and_multi_select_values():
    body = {"grade": "C", "kinds": ["A", "C"], "stages": 1}
    assert migrated_body(ROCKET, body) == {"grade": None, "kinds": ["A"], "stages": 1}


def test_a_field_added_with_a_default_gets_it_on_records_written_before():
    assert migrated_body(ROCKET, {"name": "x"})["stages"] == 2
    assert "grade" not in migrated_body(ROCKET, {"name": "x"})  # no default: stays absent


def test_a_record_already_in_line_needs_no_write_unless_reindexing():
    record = StoredRecord("r1", {"name": "x", "stages": 1}, version=4)
    assert RecordMigrator(ROCKET, reindex=False).unit(record) is None
    unit = RecordMigrator(ROCKET, reindex=True).unit(record)
    assert unit is not None
    (put,) = unit.operations
    assert isinstance(put, PutRecord)
    assert (put.version, put.expected_version, put.previous_body) == (5, 4, record.body)


def test_soft_deleted_records_are_migrated_and_stay_soft_deleted():
    record = StoredRecord("r1", {"color": "red"}, version=1, deleted_at="2026-01-01T00:00:00.000Z")
    (put,) = RecordMigrator(ROCKET, reindex=True).unit(record).operations
    assert put.deleted_at == put.previous_deleted_at == record.deleted_at
    assert "color" not in put.body


def test_a_renamed_field_takes_its_value_along_unless_the_new_name_was_written_since():
    assert migrated_body(ROCKET, {"title": "x", "stages": 1}, {"title": "name"})["name"] == "x"
    both = {"title": "old", "name": "new", "stages": 1}
    assert migrated_body(ROCKET, both, {"title": "name"}) == {"name": "new", "stages": 1}
