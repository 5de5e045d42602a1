"""GraphQL over GET: queries from the query string, the same answers, limits and errors as POST;
mutations refused with 405 before anything is read or written."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from tests.functional.graphql_support import GraphQLClient, create_companies


@pytest.fixture
def gql(client, tenant):
    return GraphQLClient(client.http, tenant)


def get(client, tenant, path="/graphql", headers=None, **params):
    query = urlencode({k: v for k, v in params.items() if v is not None})
    response = client.http.get(
        f"{path}?{query}", headers=tenant.headers if headers is None else headers
    )
    return response.status_code, json.loads(response.body), response.headers


LIST = "query Names($first: Int) { companies(first: $first, orderBy: [{name: AscNullsFirst}]) " \
    "{ totalCount edges { node { name } } } }"  # fmt: skip


def test_a_query_over_get_answers_as_over_post(client, tenant, gql):
    create_companies(gql, [{"name": "b"}, {"name": "a"}, {"name": "c"}])
    variables = {"first": 2}
    status, body, _ = get(client, tenant, query=LIST, variables=json.dumps(variables))
    assert status == 200
    assert body == gql(LIST, variables)[1]
    assert [e["node"]["name"] for e in body["data"]["companies"]["edges"]] == ["a", "b"]


def test_operation_name_selects_the_query_of_a_document(client, tenant, gql):
    create_companies(gql, [{"name": "a"}])
    document = "query A { companies { totalCount } } query B { __typename }"
    status, body, _ = get(client, tenant, query=document, operationName="A")
    assert (status, body) == (200, {"data": {"companies": {"totalCount": 1}}})
    status, body, _ = get(client, tenant, query=document)
    assert status == 400 and body["errors"]


@pytest.mark.parametrize(
    ("document", "operation"),
    [
        ('mutation { createCompany(data: {name: "x"}) { id } }', None),
        ('query Q { __typename } mutation M { createCompany(data: {name: "x"}) { id } }', "M"),
    ],
)
def test_a_mutation_over_get_is_405_and_writes_nothing(
    client, tenant, gql, meter, document, operation
):
    meter.reset()
    status, body, headers = get(client, tenant, query=document, operationName=operation)
    assert status == 405
    assert headers["Allow"] == "POST"
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "POST" in body["errors"][0]["message"]
    assert meter.requests == 0  # refused before the key was even looked up
    assert gql.data("{ companies { totalCount } }")["companies"]["totalCount"] == 0


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({}, "'query' parameter"),
        ({"query": ""}, "'query' parameter"),
        (
            {"query": "{ companies { totalCount } }", "variables": "{not json"},
            "'variables' must be JSON",
        ),
        ({"query": "{ companies { totalCount } }", "variables": "[1]"}, "'variables'"),
        ({"query": "{ companies { totalCount "}, "Syntax Error"),
        ({"query": "{ nosuch }"}, "nosuch"),
    ],
)
def test_bad_get_requests_are_400_as_over_post(client, tenant, params, fragment):
    status, body, _ = get(client, tenant, **params)
    assert status == 400, body
    assert fragment in body["errors"][0]["message"]


def test_the_document_limits_apply_over_get(client, tenant):
    inner = "id"
    for _ in range(4):  # 1 + 2 × 4 relation levels, past the limit of 5
        inner = f"people {{ edges {{ node {{ company {{ {inner} }} }} }} }}"
    status, body, _ = get(
        client, tenant, query=f"{{ companies {{ edges {{ node {{ {inner} }} }} }} }}"
    )
    assert status == 400
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


def test_a_missing_key_over_get_is_unauthenticated_as_over_post(client, tenant):
    status, body, _ = get(client, tenant, headers={}, query="{ companies { totalCount } }")
    assert status == 200
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_get_never_reads_another_workspace(client, tenant, gql):
    from tests.support import make_tenant

    create_companies(gql, [{"name": "mine"}])
    other = make_tenant("Other")
    status, body, _ = get(client, other, query="{ companies { totalCount } }")
    assert (status, body) == (200, {"data": {"companies": {"totalCount": 0}}})


def test_the_metadata_endpoint_answers_queries_over_get_too(client, tenant):
    query = "{ objects(paging: {first: 100}) { edges { node { nameSingular } } } }"
    status, body, _ = get(client, tenant, path="/metadata", query=query)
    assert status == 200, body
    singulars = {e["node"]["nameSingular"] for e in body["data"]["objects"]["edges"]}
    assert {"company", "person"} <= singulars
    mutation = 'mutation { deleteOneObject(input: {id: "x"}) { id } }'
    status, body, headers = get(client, tenant, path="/metadata", query=mutation)
    assert status == 405 and headers["Allow"] == "POST"
