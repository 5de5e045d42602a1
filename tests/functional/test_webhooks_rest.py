"""REST webhook management: /rest/metadata/webhooks[/{id}], the delivery log and replay."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest

from chalicelib.context import SCOPE_METADATA, SCOPE_READ
from chalicelib.metadata.validation import MAX_INPUT_BYTES
from chalicelib.storage import webhook_deliveries
from chalicelib.storage import webhooks as store
from chalicelib.webhooks import management
from chalicelib.webhooks.model import ACTIVE, DISABLED, PENDING, DeliveryRef
from tests.functional.webhook_management_support import (
    TARGET,
    scoped_tenant,
    store_deliveries,
    substitute_dns,
)
from tests.support import RestClient, make_tenant
from tests.webhook_support import queue_sink

HOOKS = "/rest/metadata/webhooks"
VIEW_KEYS = {
    "id",
    "targetUrl",
    "operations",
    "description",
    "status",
    "disabledReason",
    "createdAt",
    "updatedAt",
}


@pytest.fixture(autouse=True)
def _dns(monkeypatch):
    substitute_dns(monkeypatch)


def create(rest: RestClient, **body: object) -> dict:
    status, answer = rest.post(HOOKS, {"targetUrl": TARGET, **body})
    assert status == 201, answer
    return answer["data"]["createWebhook"]


def refused(rest: RestClient, method: str, path: str, body: object = None, code: str = "") -> dict:
    status, answer = rest.call(method, path, body)
    assert status == 400, answer
    assert answer["statusCode"] == 400 and answer["error"] == "BadRequestException"
    if code:
        assert answer["code"] == code, answer
    return answer


def stored_count(rest: RestClient) -> int:
    return len(store.list_webhooks(rest.tenant.workspace_id))


# -- create -------------------------------------------------------------------------------------


def test_a_created_webhook_subscribes_to_everything_and_shows_its_generated_secret_once(rest):
    created = create(rest)
    assert set(created) == VIEW_KEYS | {"secret"}
    assert created["targetUrl"] == TARGET
    assert created["operations"] == ["*.*"]
    assert (created["status"], created["disabledReason"], created["description"]) == (
        ACTIVE,
        None,
        None,
    )
    assert len(created["secret"]) == 64 and int(created["secret"], 16) >= 0
    assert uuid.UUID(created["id"]).version == 4
    assert created["createdAt"] == created["updatedAt"]

    status, listed = rest.get(HOOKS)
    assert status == 200
    shown = {key: value for key, value in created.items() if key != "secret"}
    assert listed == {"data": {"webhooks": [shown]}}
    status, one = rest.get(f"{HOOKS}/{created['id']}")
    assert (status, one) == (200, {"data": {"webhook": shown}})
    stored = store.get_webhook(rest.tenant.workspace_id, created["id"])
    assert stored.secret == created["secret"]


def test_every_field_of_the_create_input_is_kept(rest):
    chosen_id = str(uuid.uuid4())
    created = create(
        rest,
        id=chosen_id.upper(),
        operations=["person.created", "*.updated", "company.*"],
        description="CRM sync",
        secret="my-own-secret",
    )
    assert created["id"] == chosen_id
    assert created["operations"] == ["person.created", "*.updated", "company.*"]
    assert (created["description"], created["secret"]) == ("CRM sync", "my-own-secret")


def test_an_empty_secret_asks_for_unsigned_deliveries(rest):
    assert create(rest, secret="")["secret"] == ""


def test_two_secrets_generated_for_two_webhooks_differ(rest):
    assert create(rest)["secret"] != create(rest)["secret"]


def test_a_taken_id_is_a_conflict(rest):
    first = create(rest)
    status, answer = rest.post(HOOKS, {"targetUrl": TARGET, "id": first["id"]})
    assert status == 409 and answer["code"] == "CONFLICT"
    assert stored_count(rest) == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "targetUrl is required"),
        ({"targetUrl": None}, "targetUrl is required"),
        ({"targetUrl": 7}, "targetUrl must be a string"),
        ({"targetUrl": TARGET, "url": "x"}, "property 'url' should not exist"),
        ({"targetUrl": TARGET, "status": "DISABLED"}, "property 'status' should not exist"),
        ({"targetUrl": TARGET, "operations": "*.*"}, "operations must be a list of strings"),
        ({"targetUrl": TARGET, "operations": []}, "at least one pattern"),
        ({"targetUrl": TARGET, "operations": ["invoice.created"]}, "unknown object 'invoice'"),
        ({"targetUrl": TARGET, "operations": ["person.exploded"]}, "unknown action 'exploded'"),
        ({"targetUrl": TARGET, "operations": ["person"]}, "<object>.<action>"),
        ({"targetUrl": TARGET, "description": 3}, "description must be a string"),
        ({"targetUrl": TARGET, "secret": ["x"]}, "secret must be a string"),
        ({"targetUrl": TARGET, "id": "not-a-uuid"}, "is not a valid UUID"),
        ([{"targetUrl": TARGET}], "must be a JSON object"),
    ],
)
def test_bad_create_inputs_are_400s_and_create_nothing(rest, body, message):
    answer = refused(rest, "POST", HOOKS, body, "INVALID_REQUEST_BODY")
    assert any(message in text for text in answer["messages"]), answer
    assert stored_count(rest) == 0


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:8080/hook", "loopback"),
        ("http://[::1]/", "loopback"),
        ("http://10.0.0.5/", "private"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("https://intranet.example.com/", "private"),
        ("https://split.example.com/", "private"),
        ("https://unknown.example.com/", "does not resolve"),
        ("ftp://hooks.example.com/", "http or https"),
        ("http://evil@127.0.0.1/", "user name or password"),
        ("http://2130706433/", "non-standard form"),
    ],
)
def test_a_target_the_ssrf_guard_refuses_is_a_400_and_creates_nothing(rest, url, reason):
    answer = refused(rest, "POST", HOOKS, {"targetUrl": url}, "WEBHOOK_TARGET_REFUSED")
    assert reason in answer["messages"][0]
    assert stored_count(rest) == 0


def test_a_loopback_target_is_accepted_when_the_setting_allows_it(rest, monkeypatch):
    allowing = replace(management.SETTINGS, webhook_allow_loopback=True)
    monkeypatch.setattr(management, "SETTINGS", allowing)
    assert create(rest, targetUrl="http://127.0.0.1:8765/hook")["targetUrl"] == (
        "http://127.0.0.1:8765/hook"
    )
    refused(rest, "POST", HOOKS, {"targetUrl": "http://10.0.0.5/"}, "WEBHOOK_TARGET_REFUSED")


def test_an_oversized_input_is_refused(rest):
    body = {"targetUrl": TARGET, "description": "x" * MAX_INPUT_BYTES}
    answer = refused(rest, "POST", HOOKS, body, "INVALID_REQUEST_BODY")
    assert "at most" in answer["messages"][0]


def test_a_body_that_is_not_json_is_a_400(rest):
    status, answer = rest.call("POST", HOOKS, "{not json")
    assert status == 400 and answer["code"] == "INVALID_REQUEST_BODY"


def test_a_workspace_may_have_at_most_50_webhooks(rest):
    for _ in range(management.MAX_WEBHOOKS_PER_WORKSPACE - 1):
        create(rest)
    create(rest)
    answer = refused(rest, "POST", HOOKS, {"targetUrl": TARGET})
    assert "at most 50 webhooks" in answer["messages"][0]
    assert stored_count(rest) == management.MAX_WEBHOOKS_PER_WORKSPACE


# -- update -------------------------------------------------------------------------------------


def test_patch_changes_the_given_fields_and_never_shows_the_secret(rest):
    created = create(rest, description="old", operations=["person.created"])
    status, answer = rest.patch(
        f"{HOOKS}/{created['id']}",
        {"targetUrl": "https://other.example.com/in", "operations": ["*.deleted"], "secret": "new"},
    )
    assert status == 200, answer
    updated = answer["data"]["updateWebhook"]
    assert set(updated) == VIEW_KEYS
    assert updated["targetUrl"] == "https://other.example.com/in"
    assert updated["operations"] == ["*.deleted"]
    assert updated["description"] == "old"
    assert updated["createdAt"] == created["createdAt"]
    stored = store.get_webhook(rest.tenant.workspace_id, created["id"])
    assert stored.secret == "new"


def test_patch_can_clear_the_description(rest):
    created = create(rest, description="old")
    _, answer = rest.patch(f"{HOOKS}/{created['id']}", {"description": None})
    assert answer["data"]["updateWebhook"]["description"] is None


def test_any_update_re_enables_a_disabled_webhook(rest):
    created = create(rest)
    workspace = rest.tenant.workspace_id
    disabled = replace(
        store.get_webhook(workspace, created["id"]),
        status=DISABLED,
        disabled_reason="20 consecutive deliveries failed",
        consecutive_failures=20,
    )
    store.replace_webhook(disabled)
    _, shown = rest.get(f"{HOOKS}/{created['id']}")
    assert shown["data"]["webhook"]["status"] == DISABLED
    assert shown["data"]["webhook"]["disabledReason"] == "20 consecutive deliveries failed"

    status, answer = rest.patch(f"{HOOKS}/{created['id']}", {})
    assert status == 200, answer
    assert answer["data"]["updateWebhook"]["status"] == ACTIVE
    assert answer["data"]["updateWebhook"]["disabledReason"] is None
    assert store.get_webhook(workspace, created["id"]).consecutive_failures == 0


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"targetUrl": "http://192.168.0.1/"}, "WEBHOOK_TARGET_REFUSED"),
        ({"targetUrl": None}, "INVALID_REQUEST_BODY"),
        ({"operations": ["nothing.created"]}, "INVALID_REQUEST_BODY"),
        ({"operations": None}, "INVALID_REQUEST_BODY"),
        ({"secret": None}, "INVALID_REQUEST_BODY"),
        ({"id": str(uuid.uuid4())}, "INVALID_REQUEST_BODY"),
        ({"status": "ACTIVE"}, "INVALID_REQUEST_BODY"),
    ],
)
def test_a_bad_update_is_a_400_and_changes_nothing(rest, body, code):
    created = create(rest)
    before = store.get_webhook(rest.tenant.workspace_id, created["id"])
    refused(rest, "PATCH", f"{HOOKS}/{created['id']}", body, code)
    assert store.get_webhook(rest.tenant.workspace_id, created["id"]) == before


# -- delete -------------------------------------------------------------------------------------


def test_delete_answers_the_deleted_webhook_and_removes_it(rest):
    created = create(rest)
    status, answer = rest.delete(f"{HOOKS}/{created['id']}")
    assert status == 200
    assert answer == {
        "data": {"deleteWebhook": {k: v for k, v in created.items() if k != "secret"}}
    }
    assert rest.get(f"{HOOKS}/{created['id']}")[0] == 404
    assert rest.get(HOOKS)[1] == {"data": {"webhooks": []}}
    status, again = rest.delete(f"{HOOKS}/{created['id']}")
    assert (status, again["code"]) == (404, "WEBHOOK_NOT_FOUND")


# -- ids, other workspaces, scopes --------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_an_unknown_id_is_a_404(rest, method):
    status, answer = rest.call(method, f"{HOOKS}/{uuid.uuid4()}", {} if method == "PATCH" else None)
    assert (status, answer["code"]) == (404, "WEBHOOK_NOT_FOUND")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", f"{HOOKS}/123"),
        ("PATCH", f"{HOOKS}/not-a-uuid"),
        ("DELETE", f"{HOOKS}/00000000-0000-0000-0000-00000000000g"),
        ("GET", f"{HOOKS}/nope/deliveries"),
        ("POST", f"{HOOKS}/5d7e2c1a-8f3b-4e6d-9a1c-2b3c4d5e6f70/deliveries/nope/replay"),
    ],
)
def test_an_id_that_is_not_a_uuid_is_a_400(rest, method, path):
    refused(rest, method, path, {} if method == "PATCH" else None, "INVALID_PATH")


def test_another_workspaces_webhook_is_not_found_and_stays_unchanged(rest, client):
    created = create(rest)
    other = RestClient(client.http, make_tenant("Globex"))
    path = f"{HOOKS}/{created['id']}"
    assert other.get(path)[0] == 404
    assert other.patch(path, {"description": "mine now"})[0] == 404
    assert other.delete(path)[0] == 404
    assert other.get(f"{path}/deliveries")[0] == 404
    assert other.get(HOOKS)[1] == {"data": {"webhooks": []}}
    stored = store.get_webhook(rest.tenant.workspace_id, created["id"])
    assert stored.description is None


def test_a_metadata_scoped_key_manages_webhooks(rest, client):
    metadata_only = RestClient(client.http, scoped_tenant(rest.tenant, SCOPE_METADATA))
    status, answer = metadata_only.post(HOOKS, {"targetUrl": TARGET})
    assert status == 201, answer
    assert metadata_only.get(HOOKS)[0] == 200


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", HOOKS, None),
        ("POST", HOOKS, {"targetUrl": TARGET}),
        ("PATCH", "{hook}", {"description": "changed"}),
        ("DELETE", "{hook}", None),
        ("GET", "{hook}/deliveries", None),
    ],
)
def test_a_read_scoped_key_is_refused_with_403_and_changes_nothing(
    rest, client, method, path, body
):
    created = create(rest)
    before = store.list_webhooks(rest.tenant.workspace_id)
    read_only = RestClient(client.http, scoped_tenant(rest.tenant, SCOPE_READ))
    status, answer = read_only.call(method, path.format(hook=f"{HOOKS}/{created['id']}"), body)
    assert (status, answer["code"]) == (403, "FORBIDDEN")
    assert store.list_webhooks(rest.tenant.workspace_id) == before


def test_a_missing_key_is_a_401(rest):
    status, answer = rest.get(HOOKS, headers={})
    assert (status, answer["code"]) == (401, "UNAUTHENTICATED")


# -- delivery log and replay --------------------------------------------------------------------


def test_the_delivery_log_lists_newest_first_without_payloads(rest):
    created = create(rest)
    stored = store_deliveries(rest.tenant.workspace_id, created["id"], 3)
    status, answer = rest.get(f"{HOOKS}/{created['id']}/deliveries")
    assert status == 200
    log = answer["data"]["webhookDeliveries"]
    assert [entry["id"] for entry in log] == [d.id for d in reversed(stored)]
    newest = stored[-1]
    assert log[0] == {
        "id": newest.id,
        "webhookId": created["id"],
        "eventId": newest.event_id,
        "eventName": "person.created",
        "recordId": newest.record_id,
        "attempts": 7,
        "lastStatusCode": 500,
        "lastError": "HTTP 500",
        "nextAttemptAt": None,
        "status": "FAILED",
        "createdAt": newest.created_at,
        "updatedAt": newest.updated_at,
    }


def test_the_delivery_log_is_empty_for_a_new_webhook(rest):
    created = create(rest)
    assert rest.get(f"{HOOKS}/{created['id']}/deliveries") == (
        200,
        {"data": {"webhookDeliveries": []}},
    )


def test_the_delivery_log_takes_a_limit(rest):
    created = create(rest)
    stored = store_deliveries(rest.tenant.workspace_id, created["id"], 4)
    _, answer = rest.get(f"{HOOKS}/{created['id']}/deliveries?limit=2")
    assert [e["id"] for e in answer["data"]["webhookDeliveries"]] == [stored[3].id, stored[2].id]
    _, answer = rest.get(f"{HOOKS}/{created['id']}/deliveries?limit=100000")
    assert len(answer["data"]["webhookDeliveries"]) == 4


@pytest.mark.parametrize("limit", ["0", "-1", "abc", "1.5"])
def test_a_bad_delivery_log_limit_is_a_400(rest, limit):
    created = create(rest)
    refused(rest, "GET", f"{HOOKS}/{created['id']}/deliveries?limit={limit}")


def test_the_delivery_log_of_an_unknown_webhook_is_a_404(rest):
    status, answer = rest.get(f"{HOOKS}/{uuid.uuid4()}/deliveries")
    assert (status, answer["code"]) == (404, "WEBHOOK_NOT_FOUND")


def test_replay_queues_the_delivery_again_as_pending(rest):
    created = create(rest)
    workspace = rest.tenant.workspace_id
    delivery = store_deliveries(workspace, created["id"], 2)[0]
    with queue_sink() as sink:
        status, answer = rest.post(f"{HOOKS}/{created['id']}/deliveries/{delivery.id}/replay")
    assert status == 200, answer
    replayed = answer["data"]["replayWebhookDelivery"]
    assert (replayed["id"], replayed["status"], replayed["attempts"]) == (delivery.id, PENDING, 7)
    assert replayed["eventId"] == delivery.event_id
    ref = DeliveryRef(workspace, created["id"], delivery.id)
    assert sink.refs == [ref]
    assert webhook_deliveries.get_delivery(ref).status == PENDING


def test_replaying_an_unknown_delivery_or_another_workspaces_is_a_404(rest, client):
    created = create(rest)
    delivery = store_deliveries(rest.tenant.workspace_id, created["id"], 1)[0]
    with queue_sink() as sink:
        status, answer = rest.post(f"{HOOKS}/{created['id']}/deliveries/{uuid.uuid4()}/replay")
        assert (status, answer["code"]) == (404, "WEBHOOK_DELIVERY_NOT_FOUND")
        other = RestClient(client.http, make_tenant("Globex"))
        status, answer = other.post(f"{HOOKS}/{created['id']}/deliveries/{delivery.id}/replay")
        assert (status, answer["code"]) == (404, "WEBHOOK_NOT_FOUND")
    assert sink.refs == []
