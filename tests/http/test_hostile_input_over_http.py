"""Hostile input over real HTTP against the local stack (`make run`): a 4xx, never a 500.

The same findings as tests/functional/test_hostile_input.py (issue 17, finding 3), sent as raw
bytes through chalice's local server to the moto server: a lone surrogate, bodies and GraphQL
variables nested 1,000 deep, a 401 KB record and 140 KB of `é` spread over several fields.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from chalicelib.storage.item_limits import MAX_RECORD_BYTES, encode_body
from tests.http.local_stack import Stack

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
ACCENTED = "é" * 17_500


def send(stack: Stack, method: str, path: str, raw: bytes | str) -> tuple[int, Any]:
    """One request with a body sent exactly as given (json.dumps could not even build some)."""
    data = raw.encode() if isinstance(raw, str) else raw
    headers = {"Authorization": f"Bearer {stack.key}", "Content-Type": "application/json"}
    request = urllib.request.Request(stack.api + path, data=data, headers=headers, method=method)
    try:
        with _OPENER.open(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read() or b"null")


def company_count(stack: Stack) -> int:
    status, body = stack.call("GET", "/rest/companies?limit=1")
    assert status == 200, body
    return body["totalCount"]


def test_a_lone_surrogate_is_400_in_rest_and_graphql(stack: Stack):
    before = company_count(stack)
    status, body = send(stack, "POST", "/rest/companies", '{"name": "\\ud800"}')
    assert status == 400 and body["code"] == "INVALID_REQUEST_BODY", body
    assert "a string at 'name' holds a lone UTF-16 surrogate" in body["messages"][0]
    query = "mutation($d: CompanyCreateInput!) { createCompany(data: $d) { id } }"
    raw = json.dumps({"query": query}).rstrip("}") + ', "variables": {"d": {"name": "\\udfff"}}}'
    status, body = send(stack, "POST", "/graphql", raw)
    assert status == 400 and body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", body
    assert company_count(stack) == before


def test_bodies_and_variables_nested_1000_deep_are_400(stack: Stack):
    deep = "[" * 1000 + "]" * 1000
    status, body = send(stack, "POST", "/rest/companies", '{"name": "x", "a": ' + deep + "}")
    assert status == 400 and "nested deeper" in body["messages"][0], body
    status, body = send(stack, "POST", "/rest/batch/companies", deep)
    assert status == 400 and body["code"] == "INVALID_REQUEST_BODY", body
    status, body = send(stack, "POST", "/rest/metadata/objects", '{"a":' * 1000 + "1" + "}" * 1000)
    assert status == 400 and body["code"] == "INVALID_REQUEST_BODY", body
    for raw in (
        deep,
        '{"query": "{ companies { totalCount } }", "variables": {"f": ' + deep + "}}",
    ):
        status, body = send(stack, "POST", "/graphql", raw)
        assert status == 400, body
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert "nested deeper" in body["errors"][0]["message"]


def test_a_401_kb_record_is_413_naming_the_field_and_nothing_is_written(stack: Stack):
    before = company_count(stack)
    status, body = stack.call("POST", "/rest/companies", {"name": "x" * 401_000})
    assert status == 413 and body["code"] == "RECORD_TOO_LARGE", body
    assert "'name' (" in body["messages"][0]
    status, body = stack.call(
        "POST", "/rest/batch/companies", [{"name": "small"}, {"name": "x" * 401_000}]
    )
    assert status == 413 and body["messages"][0].startswith("Record 1: Too large"), body
    assert company_count(stack) == before


def test_140_kb_of_accented_text_in_several_fields_is_refused_or_stored_never_a_500(stack: Stack):
    company = {
        "name": ACCENTED,
        "address": {"addressStreet1": ACCENTED, "addressCity": ACCENTED},
        "linkedinLink": {"primaryLinkLabel": ACCENTED},
    }
    status, body = stack.call("POST", "/rest/companies", company)
    if len(encode_body(company).encode()) > MAX_RECORD_BYTES:  # é stored escaped: 6 bytes
        assert status == 413 and body["code"] == "RECORD_TOO_LARGE", body
        assert all(f"'{f}' (" in body["messages"][0] for f in ("name", "address", "linkedinLink"))
    else:
        assert status == 201, body


def test_a_record_just_under_the_limit_is_stored_and_read_back(stack: Stack):
    name = "y" * (MAX_RECORD_BYTES - 4_000)
    status, body = stack.call("POST", "/rest/companies", {"name": name})
    assert status == 201, body
    record = body["data"]["createCompany"]["id"]
    status, body = stack.call("GET", f"/rest/companies/{record}")
    assert status == 200 and body["data"]["company"]["name"] == name
    assert stack.call("DELETE", f"/rest/companies/{record}")[0] == 200
