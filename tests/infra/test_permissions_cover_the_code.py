"""Every DynamoDB call the code makes is allowed by the API function's role in the template.

The calls are recorded through the botocore meter while the REST routes and the key and
workspace flows run against moto, then translated into the IAM actions AWS checks for them.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from infra.stack import API_FUNCTION, STREAM_FUNCTION
from tests.infra.template_checks import role_grants

# The IAM action behind each operation; a transaction is checked per item it contains.
ACTION_BY_OPERATION = {
    "GetItem": "dynamodb:GetItem",
    "Query": "dynamodb:Query",
    "Scan": "dynamodb:Scan",
    "BatchGetItem": "dynamodb:BatchGetItem",
    "BatchWriteItem": "dynamodb:BatchWriteItem",
    "PutItem": "dynamodb:PutItem",
    "UpdateItem": "dynamodb:UpdateItem",
    "DeleteItem": "dynamodb:DeleteItem",
}
ACTION_BY_TRANSACT_ITEM = {
    "Put": "dynamodb:PutItem",
    "Update": "dynamodb:UpdateItem",
    "Delete": "dynamodb:DeleteItem",
    "ConditionCheck": "dynamodb:ConditionCheckItem",
    "Get": "dynamodb:GetItem",
}


class CallRecorder:
    """A meter interceptor: notes (IAM action, table name, index name) and lets the call go on."""

    def __init__(self) -> None:
        self.calls: set[tuple[str, str, str | None]] = set()

    def __call__(self, operation: str, params: dict[str, Any]) -> None:
        if operation in ("TransactWriteItems", "TransactGetItems"):
            for item in params["TransactItems"]:
                ((kind, body),) = item.items()
                self.calls.add((ACTION_BY_TRANSACT_ITEM[kind], body["TableName"], None))
        elif "RequestItems" in params:
            for table in params["RequestItems"]:
                self.calls.add((ACTION_BY_OPERATION[operation], table, None))
        else:
            action = ACTION_BY_OPERATION.get(operation, f"dynamodb:{operation}")
            self.calls.add((action, params["TableName"], params.get("IndexName")))
        return None


@pytest.fixture
def recorder(aws, meter) -> CallRecorder:
    recorder = CallRecorder()
    meter.interceptors.append(recorder)
    return recorder


def assert_allowed(
    synthesized, calls: set[tuple[str, str, str | None]], function: str = API_FUNCTION
) -> None:
    role = synthesized.resource(
        synthesized.resource(function)["Properties"]["Role"]["Fn::GetAtt"][0]
    )
    grants = role_grants(role)
    arn_by_table = {
        os.environ["CRM_MAIN_TABLE"]: synthesized.logical_id("MainTable", "AWS::DynamoDB::Table"),
        os.environ["CRM_KEYS_TABLE"]: synthesized.logical_id("KeysTable", "AWS::DynamoDB::Table"),
    }
    assert calls
    for action, table, index in sorted(calls, key=str):
        resource = f"{arn_by_table[table]}.Arn" + (f"/index/{index}" if index else "")
        assert (action, resource) in grants, f"{action} on {table} {index or ''} is not allowed"


def test_every_call_of_the_rest_routes_is_allowed_by_the_api_role(synthesized, rest, recorder):
    status, body = rest.post("/rest/companies", {"name": "Acme"})
    assert status == 201
    company_id = body["data"]["createCompany"]["id"]
    people = [
        {"emails": {"primaryEmail": f"p{i}@example.com"}, "companyId": company_id} for i in range(3)
    ]
    status, body = rest.post("/rest/batch/people", people)
    assert status == 201
    person_id = body["data"]["createPeople"][0]["id"]
    upsert = [{"emails": {"primaryEmail": "p0@example.com"}, "city": "Paris"}]
    assert rest.post("/rest/batch/people?upsert=true", upsert)[0] == 201
    assert rest.get("/rest/people?limit=2")[0] == 200
    assert rest.get(f"/rest/people/{person_id}")[0] == 200
    assert rest.patch(f"/rest/people/{person_id}", {"city": "London"})[0] == 200
    assert rest.delete(f"/rest/people/{person_id}?soft_delete=true")[0] == 200
    assert rest.patch(f"/rest/restore/people/{person_id}")[0] == 200
    assert rest.delete(f"/rest/people/{person_id}")[0] == 200
    assert_allowed(synthesized, recorder.calls)


def test_every_call_of_the_workspace_and_key_flows_is_allowed_by_the_api_role(
    synthesized, aws, recorder
):
    from chalicelib.auth.api_keys import issue_key, revoke_key
    from chalicelib.metadata.provisioning import create_workspace

    workspace = create_workspace("Acme")
    key = issue_key(workspace.id, "Zapier")
    revoke_key(key.row.key_id)
    assert_allowed(synthesized, recorder.calls)


def test_every_call_of_the_metadata_routes_is_allowed_by_the_api_role(synthesized, rest, recorder):
    status, body = rest.post("/rest/metadata/objects", {
        "nameSingular": "rocket", "namePlural": "rockets",
        "labelSingular": "Rocket", "labelPlural": "Rockets",
    })  # fmt: skip
    rocket_id = body["data"]["createOneObject"]["id"]
    rest.post("/rest/batch/rockets", [{"name": "a"}, {"name": "b"}])
    status, body = rest.post("/rest/metadata/fields", {
        "objectMetadataId": rocket_id, "type": "TEXT", "name": "serial", "label": "Serial",
        "defaultValue": "'x'", "settings": {"isIndexed": True},
    })  # fmt: skip
    field_id = body["data"]["createOneField"]["id"]
    assert rest.patch(f"/rest/metadata/fields/{field_id}", {"isActive": False})[0] == 200
    assert rest.delete(f"/rest/metadata/fields/{field_id}")[0] == 200
    assert rest.patch(f"/rest/metadata/objects/{rocket_id}", {"isActive": False})[0] == 200
    assert rest.delete(f"/rest/metadata/objects/{rocket_id}")[0] == 200
    assert rest.get("/rest/metadata/fields?limit=1")[0] == 200
    assert_allowed(synthesized, recorder.calls)


def test_every_call_of_a_metadata_job_run_by_the_stream_is_allowed_by_the_stream_role(
    synthesized, rest, recorder
):
    from chalicelib.context import Principal, RequestContext, utc_now_iso
    from chalicelib.metadata.service import MetadataService
    from chalicelib.wiring import metadata_service, record_store

    status, body = rest.post("/rest/metadata/objects", {
        "nameSingular": "rocket", "namePlural": "rockets",
        "labelSingular": "Rocket", "labelPlural": "Rockets",
    })  # fmt: skip
    rocket_id = body["data"]["createOneObject"]["id"]
    rest.post("/rest/batch/rockets", [{"name": "a"}, {"name": "b"}, {"name": "c"}])
    # Changes that leave every kind of job step undone: a migration that ends by marking an
    # index ready and dropping guards, and a purge.
    tenant = rest.tenant
    ctx = RequestContext(Principal(tenant.workspace_id, tenant.key_id, "t"), utc_now_iso())
    hurried = MetadataService(record_store(), job_budget_seconds=0, scan_cap=100, job_step=1)
    field = hurried.create_field(ctx, {
        "objectMetadataId": rocket_id, "type": "TEXT", "name": "serial", "label": "Serial",
        "isUnique": True, "settings": {"isIndexed": True},
    }).field()  # fmt: skip
    hurried.update_field(ctx, field.id, {"isUnique": False})
    hurried.update_object(ctx, rocket_id, {"isActive": False})
    hurried.delete_object(ctx, rocket_id)
    recorder.calls.clear()
    assert metadata_service().run_jobs(tenant.workspace_id) is True
    assert_allowed(synthesized, recorder.calls, STREAM_FUNCTION)
