"""A page that would pass Lambda's 6 MB, against the real local stack at the default settings:
it comes back shortened and flagged, and paging on returns the rest (issue 17, item 4)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest

from chalicelib.core.budget import text_wire_size
from chalicelib.rest.request_limits import SHORTENED_HEADER
from chalicelib.settings import SETTINGS
from tests.http.local_stack import Stack

RECORDS = 20
NAME_CHARS = 380_000  # a record of ~382 KB: 20 of them are 7.6 MB, past Lambda's 6 MB

# Loopback only: never let an HTTP(S)_PROXY from the environment see these requests.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))

GRAPHQL_PAGE = """query($after: String) { companies(first: 60, after: $after) {
  totalCount edges { cursor node { id name } } pageInfo { hasNextPage endCursor } } }"""


def send(stack: Stack, method: str, path: str, body: Any = None) -> tuple[int, Any, Any, int]:
    """(status, parsed body, headers, body bytes) of one request."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        stack.api + path,
        data=data,
        method=method,
        headers={"Authorization": f"Bearer {stack.key}", "Content-Type": "application/json"},
    )
    with _OPENER.open(request, timeout=60) as response:
        raw = response.read()
        return response.status, json.loads(raw), response.headers, len(raw)


@pytest.fixture(scope="module")
def big_companies(stack: Stack) -> list[str]:
    """Ids of RECORDS companies of ~382 KB each, in id order (the list's default order)."""
    ids = []
    for start in range(0, RECORDS, 5):
        batch = [{"name": f"{i:02d}" + "x" * NAME_CHARS} for i in range(start, start + 5)]
        status, body, _, _ = send(stack, "POST", "/rest/batch/companies", batch)
        assert status == 201, body
        ids += [record["id"] for record in body["data"]["createCompanies"]]
    return sorted(ids)


def test_the_defaults_keep_answers_under_lambdas_6_mb():
    assert SETTINGS.max_response_bytes <= 6 * 1024 * 1024 - 256 * 1024


@pytest.mark.parametrize("depth", [0, 1])
def test_a_rest_page_past_6_mb_is_shortened_and_paging_on_returns_the_rest(
    stack: Stack, big_companies: list[str], depth: int
):
    walked, cursor, pages = [], None, 0
    while True:
        after = f"&starting_after={cursor}" if cursor else ""
        status, body, headers, size = send(
            stack, "GET", f"/rest/companies?limit=60&depth={depth}{after}"
        )
        assert status == 200
        assert (
            text_wire_size(json.dumps(body, separators=(",", ":"))) <= SETTINGS.max_response_bytes
        )
        page = [record["id"] for record in body["data"]["companies"]]
        walked += page
        pages += 1
        info = body["pageInfo"]
        if pages == 1:
            assert info["hasNextPage"] is True and headers[SHORTENED_HEADER] == "response-size"
            assert 5_000_000 < size < 6 * 1024 * 1024 and len(page) < RECORDS
        if not info["hasNextPage"]:
            break
        cursor = info["endCursor"]
        assert cursor == page[-1]
    assert pages >= 2
    assert len(walked) == len(set(walked)) == body["totalCount"]  # nothing repeated or skipped
    assert [rid for rid in walked if rid in set(big_companies)] == big_companies


def test_a_graphql_connection_past_6_mb_is_shortened_and_pages_on(
    stack: Stack, big_companies: list[str]
):
    walked, after, pages = [], None, 0
    while True:
        status, body, headers, size = send(
            stack, "POST", "/graphql", {"query": GRAPHQL_PAGE, "variables": {"after": after}}
        )
        assert status == 200 and "errors" not in body
        connection = body["data"]["companies"]
        walked += [edge["node"]["id"] for edge in connection["edges"]]
        pages += 1
        if pages == 1:
            assert headers[SHORTENED_HEADER] == "response-size"
            assert connection["pageInfo"]["hasNextPage"] is True
            assert 5_000_000 < size < 6 * 1024 * 1024
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert len(walked) == len(set(walked)) == connection["totalCount"]
    assert [rid for rid in walked if rid in set(big_companies)] == big_companies


def test_a_batch_past_dynamodbs_4_mb_transaction_limit_is_written_whole(stack: Stack):
    """11 records of ~380 KB are 4.2 MB: one TransactWriteItems would be refused (the local
    stack's DynamoDB refuses what AWS refuses), so the plan is split, and all 11 land."""
    batch = [{"name": f"{i:02d}" + "y" * NAME_CHARS} for i in range(11)]
    status, body, _, _ = send(stack, "POST", "/rest/batch/opportunities", batch)
    assert status == 201, body
    created = body["data"]["createOpportunities"]
    assert [record["name"][:2] for record in created] == [f"{i:02d}" for i in range(11)]
    for record in created:
        status, found, _, _ = send(stack, "GET", f"/rest/opportunities/{record['id']}")
        assert (status, found["data"]["opportunity"]["name"]) == (200, record["name"])


def test_a_batch_that_cannot_fit_the_request_limit_is_413_and_nothing_is_written(stack: Stack):
    _, before, _, _ = send(stack, "GET", "/rest/notes?limit=1")
    batch = [{"title": "z" * 420_000} for _ in range(14)]  # 5.9 MB: over the 5 MiB body limit
    data = json.dumps(batch).encode()
    request = urllib.request.Request(
        stack.api + "/rest/batch/notes",
        data=data,
        method="POST",
        headers={"Authorization": f"Bearer {stack.key}", "Content-Type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        _OPENER.open(request, timeout=60)
    with refused.value as error:
        assert error.code == 413
        assert json.loads(error.read())["statusCode"] == 413
    _, after, _, _ = send(stack, "GET", "/rest/notes?limit=1")
    assert after["totalCount"] == before["totalCount"]
