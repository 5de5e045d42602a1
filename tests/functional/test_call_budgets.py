"""DynamoDB call budgets of SPEC.md, counted through the botocore meter on a warm container."""

from __future__ import annotations

import pytest

from tests.functional.graphql_support import GraphQLClient
from tests.functional.read_paths import PATHS, force_read_path


def warm(rest, path="/rest/companies?limit=1"):
    """One request so the metadata cache is warm, as in a reused Lambda container."""
    assert rest.get(path)[0] == 200


def test_warm_get_one_costs_three_requests(rest, meter):
    _, body = rest.post("/rest/companies", {"name": "Acme"})
    record_id = body["data"]["createCompany"]["id"]
    warm(rest)
    meter.reset()
    assert rest.get(f"/rest/companies/{record_id}")[0] == 200
    # key check + metadata-version check + the record
    assert meter.requests == 3, meter.operations
    assert meter.operations == {"GetItem": 3}


def test_warm_list_of_60_costs_at_most_four_requests(rest, meter):
    for start in (0, 60):
        batch = [{"name": f"c{start + i}"} for i in range(60)]
        assert rest.post("/rest/batch/companies", batch)[0] == 201
    warm(rest)
    meter.reset()
    status, body = rest.get("/rest/companies?limit=60")
    assert status == 200 and len(body["data"]["companies"]) == 60
    # key check + version check + one Query + the live-record counter
    assert meter.requests <= 4, meter.operations
    assert meter.operations["Query"] == 1
    assert meter.items_read <= 2 * 60 + 3


def test_batch_create_of_60_makes_at_most_three_write_calls(rest, meter):
    warm(rest, "/rest/people?limit=1")
    meter.reset()
    people = [{"emails": {"primaryEmail": f"p{i}@example.com"}} for i in range(60)]
    assert rest.post("/rest/batch/people", people)[0] == 201
    writes = meter.operations["TransactWriteItems"] + meter.operations["BatchWriteItem"]
    assert writes <= 3, meter.operations
    # The only reads are the key check and the metadata-version check.
    assert meter.operations["GetItem"] == 2
    assert meter.requests == writes + 2


def test_batch_upsert_of_60_reads_matches_in_batch_calls(rest, meter):
    people = [{"emails": {"primaryEmail": f"p{i}@example.com"}} for i in range(60)]
    assert rest.post("/rest/batch/people", people)[0] == 201
    meter.reset()
    assert rest.post("/rest/batch/people?upsert=true", people)[0] == 201
    # guards of the unique values, then the matched records: BatchGetItem, never per record
    assert meter.operations["BatchGetItem"] <= 2, meter.operations
    assert meter.operations["GetItem"] == 2
    assert meter.operations["TransactWriteItems"] <= 3


def test_metadata_loads_with_one_query_only_on_a_cold_cache(rest, meter):
    from chalicelib.metadata import registry

    registry.clear_cache()
    meter.reset()
    assert rest.get("/rest/companies")[0] == 200
    assert meter.operations["Query"] == 2  # the metadata partition, then the page
    meter.reset()
    assert rest.get("/rest/companies")[0] == 200
    assert meter.operations["Query"] == 1


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


def cost_of(call, meter, clock):
    """(requests, items read, sequential round trips, answer) of one warm call."""
    call()  # warm: metadata and schema caches
    meter.reset()
    with clock.counting() as round_trips:
        answer = call()
    return meter.requests, meter.items_read, round_trips(), answer


def nested_records(connection):
    """Companies of a GraphQL page plus the people nested in them."""
    edges = connection["edges"]
    return len(edges) + sum(len(e["node"]["people"]["edges"]) for e in edges)


@pytest.mark.parametrize("companies", [5, 60])
def test_nested_people_page_through_the_index_reads_what_it_returns_in_seven_round_trips(
    client, rest, meter, round_trip_clock, monkeypatch, companies
):
    seed_companies_with_people(rest, companies, 7)
    force_read_path(monkeypatch, "index")
    gql = GraphQLClient(client.http, rest.tenant)
    requests, items, round_trips, data = cost_of(
        lambda: gql.data(NESTED_PEOPLE), meter, round_trip_clock
    )
    edges = data["companies"]["edges"]
    assert len(edges) == companies
    assert all(e["node"]["people"]["totalCount"] == 7 for e in edges)
    returned = nested_records(data["companies"])
    assert returned == companies * 6
    # key + version; the companies' Query, then their counter; the people's and companies'
    # counters (together, to choose the read); the people's keys (Limit 6, one Query per
    # company, together), then one BatchGetItem round of the pages together with the Queries
    # counting the keys past each page.
    assert round_trips == 7, meter.operations
    # Each company: 6 keys, 5 records and 1 more key counted; + companies page and 4-5 GetItem.
    assert items <= 2 * returned + companies + 6, meter.items_by_operation
    assert requests == 6 + 2 * companies + -(-(companies * 5) // 100), meter.operations


@pytest.mark.parametrize("companies", [5, 60])
def test_nested_people_page_of_a_small_object_reads_it_whole_in_six_round_trips(
    client, rest, meter, round_trip_clock, companies
):
    seed_companies_with_people(rest, companies, 7)
    gql = GraphQLClient(client.http, rest.tenant)
    requests, items, round_trips, data = cost_of(
        lambda: gql.data(NESTED_PEOPLE), meter, round_trip_clock
    )
    edges = data["companies"]["edges"]
    assert all(e["node"]["people"]["totalCount"] == 7 for e in edges)
    assert nested_records(data["companies"]) == companies * 6
    # key + version; the companies' Query, then their counter; the two counters; then one
    # Query of all 7 x companies people (cheaper in read units than 2 x companies requests).
    assert round_trips == 6, meter.operations
    assert meter.operations == {"GetItem": 5, "Query": 2}
    assert items == companies + 7 * companies + 5, meter.items_by_operation


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("companies", [20, 60])
def test_depth_one_reads_each_parents_children_in_constant_round_trips(
    rest, meter, round_trip_clock, monkeypatch, companies, path
):
    seed_companies_with_people(rest, companies, 3)
    force_read_path(monkeypatch, path)
    requests, items, round_trips, (status, body) = cost_of(
        lambda: rest.get(f"/rest/companies?limit={companies}&depth=1"), meter, round_trip_clock
    )
    assert status == 200
    rows = body["data"]["companies"]
    assert [len(row["people"]) for row in rows] == [3] * companies
    returned = len(rows) + 3 * companies
    # key + version; page Query, then counter; the counters of the companies and of every
    # one-to-many target (with the owners' BatchGetItem); then the people: one Query of the
    # whole object, or one Query per company and one BatchGetItem round of the children. The
    # other one-to-many targets have no record (their counters say so): nothing is read.
    assert round_trips == (6 if path == "whole" else 7), meter.operations
    assert items <= 2 * returned + 3 + 8, meter.items_by_operation
    # 4 = key, version, page, counter; 5 counters: the companies' and 4 one-to-many targets'.
    index_reads = companies + -(-(companies * 3) // 100)
    assert requests == 4 + 5 + (1 if path == "whole" else index_reads), meter.operations
