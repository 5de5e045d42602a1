"""Import mode of record creation: the API's checks and write units, keeping exported system
values."""

from __future__ import annotations

import pytest

from chalicelib.core import plan as ops
from chalicelib.core.importing import create_unit, prepare_record
from chalicelib.errors import CrmError
from chalicelib.metadata.model import FieldType
from tests.builders import make_field, make_object

OBJ = make_object(
    "person",
    "people",
    [make_field("emails", FieldType.EMAILS, is_unique=True), make_field("age", FieldType.NUMBER)],
)
ACTOR = {"source": "IMPORT", "name": "Test", "workspaceMemberId": None, "context": {}}
RECORD_ID = "6a1f6a9e-3f5b-4c1e-9d2a-1b2c3d4e5f60"
EXPORTED = {
    "id": RECORD_ID,
    "emails": {"primaryEmail": "ada@x.test", "additionalEmails": []},
    "age": 36,
    "position": 3,
    "createdAt": "2020-01-02T03:04:05.000Z",
    "updatedAt": "2021-01-02T03:04:05.000Z",
    "createdBy": {"source": "API", "name": "Zapier", "workspaceMemberId": None, "context": {}},
    "updatedBy": {"source": "MANUAL", "name": "Ada", "workspaceMemberId": None, "context": {}},
    "deletedAt": None,
}


def test_exported_system_values_are_kept_as_they_were():
    record = prepare_record(OBJ, EXPORTED, now="2030-01-01T00:00:00.000Z", actor=ACTOR)
    assert record.id == RECORD_ID and record.live
    for key in ("createdAt", "updatedAt", "createdBy", "updatedBy", "position", "age"):
        assert record.body[key] == EXPORTED[key]


def test_a_row_without_system_values_gets_now_and_the_importing_actor():
    record = prepare_record(OBJ, {"id": RECORD_ID}, now="2030-01-01T00:00:00.000Z", actor=ACTOR)
    assert record.body["createdAt"] == record.body["updatedAt"] == "2030-01-01T00:00:00.000Z"
    assert record.body["createdBy"] == record.body["updatedBy"] == ACTOR


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"age": "old"}, "age"),
        ({"emails": {"primaryEmail": "nope"}}, "email"),
        ({"shoeSize": 42}, "shoeSize"),
        ({"createdAt": "yesterday"}, "createdAt"),
        ({"id": None}, "needs its 'id'"),
    ],
)
def test_values_are_checked_as_the_api_checks_them(change, message):
    with pytest.raises(CrmError, match=message):
        prepare_record(OBJ, {**EXPORTED, **change}, now="2030-01-01T00:00:00.000Z", actor=ACTOR)


def test_a_live_record_takes_its_guards_and_the_counter_a_soft_deleted_one_neither():
    live = prepare_record(OBJ, EXPORTED, now="now", actor=ACTOR)
    gone = prepare_record(
        OBJ, {**EXPORTED, "deletedAt": "2022-01-01T00:00:00.000Z"}, now="now", actor=ACTOR
    )
    live_ops = create_unit(OBJ, live, [("companyId", "c", "t")], 0).operations
    assert [type(op) for op in live_ops] == [
        ops.PutRecord,
        ops.ReserveUnique,
        ops.RequireRecord,
        ops.AdjustCount,
    ]
    gone_ops = create_unit(OBJ, gone, [], 1).operations
    assert [type(op) for op in gone_ops] == [ops.PutRecord]
    put = gone_ops[0]
    assert isinstance(put, ops.PutRecord)
    assert (put.deleted_at, put.expected_version) == ("2022-01-01T00:00:00.000Z", None)
