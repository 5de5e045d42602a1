"""The request log of the real local stack (run_local.py, stdout into a file): one JSON line per
request with its caller, route, status and DynamoDB cost, and no token or record value."""

from __future__ import annotations

import json
import time
from typing import Any

FUTURE = "2099-01-01T00:00:00.000Z"


def request_lines(stack) -> list[dict[str, Any]]:
    """The request lines of the log. Searched for inside lines: other threads of the stack
    (Chalice's server, the stream poller) print too, and a `print` is two writes."""
    decoder = json.JSONDecoder()
    lines = []
    for text in stack.output().splitlines():
        start = text.find('{"level"')
        if start < 0:
            continue
        line, _ = decoder.raw_decode(text, start)
        if line.get("service") == "api":
            lines.append(line)
    return lines


def lines_of(stack, key_id: str, count: int) -> list[dict[str, Any]]:
    """The lines of `key_id`'s requests, once `count` of them are in the log."""
    deadline = time.monotonic() + 10
    while True:
        found = [line for line in request_lines(stack) if line.get("keyId") == key_id]
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def test_each_request_of_the_local_stack_prints_its_line_without_token_or_record_values(stack):
    status, answer = stack.call(
        "POST", "/rest/metadata/apiKeys", {"name": "Log probe", "expiresAt": FUTURE}
    )
    assert status == 201, answer
    created = answer["data"]["createApiKey"]
    token, key_id = created["token"], created["id"]
    secret_value = "Quokka-Marmalade-7731"

    status, body = stack.call(
        "POST", "/rest/people", {"name": {"firstName": secret_value}}, key=token
    )
    assert status == 201, body
    person_id = body["data"]["createPerson"]["id"]
    assert stack.call("GET", f"/rest/people/{person_id}", key=token)[0] == 200
    missing = "/rest/people/00000000-0000-4000-8000-000000000000"
    assert stack.call("GET", missing, key=token)[0] == 404
    graphql = {"query": "query PeopleNamed { people(first: 1) { edges { node { id } } } }"}
    assert stack.call("POST", "/graphql", graphql, key=token)[0] == 200

    create, read, not_found, query = lines_of(stack, key_id, 4)

    assert (create["api"], create["route"], create["method"], create["status"]) == (
        "rest",
        "/rest/{plural}",
        "POST",
        201,
    )
    assert "TransactWriteItems" in {entry["operation"] for entry in create["dynamodb"]}
    assert read["route"] == "/rest/{plural}/{record_id}" and read["readCapacityUnits"] > 0
    assert (not_found["status"], not_found["errorCode"], not_found["level"]) == (
        404,
        "RECORD_NOT_FOUND",
        "WARNING",
    )
    assert (query["api"], query["operation"], query["status"]) == ("graphql", "PeopleNamed", 200)
    for line in (create, read, not_found, query):
        assert line["workspaceId"] == stack.banner["workspaceId"]
        assert line["requestId"] and line["latencyMs"] > 0
        assert line["_aws"]["CloudWatchMetrics"][0]["Metrics"]

    output = stack.output()
    assert token not in output
    assert token[:20] not in output
    assert "Bearer" not in output
    assert secret_value not in output
    assert person_id not in "".join(json.dumps(line) for line in (create, read, not_found, query))
