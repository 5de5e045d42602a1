"""The parts of a request line read from the request and the answer without decoding them:
the API of a route, the GraphQL operation name, the error code."""

from __future__ import annotations

import json

import pytest
from chalice import Response
from chalice.app import Request

from chalicelib.observability.request_log import api_of, error_code, graphql_operation
from chalicelib.request_state import RequestState


def graphql_request(payload: dict | None = None, *, query_params: dict | None = None) -> Request:
    method = "GET" if query_params is not None else "POST"
    return Request(
        {
            "multiValueQueryStringParameters": (
                {k: [v] for k, v in query_params.items()} if query_params is not None else None
            ),
            "headers": {"content-type": "application/json"},
            "pathParameters": None,
            "requestContext": {"httpMethod": method, "resourcePath": "/graphql"},
            "body": json.dumps(payload) if payload is not None else None,
            "stageVariables": None,
        }
    )


@pytest.mark.parametrize(
    ("route", "api"),
    [
        ("/rest/{plural}", "rest"),
        ("/rest/batch/{plural}", "rest"),
        ("/rest/metadata/objects", "metadata"),
        ("/rest/metadata/webhooks/{webhook_id}", "metadata"),
        ("/rest/open-api/core", "docs"),
        ("/graphql", "graphql"),
        ("/graphql/schema.graphql", "docs"),
        ("/metadata", "metadata"),
        ("/metadata/schema.graphql", "docs"),
        ("/docs", "docs"),
        ("/playground", "docs"),
        ("/healthz", "system"),
        ("/restless", "system"),
    ],
)
def test_each_route_belongs_to_its_api(route, api):
    assert api_of(route) == api


@pytest.mark.parametrize(
    ("document", "name"),
    [
        ("query Companies { companies { totalCount } }", "Companies"),
        ("  mutation   MakeOne($d: X) { createCompany(data: $d) { id } }", "MakeOne"),
        ("\n\tquery\nNewlines { x }", "Newlines"),
        ("{ companies { totalCount } }", None),  # anonymous
        ("query { companies { totalCount } }", None),
        ("fragment F on Company { id } query Later { x }", None),  # not the first definition
        ('{ c(filter: {name: {eq: "query Trick"}}) { id } }', None),  # inside a string
    ],
)
def test_the_operation_name_is_the_first_definition_s_when_it_is_a_named_operation(document, name):
    state = RequestState()
    assert graphql_operation(graphql_request({"query": document}), state) == name
    assert graphql_operation(graphql_request(query_params={"query": document}), state) == name


def test_an_operation_name_sent_by_the_client_wins():
    state = RequestState(operation="Chosen")
    assert graphql_operation(graphql_request({"query": "query Other { x }"}), state) == "Chosen"
    request = graphql_request(query_params={"query": "query Other { x }", "operationName": "B"})
    assert graphql_operation(request, RequestState()) == "B"


def test_the_error_code_of_a_rest_error_is_its_code_and_a_success_has_none():
    body = {"statusCode": 404, "error": "NotFoundException", "messages": ['"code":"X"'],
            "code": "RECORD_NOT_FOUND"}  # fmt: skip
    answer = Response(body=json.dumps(body, separators=(",", ":")), status_code=404)
    assert error_code(answer, "rest") == "RECORD_NOT_FOUND"
    assert error_code(Response(body='{"data":{"code":"x"}}', status_code=200), "rest") is None
    assert error_code(Response(body={"Code": "BadRequest"}, status_code=400), "rest") == (
        "BadRequest"
    )


def test_the_error_code_of_a_graphql_answer_is_its_first_error_s_extension_code():
    body = {
        "errors": [
            {
                "message": 'a "code":"FAKE" in a message',
                "locations": [{"line": 1, "column": 2}],
                "extensions": {"subCode": "RECORD_NOT_FOUND", "code": "NOT_FOUND"},
            }
        ],
        "data": None,
    }
    answer = Response(body=json.dumps(body, separators=(",", ":")), status_code=200)
    assert error_code(answer, "graphql") == "NOT_FOUND"
    clean = Response(body='{"data":{"companies":null}}', status_code=200)
    assert error_code(clean, "graphql") is None


def test_a_request_that_raised_is_an_internal_error():
    assert error_code(None, "rest") == "INTERNAL_SERVER_ERROR"
