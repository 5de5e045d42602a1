"""The GraphQL page issue 13 item 6 measures the API's CPU on: 60 companies x 8 fields.

(The REST page is "list 60" of bench/cases.py, the nested read "graphql nested 60" of
bench/graphql_cases.py and "graphql nested 60x5 10k" of bench/bigcases.py.) Its baseline is
raw boto3 making the same two checks, the Query and the counter read, and building the same
connection (bench/graphql_cases.py's RawGraphQL).
"""

from __future__ import annotations

from bench.cases import LIST_LIMIT, Case, http
from bench.graphql_cases import RawGraphQL
from bench.world import World

GRAPHQL_COMPANIES = "graphql companies 60x8"

# Eight fields of a company; composites with the sub-fields a list view shows.
COMPANY_FIELDS = {
    "id": "",
    "name": "",
    "domainName": "{ primaryLinkUrl }",
    "employees": "",
    "address": "{ addressCity addressCountry }",
    "idealCustomerProfile": "",
    "createdAt": "",
    "updatedAt": "",
}
_SELECTION = " ".join(f"{name} {sub}".strip() for name, sub in COMPANY_FIELDS.items())
COMPANIES_QUERY = (
    f"query {{ companies(first: {LIST_LIMIT}) {{ totalCount pageInfo {{ hasNextPage endCursor }} "
    f"edges {{ cursor node {{ {_SELECTION} }} }} }} }}"
)


def build_cpu_cases(world: World, raw: RawGraphQL, iterations: int) -> list[Case]:
    companies = world.object_ids["companies"]
    fields = list(COMPANY_FIELDS)
    return [
        Case(
            GRAPHQL_COMPANIES,
            iterations,
            lambda i: http(world, "POST", "/graphql", {"query": COMPANIES_QUERY}),
            # The raw side answers under "people": the same bytes of JSON to build.
            lambda i: lambda: raw.people_page(companies, fields),
            expect_status=200,
            expect_text=('"companies"',),
        )
    ]
