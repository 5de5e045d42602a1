"""GraphQL aggregate fields on connections and `<plural>GroupBy`: values, parity with REST,
bad input, isolation, and what each costs in DynamoDB calls (index shortcuts included)."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from tests.functional.graphql_support import GraphQLClient
from tests.support import make_tenant

COMPANIES = [
    {
        "name": "Acme",
        "employees": 10,
        "idealCustomerProfile": True,
        "address": {"addressCity": "Paris"},
    },
    {"name": "acme", "employees": 30, "address": {"addressCity": "Berlin"}},
    {"name": "Beta", "annualRecurringRevenue": {"amountMicros": 7, "currencyCode": "EUR"}},
    {"name": ""},
]


@pytest.fixture
def gql(client, tenant):
    return GraphQLClient(client.http, tenant)


@pytest.fixture
def companies(rest):
    status, body = rest.post("/rest/batch/companies", COMPANIES)
    assert status == 201
    return body["data"]["createCompanies"]


AGGREGATES = """
  totalCount countEmptyName countNotEmptyName countUniqueValuesName percentageEmptyName
  percentageNotEmptyName sumEmployees avgEmployees minEmployees maxEmployees
  countTrueIdealCustomerProfile countFalseIdealCustomerProfile countEmptyAddress
  sumAnnualRecurringRevenueAmountMicros minCreatedAt maxCreatedAt
"""


def test_connection_aggregates_are_computed_over_the_whole_filter_not_the_page(gql, companies):
    data = gql.data(f"{{ companies(first: 1) {{ {AGGREGATES} edges {{ node {{ id }} }} }} }}")
    found = data["companies"]
    assert len(found["edges"]) == 1
    created = sorted(c["createdAt"] for c in companies)
    assert {k: v for k, v in found.items() if k != "edges"} == {
        "totalCount": 4,
        "countEmptyName": 1,
        "countNotEmptyName": 3,
        "countUniqueValuesName": 3,  # distinct is case-sensitive, as Postgres'
        "percentageEmptyName": 0.25,
        "percentageNotEmptyName": 0.75,
        "sumEmployees": 40,
        "avgEmployees": 20,
        "minEmployees": 10,
        "maxEmployees": 30,
        "countTrueIdealCustomerProfile": 1,
        "countFalseIdealCustomerProfile": 3,
        "countEmptyAddress": 2,
        "sumAnnualRecurringRevenueAmountMicros": 7,
        "minCreatedAt": created[0],
        "maxCreatedAt": created[-1],
    }


def test_aggregates_follow_the_filter_and_fragments(gql, companies):
    query = """
      query { companies(filter: {name: {ilike: "acme"}}) { ...Stats } }
      fragment Stats on CompanyConnection { totalCount sumEmployees countNotEmptyAddress }
    """
    assert gql.data(query)["companies"] == {
        "totalCount": 2,
        "sumEmployees": 40,
        "countNotEmptyAddress": 2,
    }
    empty = gql.data(
        '{ companies(filter: {name: {eq: "none"}}) { totalCount countEmptyName sumEmployees } }'
    )
    assert empty["companies"] == {"totalCount": 0, "countEmptyName": None, "sumEmployees": None}


GROUP_BY = """
query($g: [CompanyGroupByInput!]!, $o: [CompanyOrderByWithGroupByInput], $f: CompanyFilterInput) {
  companiesGroupBy(groupBy: $g, orderBy: $o, filter: $f, limit: 10) {
    groupByDimensionValues totalCount sumEmployees countEmptyName
  }
}
"""


def test_group_by_answers_as_rest_does_for_the_same_request(gql, rest, companies):
    group_by = [{"address": {"addressCity": True}}, {"idealCustomerProfile": True}]
    order = [{"aggregate": {"sumEmployees": "DescNullsLast"}}]
    graphql = gql.data(GROUP_BY, {"g": group_by, "o": order})["companiesGroupBy"]
    params = urlencode(
        {
            "group_by": json.dumps(group_by),
            "order_by": json.dumps(order),
            "aggregate": json.dumps(["sumEmployees", "countEmptyName"]),
            "limit": "10",
        }
    )
    status, body = rest.get(f"/rest/companies/groupBy?{params}")
    assert status == 200, body
    assert graphql == body["data"]["companiesGroupBy"]
    assert [g["groupByDimensionValues"] for g in graphql] == [
        ["Berlin", False],
        ["Paris", True],
        [None, False],
    ]


def test_group_edges_hold_the_groups_records_as_twentys_front_end_reads_them(gql, companies):
    query = """{ companiesGroupBy(groupBy: [{createdAt: {granularity: DAY}}],
                   orderByForRecords: [{name: AscNullsLast}]) {
        groupByDimensionValues totalCount
        edges { cursor node { name } }
        pageInfo { hasNextPage }
    } }"""
    [group] = gql.data(query)["companiesGroupBy"]
    assert group["totalCount"] == 4
    assert [e["node"]["name"] for e in group["edges"]] == ["", "Acme", "acme", "Beta"]
    assert group["pageInfo"] == {"hasNextPage": False}


@pytest.mark.parametrize(
    "variables, fragment",
    [
        ({"g": [{"name": True, "employees": True}]}, "exactly one"),
        ({"g": [{"address": {"addressCity": True, "addressState": True}}]}, "sub-field"),
        ({"g": [{"name": True}], "o": [{"employees": "AscNullsFirst"}]}, "dimension"),
        ({"g": [{"createdAt": {"granularity": "DAY", "timeZone": "Nowhere/Else"}}]}, "timeZone"),
    ],
)
def test_bad_group_by_input_is_bad_user_input(gql, companies, variables, fragment):
    error = gql.error(GROUP_BY, variables)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert fragment in error["message"]


def test_an_unknown_granularity_is_refused_by_the_schema(gql):
    error = gql.error(
        "{ companiesGroupBy(groupBy: [{createdAt: {granularity: DECADE}}]) { totalCount } }",
        status=400,
    )
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


def test_another_workspace_aggregates_only_its_own_records(client, gql, companies):
    other = GraphQLClient(client.http, make_tenant("Globex"))
    assert other.data("{ companies { totalCount sumEmployees countEmptyName } }")["companies"] == {
        "totalCount": 0,
        "sumEmployees": None,
        "countEmptyName": None,
    }
    assert other.data(GROUP_BY, {"g": [{"name": True}]})["companiesGroupBy"] == []


# -- cost ---------------------------------------------------------------------------------------


def warm(gql):
    gql.data("{ companies(first: 1) { totalCount } }")


def test_aggregates_not_selected_cost_nothing(gql, companies, meter):
    warm(gql)
    meter.reset()
    gql.data("{ companies(first: 2) { totalCount edges { node { id } } } }")
    plain = dict(meter.operations)
    meter.reset()
    gql.data(
        "{ companies(first: 2) { totalCount sumEmployees countEmptyName edges { node { id } } } }"
    )
    # the same calls, plus one Query of the partition for every selected aggregate together
    assert meter.operations["Query"] == plain.get("Query", 0) + 1, (plain, meter.operations)


def test_min_and_max_of_an_indexed_path_are_one_key_read_each(gql, companies, meter):
    warm(gql)
    meter.reset()
    found = gql.data("{ companies(first: 0) { minCreatedAt maxCreatedAt } }")["companies"]
    created = sorted(c["createdAt"] for c in companies)
    assert found == {"minCreatedAt": created[0], "maxCreatedAt": created[-1]}
    # admission (one BatchGetItem); the page (a Query of Limit 1) + the counter, then one GSI
    # Query per end + one BatchGetItem
    index_queries = meter.operations["Query"] - 1
    assert index_queries == 2 and meter.operations["BatchGetItem"] == 2, meter.operations
    assert meter.items_read <= 8


def test_a_total_count_of_an_indexed_equality_reads_index_keys_only(rest, companies, meter):
    company = companies[0]["id"]
    people = [{"jobTitle": f"p{i}", "companyId": company} for i in range(7)]
    assert rest.post("/rest/batch/people", people)[0] == 201
    from chalicelib.context import Principal, RequestContext, utc_now_iso
    from chalicelib.core.aggregates import AggregateRecords
    from chalicelib.core.filters import Condition, Operator
    from chalicelib.metadata.registry import load_model
    from chalicelib.wiring import record_service

    ws = rest.tenant.workspace_id
    obj = load_model(ws).by_plural["people"]
    ctx = RequestContext(Principal(ws, "key", "test"), utc_now_iso())
    query = AggregateRecords(obj, ("totalCount",), Condition(("companyId",), Operator.EQ, company))
    meter.reset()
    assert record_service().aggregate(ctx, query) == {"totalCount": 7}
    assert meter.operations == {"Query": 1}, meter.operations  # GSI keys, no record read
