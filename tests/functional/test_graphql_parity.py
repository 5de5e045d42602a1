"""REST and GraphQL read the same data the same way: same filters, sorts and pages, same records."""

from __future__ import annotations

import pytest

from tests.functional.graphql_support import GraphQLClient, fill


@pytest.fixture
def gql(client, tenant):
    return GraphQLClient(client.http, tenant)


@pytest.fixture
def seeded(rest):
    batch = [
        {
            "name": f"co{i:02d}" if i % 5 else None,
            "employees": (i * 7) % 11,
            "idealCustomerProfile": i % 3 == 0,
            "domainName": {"primaryLinkUrl": f"https://co{i}.io" if i % 4 else ""},
        }
        for i in range(23)
    ]
    assert rest.post("/rest/batch/companies", batch)[0] == 201


# (REST filter, GraphQL filter, REST order_by, GraphQL orderBy): the same query in both grammars.
CASES = [
    ("", "{}", "", "[]"),
    ("employees[gte]:5", "{employees: {gte: 5}}", "name[AscNullsLast]", "[{name: AscNullsLast}]"),
    (
        "name[is]:NULL",
        "{name: {is: NULL}}",
        "employees[DescNullsLast],name[AscNullsFirst]",
        "[{employees: DescNullsLast}, {name: AscNullsFirst}]",
    ),
    (
        "or(idealCustomerProfile[eq]:true,employees[lt]:3)",
        "{or: [{idealCustomerProfile: {eq: true}}, {employees: {lt: 3}}]}",
        "employees[DescNullsLast],name[AscNullsFirst]",
        "[{employees: DescNullsLast}, {name: AscNullsFirst}]",
    ),
    (
        "not(name[like]:co1%)",
        '{not: {name: {like: "co1%"}}}',
        "domainName.primaryLinkUrl[DescNullsFirst]",
        "[{domainName: {primaryLinkUrl: DescNullsFirst}}]",
    ),
    (
        "domainName.primaryLinkUrl[ilike]:%CO1%",
        '{domainName: {primaryLinkUrl: {ilike: "%CO1%"}}}',
        "",
        "[]",
    ),
]


def rest_pages(rest, filter, order, size):
    ids, cursor = [], None
    while True:
        params = [f"limit={size}"]
        params += [f"filter={filter}"] if filter else []
        params += [f"order_by={order}"] if order else []
        params += [f"starting_after={cursor}"] if cursor else []
        status, body = rest.get("/rest/companies?" + "&".join(params))
        assert status == 200, body
        ids.append([c["id"] for c in body["data"]["companies"]])
        if not body["pageInfo"]["hasNextPage"]:
            return ids, body["totalCount"]
        cursor = body["pageInfo"]["endCursor"]


def graphql_pages(gql, filter, order, size):
    query = fill(
        "query($after: String) { companies(filter: %s, orderBy: %s, first: %s, after: $after) "
        "{ totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }",
        filter,
        order,
        size,
    )
    ids, after = [], None
    while True:
        page = gql.data(query, {"after": after})["companies"]
        ids.append([edge["node"]["id"] for edge in page["edges"]])
        if not page["pageInfo"]["hasNextPage"]:
            return ids, page["totalCount"]
        after = page["pageInfo"]["endCursor"]


@pytest.mark.parametrize(("rest_filter", "gql_filter", "rest_order", "gql_order"), CASES)
def test_rest_and_graphql_page_the_same_records_in_the_same_order(
    rest, gql, seeded, rest_filter, gql_filter, rest_order, gql_order
):
    assert rest_pages(rest, rest_filter, rest_order, 5) == graphql_pages(
        gql, gql_filter, gql_order, 5
    )


def test_a_record_reads_the_same_through_both_apis(rest, gql):
    status, body = rest.post(
        "/rest/companies",
        {
            "name": "Acme",
            "annualRecurringRevenue": {"amountMicros": 5000000, "currencyCode": "EUR"},
        },
    )
    company = body["data"]["createCompany"]
    fields = " ".join(
        k if not isinstance(v, dict) else f"{k} {{ {' '.join(v)} }}" for k, v in company.items()
    )
    data = gql.data(fill('{ company(filter: {id: {eq: "%s"}}) { %s } }', company["id"], fields))
    assert data["company"] == company
