"""GraphQL webhook management on POST /metadata: webhooks, webhook, createWebhook, updateWebhook,
deleteWebhook, webhookDeliveries and replayWebhookDelivery."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest

from chalicelib.context import SCOPE_METADATA, SCOPE_READ
from chalicelib.storage import webhook_deliveries
from chalicelib.storage import webhooks as store
from chalicelib.webhooks.model import ACTIVE, DISABLED, PENDING, DeliveryRef
from tests.functional.webhook_management_support import (
    TARGET,
    MetadataClient,
    scoped_tenant,
    store_deliveries,
    substitute_dns,
)
from tests.support import make_tenant
from tests.webhook_support import queue_sink

FIELDS = "id targetUrl operations description secret status disabledReason createdAt updatedAt"
CREATE = f"""
mutation($input: CreateWebhookInput!) {{ createWebhook(input: $input) {{ {FIELDS} }} }}
"""
UPDATE = f"""
mutation($id: UUID!, $update: UpdateWebhookInputUpdates!) {{
  updateWebhook(input: {{id: $id, update: $update}}) {{ {FIELDS} }}
}}
"""
DELETE = f"mutation($id: UUID!) {{ deleteWebhook(id: $id) {{ {FIELDS} }} }}"
ONE = f"query($id: UUID!) {{ webhook(id: $id) {{ {FIELDS} }} }}"
LIST = f"{{ webhooks {{ {FIELDS} }} }}"
DELIVERY_FIELDS = (
    "id webhookId eventId eventName recordId attempts lastStatusCode lastError nextAttemptAt "
    "status createdAt updatedAt"
)
DELIVERIES = f"""
query($webhookId: UUID!, $limit: Int) {{
  webhookDeliveries(webhookId: $webhookId, limit: $limit) {{ {DELIVERY_FIELDS} }}
}}
"""
REPLAY = f"mutation($id: UUID!) {{ replayWebhookDelivery(id: $id) {{ {DELIVERY_FIELDS} }} }}"


@pytest.fixture(autouse=True)
def _dns(monkeypatch):
    substitute_dns(monkeypatch)


@pytest.fixture
def gql(client, tenant) -> MetadataClient:
    return MetadataClient(client.http, tenant)


@pytest.fixture
def other(client, aws) -> MetadataClient:
    return MetadataClient(client.http, make_tenant("Globex"))


def create(gql: MetadataClient, **fields: object) -> dict:
    return gql.data(CREATE, {"input": {"targetUrl": TARGET, **fields}})["createWebhook"]


def error_codes(error: dict) -> tuple[str, str | None]:
    return error["extensions"]["code"], error["extensions"].get("subCode")


def test_the_secret_is_in_the_create_answer_only(gql):
    created = create(gql)
    assert created["operations"] == ["*.*"]
    assert (created["status"], created["disabledReason"]) == (ACTIVE, None)
    assert len(created["secret"]) == 64
    listed = gql.data(LIST)["webhooks"]
    assert listed == [{**created, "secret": None}]
    assert gql.data(ONE, {"id": created["id"]})["webhook"] == {**created, "secret": None}


def test_create_keeps_every_input_field(gql):
    chosen = str(uuid.uuid4())
    created = create(
        gql,
        id=chosen,
        operations=["company.created", "person.*"],
        description="ERP",
        secret="given",
    )
    assert (created["id"], created["operations"]) == (chosen, ["company.created", "person.*"])
    assert (created["description"], created["secret"]) == ("ERP", "given")


@pytest.mark.parametrize(
    ("fields", "sub_code"),
    [
        ({"operations": ["invoice.created"]}, "INVALID_REQUEST_BODY"),
        ({"operations": []}, "INVALID_REQUEST_BODY"),
        ({"targetUrl": "http://10.0.0.1/"}, "WEBHOOK_TARGET_REFUSED"),
        ({"targetUrl": "http://[::ffff:127.0.0.1]/"}, "WEBHOOK_TARGET_REFUSED"),
        ({"targetUrl": "https://split.example.com/"}, "WEBHOOK_TARGET_REFUSED"),
        ({"targetUrl": "gopher://hooks.example.com/"}, "WEBHOOK_TARGET_REFUSED"),
        ({"id": "not-a-uuid"}, "INVALID_REQUEST_BODY"),
    ],
)
def test_bad_create_inputs_are_bad_user_input_and_create_nothing(gql, fields, sub_code):
    error = gql.error(CREATE, {"input": {"targetUrl": TARGET, **fields}})
    assert error_codes(error) == ("BAD_USER_INPUT", sub_code)
    assert error["path"] == ["createWebhook"]
    assert store.list_webhooks(gql.tenant.workspace_id) == []


def test_an_input_field_the_schema_does_not_know_is_refused_before_running(gql):
    status, body = gql(CREATE, {"input": {"targetUrl": TARGET, "status": "DISABLED"}})
    assert status == 400
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "unknown field 'status'" in body["errors"][0]["message"]
    assert store.list_webhooks(gql.tenant.workspace_id) == []


def test_update_changes_fields_re_enables_and_hides_the_secret(gql):
    created = create(gql, description="old")
    workspace = gql.tenant.workspace_id
    store.replace_webhook(
        replace(
            store.get_webhook(workspace, created["id"]),
            status=DISABLED,
            disabled_reason="20 consecutive deliveries failed",
            consecutive_failures=20,
        )
    )
    disabled = gql.data(ONE, {"id": created["id"]})["webhook"]
    assert (disabled["status"], disabled["disabledReason"]) == (
        DISABLED,
        "20 consecutive deliveries failed",
    )
    update = {"operations": ["*.updated"], "description": None, "secret": "rotated"}
    updated = gql.data(UPDATE, {"id": created["id"], "update": update})["updateWebhook"]
    assert updated["operations"] == ["*.updated"]
    assert (updated["description"], updated["secret"]) == (None, None)
    assert (updated["status"], updated["disabledReason"]) == (ACTIVE, None)
    stored = store.get_webhook(workspace, created["id"])
    assert (stored.secret, stored.consecutive_failures) == ("rotated", 0)


def test_a_refused_update_changes_nothing(gql):
    created = create(gql)
    before = store.get_webhook(gql.tenant.workspace_id, created["id"])
    error = gql.error(UPDATE, {"id": created["id"], "update": {"targetUrl": "http://0.0.0.0/"}})
    assert error_codes(error) == ("BAD_USER_INPUT", "WEBHOOK_TARGET_REFUSED")
    assert store.get_webhook(gql.tenant.workspace_id, created["id"]) == before


def test_delete_answers_the_deleted_webhook(gql):
    created = create(gql)
    deleted = gql.data(DELETE, {"id": created["id"]})["deleteWebhook"]
    assert deleted == {**created, "secret": None}
    assert gql.data(ONE, {"id": created["id"]}) == {"webhook": None}
    assert gql.data(LIST) == {"webhooks": []}
    assert error_codes(gql.error(DELETE, {"id": created["id"]})) == (
        "NOT_FOUND",
        "WEBHOOK_NOT_FOUND",
    )


def test_another_workspaces_webhook_is_null_or_not_found_and_unchanged(gql, other):
    created = create(gql)
    assert other.data(ONE, {"id": created["id"]}) == {"webhook": None}
    assert other.data(LIST) == {"webhooks": []}
    update = {"id": created["id"], "update": {"description": "mine"}}
    assert error_codes(other.error(UPDATE, update))[0] == "NOT_FOUND"
    assert error_codes(other.error(DELETE, {"id": created["id"]}))[0] == "NOT_FOUND"
    assert error_codes(other.error(DELIVERIES, {"webhookId": created["id"]}))[0] == "NOT_FOUND"
    assert gql.data(ONE, {"id": created["id"]})["webhook"]["description"] is None


def test_an_id_that_is_not_a_uuid_is_bad_user_input(gql):
    assert error_codes(gql.error(ONE, {"id": "123"}))[0] == "BAD_USER_INPUT"
    assert error_codes(gql.error(DELETE, {"id": "nope"}))[0] == "BAD_USER_INPUT"
    assert error_codes(gql.error(REPLAY, {"id": "nope"}))[0] == "BAD_USER_INPUT"


def test_webhook_deliveries_lists_newest_first_with_a_limit(gql):
    created = create(gql)
    stored = store_deliveries(gql.tenant.workspace_id, created["id"], 3)
    log = gql.data(DELIVERIES, {"webhookId": created["id"]})["webhookDeliveries"]
    assert [entry["id"] for entry in log] == [d.id for d in reversed(stored)]
    assert log[0]["status"] == "FAILED" and log[0]["lastStatusCode"] == 500
    two = gql.data(DELIVERIES, {"webhookId": created["id"], "limit": 2})["webhookDeliveries"]
    assert [entry["id"] for entry in two] == [stored[2].id, stored[1].id]
    error = gql.error(DELIVERIES, {"webhookId": created["id"], "limit": 0})
    assert error_codes(error)[0] == "BAD_USER_INPUT"


def test_replay_finds_the_delivery_by_its_id_alone(gql, other):
    first, second = create(gql), create(gql)
    workspace = gql.tenant.workspace_id
    store_deliveries(workspace, first["id"], 1)
    delivery = store_deliveries(workspace, second["id"], 2)[1]
    with queue_sink() as sink:
        replayed = gql.data(REPLAY, {"id": delivery.id})["replayWebhookDelivery"]
        assert error_codes(other.error(REPLAY, {"id": delivery.id}))[0] == "NOT_FOUND"
        assert error_codes(gql.error(REPLAY, {"id": str(uuid.uuid4())}))[0] == "NOT_FOUND"
    assert (replayed["id"], replayed["webhookId"], replayed["status"]) == (
        delivery.id,
        second["id"],
        PENDING,
    )
    ref = DeliveryRef(workspace, second["id"], delivery.id)
    assert sink.refs == [ref]
    assert webhook_deliveries.get_delivery(ref).status == PENDING


def test_a_metadata_scoped_key_manages_webhooks(client, tenant):
    metadata_only = MetadataClient(client.http, scoped_tenant(tenant, SCOPE_METADATA))
    created = create(metadata_only)
    assert metadata_only.data(LIST)["webhooks"][0]["id"] == created["id"]


def test_a_read_scoped_key_is_forbidden_and_creates_nothing(client, tenant):
    read_only = MetadataClient(client.http, scoped_tenant(tenant, SCOPE_READ))
    for query, variables in ((CREATE, {"input": {"targetUrl": TARGET}}), (LIST, None)):
        status, body = read_only(query, variables)
        assert (status, body["errors"][0]["extensions"]["code"]) == (403, "FORBIDDEN"), body
        assert "data" not in body
    assert store.list_webhooks(tenant.workspace_id) == []
