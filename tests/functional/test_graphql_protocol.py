"""POST /graphql protocol: authentication, every error code, limits before any DynamoDB call."""

from __future__ import annotations

import json

import pytest

from chalicelib.settings import SETTINGS
from tests.functional.graphql_support import GraphQLClient, fill


@pytest.fixture
def gql(client, tenant):
    return GraphQLClient(client.http, tenant)


def codes(body):
    return [error["extensions"]["code"] for error in body["errors"]]


@pytest.mark.parametrize(
    "headers",
    [
        {"Content-Type": "application/json"},
        {"Content-Type": "application/json", "Authorization": "Bearer not-a-key"},
        {"Content-Type": "application/json", "Authorization": "Basic abc"},
    ],
)
def test_missing_or_invalid_keys_are_unauthenticated_with_status_200(gql, headers):
    status, body = gql("{ companies { totalCount } }", headers=headers)
    assert status == 200
    assert codes(body) == ["UNAUTHENTICATED"] and "data" not in body


def test_introspection_needs_a_key_too(gql):
    status, body = gql(
        "{ __schema { queryType { name } } }", headers={"Content-Type": "application/json"}
    )
    assert codes(body) == ["UNAUTHENTICATED"]


def test_a_syntax_error_is_graphql_parse_failed(gql):
    status, body = gql("{ companies { ")
    assert status == 400 and codes(body) == ["GRAPHQL_PARSE_FAILED"]
    assert body["errors"][0]["locations"]


def test_an_unknown_field_is_graphql_validation_failed(gql):
    status, body = gql("{ companies { edges { node { nope } } } }")
    assert status == 400 and codes(body) == ["GRAPHQL_VALIDATION_FAILED"]


@pytest.mark.parametrize(
    "payload",
    ['{"query": 1}', "[]", "not json", '{"query": "{ companies { totalCount } }", "variables": 3}'],
)
def test_a_malformed_request_is_bad_user_input(gql, payload):
    status, body = gql.raw(payload)
    assert status == 400 and codes(body) == ["BAD_USER_INPUT"]


def test_bad_variables_are_bad_user_input(gql):
    status, body = gql("query($n: Int) { companies(first: $n) { totalCount } }", {"n": "many"})
    assert status == 400 and codes(body) == ["BAD_USER_INPUT"]


def test_an_invalid_filter_value_is_bad_user_input_with_its_path(gql):
    status, body = gql('{ companies(filter: {createdAt: {gt: "yesterday"}}) { totalCount } }')
    assert status == 200 and codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["path"] == ["companies"]
    assert "createdAt" in body["errors"][0]["message"]


def test_page_size_above_the_maximum_is_bad_user_input(gql):
    status, body = gql(fill("{ companies(first: %s) { totalCount } }", SETTINGS.page_max + 1))
    assert codes(body) == ["BAD_USER_INPUT"]


def test_a_missing_relation_target_is_bad_user_input(gql):
    status, body = gql(
        'mutation { createPerson(data: {companyId: "00000000-0000-4000-8000-000000000000"}) { id } }'
    )
    assert codes(body) == ["BAD_USER_INPUT"]


def test_a_unique_violation_is_conflict(gql):
    query = 'mutation { createCompany(data: {domainName: {primaryLinkUrl: "a.io"}}) { id } }'
    gql.data(query)
    status, body = gql(query)
    assert codes(body) == ["CONFLICT"]


def test_an_unknown_record_is_not_found(gql):
    status, body = gql(
        'mutation { updateCompany(id: "00000000-0000-4000-8000-000000000000", data: {name: "x"}) '
        "{ id } }"
    )
    assert codes(body) == ["NOT_FOUND"]


def test_a_foreign_cursor_is_bad_user_input(gql):
    gql.data('mutation { createCompanies(data: [{name: "a"}, {name: "b"}]) { id } }')
    page = gql.data("{ companies(first: 1) { pageInfo { endCursor } } }")
    cursor = page["companies"]["pageInfo"]["endCursor"]
    status, body = gql(
        fill('{ companies(after: "%s", orderBy: [{name: AscNullsFirst}]) { totalCount } }', cursor)
    )
    assert codes(body) == ["BAD_USER_INPUT"] and "another list" in body["errors"][0]["message"]
    status, body = gql(fill('{ people(after: "%s") { totalCount } }', cursor))
    assert codes(body) == ["BAD_USER_INPUT"]


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        (
            "{ companies { edges { node { people { edges { node { company { people { edges "
            "{ node { company { name } } } } } } } } } } } }",
            "depth 6",
        ),
        ("{ " + " ".join(f"a{i}: companies {{ totalCount }}" for i in range(21)) + " }", "21 root"),
        (
            "{ companies { edges { node { " + " id" * 2001 + " } } } }",
            "maximum is 2000",
        ),
    ],
)
def test_limits_are_refused_before_any_dynamodb_call(gql, meter, query, fragment):
    meter.reset()
    status, body = gql(query)
    assert status == 400 and codes(body) == ["GRAPHQL_VALIDATION_FAILED"]
    assert fragment in body["errors"][0]["message"]
    assert meter.requests == 0


def test_too_many_tokens_is_a_parse_failure_before_any_dynamodb_call(gql, meter):
    meter.reset()
    query = "{ companies { totalCount " + "__typename " * (SETTINGS.graphql_max_tokens + 1) + "} }"
    status, body = gql(query)
    assert status == 400 and codes(body) == ["GRAPHQL_PARSE_FAILED"]
    assert meter.requests == 0


def test_a_query_at_the_depth_limit_is_served(gql):
    query = (
        "{ companies { edges { node { people { edges { node { company { accountOwner "
        "{ id } } } } } } } } }"
    )
    assert gql.data(query) == {"companies": {"edges": []}}


def test_metadata_validation_errors_have_their_own_code():
    from chalicelib.errors import MetadataValidationError
    from chalicelib.graphql.errors import crm_error_entry

    entry = crm_error_entry(MetadataValidationError("names must differ"))
    assert entry["extensions"]["code"] == "METADATA_VALIDATION_FAILED"


def test_get_without_a_query_parameter_is_a_bad_request(gql, client, tenant):
    # GraphQL over GET serves queries (tests/functional/test_graphql_get.py).
    response = client.http.get("/graphql", headers=tenant.headers)
    assert response.status_code == 400
    assert codes(json.loads(response.body)) == ["BAD_USER_INPUT"]


def test_a_body_over_the_size_limit_is_413_before_any_dynamodb_call(gql, meter):
    meter.reset()
    padding = " " * (SETTINGS.max_body_bytes + 1)
    status, body = gql.raw('{"query": "{ companies { totalCount } }"' + padding + "}")
    assert status == 413 and codes(body) == ["BAD_USER_INPUT"]
    assert meter.requests == 0


def test_an_unexpected_failure_is_internal_server_error_without_a_traceback_and_keeps_partial_data(
    gql, meter
):
    """A root field whose storage call fails unexpectedly gets INTERNAL_SERVER_ERROR and null;
    the other root fields of the request still answer (GraphQL's partial data)."""
    [acme] = gql.data('mutation { createCompanies(data: [{name: "Acme"}]) { id } }')[
        "createCompanies"
    ]

    def broken_record_reads(operation, params):
        if operation in ("GetItem", "BatchGetItem", "Query") and "#REC#" in str(params):
            raise RuntimeError("disk on fire at /srv/secret/path")
        return None

    gql.data("{ __typename }")  # the schema is built before storage breaks
    meter.interceptors.append(broken_record_reads)
    try:
        status, body = gql(
            f'{{ company(filter: {{id: {{eq: "{acme["id"]}"}}}}) {{ id }} ok: __typename }}'
        )
    finally:
        meter.interceptors.remove(broken_record_reads)
    assert status == 200
    assert codes(body) == ["INTERNAL_SERVER_ERROR"]
    assert body["errors"][0]["path"] == ["company"]
    assert "secret" not in str(body) and "Traceback" not in str(body)
    assert body["data"] == {"company": None, "ok": "Query"}
