"""Record writes through the API reach webhooks as stored, queued deliveries: moto's stream read
back and fed to the real stream handler (tests/webhook_support.py)."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace

import pytest

from chalicelib.context import utc_now_iso
from chalicelib.storage import webhook_deliveries, webhooks
from chalicelib.webhooks.model import ACTIVE, DELIVERED, DISABLED, PENDING, Webhook
from tests.functional.graphql_support import GraphQLClient
from tests.support import RestClient, make_tenant
from tests.webhook_support import QueueSink, StreamFeed, queue_sink

PAYLOAD_KEYS = ["targetUrl", "eventName", "objectMetadata", "workspaceId", "webhookId",
                "eventDate", "record"]  # fmt: skip


@pytest.fixture
def sink(aws):
    with queue_sink() as installed:
        yield installed


@pytest.fixture
def feed(tenant, client):
    """The stream from here on: everything written while setting up is skipped."""
    stream = StreamFeed()
    stream.skip()
    return stream


@pytest.fixture
def gql(client, tenant):
    return GraphQLClient(client.http, tenant)


def add_webhook(workspace_id: str, operations=("*.*",), status=ACTIVE) -> Webhook:
    now = utc_now_iso()
    hook = Webhook(
        id=str(uuid.uuid4()),
        workspace_id=workspace_id,
        target_url="https://hooks.example.com/crm",
        operations=tuple(operations),
        description=None,
        secret="s3cret",
        status=status,
        disabled_reason="too many failures" if status == DISABLED else None,
        consecutive_failures=0,
        created_at=now,
        updated_at=now,
    )
    webhooks.create_webhook(hook)
    return hook


def logged(hook: Webhook, sink: QueueSink | None = None) -> list[dict]:
    """The payloads of a webhook's deliveries: in the order they were queued (stream order) when
    a sink is given, else in the log's order from oldest (events of one millisecond in the log
    are in no particular order)."""
    entries = webhook_deliveries.list_deliveries(hook.workspace_id, hook.id, 1000)[::-1]
    if sink is not None:
        queued = {ref.delivery_id: position for position, ref in enumerate(sink.refs)}
        entries.sort(key=lambda entry: queued[entry.id])
    return [json.loads(entry.body) for entry in entries]


def event_names(hook: Webhook, sink: QueueSink | None = None) -> list[str]:
    return [payload["eventName"] for payload in logged(hook, sink)]


def create_company(rest, name="Acme") -> dict:
    status, body = rest.post("/rest/companies", {"name": name})
    assert status == 201, body
    return body["data"]["createCompany"]


# -- every event, from REST and GraphQL writes ---------------------------------------------------


def test_a_company_created_through_rest_is_stored_and_queued_as_a_created_delivery(
    rest, feed, sink
):
    hook = add_webhook(rest.tenant.workspace_id)
    company = create_company(rest)
    feed.pump()
    [payload] = logged(hook)
    assert list(payload) == PAYLOAD_KEYS
    assert payload["eventName"] == "company.created"
    assert payload["targetUrl"] == hook.target_url and payload["webhookId"] == hook.id
    assert payload["workspaceId"] == rest.tenant.workspace_id
    assert payload["objectMetadata"]["nameSingular"] == "company"
    assert payload["record"]["id"] == company["id"] and payload["record"]["name"] == "Acme"
    assert payload["eventDate"] == payload["record"]["createdAt"]
    [delivery] = webhook_deliveries.list_deliveries(hook.workspace_id, hook.id, 10)
    assert (delivery.status, delivery.attempts, delivery.record_id) == (PENDING, 0, company["id"])
    assert [(ref.delivery_id, delay) for refs, delay in sink.calls for ref in refs] == [
        (delivery.id, 0.0)
    ]


def test_the_record_sent_is_the_record_the_api_shows(rest, feed, sink):
    hook = add_webhook(rest.tenant.workspace_id)
    company = create_company(rest)
    feed.pump()
    [payload] = logged(hook)
    status, body = rest.get(f"/rest/companies/{company['id']}?depth=0")
    assert status == 200
    assert payload["record"] == body["data"]["company"]


def test_a_rest_update_sends_the_fields_it_changed(rest, feed, sink):
    hook = add_webhook(rest.tenant.workspace_id)
    company = create_company(rest)
    status, body = rest.patch(
        f"/rest/companies/{company['id']}", {"name": "Acme 2", "employees": 5}
    )
    assert status == 200, body
    feed.pump()
    created, updated = logged(hook, sink)
    assert updated["eventName"] == "company.updated"
    assert sorted(updated["updatedFields"]) == ["employees", "name"]
    assert "updatedFields" not in created
    assert updated["record"]["name"] == "Acme 2"
    assert updated["eventDate"] == updated["record"]["updatedAt"] >= created["eventDate"]


def test_an_update_that_changes_no_value_sends_nothing(rest, feed, sink):
    hook = add_webhook(rest.tenant.workspace_id)
    company = create_company(rest)
    feed.pump()
    assert rest.patch(f"/rest/companies/{company['id']}", {"name": "Acme"})[0] == 200
    feed.pump()
    assert event_names(hook) == ["company.created"]


def test_graphql_create_and_update_send_created_and_updated(gql, feed, sink):
    hook = add_webhook(gql.tenant.workspace_id)
    company = gql.data('mutation { createCompany(data: {name: "Initech"}) { id } }')
    record_id = company["createCompany"]["id"]
    gql.data(f'mutation {{ updateCompany(id: "{record_id}", data: {{employees: 9}}) {{ id }} }}')
    feed.pump()
    created, updated = logged(hook, sink)
    assert (created["eventName"], updated["eventName"]) == ("company.created", "company.updated")
    assert updated["updatedFields"] == ["employees"] and updated["record"]["employees"] == 9


def test_soft_delete_restore_and_destroy_send_deleted_restored_destroyed(rest, gql, feed, sink):
    hook = add_webhook(rest.tenant.workspace_id)
    record_id = create_company(rest)["id"]
    assert rest.delete(f"/rest/companies/{record_id}?soft_delete=true")[0] == 200
    assert rest.patch(f"/rest/restore/companies/{record_id}")[0] == 200
    gql.data(f'mutation {{ destroyCompany(id: "{record_id}") {{ id }} }}')
    feed.pump()
    created, deleted, restored, destroyed = logged(hook, sink)
    assert [p["eventName"] for p in (deleted, restored, destroyed)] == [
        "company.deleted",
        "company.restored",
        "company.destroyed",
    ]
    # The soft-deleted record as it now is; the destroyed one as it last was.
    assert deleted["record"]["deletedAt"] == deleted["eventDate"] is not None
    assert restored["record"]["deletedAt"] is None
    assert destroyed["record"]["id"] == record_id and destroyed["record"]["name"] == "Acme"
    assert all("updatedFields" not in p for p in (created, deleted, restored, destroyed))


def test_a_custom_object_sends_events_under_its_own_name(rest, feed, sink):
    status, body = rest.post(
        "/rest/metadata/objects",
        {"nameSingular": "rocket", "namePlural": "rockets", "labelSingular": "Rocket",
         "labelPlural": "Rockets"},
    )  # fmt: skip
    assert status == 201, body
    object_id = body["data"]["createOneObject"]["id"]
    hook = add_webhook(rest.tenant.workspace_id, ["rocket.*"])
    status, body = rest.post("/rest/rockets", {"name": "Saturn"})
    assert status == 201, body
    rest.patch(f"/rest/rockets/{body['data']['createRocket']['id']}", {"name": "Saturn V"})
    feed.pump()
    created, updated = logged(hook, sink)
    assert created["eventName"] == "rocket.created" and updated["eventName"] == "rocket.updated"
    assert created["objectMetadata"] == {"id": object_id, "nameSingular": "rocket"}
    assert updated["updatedFields"] == ["name"]


def test_a_deactivated_object_sends_nothing(rest, feed, sink):
    hook = add_webhook(rest.tenant.workspace_id)
    status, body = rest.post(
        "/rest/metadata/objects",
        {"nameSingular": "rocket", "namePlural": "rockets", "labelSingular": "Rocket",
         "labelPlural": "Rockets"},
    )  # fmt: skip
    object_id = body["data"]["createOneObject"]["id"]
    assert rest.post("/rest/rockets", {"name": "Saturn"})[0] == 201
    records = feed.read()
    assert rest.patch(f"/rest/metadata/objects/{object_id}", {"isActive": False})[0] == 200
    feed.feed(records)
    assert logged(hook) == []


# -- many records -------------------------------------------------------------------------------


def test_a_batch_of_60_creates_60_deliveries_per_webhook_in_one_write(rest, feed, sink, meter):
    first, second = add_webhook(rest.tenant.workspace_id), add_webhook(rest.tenant.workspace_id)
    batch = [{"name": f"c{i}"} for i in range(60)]
    assert rest.post("/rest/batch/companies", batch)[0] == 201
    records = feed.read()
    meter.reset()
    feed.feed(records)
    for hook in (first, second):
        payloads = logged(hook)
        assert len(payloads) == 60 and {p["eventName"] for p in payloads} == {"company.created"}
        assert len({p["record"]["id"] for p in payloads}) == 60
    assert len(sink.refs) == 120 and len(set(sink.refs)) == 120
    # 120 conditional puts in two transactions of at most 100 (not one write per delivery)
    assert meter.operations["TransactWriteItems"] == 2, meter.operations


def test_webhooks_and_the_model_are_read_once_per_batch(rest, feed, sink, meter):
    add_webhook(rest.tenant.workspace_id)
    add_webhook(rest.tenant.workspace_id, ["person.*"])
    assert rest.post("/rest/batch/companies", [{"name": f"c{i}"} for i in range(60)])[0] == 201
    records = feed.read()
    meter.reset()
    feed.feed(records)
    # one Query of the webhooks, one GetItem of the model version (warm cache), one write
    assert meter.operations == {"Query": 1, "GetItem": 1, "TransactWriteItems": 1}


def test_update_many_sends_one_updated_event_per_record(rest, feed, sink):
    hook = add_webhook(rest.tenant.workspace_id, ["*.updated"])
    assert rest.post("/rest/batch/companies", [{"name": f"c{i}"} for i in range(5)])[0] == 201
    status, body = rest.patch("/rest/companies?filter=name[like]:c%25", {"employees": 3})
    assert status == 200, body
    feed.pump()
    payloads = logged(hook)
    assert len(payloads) == 5 and {p["eventName"] for p in payloads} == {"company.updated"}
    assert {tuple(p["updatedFields"]) for p in payloads} == {("employees",)}


def test_delete_many_sends_one_deleted_event_per_record(rest, feed, sink):
    hook = add_webhook(rest.tenant.workspace_id, ["company.deleted"])
    assert rest.post("/rest/batch/companies", [{"name": f"c{i}"} for i in range(4)])[0] == 201
    status, body = rest.delete("/rest/companies?filter=name[like]:c%25&soft_delete=true")
    assert status == 200, body
    feed.pump()
    assert event_names(hook) == ["company.deleted"] * 4


def test_an_upsert_that_updates_sends_updated(gql, feed, sink):
    hook = add_webhook(gql.tenant.workspace_id)
    record_id = str(uuid.uuid4())
    mutation = (
        "mutation($d: [CompanyCreateInput!]!) { createCompanies(data: $d, upsert: true) { id } }"
    )
    gql.data(mutation, {"d": [{"id": record_id, "name": "Acme"}]})
    gql.data(mutation, {"d": [{"id": record_id, "name": "Acme Corp"}]})
    feed.pump()
    created, updated = logged(hook, sink)
    assert (created["eventName"], updated["eventName"]) == ("company.created", "company.updated")
    assert updated["updatedFields"] == ["name"]


# -- which webhooks get what --------------------------------------------------------------------


def test_each_webhook_gets_the_events_its_operations_name(rest, feed, sink):
    workspace_id = rest.tenant.workspace_id
    exact = add_webhook(workspace_id, ["company.created"])
    any_update = add_webhook(workspace_id, ["*.updated"])
    people = add_webhook(workspace_id, ["person.*"])
    everything = add_webhook(workspace_id, ["*.*"])
    company = create_company(rest)
    rest.patch(f"/rest/companies/{company['id']}", {"employees": 1})
    assert rest.post("/rest/people", {"jobTitle": "CTO"})[0] == 201
    feed.pump()
    assert event_names(exact) == ["company.created"]
    assert event_names(any_update) == ["company.updated"]
    assert event_names(people) == ["person.created"]
    assert event_names(everything, sink) == ["company.created", "company.updated", "person.created"]


def test_a_disabled_webhook_gets_nothing(rest, feed, sink, meter):
    hook = add_webhook(rest.tenant.workspace_id, status=DISABLED)
    create_company(rest)
    records = feed.read()
    meter.reset()
    feed.feed(records)
    assert meter.operations == {"Query": 1}  # the webhooks; no model, no write
    assert logged(hook) == [] and sink.refs == []


def test_a_workspace_without_webhooks_costs_one_query_per_batch(rest, feed, sink, meter):
    assert rest.post("/rest/batch/companies", [{"name": f"c{i}"} for i in range(30)])[0] == 201
    records = feed.read()
    meter.reset()
    feed.feed(records)
    assert meter.operations == {"Query": 1} and sink.refs == []


def test_items_that_are_not_records_are_ignored_without_a_dynamodb_call(rest, feed, sink, meter):
    add_webhook(rest.tenant.workspace_id)
    status, _ = rest.post(
        "/rest/metadata/objects",
        {"nameSingular": "rocket", "namePlural": "rockets", "labelSingular": "Rocket",
         "labelPlural": "Rockets"},
    )  # fmt: skip
    assert status == 201
    records = feed.read()  # metadata, the workspace's version, the webhook
    assert records
    meter.reset()
    answers = feed.feed(records)
    assert answers == [{"batchItemFailures": []}]
    assert meter.requests == 0 and sink.refs == []


def test_the_delivery_log_writes_on_the_stream_cause_no_new_delivery(rest, feed, sink):
    hook = add_webhook(rest.tenant.workspace_id)
    create_company(rest)
    feed.pump()
    sink.clear()
    fed = feed.pump()  # the delivery items just written
    assert fed and sink.refs == [] and len(logged(hook)) == 1


# -- processing a batch again -------------------------------------------------------------------


def test_a_batch_processed_twice_stores_each_delivery_once(rest, feed, sink):
    hook = add_webhook(rest.tenant.workspace_id)
    create_company(rest)
    records = feed.read()
    feed.feed(records)
    [delivery] = webhook_deliveries.list_deliveries(hook.workspace_id, hook.id, 10)
    webhook_deliveries.save_delivery(replace(delivery, status=DELIVERED, attempts=1))
    sink.clear()
    assert feed.feed(records) == [{"batchItemFailures": []}]
    assert len(logged(hook)) == 1
    assert sink.refs == []  # already attempted: not queued again


def test_a_batch_whose_queue_failed_is_reported_and_queued_when_sent_again(rest, feed, aws):
    from chalicelib.webhooks import queue

    hook = add_webhook(rest.tenant.workspace_id)
    create_company(rest)
    records = feed.read()
    queue.uninstall_local()  # no queue at all: enqueue raises
    [answer] = feed.feed(records)
    # Only the record's own stream record (not the counter's or a guard's) is reported.
    [record] = [r for r in records if "#REC#" in r["dynamodb"]["Keys"]["pk"]["S"]]
    assert answer == {
        "batchItemFailures": [{"itemIdentifier": record["dynamodb"]["SequenceNumber"]}]
    }
    [stored] = webhook_deliveries.list_deliveries(hook.workspace_id, hook.id, 10)
    with queue_sink() as sink:
        assert feed.feed(records) == [{"batchItemFailures": []}]
    assert [ref.delivery_id for ref in sink.refs] == [stored.id]
    assert len(logged(hook)) == 1


def test_a_failing_workspace_reports_only_its_own_records(client, aws, sink, meter):
    first, second = make_tenant("First"), make_tenant("Second")
    first_rest, second_rest = RestClient(client.http, first), RestClient(client.http, second)
    feed = StreamFeed()
    feed.skip()
    first_hook, second_hook = add_webhook(first.workspace_id), add_webhook(second.workspace_id)
    create_company(first_rest, "One")
    create_company(second_rest, "Two")
    create_company(first_rest, "Three")
    records = feed.read()

    def broken_webhooks_of_first(operation, params):
        if operation == "Query" and f"WS#{first.workspace_id}#HOOK" in json.dumps(params):
            raise RuntimeError("injected")
        return None

    meter.interceptors.append(broken_webhooks_of_first)
    [answer] = feed.feed(records)
    meter.interceptors.remove(broken_webhooks_of_first)
    first_sequences = [
        r["dynamodb"]["SequenceNumber"]
        for r in records
        if r["dynamodb"]["Keys"]["pk"]["S"].startswith(f"WS#{first.workspace_id}#REC#")
    ]
    assert len(first_sequences) == 2
    assert answer == {"batchItemFailures": [{"itemIdentifier": s} for s in first_sequences]}
    assert logged(first_hook) == [] and event_names(second_hook) == ["company.created"]
