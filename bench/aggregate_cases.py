"""Aggregate and groupBy cases (issue #12) over the quick world's 120 companies, API only.

The minimal raw equivalent of each is visible in its request counts: one Query of the record
partition for any set of aggregates or any groupBy (after the key and metadata-version checks),
and for min/max of an indexed path one GSI Query of Limit 1 per end plus one BatchGetItem.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from bench.cases import Call, Case, http
from bench.world import World

AGGREGATES_QUERY = (
    "query { companies(first: 0) { totalCount countEmptyName countUniqueValuesName "
    "percentageNotEmptyName sumEmployees avgEmployees countTrueIdealCustomerProfile } }"
)
EXTREMES_QUERY = "query { companies(first: 0) { totalCount minCreatedAt maxCreatedAt } }"
GROUP_BY_QUERY = (
    "query { companiesGroupBy(groupBy: [{idealCustomerProfile: true}, "
    "{createdAt: {granularity: MONTH}}], orderBy: [{aggregate: {totalCount: DescNullsLast}}]) "
    "{ groupByDimensionValues totalCount sumEmployees edges { node { id name } } } }"
)
GROUP_BY_REST = "/rest/companies/groupBy?" + urlencode(
    {
        "group_by": json.dumps([{"idealCustomerProfile": True}, {"name": True}]),
        "aggregate": json.dumps(["sumEmployees", "countEmptyDomainName", "maxCreatedAt"]),
        "order_by": json.dumps([{"aggregate": {"sumEmployees": "DescNullsLast"}}]),
        "limit": "50",
    }
)


def build_aggregate_cases(world: World, iterations: int) -> list[Case]:
    def graphql(query: str) -> Any:
        def prepare(_i: int) -> Call:
            return http(world, "POST", "/graphql", {"query": query})

        return prepare

    def get(path: str) -> Any:
        def prepare(_i: int) -> Call:
            return http(world, "GET", path)

        return prepare

    return [
        Case("aggregates 6 (120 rec)", iterations, graphql(AGGREGATES_QUERY), expect_status=200,
             expect_text=("sumEmployees",)),
        Case("min/max createdAt (index)", iterations, graphql(EXTREMES_QUERY), expect_status=200,
             expect_text=("minCreatedAt",)),
        Case("groupBy gql + edges", iterations, graphql(GROUP_BY_QUERY), expect_status=200,
             expect_text=("groupByDimensionValues",)),
        Case("groupBy REST 2 dims", iterations, get(GROUP_BY_REST), expect_status=200,
             expect_text=("companiesGroupBy",)),
    ]  # fmt: skip
