"""DynamoDB call budgets of SPEC.md and issue 13, counted through the botocore meter and the
round-trip clock (tests/round_trips.py) on a warm container.

Tokens name their workspace (`crm_<workspace hex>_<secret>`), so admission is ONE BatchGetItem
of the key, the workspace's version and, for a read by id, the record (auth/admission.py).
Tokens issued before name none and cost one round trip more. The rate limiter's UpdateItem is
left out of every figure here (its own tests count it): budgets hold with limits on or off.
"""

from __future__ import annotations

import secrets

import pytest

from tests.functional.graphql_support import GraphQLClient
from tests.functional.read_paths import PATHS, force_read_path
from tests.round_trips import LimiterCalls, budget_operations
from tests.support import RestClient, Tenant


class Budget:
    """The meter's figures since `reset`, less the rate limiter's calls."""

    def __init__(self, meter, limiter: LimiterCalls) -> None:
        self._meter, self._limiter = meter, limiter

    def reset(self) -> None:
        self._meter.reset()
        self._limiter.reset()

    @property
    def operations(self):
        return budget_operations(self._meter, self._limiter)

    @property
    def requests(self) -> int:
        return sum(self.operations.values())

    @property
    def items_read(self) -> int:
        return self._meter.items_read  # the limiter's UpdateItem reads no item

    @property
    def items_by_operation(self):
        return self._meter.items_by_operation


@pytest.fixture
def budget(aws, meter) -> Budget:
    limiter = LimiterCalls()
    meter.interceptors.append(limiter)
    return Budget(meter, limiter)


@pytest.fixture
def legacy(client, rest) -> RestClient:
    """A key of the same workspace whose token names no workspace (issued before tokens did)."""
    from chalicelib.auth.api_keys import issue_key

    token = "crm_" + secrets.token_urlsafe(32)
    issued = issue_key(rest.tenant.workspace_id, "Legacy key", token=token)
    return RestClient(client.http, Tenant(rest.tenant.workspace_id, token, issued.row.key_id))


def warm(rest, path="/rest/companies?limit=1"):
    """One request so the metadata cache is warm, as in a reused Lambda container."""
    assert rest.get(path)[0] == 200


def company(rest) -> str:
    _, body = rest.post("/rest/companies", {"name": "Acme"})
    return body["data"]["createCompany"]["id"]


def measured(call, budget, clock):
    """(answer, sequential round trips) of one call, the budget reset just before it."""
    budget.reset()
    with clock.counting() as round_trips:
        answer = call()
    return answer, round_trips()


def test_warm_get_one_is_one_batch_get_of_key_version_and_record(rest, budget, round_trip_clock):
    record_id = company(rest)
    warm(rest)
    (status, body), round_trips = measured(
        lambda: rest.get(f"/rest/companies/{record_id}"), budget, round_trip_clock
    )
    assert status == 200 and body["data"]["company"]["id"] == record_id
    assert budget.operations == {"BatchGetItem": 1}, budget.operations
    assert round_trips == 1
    assert budget.items_read == 3  # the key, the workspace, the record


def test_with_rate_limits_off_a_get_one_is_exactly_one_dynamodb_request(rest, meter, monkeypatch):
    from tests.rate_limit_support import set_limits

    set_limits(monkeypatch, key=0, workspace=0)
    record_id = company(rest)
    warm(rest)
    meter.reset()
    assert rest.get(f"/rest/companies/{record_id}")[0] == 200
    assert meter.operations == {"BatchGetItem": 1}, meter.operations


def test_warm_list_of_60_is_two_sequential_round_trips(rest, budget, round_trip_clock):
    for start in (0, 60):
        batch = [{"name": f"c{start + i}"} for i in range(60)]
        assert rest.post("/rest/batch/companies", batch)[0] == 201
    warm(rest)
    (status, body), round_trips = measured(
        lambda: rest.get("/rest/companies?limit=60"), budget, round_trip_clock
    )
    assert status == 200 and len(body["data"]["companies"]) == 60
    # admission (key + version); then one Query of the page with the live-record counter.
    assert budget.operations == {"BatchGetItem": 1, "Query": 1, "GetItem": 1}, budget.operations
    assert round_trips == 2
    assert budget.items_read <= 2 * 60 + 3


@pytest.mark.parametrize(
    ("selection", "counter_read"),
    [("totalCount edges { node { id } }", True), ("edges { node { id } }", False)],
)
def test_a_graphql_list_reads_its_counter_only_when_it_shows_totalCount(
    client, rest, budget, round_trip_clock, selection, counter_read
):
    batch = [{"name": f"c{i}"} for i in range(5)]
    assert rest.post("/rest/batch/companies", batch)[0] == 201
    gql = GraphQLClient(client.http, rest.tenant)
    query = f"{{ companies(first: 60) {{ {selection} }} }}"
    requests, _, round_trips, data = cost_of(lambda: gql.data(query), budget, round_trip_clock)
    assert len(data["companies"]["edges"]) == 5
    assert data["companies"].get("totalCount", 5) == 5
    # admission (key + version); then the page's Query, with the counter beside it if shown.
    expected = {"BatchGetItem": 1, "Query": 1} | ({"GetItem": 1} if counter_read else {})
    assert budget.operations == expected, budget.operations
    assert round_trips == 2


def test_create_is_admission_then_its_write(rest, budget, round_trip_clock):
    warm(rest)
    (status, _), round_trips = measured(
        lambda: rest.post("/rest/companies", {"name": "Acme"}), budget, round_trip_clock
    )
    assert status == 201
    assert budget.operations == {"BatchGetItem": 1, "TransactWriteItems": 1}, budget.operations
    assert round_trips == 2


def test_update_is_two_reads_then_its_write(rest, budget, round_trip_clock):
    record_id = company(rest)
    warm(rest)
    (status, _), round_trips = measured(
        lambda: rest.patch(f"/rest/companies/{record_id}", {"name": "Acme 2"}),
        budget,
        round_trip_clock,
    )
    assert status == 200
    # admission, then the record read for its version (the write is conditioned on it)
    expected = {"BatchGetItem": 1, "GetItem": 1, "TransactWriteItems": 1}
    assert budget.operations == expected, budget.operations
    assert round_trips == 3


def test_batch_create_of_60_is_admission_then_at_most_three_writes(rest, budget, round_trip_clock):
    warm(rest, "/rest/people?limit=1")
    people = [{"emails": {"primaryEmail": f"p{i}@example.com"}} for i in range(60)]
    (status, _), round_trips = measured(
        lambda: rest.post("/rest/batch/people", people), budget, round_trip_clock
    )
    assert status == 201
    writes = budget.operations["TransactWriteItems"] + budget.operations["BatchWriteItem"]
    assert 1 <= writes <= 3, budget.operations
    # The only read is admission's (the key and the metadata version together).
    assert budget.operations["BatchGetItem"] == 1
    assert budget.requests == writes + 1
    assert round_trips == 1 + writes


def test_batch_upsert_of_60_reads_matches_in_batch_calls(rest, budget, round_trip_clock):
    people = [{"emails": {"primaryEmail": f"p{i}@example.com"}} for i in range(60)]
    assert rest.post("/rest/batch/people", people)[0] == 201
    (status, _), round_trips = measured(
        lambda: rest.post("/rest/batch/people?upsert=true", people), budget, round_trip_clock
    )
    assert status == 201
    # admission; the guards of the unique values; the matched records: never per record
    assert budget.operations["BatchGetItem"] == 3, budget.operations
    assert budget.operations["GetItem"] == 0
    assert budget.operations["TransactWriteItems"] <= 3
    assert round_trips == 3 + budget.operations["TransactWriteItems"]


def test_metadata_loads_with_one_query_only_on_a_cold_cache(rest, budget):
    from chalicelib.metadata import registry

    registry.clear_cache()
    budget.reset()
    assert rest.get("/rest/companies")[0] == 200
    assert budget.operations["Query"] == 2  # the metadata partition, then the page
    budget.reset()
    assert rest.get("/rest/companies")[0] == 200
    assert budget.operations["Query"] == 1


def test_get_one_on_a_cold_model_cache_reads_the_record_after_the_model(
    rest, budget, round_trip_clock
):
    from chalicelib.metadata import registry

    record_id = company(rest)
    registry.clear_cache()
    (status, body), round_trips = measured(
        lambda: rest.get(f"/rest/companies/{record_id}"), budget, round_trip_clock
    )
    assert status == 200 and body["data"]["company"]["id"] == record_id
    # No cached model names the object's id yet: admission, the metadata Query, the record.
    assert budget.operations == {"BatchGetItem": 1, "Query": 1, "GetItem": 1}, budget.operations
    assert round_trips == 3


# -- tokens issued before tokens named their workspace ---------------------------------------


def test_a_token_naming_no_workspace_gets_one_in_two_round_trips(
    rest, legacy, budget, round_trip_clock
):
    record_id = company(rest)
    warm(legacy)
    (status, body), round_trips = measured(
        lambda: legacy.get(f"/rest/companies/{record_id}"), budget, round_trip_clock
    )
    assert status == 200 and body["data"]["company"]["id"] == record_id
    # the key by its hash; then the workspace's version and the record together
    assert budget.operations == {"GetItem": 1, "BatchGetItem": 1}, budget.operations
    assert round_trips == 2


def test_a_token_naming_no_workspace_lists_and_writes_one_round_trip_later(
    rest, legacy, budget, round_trip_clock
):
    warm(legacy)
    (status, _), list_round_trips = measured(
        lambda: legacy.get("/rest/companies?limit=60"), budget, round_trip_clock
    )
    assert status == 200
    assert budget.operations == {"GetItem": 3, "Query": 1}, budget.operations
    assert list_round_trips == 3  # key, version, then the page with its counter
    (status, _), create_round_trips = measured(
        lambda: legacy.post("/rest/companies", {"name": "Old"}), budget, round_trip_clock
    )
    assert status == 201
    assert budget.operations == {"GetItem": 2, "TransactWriteItems": 1}, budget.operations
    assert create_round_trips == 3


# -- nested ONE_TO_MANY reads (core/child_pages.py) ------------------------------------------

NESTED_PEOPLE = (
    "{ companies(first: 60) { edges { node { id "
    "people(first: 5) { totalCount edges { node { id jobTitle } } } } } } }"
)


def seed_companies_with_people(rest, companies, people_each):
    """`companies` companies, each with `people_each` people; the company ids."""
    created = rest.post("/rest/batch/companies", [{"name": f"c{i}"} for i in range(companies)])
    ids = [c["id"] for c in created[1]["data"]["createCompanies"]]
    people = [{"companyId": cid, "jobTitle": f"p{n}"} for cid in ids for n in range(people_each)]
    for start in range(0, len(people), 60):
        assert rest.post("/rest/batch/people", people[start : start + 60])[0] == 201
    return ids


def cost_of(call, budget, clock):
    """(requests, items read, sequential round trips, answer) of one warm call."""
    call()  # warm: metadata and schema caches
    budget.reset()
    with clock.counting() as round_trips:
        answer = call()
    return budget.requests, budget.items_read, round_trips(), answer


def nested_records(connection):
    """Companies of a GraphQL page plus the people nested in them."""
    edges = connection["edges"]
    return len(edges) + sum(len(e["node"]["people"]["edges"]) for e in edges)


@pytest.mark.parametrize("companies", [5, 60])
def test_nested_people_page_through_the_index_reads_what_it_returns_in_five_round_trips(
    client, rest, budget, round_trip_clock, monkeypatch, companies
):
    seed_companies_with_people(rest, companies, 7)
    force_read_path(monkeypatch, "index")
    gql = GraphQLClient(client.http, rest.tenant)
    requests, items, round_trips, data = cost_of(
        lambda: gql.data(NESTED_PEOPLE), budget, round_trip_clock
    )
    edges = data["companies"]["edges"]
    assert len(edges) == companies
    assert all(e["node"]["people"]["totalCount"] == 7 for e in edges)
    returned = nested_records(data["companies"])
    assert returned == companies * 6
    # admission (key + version); the companies' Query (their counter is not read: the query
    # does not show their totalCount); the people's and companies' counters (one BatchGetItem,
    # to choose the read); the people's keys (the companies of a page in id order are
    # neighbours in the index: one Query over their span gives every company's 7 keys, hence
    # its page, look-ahead and totalCount), then one BatchGetItem round of the pages.
    assert round_trips == 5, budget.operations
    # Each company: 7 keys and 5 records; + companies page, key, version and 2 counters.
    assert items <= 2 * returned + companies + 5, budget.items_by_operation
    # admission, page, the two counters (one BatchGetItem), the span, the pages.
    assert requests == 3 + 1 + -(-(companies * 5) // 100), budget.operations


def test_nested_people_of_companies_far_apart_are_read_by_one_query_per_company(
    client, rest, budget, round_trip_clock, monkeypatch
):
    ids = seed_companies_with_people(rest, 60, 7)
    force_read_path(monkeypatch, "index")
    gql = GraphQLClient(client.http, rest.tenant)
    # Two companies, the lowest and the highest id: every person lies between them in the index.
    low, high = min(ids), max(ids)
    query = NESTED_PEOPLE.replace(
        "companies(first: 60)", f'companies(filter: {{id: {{in: ["{low}", "{high}"]}}}})'
    )
    _, _, round_trips, data = cost_of(lambda: gql.data(query), budget, round_trip_clock)
    assert [e["node"]["people"]["totalCount"] for e in data["companies"]["edges"]] == [7, 7]
    assert round_trips == 5, budget.operations
    # A span would read the 420 keys between them: each company's own Query reads its 7 (the
    # filter's Query reads the 60 companies).
    assert budget.operations["Query"] == 1 + 2, budget.operations
    assert budget.items_by_operation["Query"] == 60 + 2 * 7, budget.items_by_operation


@pytest.mark.parametrize("companies", [5, 60])
def test_nested_people_page_of_a_small_object_reads_it_whole_in_four_round_trips(
    client, rest, budget, round_trip_clock, companies
):
    seed_companies_with_people(rest, companies, 7)
    gql = GraphQLClient(client.http, rest.tenant)
    requests, items, round_trips, data = cost_of(
        lambda: gql.data(NESTED_PEOPLE), budget, round_trip_clock
    )
    edges = data["companies"]["edges"]
    assert all(e["node"]["people"]["totalCount"] == 7 for e in edges)
    assert nested_records(data["companies"]) == companies * 6
    # admission (key + version); the companies' Query; the two counters (one BatchGetItem);
    # then one Query of all 7 x companies people (cheaper in read units than 2 x companies
    # requests).
    assert round_trips == 4, budget.operations
    # The two counters in one BatchGetItem.
    assert budget.operations == {"BatchGetItem": 2, "Query": 2}
    assert items == companies + 7 * companies + 4, budget.items_by_operation


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("companies", [20, 60])
def test_depth_one_reads_each_parents_children_in_constant_round_trips(
    rest, budget, round_trip_clock, monkeypatch, companies, path
):
    seed_companies_with_people(rest, companies, 3)
    force_read_path(monkeypatch, path)
    requests, items, round_trips, (status, body) = cost_of(
        lambda: rest.get(f"/rest/companies?limit={companies}&depth=1"), budget, round_trip_clock
    )
    assert status == 200
    rows = body["data"]["companies"]
    assert [len(row["people"]) for row in rows] == [3] * companies
    returned = len(rows) + 3 * companies
    # admission (key + version); page Query with its counter; the counters of the companies and
    # of every one-to-many target (with the owners' BatchGetItem); then the people: one Query
    # of the whole object, or one Query of the companies' span and one BatchGetItem round of the
    # children.
    # The other one-to-many targets have no record (their counters say so): nothing is read.
    assert round_trips == (4 if path == "whole" else 5), budget.operations
    assert items <= 2 * returned + 3 + 8, budget.items_by_operation
    # 3 = admission, page, counter; 1 = the counters of the companies and of the 4 one-to-many
    # targets, in one BatchGetItem. Through the index: one Query over the span of the page's
    # companies (neighbours in id order), then the children's records.
    index_reads = 1 + -(-(companies * 3) // 100)
    assert requests == 3 + 1 + (1 if path == "whole" else index_reads), budget.operations
