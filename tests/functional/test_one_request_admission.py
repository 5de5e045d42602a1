"""A read by id in one DynamoDB request (auth/admission.py): the key, the workspace's version and
the record in one BatchGetItem, for tokens naming their workspace. The key item stays the
authority, revocation and new tokens apply to the very next request, and the record read with
admission answers exactly as a read of its own would."""

from __future__ import annotations

import secrets
import uuid
from collections import OrderedDict
from dataclasses import replace

import pytest

from chalicelib.auth.api_keys import issue_key, new_token
from chalicelib.metadata import registry
from tests.support import RestClient, Tenant, make_tenant

FUTURE = "2099-01-01T00:00:00.000Z"


@pytest.fixture
def other(client, aws) -> RestClient:
    return RestClient(client.http, make_tenant("Other"))


def company(rest: RestClient, name: str = "Acme") -> str:
    status, body = rest.post("/rest/companies", {"name": name})
    assert status == 201, body
    return body["data"]["createCompany"]["id"]


def with_token(rest: RestClient, token: str, key_id: str = "") -> RestClient:
    return RestClient(rest._http, Tenant(rest.tenant.workspace_id, token, key_id))


def assert_refused_with_nothing(answer, *secrets_of_the_other_side: str) -> None:
    status, body = answer
    assert status == 401, body
    assert body["error"] == "UnauthorizedException" and "data" not in body
    assert not any(text in str(body) for text in secrets_of_the_other_side)


# -- the key item is the authority --------------------------------------------------------------


def test_a_key_whose_token_names_another_workspace_is_401_and_nothing_of_it_is_returned(
    rest, other, meter
):
    from chalicelib.storage import api_keys as key_store

    theirs = company(other, "Their secret company")
    other.get(f"/rest/companies/{theirs}")  # the container's model names their companies
    # A key of OUR workspace under a token naming THEIRS (no API issues one: written directly).
    forged = new_token(other.tenant.workspace_id)
    row = key_store.ApiKeyRow(
        str(uuid.uuid4()), rest.tenant.workspace_id, "Forged", FUTURE, None, None
    )
    key_store.save_key(forged, row)
    forger = with_token(rest, forged)
    meter.reset()
    assert_refused_with_nothing(forger.get(f"/rest/companies/{theirs}"), "Their secret", theirs)
    # Their workspace and record were read in the one request, and dropped unseen.
    assert meter.operations["BatchGetItem"] == 1
    assert meter.operations["TransactWriteItems"] == 0 and meter.operations["Query"] == 0
    assert_refused_with_nothing(forger.get("/rest/companies"), "Their secret")
    assert_refused_with_nothing(forger.post("/rest/companies", {"name": "x"}))


def test_a_real_token_with_its_workspace_swapped_is_an_unknown_key(rest, other):
    theirs = company(other, "Their secret company")
    _, named, secret = rest.tenant.token.split("_", 2)
    swapped = f"crm_{uuid.UUID(other.tenant.workspace_id).hex}_{secret}"
    assert_refused_with_nothing(
        with_token(rest, swapped).get(f"/rest/companies/{theirs}"), "Their secret"
    )
    assert named == uuid.UUID(rest.tenant.workspace_id).hex


def test_another_workspaces_record_id_is_404_through_the_one_request(rest, other):
    theirs = company(other)
    rest.get("/rest/companies?limit=1")
    assert rest.get(f"/rest/companies/{theirs}")[0] == 404


def test_a_key_whose_workspace_is_gone_is_401(rest):
    orphan = issue_key(str(uuid.uuid4()), "Orphan")
    status, body = with_token(rest, orphan.token).get("/rest/companies")
    assert status == 401 and "no longer exists" in str(body)


# -- revocation, new tokens and expiry apply to the very next request ----------------------------


def test_a_revoked_key_is_401_on_the_very_next_read_by_id(rest, meter):
    record_id = company(rest)
    second = issue_key(rest.tenant.workspace_id, "Second")
    reader = with_token(rest, second.token, second.row.key_id)
    assert reader.get(f"/rest/companies/{record_id}")[0] == 200
    revoked = rest.delete(f"/rest/metadata/apiKeys/{second.row.key_id}")
    assert revoked[0] == 200
    meter.reset()
    status, body = reader.get(f"/rest/companies/{record_id}")
    assert status == 401 and "revoked" in str(body) and "Acme" not in str(body)
    assert meter.operations == {"BatchGetItem": 1}  # refused by the one-request path


def test_a_new_token_fails_the_old_one_from_the_next_request_and_names_the_workspace(rest):
    from chalicelib.auth import key_management
    from chalicelib.auth.api_keys import token_workspace
    from chalicelib.context import Principal, RequestContext, utc_now_iso

    record_id = company(rest)
    old = issue_key(rest.tenant.workspace_id, "Rotated")
    assert with_token(rest, old.token).get(f"/rest/companies/{record_id}")[0] == 200
    principal = Principal(rest.tenant.workspace_id, rest.tenant.key_id, "Acme key")
    ctx = RequestContext(principal, utc_now_iso())
    renewed = key_management.generate_token(ctx, old.row.key_id, FUTURE)
    assert token_workspace(renewed.token) == rest.tenant.workspace_id
    assert with_token(rest, old.token).get(f"/rest/companies/{record_id}")[0] == 401
    status, body = with_token(rest, renewed.token).get(f"/rest/companies/{record_id}")
    assert status == 200 and body["data"]["company"]["id"] == record_id


def test_an_expired_key_is_401_through_the_one_request(rest):
    record_id = company(rest)
    stale = issue_key(rest.tenant.workspace_id, "Stale", expires_at="2001-01-01T00:00:00.000Z")
    status, body = with_token(rest, stale.token).get(f"/rest/companies/{record_id}")
    assert status == 401 and "expired" in str(body) and "Acme" not in str(body)


def test_a_read_key_reads_by_id_in_one_request_and_still_cannot_write(rest, meter):
    record_id = company(rest)
    reader = issue_key(rest.tenant.workspace_id, "Reader", scope="read")
    client = with_token(rest, reader.token, reader.row.key_id)
    client.get("/rest/companies?limit=1")
    meter.reset()
    assert client.get(f"/rest/companies/{record_id}")[0] == 200
    assert meter.operations["BatchGetItem"] == 1 and meter.operations["GetItem"] == 0
    assert client.patch(f"/rest/companies/{record_id}", {"name": "No"})[0] == 403
    assert rest.get(f"/rest/companies/{record_id}")[1]["data"]["company"]["name"] == "Acme"


# -- the record read with admission answers as a read of its own ---------------------------------


def test_on_a_cold_model_cache_the_record_is_read_after_the_model_and_is_the_same(rest):
    record_id = company(rest)
    warm_answer = rest.get(f"/rest/companies/{record_id}?depth=1")
    registry.clear_cache()
    assert rest.get(f"/rest/companies/{record_id}?depth=1") == warm_answer
    assert warm_answer[0] == 200


def stale_container(monkeypatch, model) -> None:
    """This container's model cache holding only `model`, as one that has not served the
    workspace since its latest metadata change would."""
    cache = OrderedDict({(model.workspace_id, model.version): model})
    monkeypatch.setattr(registry, "_cache", cache)
    monkeypatch.setattr(registry, "_latest_version", {model.workspace_id: model.version})


def test_a_field_added_between_two_reads_is_in_the_second(rest, meter, monkeypatch):
    record_id = company(rest)
    before = registry.load_model(rest.tenant.workspace_id)
    assert "tier" not in rest.get(f"/rest/companies/{record_id}")[1]["data"]["company"]
    status, _ = rest.post(
        "/rest/metadata/fields",
        {"objectMetadataId": before.by_plural["companies"].id, "type": "TEXT",
         "name": "tier", "label": "Tier"},
    )  # fmt: skip
    assert status == 201
    stale_container(monkeypatch, before)
    meter.reset()
    status, body = rest.get(f"/rest/companies/{record_id}")
    assert status == 200 and "tier" in body["data"]["company"]
    # The version read with the key showed the cached model stale: one Query reloads it, and
    # the record read with admission (same object id) is used, not read again.
    assert meter.operations["BatchGetItem"] == 1 and meter.operations["Query"] == 1
    assert meter.operations["GetItem"] == 0


def test_a_record_of_an_object_replaced_under_the_same_name_is_not_answered(
    rest, meter, monkeypatch
):
    from chalicelib.context import Principal, RequestContext, utc_now_iso
    from chalicelib.metadata.service import MetadataService
    from chalicelib.wiring import record_store

    ws = rest.tenant.workspace_id
    rocket = {"nameSingular": "rocket", "namePlural": "rockets",
              "labelSingular": "Rocket", "labelPlural": "Rockets"}  # fmt: skip
    first_id = rest.post("/rest/metadata/objects", rocket)[1]["data"]["createOneObject"]["id"]
    created = rest.post("/rest/batch/rockets", [{"name": f"r{i}"} for i in range(5)])
    ids = [r["id"] for r in created[1]["data"]["createRockets"]]
    naming_the_first = registry.load_model(ws)
    # Deleted and made again, the purge of its records cut short (the rest waits for a later
    # run), as a busy workspace's may be.
    hurried = MetadataService(record_store(), job_budget_seconds=0, scan_cap=10_000, job_step=1)
    ctx = RequestContext(Principal(ws, rest.tenant.key_id, "t"), utc_now_iso())
    hurried.update_object(ctx, first_id, {"isActive": False})
    hurried.delete_object(ctx, first_id)
    assert hurried.create_object(ctx, rocket).object.id != first_id
    left = [rid for rid in ids if record_store().get(ws, first_id, rid) is not None]
    assert left, "the purge left nothing to find: the test would prove nothing"
    # The container's newest model still names the first object: its record is read with
    # admission, belongs to no object of the current model, and is never answered.
    stale_container(monkeypatch, naming_the_first)
    meter.reset()
    status, body = rest.get(f"/rest/rockets/{left[0]}")
    assert (status, body["messages"]) == (404, ["Record not found"])
    assert meter.items_by_operation["BatchGetItem"] == 3  # key, workspace, the old record
    assert {rest.get(f"/rest/rockets/{rid}")[0] for rid in ids} == {404}


def test_soft_deleted_and_destroyed_records_by_id_answer_as_before(rest):
    soft, gone = company(rest, "Soft"), company(rest, "Gone")
    rest.get(f"/rest/companies/{soft}")
    assert rest.delete(f"/rest/companies/{soft}?soft_delete=true")[0] == 200
    assert rest.delete(f"/rest/companies/{gone}")[0] == 200
    for record_id in (soft, gone, str(uuid.uuid4())):
        status, body = rest.get(f"/rest/companies/{record_id}")
        assert (status, body["messages"]) == (404, ["Record not found"]), body
    assert rest.patch(f"/rest/restore/companies/{soft}")[0] == 200
    assert rest.get(f"/rest/companies/{soft}")[1]["data"]["company"]["name"] == "Soft"


def test_an_invalid_id_is_400_and_reads_no_record(rest, meter):
    rest.get("/rest/companies?limit=1")
    meter.reset()
    status, _ = rest.get("/rest/companies/not-a-uuid")
    assert status == 400
    assert meter.items_by_operation["BatchGetItem"] == 2  # the key and the workspace only


def test_an_unknown_object_is_refused_as_before_with_nothing_read_for_it(rest, meter):
    rest.get("/rest/companies?limit=1")
    meter.reset()
    status, body = rest.get(f"/rest/nothings/{uuid.uuid4()}")
    assert (status, body["code"]) == (400, "OBJECT_METADATA_NOT_FOUND")
    assert meter.items_by_operation["BatchGetItem"] == 2  # the key and the workspace only


# -- tokens naming no workspace ------------------------------------------------------------------


def test_a_token_naming_no_workspace_still_works_on_every_record_route(rest):
    token = "crm_" + secrets.token_urlsafe(32)
    legacy_key = issue_key(rest.tenant.workspace_id, "Legacy", token=token)
    legacy = with_token(rest, token, legacy_key.row.key_id)
    record_id = company(legacy, "Old")
    assert legacy.get(f"/rest/companies/{record_id}")[1]["data"]["company"]["name"] == "Old"
    registry.clear_cache()
    assert legacy.get(f"/rest/companies/{record_id}")[0] == 200
    assert legacy.patch(f"/rest/companies/{record_id}", {"name": "Older"})[0] == 200
    assert len(legacy.get("/rest/companies")[1]["data"]["companies"]) == 1
    assert legacy.delete(f"/rest/companies/{record_id}")[0] == 200
    assert legacy.get(f"/rest/companies/{record_id}")[0] == 404
    revoked = replace(legacy_key.row)
    rest.delete(f"/rest/metadata/apiKeys/{revoked.key_id}")
    assert legacy.get("/rest/companies")[0] == 401
