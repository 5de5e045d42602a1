"""Nested ONE_TO_MANY reads answer exactly as reading everything, on either read path.

The oracle is the same request with the join column's index out of use, so that each parent's
children come from one read of the whole target object (the bounded read): both answers,
cursors and flags and counts included, must be identical. Each test runs with the index walk
and with the whole read forced (core/read_choice.py picks one by cost).
"""

from __future__ import annotations

import pytest

from tests.functional.graphql_support import GraphQLClient
from tests.functional.read_paths import ALL_PATHS, force_read_path

PAGE = (
    "{ totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } "
    "edges { cursor node { id jobTitle companyId } } }"
)


@pytest.fixture(autouse=True, params=ALL_PATHS)
def read_path(request, monkeypatch):
    force_read_path(monkeypatch, request.param)
    return request.param


@pytest.fixture
def gql(client, tenant):
    return GraphQLClient(client.http, tenant)


@pytest.fixture
def world(rest):
    """Four companies with 0, 1, 4 and 9 people; one person soft-deleted, one moved."""
    _, body = rest.post("/rest/batch/companies", [{"name": f"c{i}"} for i in range(4)])
    ids = [c["id"] for c in body["data"]["createCompanies"]]
    people = [
        {"companyId": ids[i], "jobTitle": f"{'ab'[n % 2]}{n}" if n % 3 else None}
        for i, count in enumerate((0, 1, 4, 9))
        for n in range(count)
    ]
    _, body = rest.post("/rest/batch/people", people)
    created = body["data"]["createPeople"]
    assert rest.call("DELETE", f"/rest/people/{created[2]['id']}?soft_delete=true")[0] == 200
    moved = created[-1]["id"]
    assert rest.call("PATCH", f"/rest/people/{moved}", {"companyId": ids[1]})[0] == 200
    return ids


def both_ways(gql, monkeypatch, query, variables=None):
    """The answer through the index, and the oracle's (asserted equal); the answer."""
    from chalicelib.core import child_pages, children

    served = gql.data(query, variables)
    with monkeypatch.context() as patched:
        patched.setattr(children, "join_index", lambda *args: None)
        patched.setattr(child_pages, "join_index", lambda *args: None)
        oracle = gql.data(query, variables)
    assert served == oracle
    return served


def nested(arguments):
    declared = "($c: String)" if "$c" in arguments else ""
    return f"query{declared} {{ companies(orderBy: [{{name: AscNullsFirst}}]) {{ edges {{ " + (
        f"node {{ id people({arguments}) {PAGE} }} }} }} }}"
    )


def connections(data):
    return [edge["node"]["people"] for edge in data["companies"]["edges"]]


@pytest.mark.parametrize(
    "arguments",
    [
        "first: 3",  # default order: each parent's page alone
        "first: 2, offset: 1",
        "last: 3",  # id descending: the index walked backwards
        "first: 2, orderBy: [{id: DescNullsLast}]",
        'first: 2, filter: {jobTitle: {like: "a%"}}',  # a filter: the parents' children whole
        "first: 3, orderBy: [{jobTitle: AscNullsFirst}]",  # an order no index serves per parent
        "first: 3, filter: {deletedAt: {is: NOT_NULL}}",  # soft-deleted: the bounded read
    ],
)
def test_a_nested_page_and_the_next_one_match_the_oracle(gql, world, monkeypatch, arguments):
    first = connections(both_ways(gql, monkeypatch, nested(arguments)))
    assert any(c["edges"] for c in first)
    # The longest list's cursors page every parent (a cursor is placed by its values).
    longest = max(first, key=lambda c: c["totalCount"])
    forward = arguments.replace("last:", "first:") + ", after: $c"
    if "last" in arguments:
        forward = arguments + ", before: $c"
    cursor = longest["pageInfo"]["startCursor" if "last" in arguments else "endCursor"]
    both_ways(gql, monkeypatch, nested(forward), {"c": cursor})
    backward = arguments.replace("first:", "last:") + ", before: $c"
    if "offset" not in arguments:
        both_ways(gql, monkeypatch, nested(backward), {"c": longest["pageInfo"]["endCursor"]})


def test_default_order_pages_come_from_the_index_and_leave_out_moved_and_deleted(
    gql, world, monkeypatch
):
    pages = connections(both_ways(gql, monkeypatch, nested("first: 20")))
    assert [page["totalCount"] for page in pages] == [0, 2, 3, 8]
    assert all(e["node"]["companyId"] == world[i] for i, p in enumerate(pages) for e in p["edges"])
    ids = [e["node"]["id"] for e in pages[3]["edges"]]
    assert ids == sorted(ids)


def test_depth_one_embeds_the_same_children_as_the_oracle(rest, world, monkeypatch):
    from chalicelib.core import child_pages

    _, served = rest.get("/rest/companies?depth=1")
    with monkeypatch.context() as patched:
        patched.setattr(child_pages, "join_index", lambda *args: None)
        _, oracle = rest.get("/rest/companies?depth=1")
    assert served == oracle
    assert sorted(len(c["people"]) for c in served["data"]["companies"]) == [0, 2, 3, 8]


@pytest.mark.parametrize("keys_per_query", [1, 2, 3])
@pytest.mark.parametrize("arguments", ["first: 2", "first: 1, offset: 1", "last: 2"])
def test_totals_of_parents_whose_keys_outrun_one_query_match_the_oracle(
    gql, world, monkeypatch, keys_per_query, arguments
):
    from chalicelib.core import child_pages

    # One Query answers a parent's page and its totalCount while its keys fit; past that, the
    # keys left are counted by more Queries.
    monkeypatch.setattr(child_pages, "_KEYS_PER_QUERY", keys_per_query)
    pages = connections(both_ways(gql, monkeypatch, nested(arguments)))
    assert [page["totalCount"] for page in pages] == [0, 2, 3, 8]
