"""Every DynamoDB and SQS call the code makes is allowed by its function's role in the template.

The calls are recorded through the botocore meter (and the webhook queue client's events) while
the REST routes, the key and workspace flows, a stream batch and delivery attempts run against
moto, then translated into the IAM actions AWS checks for them.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from infra.stack import API_FUNCTION, DELIVERY_FUNCTION, STREAM_FUNCTION
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
    from chalicelib.auth import key_management
    from chalicelib.auth.api_keys import issue_key, revoke_key
    from chalicelib.context import Principal, RequestContext, utc_now_iso
    from chalicelib.metadata.provisioning import create_workspace

    workspace = create_workspace("Acme")
    key = issue_key(workspace.id, "Zapier")
    # The management API (REST /rest/metadata/apiKeys and the GraphQL metadata API share it).
    ctx = RequestContext(Principal(workspace.id, key.row.key_id, "Zapier"), utc_now_iso())
    other = key_management.create_key(ctx, {"name": "CI", "expiresAt": "2099-01-01"})
    key_management.list_keys(ctx)
    key_management.update_key(ctx, other.row.key_id, {"name": "CI 2"})
    key_management.generate_token(ctx, other.row.key_id, "2099-01-01")
    key_management.revoke_key(ctx, other.row.key_id)
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


# -- webhooks: management and replay (API), dispatch (stream), attempts (delivery) -------------

# The IAM action behind each SQS operation the code can make (a batch is authorised per action).
ACTION_BY_QUEUE_OPERATION = {
    "SendMessage": "sqs:SendMessage",
    "SendMessageBatch": "sqs:SendMessage",
    "ReceiveMessage": "sqs:ReceiveMessage",
    "DeleteMessage": "sqs:DeleteMessage",
    "DeleteMessageBatch": "sqs:DeleteMessage",
    "ChangeMessageVisibility": "sqs:ChangeMessageVisibility",
    "ChangeMessageVisibilityBatch": "sqs:ChangeMessageVisibility",
    "GetQueueAttributes": "sqs:GetQueueAttributes",
}


class QueueCalls:
    """The SQS calls of the webhook queue's client, as (IAM action, queue URL)."""

    def __init__(self) -> None:
        self.calls: set[tuple[str, str]] = set()

    def __call__(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        self.calls.add((ACTION_BY_QUEUE_OPERATION[model.name], params["QueueUrl"]))


@pytest.fixture
def delivery_queue(aws, monkeypatch) -> QueueCalls:
    """A real (moto) SQS queue as CRM_WEBHOOK_QUEUE_URL, its client's calls recorded."""
    import dataclasses

    import boto3

    from chalicelib.settings import SETTINGS
    from chalicelib.webhooks import queue

    url = boto3.client("sqs", region_name=SETTINGS.region).create_queue(QueueName="deliveries")
    monkeypatch.setattr(
        queue, "SETTINGS", dataclasses.replace(SETTINGS, webhook_queue_url=url["QueueUrl"])
    )
    queue._sqs_client.cache_clear()  # a client created under this test's mock
    calls = QueueCalls()
    queue._sqs_client().meta.events.register("before-parameter-build.sqs", calls)
    yield calls
    queue._sqs_client.cache_clear()


@pytest.fixture
def public_dns(monkeypatch) -> dict[str, list[str]]:
    """Host -> addresses for webhook targets (the one seam the SSRF guard lets tests replace)."""
    from chalicelib.webhooks import ssrf

    table: dict[str, list[str]] = {}
    monkeypatch.setattr(ssrf, "resolve_addresses", lambda host, port: table[host])
    return table


def assert_queue_allowed(synthesized, queue_calls: QueueCalls, function: str) -> None:
    role = synthesized.resource(
        synthesized.resource(function)["Properties"]["Role"]["Fn::GetAtt"][0]
    )
    queue_arn = f"{synthesized.logical_id('DeliveryQueue', 'AWS::SQS::Queue')}.Arn"
    assert queue_calls.calls
    for action, _url in queue_calls.calls:
        assert (action, queue_arn) in role_grants(role), f"{action} is not allowed to {function}"


def _webhook_with_deliveries(rest, public_dns, target: str) -> tuple[str, list[Any]]:
    """A webhook on `target` and the deliveries of three record changes (stream fed, queued),
    oldest first."""
    from chalicelib.storage import webhook_deliveries
    from chalicelib.webhooks.model import DeliveryRef
    from tests.webhook_support import StreamFeed

    public_dns["hooks.example.com"] = ["93.184.215.14"]
    status, body = rest.post("/rest/metadata/webhooks", {"targetUrl": target, "secret": "s"})
    assert status == 201, body
    webhook_id = body["data"]["createWebhook"]["id"]
    feed = StreamFeed()
    status, body = rest.post("/rest/companies", {"name": "Acme"})
    company_path = f"/rest/companies/{body['data']['createCompany']['id']}"
    assert rest.patch(company_path, {"name": "Acme Corp"})[0] == 200
    rest.post("/rest/companies", {"name": "Globex"})
    feed.pump()
    workspace_id = rest.tenant.workspace_id
    logged = webhook_deliveries.list_deliveries(workspace_id, webhook_id, 10)
    assert len(logged) == 3
    return webhook_id, [DeliveryRef(workspace_id, webhook_id, d.id) for d in reversed(logged)]


def test_every_call_of_the_webhook_routes_and_a_replay_is_allowed_by_the_api_role(
    synthesized, rest, recorder, delivery_queue, public_dns
):
    webhook_id, refs = _webhook_with_deliveries(rest, public_dns, "https://hooks.example.com/x")
    recorder.calls.clear()
    path = f"/rest/metadata/webhooks/{webhook_id}"
    assert rest.get("/rest/metadata/webhooks")[0] == 200
    assert rest.get(path)[0] == 200
    assert rest.patch(path, {"description": "CRM sync"})[0] == 200
    status, body = rest.get(f"{path}/deliveries")
    assert status == 200, body
    assert rest.post(f"{path}/deliveries/{refs[0].delivery_id}/replay")[0] in (200, 201)
    assert rest.delete(path)[0] == 200
    assert_allowed(synthesized, recorder.calls)
    assert_queue_allowed(synthesized, delivery_queue, API_FUNCTION)


def test_every_call_of_a_stream_batch_dispatching_webhooks_is_allowed_by_the_stream_role(
    synthesized, rest, recorder, delivery_queue, public_dns
):
    from tests.webhook_support import StreamFeed

    public_dns["hooks.example.com"] = ["93.184.215.14"]
    target = {"targetUrl": "https://hooks.example.com/x", "operations": ["company.*"]}
    assert rest.post("/rest/metadata/webhooks", target)[0] == 201
    feed = StreamFeed()
    feed.skip()
    rest.post("/rest/batch/companies", [{"name": f"c{n}"} for n in range(3)])
    recorder.calls.clear()
    assert len(feed.pump()) >= 3
    assert_allowed(synthesized, recorder.calls, STREAM_FUNCTION)
    assert_queue_allowed(synthesized, delivery_queue, STREAM_FUNCTION)


def test_every_call_of_delivery_attempts_is_allowed_by_the_delivery_role(
    synthesized, rest, recorder, delivery_queue, public_dns, monkeypatch
):
    import dataclasses
    import http.server
    import threading

    from chalicelib.settings import SETTINGS
    from chalicelib.webhooks import delivery, sender

    answers = iter([500, 500, 200])

    class Receiver(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(next(answers))
            self.end_headers()

        def log_message(self, *_: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        target = f"http://hooks.example.com:{server.server_port}/x"
        _, refs = _webhook_with_deliveries(rest, public_dns, target)
        # At send time the name resolves to the receiver (loopback allowed, as `make run` does).
        public_dns["hooks.example.com"] = ["127.0.0.1"]
        monkeypatch.setattr(
            sender, "SETTINGS", dataclasses.replace(SETTINGS, webhook_allow_loopback=True)
        )
        recorder.calls.clear()
        outcomes = []
        # The first delivery fails and is queued for a retry, a second attempt of it is not due
        # yet (queued again); the second fails for good (counted on the webhook); the third is
        # delivered (the webhook's failure count reset).
        for ref, retries in ((refs[0], 1), (refs[0], 1), (refs[1], 0), (refs[2], 0)):
            changed = dataclasses.replace(SETTINGS, webhook_max_retries=retries)
            monkeypatch.setattr(delivery, "SETTINGS", changed)
            outcomes.append(delivery.attempt(ref).status)  # type: ignore[union-attr]
    finally:
        server.shutdown()
        server.server_close()
    assert outcomes == ["PENDING", "PENDING", "FAILED", "DELIVERED"]
    assert_allowed(synthesized, recorder.calls, DELIVERY_FUNCTION)
    assert_queue_allowed(synthesized, delivery_queue, DELIVERY_FUNCTION)
