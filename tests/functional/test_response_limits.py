"""AWS's limits enforced by the app itself: answers under Lambda's 6 MB, reads under API
Gateway's 29 s (issue 17, item 4).

The response budget and the deadline are lowered through the settings the middleware reads
(`rest/request_limits.py`), so pages of ~20 KB records exercise the same code a 6 MB page does;
tests/http/test_aws_limits_over_http.py checks the real defaults against the real local stack.
"""

from __future__ import annotations

import json
import time
from dataclasses import replace

import pytest

from chalicelib.rest import request_limits
from tests.functional.graphql_support import GraphQLClient

RECORD_CHARS = 20_000  # each record's name: ~20 KB on the wire
BUDGET = 150_000  # ~4 such records per answer once the envelope reserve is held back
SHORTENED = request_limits.SHORTENED_HEADER


@pytest.fixture
def limits(monkeypatch):
    """Lower the settings of every following request: limits(max_response_bytes=…, …)."""

    def lower(**changes):
        monkeypatch.setattr(request_limits, "SETTINGS", replace(request_limits.SETTINGS, **changes))

    return lower


@pytest.fixture
def gql(client, tenant):
    return GraphQLClient(client.http, tenant)


def call(client, tenant, method, path, body=None):
    """(status, parsed body, headers) of one REST request."""
    kwargs = {"headers": tenant.headers}
    if body is not None:
        kwargs["body"] = json.dumps(body)
    response = getattr(client.http, method.lower())(path, **kwargs)
    return response.status_code, json.loads(response.body), response.headers


def big_companies(client, tenant, count, chars=RECORD_CHARS):
    """`count` companies with a name of `chars` characters, created 5 per batch."""
    made = []
    for start in range(0, count, 5):
        batch = [
            {"name": f"{i:03d}" + "x" * (chars - 3)} for i in range(start, min(count, start + 5))
        ]
        status, body, _ = call(client, tenant, "POST", "/rest/batch/companies", batch)
        assert status == 201, body
        made += body["data"]["createCompanies"]
    return sorted(record["id"] for record in made)


def walk_rest(client, tenant, query):
    """Every page of a REST list from the start: (pages of ids, shortened flags)."""
    pages, flags, cursor = [], [], None
    while True:
        path = "/rest/companies?" + query + (f"&starting_after={cursor}" if cursor else "")
        status, body, headers = call(client, tenant, "GET", path)
        assert status == 200, body
        pages.append([record["id"] for record in body["data"]["companies"]])
        flags.append(headers.get(SHORTENED))
        if not body["pageInfo"]["hasNextPage"]:
            return pages, flags
        cursor = body["pageInfo"]["endCursor"]
        assert cursor == pages[-1][-1]


def test_a_rest_page_that_would_pass_the_budget_stops_early_and_paging_on_returns_the_rest(
    client, tenant, limits
):
    ids = big_companies(client, tenant, 12)
    limits(max_response_bytes=BUDGET)
    pages, flags = walk_rest(client, tenant, "limit=60")
    assert len(pages) > 2 and all(len(page) < 12 for page in pages)
    assert [rid for page in pages for rid in page] == ids  # nothing skipped, nothing repeated
    assert flags[:-1] == ["response-size"] * (len(pages) - 1)
    assert flags[-1] is None  # the last page fit whole


def test_a_shortened_rest_page_keeps_its_total_count(client, tenant, limits):
    big_companies(client, tenant, 10)
    limits(max_response_bytes=BUDGET)
    status, body, headers = call(client, tenant, "GET", "/rest/companies?limit=60")
    assert status == 200 and headers[SHORTENED] == "response-size"
    assert body["totalCount"] == 10 and body["pageInfo"]["hasNextPage"] is True
    assert body["pageInfo"]["hasPreviousPage"] is False


def test_a_rest_page_read_backwards_keeps_the_records_next_to_its_cursor(client, tenant, limits):
    ids = big_companies(client, tenant, 10)
    limits(max_response_bytes=BUDGET)
    path = f"/rest/companies?limit=60&ending_before={ids[-1]}"
    status, body, headers = call(client, tenant, "GET", path)
    got = [record["id"] for record in body["data"]["companies"]]
    assert status == 200 and headers[SHORTENED] == "response-size"
    assert got == ids[-1 - len(got) : -1]
    assert body["pageInfo"]["hasPreviousPage"] is True and body["pageInfo"]["hasNextPage"] is True


def test_a_filtered_and_sorted_page_is_shortened_too(client, tenant, limits):
    ids = big_companies(client, tenant, 10)
    limits(max_response_bytes=BUDGET)
    pages, _ = walk_rest(client, tenant, "limit=60&order_by=employees&filter=employees[is]:NULL")
    assert len(pages) > 1
    assert sorted(rid for page in pages for rid in page) == ids


def test_depth_1_pages_are_shortened_by_what_they_embed(client, tenant, limits):
    companies = big_companies(client, tenant, 6, chars=100)
    people = [
        {"companyId": company, "jobTitle": "y" * RECORD_CHARS}
        for company in companies
        for _ in range(2)
    ]
    for start in range(0, len(people), 5):
        status, body, _ = call(
            client, tenant, "POST", "/rest/batch/people", people[start : start + 5]
        )
        assert status == 201, body
    limits(max_response_bytes=BUDGET)
    status, body, headers = call(client, tenant, "GET", "/rest/companies?limit=60")
    assert status == 200 and SHORTENED not in headers and len(body["data"]["companies"]) == 6
    pages, flags = walk_rest(client, tenant, "limit=60&depth=1")
    assert len(pages) > 1 and flags[0] == "response-size"
    assert [rid for page in pages for rid in page] == companies


def test_one_record_whose_relations_cannot_fit_answers_413(client, tenant, limits):
    [company] = big_companies(client, tenant, 1, chars=100)
    people = [{"companyId": company, "jobTitle": "y" * RECORD_CHARS} for _ in range(10)]
    status, body, _ = call(client, tenant, "POST", "/rest/batch/people", people)
    assert status == 201, body
    limits(max_response_bytes=BUDGET)
    status, body, _ = call(client, tenant, "GET", f"/rest/companies/{company}?depth=1")
    assert status == 413 and body["code"] == "RESPONSE_TOO_LARGE"
    assert body["error"] == "PayloadTooLargeException" and "depth=1" in body["messages"][0]
    status, body, _ = call(client, tenant, "GET", "/rest/companies?depth=1")
    assert status == 413 and body["code"] == "RESPONSE_TOO_LARGE"
    status, _, _ = call(client, tenant, "GET", f"/rest/companies/{company}")
    assert status == 200


def test_a_batch_whose_answer_cannot_fit_is_refused_before_anything_is_written(
    client, tenant, limits
):
    limits(max_response_bytes=BUDGET)
    batch = [{"name": f"{i}" + "x" * RECORD_CHARS} for i in range(10)]
    status, body, _ = call(client, tenant, "POST", "/rest/batch/companies", batch)
    assert status == 413 and body["code"] == "RESPONSE_TOO_LARGE"
    assert "fewer records" in body["messages"][0]
    status, body, _ = call(client, tenant, "GET", "/rest/companies")
    assert status == 200 and body["totalCount"] == 0


GRAPHQL_PAGE = """
query($after: String, $before: String, $first: Int, $last: Int) {
  companies(first: $first, last: $last, after: $after, before: $before) {
    totalCount edges { cursor node { id name } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }
"""


def graphql_page(client, tenant, **variables):
    response = client.http.post(
        "/graphql",
        headers=tenant.headers,
        body=json.dumps({"query": GRAPHQL_PAGE, "variables": variables}),
    )
    body = json.loads(response.body)
    assert response.status_code == 200 and "errors" not in body, body
    return body["data"]["companies"], response.headers.get(SHORTENED)


def test_a_graphql_connection_stops_early_and_paging_on_from_its_end_cursor_returns_the_rest(
    client, tenant, limits
):
    ids = big_companies(client, tenant, 12)
    limits(max_response_bytes=BUDGET)
    seen, cursor, flags = [], None, []
    while True:
        page, flag = graphql_page(client, tenant, first=60, after=cursor)
        seen += [edge["node"]["id"] for edge in page["edges"]]
        flags.append(flag)
        assert page["totalCount"] == 12
        if not page["pageInfo"]["hasNextPage"]:
            break
        cursor = page["pageInfo"]["endCursor"]
        assert cursor == page["edges"][-1]["cursor"]
    assert seen == ids and len(flags) > 2
    assert flags[0] == "response-size" and flags[-1] is None


def test_a_graphql_last_page_is_cut_on_the_far_side_and_pages_back(client, tenant, limits):
    ids = big_companies(client, tenant, 10)
    limits(max_response_bytes=BUDGET)
    seen, cursor = [], None
    while True:
        page, _ = graphql_page(client, tenant, last=60, before=cursor)
        seen = [edge["node"]["id"] for edge in page["edges"]] + seen
        assert page["pageInfo"]["hasNextPage"] is (cursor is not None)
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        cursor = page["pageInfo"]["startCursor"]
    assert seen == ids


def test_a_graphql_page_pays_for_the_columns_it_selects_not_the_whole_records(
    client, tenant, gql, limits
):
    ids = big_companies(client, tenant, 12)
    limits(max_response_bytes=BUDGET)
    query = "{ companies(first: 60) { totalCount edges { node { id } } } }"
    page = gql.data(query)["companies"]
    assert [edge["node"]["id"] for edge in page["edges"]] == ids
    named, flag = graphql_page(client, tenant, first=60)
    assert len(named["edges"]) < 12 and flag == "response-size"


def test_nested_graphql_connections_draw_from_the_same_budget(client, tenant, gql, limits):
    [company] = big_companies(client, tenant, 1, chars=100)
    people = [{"companyId": company, "jobTitle": f"{i}" + "y" * RECORD_CHARS} for i in range(8)]
    status, body, _ = call(client, tenant, "POST", "/rest/batch/people", people)
    assert status == 201, body
    limits(max_response_bytes=BUDGET)
    # The budget pays for what is sent: the selected columns (the long jobTitle here).
    query = """{ companies { edges { node { id people(first: 60) { totalCount
        pageInfo { hasNextPage endCursor } edges { node { id jobTitle } } } } } } }"""
    nested = gql.data(query)["companies"]["edges"][0]["node"]["people"]
    assert nested["totalCount"] == 8 and nested["pageInfo"]["hasNextPage"] is True
    assert 0 < len(nested["edges"]) < 8


def test_an_introspection_answer_too_large_to_send_is_a_413_with_a_code(gql, limits):
    limits(max_response_bytes=50_000)
    aliases = " ".join(
        f"a{i}: __schema {{ types {{ name fields {{ name type {{ name }} }} }} }}" for i in range(3)
    )
    status, body = gql("{ " + aliases + " }")
    assert status == 413 and "data" not in body
    [error] = body["errors"]
    assert error["extensions"]["subCode"] == "RESPONSE_TOO_LARGE"
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "50000-byte response limit" in error["message"]
    status, body = gql("{ __schema { queryType { name } } }")
    assert status == 200 and "errors" not in body


def slow_calls(meter, seconds, operations=("Query",)):
    """Every DynamoDB call of `operations` takes `seconds` longer (a botocore event hook)."""

    def delay(operation, _params):
        if operation in operations:
            time.sleep(seconds)

    meter.interceptors.append(delay)


def test_a_read_past_the_deadline_ends_with_a_clear_503_instead_of_a_timeout(
    client, tenant, limits, meter
):
    big_companies(client, tenant, 10, chars=300_000)  # ~3 MB: the scan reads several pages
    limits(request_deadline_seconds=0.5)
    slow_calls(meter, 0.3)
    meter.reset()
    started = time.monotonic()
    status, body, headers = call(client, tenant, "GET", "/rest/companies?filter=employees[eq]:3")
    elapsed = time.monotonic() - started
    assert status == 503 and body["code"] == "REQUEST_DEADLINE_EXCEEDED"
    assert body["error"] == "ServiceUnavailableException" and headers["Retry-After"] == "1"
    assert "narrow the filter" in body["messages"][0]
    # The whole scan takes 4 Queries (1 MB pages); the deadline stopped it between two.
    assert elapsed >= 0.5 and meter.operations["Query"] < 4


def test_a_graphql_read_past_the_deadline_errors_with_a_code(client, tenant, gql, limits, meter):
    big_companies(client, tenant, 10, chars=300_000)
    limits(request_deadline_seconds=0.5)
    slow_calls(meter, 0.3)
    error = gql.error("{ companies(filter: {employees: {eq: 3}}) { totalCount } }")
    assert error["extensions"] == {"code": "TIMEOUT", "subCode": "REQUEST_DEADLINE_EXCEEDED"}


def test_writes_are_never_cut_by_the_deadline(client, tenant, limits, meter):
    limits(request_deadline_seconds=0.2)
    slow_calls(meter, 0.15, operations=("TransactWriteItems",))
    people = [{"emails": {"primaryEmail": f"p{i}@example.com"}} for i in range(60)]
    started = time.monotonic()
    status, body, _ = call(client, tenant, "POST", "/rest/batch/people", people)
    assert status == 201, body
    assert time.monotonic() - started > 0.3  # two transactions, the second past the deadline
    assert meter.operations["TransactWriteItems"] >= 2
    meter.interceptors.clear()
    status, body, _ = call(client, tenant, "GET", "/rest/people?limit=1")
    assert body["totalCount"] == 60
