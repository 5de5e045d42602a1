"""The API-key fields of the GraphQL metadata API (POST /metadata): every query and mutation,
a regenerated token, revocation, errors."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

import pytest

from tests.functional.graphql_support import MetadataClient
from tests.support import Tenant, make_tenant

FUTURE = "2099-01-01T00:00:00.000Z"
KEY_FIELDS = "id name expiresAt revokedAt createdAt updatedAt scope token"

CREATE = f"""
mutation($input: CreateApiKeyInput!) {{ createApiKey(input: $input) {{ {KEY_FIELDS} }} }}
"""
GENERATE = """
mutation($id: UUID!, $expiresAt: String!) {
  generateApiKeyToken(apiKeyId: $id, expiresAt: $expiresAt) { token }
}
"""
UPDATE = f"""
mutation($input: UpdateApiKeyInput!) {{ updateApiKey(input: $input) {{ {KEY_FIELDS} }} }}
"""
REVOKE = "mutation($id: UUID!) { revokeApiKey(input: {id: $id}) { id revokedAt } }"
ONE = f"query($id: UUID!) {{ apiKey(input: {{id: $id}}) {{ {KEY_FIELDS} }} }}"
LIST = f"{{ apiKeys {{ {KEY_FIELDS} }} }}"


class Metadata(MetadataClient):
    """POST /metadata with one token; answers (status, body)."""

    def __init__(self, http, token: str) -> None:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        super().__init__(http, SimpleNamespace(headers=headers))
        self.token = token

    def create(self, **input_) -> dict:
        input_ = {"name": "Zapier", "expiresAt": FUTURE, **input_}
        return self.data(CREATE, {"input": input_})["createApiKey"]

    def with_token(self, token: str) -> Metadata:
        return Metadata(self._http, token)


@pytest.fixture
def gql(client, tenant: Tenant) -> Metadata:
    return Metadata(client.http, tenant.token)


@pytest.fixture
def other(client, aws) -> Metadata:
    return Metadata(client.http, make_tenant("Other").token)


def records_status(client, token: str) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    return client.http.get("/rest/companies", headers=headers).status_code


def test_create_api_key_answers_the_key_with_its_token_once(client, gql):
    created = gql.create(name="Zapier")
    assert created["name"] == "Zapier"
    assert created["expiresAt"] == FUTURE
    assert created["revokedAt"] is None
    assert created["scope"] == "full"
    assert created["token"].startswith("crm_")
    assert records_status(client, created["token"]) == 200
    shown = gql.data(ONE, {"id": created["id"]})["apiKey"]
    assert shown == {**created, "token": None}
    assert all(key["token"] is None for key in gql.data(LIST)["apiKeys"])


def test_create_api_key_takes_a_scope(gql):
    assert gql.create(scope="read")["scope"] == "read"
    assert gql.create(scope="metadata")["scope"] == "metadata"
    assert gql.create(scope=None)["scope"] == "full"


def test_api_keys_lists_the_workspaces_keys_that_are_not_revoked(gql, other):
    kept, revoked = gql.create(name="Kept"), gql.create(name="Revoked")
    other.create(name="Theirs")
    answer = gql.data(REVOKE, {"id": revoked["id"]})["revokeApiKey"]
    assert answer["id"] == revoked["id"] and answer["revokedAt"]
    names = [key["name"] for key in gql.data(LIST)["apiKeys"]]
    assert names == ["Acme key", "Kept"]
    assert kept["id"] in {key["id"] for key in gql.data(LIST)["apiKeys"]}


def test_generate_api_key_token_replaces_the_token_from_the_very_next_request(client, gql):
    created = gql.create()
    old = created["token"]
    assert records_status(client, old) == 200
    token = gql.data(GENERATE, {"id": created["id"], "expiresAt": "2098-01-01T00:00:00Z"})[
        "generateApiKeyToken"
    ]["token"]
    assert token != old and token.startswith("crm_")
    assert records_status(client, old) == 401
    assert records_status(client, token) == 200
    # The same key, with the new expiry: its id, name and scope stay.
    shown = gql.data(ONE, {"id": created["id"]})["apiKey"]
    assert shown["expiresAt"] == "2098-01-01T00:00:00.000Z"
    assert (shown["name"], shown["scope"], shown["createdAt"]) == (
        created["name"],
        created["scope"],
        created["createdAt"],
    )
    assert [key["id"] for key in gql.data(LIST)["apiKeys"]].count(created["id"]) == 1


def test_a_key_can_regenerate_its_own_token_and_then_only_the_new_one_works(client, gql):
    created = gql.create()
    holder = gql.with_token(created["token"])
    token = holder.data(GENERATE, {"id": created["id"], "expiresAt": FUTURE})[
        "generateApiKeyToken"
    ]["token"]
    assert holder(LIST)[1]["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert records_status(client, token) == 200


def test_a_revoked_key_gets_no_new_token(client, gql):
    created = gql.create()
    gql.data(REVOKE, {"id": created["id"]})
    error = gql.error(GENERATE, {"id": created["id"], "expiresAt": FUTURE})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "revoked" in error["message"]
    assert records_status(client, created["token"]) == 401


def test_update_api_key_renames_and_changes_the_expiry(gql):
    created = gql.create(name="Before")
    updated = gql.data(UPDATE, {"input": {"id": created["id"], "name": "After"}})["updateApiKey"]
    assert (updated["name"], updated["expiresAt"], updated["token"]) == ("After", FUTURE, None)
    updated = gql.data(UPDATE, {"input": {"id": created["id"], "expiresAt": "2097-01-01"}})[
        "updateApiKey"
    ]
    assert (updated["name"], updated["expiresAt"]) == ("After", "2097-01-01T00:00:00.000Z")


def test_revoke_api_key_refuses_the_token_on_the_very_next_request(client, gql):
    created = gql.create()
    gql.data(REVOKE, {"id": created["id"]})
    assert records_status(client, created["token"]) == 401
    assert gql.data(ONE, {"id": created["id"]})["apiKey"]["revokedAt"] is not None


def test_another_workspaces_key_is_not_found_everywhere_and_stays_untouched(client, gql, other):
    theirs = other.create(name="Theirs")
    for query, variables in (
        (ONE, {"id": theirs["id"]}),
        (UPDATE, {"input": {"id": theirs["id"], "name": "Stolen"}}),
        (REVOKE, {"id": theirs["id"]}),
        (GENERATE, {"id": theirs["id"], "expiresAt": FUTURE}),
    ):
        error = gql.error(query, variables)
        assert error["extensions"]["code"] == "NOT_FOUND", error
    assert other.data(ONE, {"id": theirs["id"]})["apiKey"]["name"] == "Theirs"
    assert records_status(client, theirs["token"]) == 200


def test_an_unknown_key_is_null_with_a_not_found_error(gql):
    status, body = gql(ONE, {"id": str(uuid.uuid4())})
    assert status == 200
    assert body["data"] == {"apiKey": None}
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"


@pytest.mark.parametrize(
    ("input_", "message"),
    [
        ({"name": "", "expiresAt": FUTURE}, "name must be a non-empty string"),
        ({"name": "x" * 256, "expiresAt": FUTURE}, "at most 255 characters"),
        ({"name": "CI", "expiresAt": "tomorrow"}, "ISO 8601"),
        ({"name": "CI", "expiresAt": "2000-01-01T00:00:00Z"}, "in the future"),
        ({"name": "CI", "expiresAt": FUTURE, "scope": "owner"}, "scope must be one of"),
    ],
)
def test_bad_create_inputs_are_bad_user_input_and_create_nothing(gql, input_, message):
    error = gql.error(CREATE, {"input": input_})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert message in error["message"]
    assert [key["name"] for key in gql.data(LIST)["apiKeys"]] == ["Acme key"]


def test_inputs_outside_the_schema_fail_validation(gql):
    status, body = gql(CREATE, {"input": {"name": "CI", "expiresAt": FUTURE, "roleId": "x"}})
    assert status == 400
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    status, body = gql("mutation { revokeApiKey(input: {id: 7}) { id } }")
    assert status == 400
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


def test_bad_update_and_token_inputs_are_bad_user_input(gql):
    created = gql.create(name="Same")
    for query, variables in (
        (UPDATE, {"input": {"id": created["id"], "name": ""}}),
        (UPDATE, {"input": {"id": created["id"], "expiresAt": None}}),
        (UPDATE, {"input": {"id": created["id"], "expiresAt": "1999-01-01"}}),
        (GENERATE, {"id": created["id"], "expiresAt": "never"}),
        (ONE, {"id": "not-a-uuid"}),
    ):
        assert gql.error(query, variables)["extensions"]["code"] == "BAD_USER_INPUT"
    assert gql.data(ONE, {"id": created["id"]})["apiKey"]["name"] == "Same"
