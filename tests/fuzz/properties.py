"""What every fuzzed answer must be: JSON, never a 5xx, Twenty's error shape for a 4xx."""

from __future__ import annotations

from typing import Any

from tests.fuzz.world import NOT_JSON, Answer, FuzzWorld

# A 503 names a real outage of DynamoDB (retry later), not a fault of the request; the fuzzed
# stack has none, so every 5xx is a finding.
SERVER_ERROR = 500


def assert_rest_answer(answer: Answer) -> None:
    """A REST answer: JSON, below 500, and `{statusCode, error, messages, code}` when 4xx."""
    assert answer.json is not NOT_JSON, f"not JSON: {answer}"
    assert answer.status < SERVER_ERROR, f"server error: {answer}"
    if answer.status >= 400:
        assert_twenty_error(answer.status, answer.json, answer)


def assert_twenty_error(status: int, body: Any, answer: Answer) -> None:
    assert isinstance(body, dict), f"error body is not an object: {answer}"
    assert body.get("statusCode") == status, f"statusCode differs from the status: {answer}"
    assert isinstance(body.get("error"), str) and body["error"], f"no error name: {answer}"
    messages = body.get("messages")
    assert isinstance(messages, list) and messages, f"no messages: {answer}"
    assert all(isinstance(message, str) for message in messages), f"bad messages: {answer}"
    assert isinstance(body.get("code"), str), f"no code: {answer}"


def assert_graphql_answer(answer: Answer) -> None:
    """A GraphQL answer: JSON, below 500, `errors[]` with codes, none INTERNAL_SERVER_ERROR."""
    assert answer.json is not NOT_JSON, f"not JSON: {answer}"
    assert answer.status < SERVER_ERROR, f"server error: {answer}"
    body = answer.json
    assert isinstance(body, dict), f"not a GraphQL response: {answer}"
    assert "data" in body or "errors" in body, f"neither data nor errors: {answer}"
    if answer.status >= 400:
        assert body.get("errors"), f"a {answer.status} without errors: {answer}"
    errors = body.get("errors", [])
    assert isinstance(errors, list), f"errors is not a list: {answer}"
    for error in errors:
        assert isinstance(error, dict) and isinstance(error.get("message"), str), answer
        code = (error.get("extensions") or {}).get("code")
        assert isinstance(code, str), f"an error without extensions.code: {answer}"
        assert code != "INTERNAL_SERVER_ERROR", f"internal error: {answer}"


def assert_workspace_still_answers(world: FuzzWorld) -> None:
    """After the fuzzing: a plain list query and `{ __typename }` still work."""
    listed = world.rest("GET", "/rest/companies?limit=5")
    assert listed.status == 200, listed
    assert isinstance(listed.json["data"]["companies"], list), listed
    typename = world.graphql("{ __typename }")
    assert typename.status == 200 and typename.json == {"data": {"__typename": "Query"}}, typename
    listed = world.graphql("{ companies(first: 5) { edges { node { id name } } } }")
    assert listed.status == 200 and "errors" not in listed.json, listed
