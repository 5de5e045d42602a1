"""Relations in one request: batched per page (no N+1), nested connections, workspace isolation."""

from __future__ import annotations

import pytest

from tests.functional.graphql_support import GraphQLClient, create_companies, fill, names
from tests.support import make_tenant

NESTED = """
{ companies(first: 60, orderBy: [{name: AscNullsFirst}]) { totalCount edges { node { id name
    accountOwner { id name { firstName } }
    people(first: 5, orderBy: [{jobTitle: AscNullsFirst}]) { totalCount edges { node {
      id jobTitle company { id } } } } } } } }
"""


@pytest.fixture
def gql(client, tenant):
    return GraphQLClient(client.http, tenant)


@pytest.fixture
def other(client, aws):
    return GraphQLClient(client.http, make_tenant("Other"))


def seed(gql, companies):
    """`companies` companies, each with its own account owner and two people."""
    members = gql.data(
        "mutation($d: [WorkspaceMemberCreateInput!]!) { createWorkspaceMembers(data: $d) { id } }",
        {"d": [{"name": {"firstName": f"m{i}"}} for i in range(companies)]},
    )["createWorkspaceMembers"]
    created = create_companies(
        gql,
        [{"name": f"c{i:02d}", "accountOwnerId": m["id"]} for i, m in enumerate(members)],
    )
    people = [
        {"companyId": company["id"], "jobTitle": f"{company['name']}-{n}"}
        for company in created
        for n in range(2)
    ]
    for start in range(0, len(people), 60):
        gql.data(
            "mutation($d: [PersonCreateInput!]!) { createPeople(data: $d) { id } }",
            {"d": people[start : start + 60]},
        )
    return created


def round_trips_of_nested_query(gql, clock):
    gql.data("{ companies(first: 1) { totalCount } }")  # warm the metadata and schema caches
    with clock.counting() as round_trips:
        data = gql.data(NESTED)
    return round_trips(), data


def test_many_to_one_and_one_to_many_resolve_in_one_request(gql):
    seed(gql, 2)
    data = gql.data(NESTED)["companies"]
    first = data["edges"][0]["node"]
    assert first["accountOwner"]["name"] == {"firstName": "m0"}
    assert first["people"]["totalCount"] == 2
    assert [e["node"]["jobTitle"] for e in first["people"]["edges"]] == ["c00-0", "c00-1"]
    assert all(e["node"]["company"]["id"] == first["id"] for e in first["people"]["edges"])


def test_nested_connections_take_their_own_filter_first_and_cursor(gql):
    seed(gql, 1)
    query = (
        "query($after: String) { companies { edges { node { people(first: 1, after: $after, "
        'orderBy: [{jobTitle: DescNullsLast}], filter: {jobTitle: {like: "c00%"}}) '
        "{ totalCount pageInfo { hasNextPage endCursor } edges { node { jobTitle } } } } } } }"
    )
    page = gql.data(query)["companies"]["edges"][0]["node"]["people"]
    assert [e["node"]["jobTitle"] for e in page["edges"]] == ["c00-1"]
    assert page["pageInfo"]["hasNextPage"] is True and page["totalCount"] == 2
    after = page["pageInfo"]["endCursor"]
    page = gql.data(query, {"after": after})["companies"]["edges"][0]["node"]["people"]
    assert [e["node"]["jobTitle"] for e in page["edges"]] == ["c00-0"]


def test_round_trips_do_not_grow_with_the_page_size(client, aws, round_trip_clock):
    small = GraphQLClient(client.http, make_tenant("Small"))
    big = GraphQLClient(client.http, make_tenant("Big"))
    seed(small, 5)
    seed(big, 60)
    small_round_trips, small_data = round_trips_of_nested_query(small, round_trip_clock)
    big_round_trips, big_data = round_trips_of_nested_query(big, round_trip_clock)
    assert len(small_data["companies"]["edges"]) == 5
    assert len(big_data["companies"]["edges"]) == 60
    assert all(e["node"]["accountOwner"] for e in big_data["companies"]["edges"])
    assert all(e["node"]["people"]["totalCount"] == 2 for e in big_data["companies"]["edges"])
    assert small_round_trips == big_round_trips
    # admission (key and metadata version, one BatchGetItem); the page (name is indexed: the
    # counter, the Queries of the null and the value segments of the index, one BatchGetItem of
    # the records); one BatchGetItem of the owners; the people (ordered by jobTitle: each
    # company's keys, one Query each, all together, then one BatchGetItem round); one
    # BatchGetItem for the people's own `company`: per level, never per record.
    assert big_round_trips == 9


def test_ids_of_another_workspace_are_not_found(gql, other):
    [mine] = create_companies(gql, [{"name": "Mine"}])
    for mutation in (
        'updateCompany(id: "%s", data: {name: "Stolen"})',
        'deleteCompany(id: "%s")',
        'destroyCompany(id: "%s")',
        'restoreCompany(id: "%s")',
    ):
        error = other.error("mutation { " + mutation % mine["id"] + " { id } }")
        assert error["extensions"]["code"] == "NOT_FOUND"
    error = other.error(fill('{ company(filter: {id: {eq: "%s"}}) { id } }', mine["id"]))
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert other.data("{ companies { totalCount } }") == {"companies": {"totalCount": 0}}
    assert other.data("mutation { deleteCompanies(filter: {}) { id } }") == {"deleteCompanies": []}
    assert names(gql.data("{ companies { edges { node { name } } } }")["companies"]) == ["Mine"]


def test_cursors_and_relations_never_reach_another_workspace(gql, other):
    [mine] = create_companies(gql, [{"name": "Mine"}])
    cursor = gql.data("{ companies { pageInfo { endCursor } } }")["companies"]["pageInfo"]
    error = other.error(fill('{ companies(after: "%s") { totalCount } }', cursor["endCursor"]))
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    # A person of the other workspace cannot point at my company, nor read it through a relation.
    error = other.error(
        fill(
            'mutation { createPerson(data: {companyId: "%s"}) { id company { name } } }', mine["id"]
        )
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert other.data("{ people { totalCount } }") == {"people": {"totalCount": 0}}


def test_nested_cursors_are_given_to_every_alias_and_fragment_that_selects_them(gql):
    seed(gql, 1)
    query = """
    fragment Ends on PageInfo { startCursor endCursor }
    fragment Edges on PersonConnection { edges { cursor } pageInfo { ...Ends } }
    { companies { edges { node {
        bare: people(first: 2) { edges { node { id } } }
        withCursor: people(first: 2) { edges { cursor node { id } } }
        viaFragments: people(first: 2) { ...Edges }
        inline: people(first: 2) { ... on PersonConnection { pageInfo { endCursor } } } } } } }
    """
    node = gql.data(query)["companies"]["edges"][0]["node"]
    plain = [edge["node"]["id"] for edge in node["bare"]["edges"]]
    cursors = [edge["cursor"] for edge in node["withCursor"]["edges"]]
    assert [edge["node"]["id"] for edge in node["withCursor"]["edges"]] == plain
    assert len(cursors) == 2 and all(cursors)
    assert [edge["cursor"] for edge in node["viaFragments"]["edges"]] == cursors
    assert node["viaFragments"]["pageInfo"] == {"startCursor": cursors[0], "endCursor": cursors[1]}
    assert node["inline"]["pageInfo"]["endCursor"] == cursors[1]


def test_nested_nodes_show_every_field_their_selection_names_however_it_is_written(gql):
    seed(gql, 1)
    query = """
    fragment Named on Person { name { firstName lastName } }
    { companies { edges { node {
        plain: people(first: 2) { edges { node { id jobTitle city } } }
        spread: people(first: 2) { edges { node { ...Named company { name } } } }
        inline: people(first: 2) { edges { node { __typename ... on Person { emails {
            primaryEmail } createdBy { source } } } } }
        whole: people(first: 2) { edges { node { id jobTitle city name { firstName lastName }
            companyId emails { primaryEmail } createdBy { source } } } } } } } }
    """
    node = gql.data(query)["companies"]["edges"][0]["node"]
    whole = [edge["node"] for edge in node["whole"]["edges"]]
    company = gql.data("{ companies { edges { node { name } } } }")["companies"]["edges"][0]
    for alias, fields in {
        "plain": ("id", "jobTitle", "city"),
        "spread": ("name",),
        "inline": ("emails", "createdBy"),
    }.items():
        shown = [edge["node"] for edge in node[alias]["edges"]]
        assert [{f: person[f] for f in fields} for person in whole] == [
            {f: person[f] for f in fields} for person in shown
        ], alias
    assert all(
        p["company"] == company["node"] for p in (e["node"] for e in node["spread"]["edges"])
    )
    assert {edge["node"]["__typename"] for edge in node["inline"]["edges"]} == {"Person"}
    assert all(person["name"]["firstName"] is not None for person in whole)
