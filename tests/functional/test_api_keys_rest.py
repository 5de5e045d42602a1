"""REST /rest/metadata/apiKeys[/{id}] through the Chalice app: every route, the token shown once,
revocation and bad input."""

from __future__ import annotations

import uuid

import pytest

from tests.support import RestClient, Tenant, make_tenant

KEYS = "/rest/metadata/apiKeys"
FUTURE = "2099-01-01T00:00:00.000Z"
VIEW_FIELDS = {"id", "name", "expiresAt", "revokedAt", "createdAt", "updatedAt", "scope"}


def create(rest: RestClient, **body) -> dict:
    status, answer = rest.post(KEYS, {"name": "Zapier", "expiresAt": FUTURE, **body})
    assert status == 201, answer
    return answer["data"]["createApiKey"]


def as_key(rest: RestClient, created: dict) -> RestClient:
    """A client of the same workspace that sends the created key's token."""
    tenant = Tenant(rest.tenant.workspace_id, created["token"], created["id"])
    return RestClient(rest._http, tenant)


@pytest.fixture
def other(client, aws):
    return RestClient(client.http, make_tenant("Other"))


def test_post_creates_a_key_whose_token_is_shown_once_and_works(rest):
    created = create(rest, name="Zapier")
    assert set(created) == VIEW_FIELDS | {"token"}
    assert created["name"] == "Zapier"
    assert created["expiresAt"] == FUTURE
    assert created["revokedAt"] is None
    assert created["scope"] == "full"
    assert created["createdAt"] == created["updatedAt"]
    assert created["token"].startswith("crm_")
    assert uuid.UUID(created["id"])
    assert as_key(rest, created).get("/rest/companies")[0] == 200
    status, body = rest.get(f"{KEYS}/{created['id']}")
    assert status == 200
    assert body == {"data": {"apiKey": {k: v for k, v in created.items() if k != "token"}}}


def test_the_expiry_is_stored_in_utc_milliseconds_whatever_iso_form_it_came_in(rest):
    created = create(rest, expiresAt="2099-06-15T14:30:00+02:00")
    assert created["expiresAt"] == "2099-06-15T12:30:00.000Z"
    assert create(rest, expiresAt="2099-06-15")["expiresAt"] == "2099-06-15T00:00:00.000Z"


def test_the_list_shows_the_workspaces_keys_without_tokens_and_hides_revoked_ones(rest, other):
    first, second = create(rest, name="First"), create(rest, name="Second")
    create(other, name="Theirs")
    assert rest.delete(f"{KEYS}/{first['id']}")[0] == 200
    status, body = rest.get(KEYS)
    assert status == 200
    listed = body["data"]["apiKeys"]
    assert [key["name"] for key in listed] == ["Acme key", "Second"]
    assert all(set(key) == VIEW_FIELDS for key in listed)
    assert second["token"] not in str(body)
    # The revoked key is still readable by id, with its revocation time.
    revoked = rest.get(f"{KEYS}/{first['id']}")[1]["data"]["apiKey"]
    assert revoked["revokedAt"] is not None


def test_delete_revokes_the_key_from_the_very_next_request(rest):
    created = create(rest)
    holder = as_key(rest, created)
    assert holder.get("/rest/companies")[0] == 200
    status, body = rest.delete(f"{KEYS}/{created['id']}")
    assert status == 200
    revoked = body["data"]["revokeApiKey"]
    assert revoked["id"] == created["id"]
    assert revoked["revokedAt"] >= created["createdAt"]
    assert "token" not in revoked
    status, body = holder.get("/rest/companies")
    assert status == 401
    assert "revoked" in body["messages"][0]


def test_revoking_twice_keeps_the_first_revocation_time(rest):
    created = create(rest)
    first = rest.delete(f"{KEYS}/{created['id']}")[1]["data"]["revokeApiKey"]
    again = rest.delete(f"{KEYS}/{created['id']}")[1]["data"]["revokeApiKey"]
    assert again["revokedAt"] == first["revokedAt"]


def test_a_revoked_key_can_still_be_renamed_and_stays_revoked(rest):
    created = create(rest)
    revoked = rest.delete(f"{KEYS}/{created['id']}")[1]["data"]["revokeApiKey"]
    status, body = rest.patch(f"{KEYS}/{created['id']}", {"name": "Old Zapier"})
    assert status == 200, body
    updated = body["data"]["updateApiKey"]
    assert (updated["name"], updated["revokedAt"]) == ("Old Zapier", revoked["revokedAt"])
    assert as_key(rest, created).get("/rest/companies")[0] == 401


def test_a_key_may_revoke_itself(rest):
    created = create(rest)
    holder = as_key(rest, created)
    assert holder.delete(f"{KEYS}/{created['id']}")[0] == 200
    assert holder.get(KEYS)[0] == 401


def test_patch_renames_and_changes_the_expiry_but_keeps_the_token(rest):
    created = create(rest)
    status, body = rest.patch(
        f"{KEYS}/{created['id']}", {"name": "Renamed", "expiresAt": "2098-01-01T00:00:00Z"}
    )
    assert status == 200
    updated = body["data"]["updateApiKey"]
    assert updated["name"] == "Renamed"
    assert updated["expiresAt"] == "2098-01-01T00:00:00.000Z"
    assert updated["updatedAt"] >= created["updatedAt"]
    assert updated["createdAt"] == created["createdAt"]
    assert "token" not in updated
    assert rest.get(f"{KEYS}/{created['id']}")[1]["data"]["apiKey"] == updated
    # The renamed key is the one a request is made with: records record its new name.
    status, body = as_key(rest, created).post("/rest/companies", {"name": "Acme"})
    assert status == 201
    assert body["data"]["createCompany"]["createdBy"]["name"] == "Renamed"


def test_patch_of_one_field_leaves_the_other(rest):
    created = create(rest, name="Keep")
    updated = rest.patch(f"{KEYS}/{created['id']}", {"expiresAt": "2098-01-01"})[1]
    assert updated["data"]["updateApiKey"]["name"] == "Keep"
    updated = rest.patch(f"{KEYS}/{created['id']}", {"name": "New"})[1]
    assert updated["data"]["updateApiKey"]["expiresAt"] == "2098-01-01T00:00:00.000Z"


def test_another_workspaces_key_is_404_on_every_route_and_stays_untouched(rest, other):
    theirs = create(other, name="Theirs")
    path = f"{KEYS}/{theirs['id']}"
    for status, body in (
        rest.get(path),
        rest.patch(path, {"name": "Stolen"}),
        rest.delete(path),
    ):
        assert status == 404, body
        assert body["code"] == "NOT_FOUND"
    assert other.get(path)[1]["data"]["apiKey"]["name"] == "Theirs"
    assert as_key(other, theirs).get("/rest/companies")[0] == 200


def test_an_unknown_key_id_is_404_and_a_malformed_one_400(rest):
    unknown = str(uuid.uuid4())
    status, body = rest.get(f"{KEYS}/{unknown}")
    assert (status, body["messages"]) == (404, [f"No API key with id '{unknown}'"])
    assert rest.delete(f"{KEYS}/{unknown}")[0] == 404
    assert rest.patch(f"{KEYS}/{unknown}", {"name": "x"})[0] == 404
    status, body = rest.get(f"{KEYS}/not-a-uuid")
    assert status == 400 and body["statusCode"] == 400


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"expiresAt": FUTURE}, "name must be a non-empty string"),
        ({"name": "", "expiresAt": FUTURE}, "name must be a non-empty string"),
        ({"name": "   ", "expiresAt": FUTURE}, "name must be a non-empty string"),
        ({"name": 7, "expiresAt": FUTURE}, "name must be a non-empty string"),
        ({"name": "x" * 256, "expiresAt": FUTURE}, "name must be at most 255 characters"),
        ({"name": "CI"}, "expiresAt must be an ISO 8601 date-time"),
        ({"name": "CI", "expiresAt": None}, "expiresAt must be an ISO 8601 date-time"),
        ({"name": "CI", "expiresAt": "next tuesday"}, "expiresAt must be an ISO 8601 date-time"),
        ({"name": "CI", "expiresAt": 4102444800}, "expiresAt must be an ISO 8601 date-time"),
        ({"name": "CI", "expiresAt": "2020-01-01T00:00:00Z"}, "expiresAt must be in the future"),
        ({"name": "CI", "expiresAt": FUTURE, "scope": "admin"}, "scope must be one of"),
        ({"name": "CI", "expiresAt": FUTURE, "roleId": "x"}, "Unknown API key field(s): roleId"),
        ({"name": "CI", "expiresAt": FUTURE, "token": "mine"}, "Unknown API key field(s): token"),
    ],
)
def test_bad_create_bodies_are_400_and_create_nothing(rest, body, message):
    status, answer = rest.post(KEYS, body)
    assert status == 400, answer
    assert answer["statusCode"] == 400 and answer["error"] == "BadRequestException"
    assert any(message in text for text in answer["messages"]), answer
    assert [key["name"] for key in rest.get(KEYS)[1]["data"]["apiKeys"]] == ["Acme key"]


def test_every_problem_of_a_body_is_listed(rest):
    status, answer = rest.post(KEYS, {"name": "", "expiresAt": "soon", "scope": "root"})
    assert status == 400
    assert len(answer["messages"]) == 3


@pytest.mark.parametrize("raw", ["", "[]", '"name"', "{not json"])
def test_a_body_that_is_not_a_json_object_is_400(rest, raw):
    assert rest.post(KEYS, raw)[0] == 400


@pytest.mark.parametrize(
    "body",
    [
        {"scope": "read"},
        {"revokedAt": None},
        {"name": ""},
        {"expiresAt": "2001-01-01"},
        {"expiresAt": None},
    ],
)
def test_bad_patch_bodies_are_400_and_change_nothing(rest, body):
    created = create(rest, name="Same")
    status, _ = rest.patch(f"{KEYS}/{created['id']}", body)
    assert status == 400
    shown = rest.get(f"{KEYS}/{created['id']}")[1]["data"]["apiKey"]
    assert (shown["name"], shown["scope"], shown["expiresAt"]) == ("Same", "full", FUTURE)


def test_other_methods_are_refused_in_twentys_error_shape(rest):
    created = create(rest)
    status, body = rest.put(f"{KEYS}/{created['id']}", {"name": "x"})
    assert status == 405
    assert body["statusCode"] == 405


def test_a_missing_or_revoked_key_cannot_manage_keys(client, rest):
    assert client.http.get(KEYS).status_code == 401
    created = create(rest)
    rest.delete(f"{KEYS}/{created['id']}")
    assert as_key(rest, created).post(KEYS, {"name": "n", "expiresAt": FUTURE})[0] == 401
