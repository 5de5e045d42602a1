"""Admission's one BatchGetItem across both tables: the key, the workspace, a record."""

from __future__ import annotations

import uuid

from botocore.awsrequest import AWSResponse

from chalicelib.metadata.registry import load_model
from chalicelib.storage.admission_reads import RecordRef, read_admission_items

URL = "https://dynamodb.us-east-1.amazonaws.com/"


def companies_id(workspace_id: str) -> str:
    return load_model(workspace_id).by_plural["companies"].id


def test_the_key_the_workspace_and_the_record_come_back_from_one_request(rest, meter):
    ws = rest.tenant.workspace_id
    record_id = rest.post("/rest/companies", {"name": "Acme"})[1]["data"]["createCompany"]["id"]
    ref = RecordRef(companies_id(ws), record_id)
    meter.reset()
    items = read_admission_items(ws, token=rest.tenant.token, record=ref)
    assert meter.operations == {"BatchGetItem": 1}
    assert items.key is not None and items.key.key_id == rest.tenant.key_id
    assert items.workspace is not None and items.workspace.metadata_version >= 1
    assert items.record is not None and items.record.id == record_id
    assert items.record.body["name"] == "Acme" and items.record.deleted_at is None


def test_what_is_not_stored_comes_back_as_none(rest):
    ws = rest.tenant.workspace_id
    missing = RecordRef(companies_id(ws), str(uuid.uuid4()))
    items = read_admission_items(ws, token="crm_never-issued", record=missing)
    assert items.key is None and items.record is None and items.workspace is not None
    gone = read_admission_items(str(uuid.uuid4()), token=rest.tenant.token)
    assert gone.workspace is None and gone.key is not None


def test_a_soft_deleted_record_is_read_and_a_destroyed_one_is_not(rest):
    ws = rest.tenant.workspace_id
    ids = [c["id"] for c in rest.post("/rest/batch/companies", [{"name": "a"}, {"name": "b"}])[1][
        "data"]["createCompanies"]]  # fmt: skip
    assert rest.delete(f"/rest/companies/{ids[0]}?soft_delete=true")[0] == 200
    assert rest.delete(f"/rest/companies/{ids[1]}")[0] == 200
    object_id = companies_id(ws)
    soft = read_admission_items(ws, record=RecordRef(object_id, ids[0])).record
    assert soft is not None and soft.deleted_at is not None
    # The tombstone a destroy leaves is no record, as for every read (storage/records.py).
    assert read_admission_items(ws, record=RecordRef(object_id, ids[1])).record is None


def test_unprocessed_keys_are_sent_again_until_every_key_is_answered(rest, meter):
    ws = rest.tenant.workspace_id
    record_id = rest.post("/rest/companies", {"name": "Acme"})[1]["data"]["createCompany"]["id"]
    left = [2]

    def unprocessed(operation: str, params: dict) -> object:
        if operation != "BatchGetItem" or left[0] == 0:
            return None
        left[0] -= 1  # DynamoDB may leave any keys unanswered, here all of them
        return AWSResponse(URL, 200, {}, None), {
            "Responses": {},
            "UnprocessedKeys": params["RequestItems"],
        }

    ref = RecordRef(companies_id(ws), record_id)
    meter.interceptors.append(unprocessed)
    meter.reset()
    items = read_admission_items(ws, token=rest.tenant.token, record=ref)
    assert meter.operations == {"BatchGetItem": 3}
    assert items.key is not None and items.workspace is not None and items.record is not None
