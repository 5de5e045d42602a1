"""`offset` on GraphQL find-many and ONE_TO_MANY connections, against a plain oracle: the same
list read whole, then sliced."""

from __future__ import annotations

import random

import pytest

from tests.functional.graphql_support import GraphQLClient, create_companies, fill, names

# Names repeat and some are missing, so sorts have ties (broken by id) and nulls.
NAMES = ["delta", "alpha", None, "charlie", "alpha", "bravo", None, "echo", "bravo", "foxtrot"]


@pytest.fixture
def gql(client, tenant):
    return GraphQLClient(client.http, tenant)


@pytest.fixture
def seeded(gql):
    return create_companies(gql, [{"name": n, "employees": i} for i, n in enumerate(NAMES)])


LIST = """query($first: Int, $last: Int, $offset: Int, $after: String, $before: String,
  $orderBy: [CompanyOrderByInput], $filter: CompanyFilterInput) {
  companies(first: $first, last: $last, offset: $offset, after: $after, before: $before,
            orderBy: $orderBy, filter: $filter) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id name } }
  }
}"""


def page(gql, **variables):
    return gql.data(LIST, variables)["companies"]


def ids(connection):
    return [edge["node"]["id"] for edge in connection["edges"]]


# The three ways a list is served: the record partition (default order, no filter), an index
# (order by name, an indexed field), the in-memory engine (order by employees, a filter).
ORDERS = [
    {},
    {"orderBy": [{"name": "AscNullsLast"}]},
    {"orderBy": [{"employees": "DescNullsFirst"}]},
    {"orderBy": [{"name": "DescNullsFirst"}], "filter": {"employees": {"gte": 2}}},
]


@pytest.mark.parametrize("order", ORDERS, ids=["plain", "index", "memory", "filtered"])
def test_offset_with_first_is_the_slice_of_the_whole_list(gql, seeded, order):
    whole = page(gql, first=100, **order)
    everything = ids(whole)
    rng = random.Random(7)
    for offset, first in [(0, 3), (1, 3), (4, 2), (9, 5), (10, 3), (25, 3)] + [
        (rng.randrange(12), rng.randrange(1, 6)) for _ in range(4)
    ]:
        got = page(gql, first=first, offset=offset, **order)
        expected = everything[offset : offset + first]
        assert ids(got) == expected, (offset, first)
        assert got["totalCount"] == whole["totalCount"]
        info = got["pageInfo"]
        assert info["hasNextPage"] == (offset + first < len(everything))
        assert info["hasPreviousPage"] == (offset > 0 and len(everything) > 0)


@pytest.mark.parametrize("order", ORDERS, ids=["plain", "index", "memory", "filtered"])
def test_offset_after_a_cursor_skips_records_past_the_cursor(gql, seeded, order):
    whole = page(gql, first=100, **order)
    everything, cursors = ids(whole), [edge["cursor"] for edge in whole["edges"]]
    for at, offset, first in [(0, 1, 2), (2, 2, 3), (1, 0, 2), (len(everything) - 3, 5, 2)]:
        got = page(gql, first=first, offset=offset, after=cursors[at], **order)
        assert ids(got) == everything[at + 1 + offset : at + 1 + offset + first], (at, offset)
        assert got["pageInfo"]["hasPreviousPage"] is True


@pytest.mark.parametrize("order", ORDERS, ids=["plain", "index", "memory", "filtered"])
def test_offset_with_last_skips_from_the_end(gql, seeded, order):
    everything = ids(page(gql, first=100, **order))
    size = len(everything)
    got = page(gql, last=2, offset=1, **order)
    assert ids(got) == everything[size - 3 : size - 1]
    assert got["pageInfo"]["hasNextPage"] is True
    cursors = [edge["cursor"] for edge in page(gql, first=100, **order)["edges"]]
    got = page(gql, last=2, offset=1, before=cursors[-1], **order)
    assert ids(got) == everything[size - 4 : size - 2]
    assert got["pageInfo"]["hasNextPage"] is True


def test_offset_works_on_nested_one_to_many_connections(gql):
    [acme] = create_companies(gql, [{"name": "Acme"}])
    gql.data(
        fill(
            "mutation { createPeople(data: [%s]) { id } }",
            ", ".join(f'{{city: "c{i}", companyId: "{acme["id"]}"}}' for i in range(5)),
        )
    )
    query = (
        "{ companies { edges { node { people(offset: 2, first: 2, orderBy: [{city: AscNullsFirst}])"
        " { totalCount pageInfo { hasPreviousPage hasNextPage } edges { node { city } } } } } } }"
    )
    people = gql.data(query)["companies"]["edges"][0]["node"]["people"]
    assert [edge["node"]["city"] for edge in people["edges"]] == ["c2", "c3"]
    assert people["totalCount"] == 5
    assert people["pageInfo"] == {"hasPreviousPage": True, "hasNextPage": True}


def test_offset_of_zero_or_null_changes_nothing(gql, seeded):
    assert ids(page(gql, first=4, offset=0)) == ids(page(gql, first=4))
    assert ids(page(gql, first=4, offset=None)) == ids(page(gql, first=4))


def test_a_negative_offset_is_bad_user_input(gql, seeded):
    error = gql.error(LIST, {"first": 2, "offset": -1})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "'offset' must be 0 or more" in error["message"]


def test_an_offset_past_the_scan_cap_is_refused_with_advice_to_use_cursors(gql, seeded):
    from chalicelib.settings import SETTINGS

    error = gql.error(LIST, {"first": 10, "offset": SETTINGS.scan_cap})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "cursors" in error["message"]


def test_offset_pages_never_see_another_workspace(client, gql, seeded):
    from tests.support import make_tenant

    other = GraphQLClient(client.http, make_tenant("Other"))
    create_companies(other, [{"name": "theirs"}])
    assert names(page(other, first=5, offset=0)) == ["theirs"]
    assert page(other, first=5, offset=1)["edges"] == []
