"""GET /graphql/schema.graphql and GET /metadata/schema.graphql: each endpoint's schema as SDL text,
the workspace's own model in the core one, behind the key and its scope, errors in GraphQL's
shape with REST's statuses."""

from __future__ import annotations

import json

import pytest
from graphql import build_client_schema, build_schema, get_introspection_query, print_schema

from chalicelib.auth.api_keys import issue_key
from tests.support import RestClient, Tenant, make_tenant

CORE_SDL = "/graphql/schema.graphql"
METADATA_SDL = "/metadata/schema.graphql"


def fetch(client, path: str, headers: dict[str, str]):
    response = client.http.get(path, headers=headers)
    return response.status_code, response.headers["Content-Type"], response.body.decode()


def key_with_scope(tenant: Tenant, scope: str) -> dict[str, str]:
    issued = issue_key(tenant.workspace_id, f"{scope} key", scope=scope)
    return {"Authorization": f"Bearer {issued.token}"}


def introspected_sdl(client, tenant: Tenant, path: str) -> str:
    response = client.http.post(
        path, headers=tenant.headers, body=json.dumps({"query": get_introspection_query()})
    )
    return print_schema(build_client_schema(json.loads(response.body)["data"]))


@pytest.mark.parametrize("path", [CORE_SDL, METADATA_SDL])
def test_the_sdl_is_the_schema_the_endpoint_executes_against(client, tenant, path):
    status, content_type, text = fetch(client, path, tenant.headers)
    assert (status, content_type) == (200, "text/plain; charset=utf-8")
    build_schema(text)  # valid SDL on its own
    assert text == introspected_sdl(client, tenant, path.removesuffix("/schema.graphql"))


def test_the_core_sdl_follows_the_workspace_model_on_the_next_request(client, tenant):
    rest = RestClient(client.http, tenant)
    _, _, text = fetch(client, CORE_SDL, tenant.headers)
    assert "type Company " in text and "createCompany(" in text and "Rocket" not in text
    status, body = rest.post("/rest/metadata/objects", {
        "nameSingular": "rocket", "namePlural": "rockets",
        "labelSingular": "Rocket", "labelPlural": "Rockets",
    })  # fmt: skip
    assert status == 201, body
    rocket_id = body["data"]["createOneObject"]["id"]

    _, _, text = fetch(client, CORE_SDL, tenant.headers)
    assert "type Rocket " in text and "createRockets(" in text
    other = make_tenant("Other")
    assert "Rocket" not in fetch(client, CORE_SDL, other.headers)[2]  # per workspace

    rest.patch(f"/rest/metadata/objects/{rocket_id}", {"isActive": False})
    assert "Rocket" not in fetch(client, CORE_SDL, tenant.headers)[2]


@pytest.mark.parametrize(
    ("path", "scope", "allowed"),
    [
        (CORE_SDL, "read", True),
        (CORE_SDL, "metadata", False),
        (METADATA_SDL, "metadata", True),
        (METADATA_SDL, "read", False),
    ],
)
def test_a_key_reads_the_sdl_of_the_endpoints_its_scope_may_query(
    client, tenant, path, scope, allowed
):
    status, content_type, text = fetch(client, path, key_with_scope(tenant, scope))
    if allowed:
        assert (status, content_type) == (200, "text/plain; charset=utf-8")
        return
    assert (status, content_type) == (403, "application/json")
    assert [e["extensions"]["code"] for e in json.loads(text)["errors"]] == ["FORBIDDEN"]


@pytest.mark.parametrize("path", [CORE_SDL, METADATA_SDL])
@pytest.mark.parametrize("authorization", [None, "Bearer not-a-key", "Basic abc"])
def test_without_a_valid_key_the_sdl_is_a_401_in_the_graphql_error_shape(
    client, aws, path, authorization
):
    headers = {"Authorization": authorization} if authorization else {}
    status, content_type, text = fetch(client, path, headers)
    assert (status, content_type) == (401, "application/json")
    (error,) = json.loads(text)["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert error["message"]
