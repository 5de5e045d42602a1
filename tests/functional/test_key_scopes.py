"""API-key scopes on every API: 'read' keys read records only, 'metadata' keys use the metadata
APIs only, and no key mints or manages a key wider than itself. A refusal is a 403 FORBIDDEN in
Twenty's error shape, made after the key check alone: nothing else is read, nothing written."""

from __future__ import annotations

import json

import pytest

from chalicelib.auth.api_keys import issue_key
from tests.functional.graphql_support import GraphQLClient
from tests.support import RestClient, Tenant

KEYS = "/rest/metadata/apiKeys"
FUTURE = "2099-01-01T00:00:00.000Z"
# Admission's one request: the key (and the workspace item, unused when the key is refused).
KEY_CHECK_ONLY = {"BatchGetItem": 1}


def scoped(rest: RestClient, scope: str) -> RestClient:
    """A REST client of the same workspace whose key has `scope`."""
    issued = issue_key(rest.tenant.workspace_id, f"{scope} key", scope=scope)
    return RestClient(rest._http, Tenant(rest.tenant.workspace_id, issued.token, issued.row.key_id))


def metadata_graphql(rest: RestClient, query: str, variables=None):
    response = rest._http.post(
        "/metadata",
        headers=rest.tenant.headers,
        body=json.dumps({"query": query, "variables": variables or {}}),
    )
    return response.status_code, json.loads(response.body)


def core_graphql(rest: RestClient) -> GraphQLClient:
    return GraphQLClient(rest._http, rest.tenant)


def company_names(rest: RestClient) -> list[str]:
    return [company["name"] for company in rest.get("/rest/companies")[1]["data"]["companies"]]


def key_names(rest: RestClient) -> list[str]:
    return [key["name"] for key in rest.get(KEYS)[1]["data"]["apiKeys"]]


def assert_forbidden_rest(answer, scope: str) -> None:
    status, body = answer
    assert status == 403, body
    assert body["statusCode"] == 403
    assert body["error"] == "ForbiddenException"
    assert body["code"] == "FORBIDDEN"
    assert f"'{scope}' scope" in body["messages"][0]


def assert_forbidden_graphql(answer) -> None:
    status, body = answer
    assert status == 403, body
    assert [error["extensions"]["code"] for error in body["errors"]] == ["FORBIDDEN"]
    assert "data" not in body


@pytest.fixture
def reader(rest):
    return scoped(rest, "read")


@pytest.fixture
def admin(rest):
    return scoped(rest, "metadata")


# -- 'read' keys --------------------------------------------------------------------------------


def test_a_read_key_reads_records_over_rest_and_graphql(rest, reader):
    rest.post("/rest/companies", {"name": "Acme"})
    assert company_names(reader) == ["Acme"]
    data = core_graphql(reader).data("{ companies { edges { node { name } } } }")
    assert [edge["node"]["name"] for edge in data["companies"]["edges"]] == ["Acme"]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/rest/companies", {"name": "Nope"}),
        ("POST", "/rest/batch/companies", [{"name": "Nope"}]),
        ("PATCH", "/rest/companies/{id}", {"name": "Nope"}),
        ("DELETE", "/rest/companies/{id}", None),
        ("DELETE", "/rest/companies/{id}?soft_delete=true", None),
    ],
)
def test_a_read_key_writing_records_over_rest_is_403_after_the_key_check_alone(
    rest, reader, meter, method, path, body
):
    company_id = rest.post("/rest/companies", {"name": "Acme"})[1]["data"]["createCompany"]["id"]
    meter.reset()
    answer = reader.call(method, path.format(id=company_id), body)
    assert_forbidden_rest(answer, "read")
    assert meter.operations == KEY_CHECK_ONLY
    assert company_names(rest) == ["Acme"]


def test_a_read_key_mutating_over_graphql_is_403_and_nothing_is_written(rest, reader, meter):
    meter.reset()
    answer = core_graphql(reader)('mutation { createCompany(data: {name: "Nope"}) { id } }')
    assert_forbidden_graphql(answer)
    assert meter.operations == KEY_CHECK_ONLY
    assert company_names(rest) == []


def test_the_selected_operation_decides_whether_a_read_key_may_run_a_document(rest, reader):
    document = 'query Q { companies { totalCount } } mutation M { createCompany(data: {name: "N"}) { id } }'
    gql = core_graphql(reader)
    status, body = gql(document, operation_name="Q")
    assert status == 200 and body["data"]["companies"]["totalCount"] == 0
    assert_forbidden_graphql(gql(document, operation_name="M"))
    # Without an operationName a document of several operations cannot run; it is refused too.
    assert gql(document)[0] in (400, 403)
    assert company_names(rest) == []


def test_a_read_key_is_refused_by_both_metadata_apis(reader, meter):
    meter.reset()
    assert_forbidden_rest(reader.get("/rest/metadata/objects"), "read")
    assert_forbidden_rest(reader.get(KEYS), "read")
    assert_forbidden_rest(reader.post(KEYS, {"name": "n", "expiresAt": FUTURE}), "read")
    assert meter.operations == {"BatchGetItem": 3}
    assert_forbidden_graphql(metadata_graphql(reader, "{ apiKeys { id } }"))
    assert_forbidden_graphql(metadata_graphql(reader, "{ objects { totalCount } }"))


# -- 'metadata' keys ----------------------------------------------------------------------------


def test_a_metadata_key_uses_both_metadata_apis(admin):
    assert admin.get("/rest/metadata/objects")[0] == 200
    assert admin.get(KEYS)[0] == 200
    status, body = metadata_graphql(admin, "{ objects(paging: {first: 1}) { totalCount } }")
    assert status == 200 and body["data"]["objects"]["totalCount"] > 0


def test_a_metadata_key_is_refused_by_the_core_apis(rest, admin, meter):
    rest.post("/rest/companies", {"name": "Acme"})
    meter.reset()
    assert_forbidden_rest(admin.get("/rest/companies"), "metadata")
    assert_forbidden_rest(admin.post("/rest/companies", {"name": "Nope"}), "metadata")
    assert meter.operations == {"BatchGetItem": 2}
    gql = core_graphql(admin)
    assert_forbidden_graphql(gql("{ companies { totalCount } }"))
    assert_forbidden_graphql(gql('mutation { createCompany(data: {name: "Nope"}) { id } }'))
    assert company_names(rest) == ["Acme"]


@pytest.mark.parametrize("scope", ["full", "read"])
def test_a_metadata_key_cannot_mint_another_scope_and_nothing_is_created(rest, admin, scope):
    before = key_names(rest)
    answer = admin.post(KEYS, {"name": "Escalate", "expiresAt": FUTURE, "scope": scope})
    assert_forbidden_rest(answer, "metadata")
    status, body = metadata_graphql(
        admin,
        "mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { id } }",
        {"i": {"name": "Escalate", "expiresAt": FUTURE, "scope": scope}},
    )
    assert status == 200 and body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert key_names(rest) == before


def test_a_metadata_key_without_a_scope_asks_for_a_full_key_and_is_refused(rest, admin):
    assert_forbidden_rest(admin.post(KEYS, {"name": "Default", "expiresAt": FUTURE}), "metadata")


def test_a_metadata_key_mints_and_manages_metadata_keys(admin):
    status, body = admin.post(KEYS, {"name": "Peer", "expiresAt": FUTURE, "scope": "metadata"})
    assert status == 201
    peer = body["data"]["createApiKey"]
    assert peer["scope"] == "metadata"
    assert admin.patch(f"{KEYS}/{peer['id']}", {"name": "Peer 2"})[0] == 200
    assert admin.delete(f"{KEYS}/{peer['id']}")[0] == 200


def test_a_metadata_key_cannot_regenerate_update_or_revoke_a_full_key(client, rest, admin):
    full = rest.tenant
    status, body = metadata_graphql(
        admin,
        'mutation($id: UUID!) { generateApiKeyToken(apiKeyId: $id, expiresAt: "2099-01-01") '
        "{ token } }",
        {"id": full.key_id},
    )
    assert status == 200 and body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert body["data"] is None
    assert_forbidden_rest(admin.patch(f"{KEYS}/{full.key_id}", {"name": "Mine"}), "metadata")
    assert_forbidden_rest(admin.delete(f"{KEYS}/{full.key_id}"), "metadata")
    # The full key is unchanged and its token still works.
    shown = rest.get(f"{KEYS}/{full.key_id}")[1]["data"]["apiKey"]
    assert (shown["name"], shown["revokedAt"]) == ("Acme key", None)
    assert rest.get("/rest/companies")[0] == 200


def test_a_metadata_key_may_revoke_itself(admin):
    assert admin.delete(f"{KEYS}/{admin.tenant.key_id}")[0] == 200
    assert admin.get(KEYS)[0] == 401


def test_a_full_key_manages_keys_of_every_scope(rest, admin, reader):
    for scope in ("full", "read", "metadata"):
        body = {"name": scope, "expiresAt": FUTURE, "scope": scope}
        assert rest.post(KEYS, body)[0] == 201
    assert rest.patch(f"{KEYS}/{reader.tenant.key_id}", {"name": "Reader"})[0] == 200
    assert rest.delete(f"{KEYS}/{admin.tenant.key_id}")[0] == 200
    assert admin.get(KEYS)[0] == 401
