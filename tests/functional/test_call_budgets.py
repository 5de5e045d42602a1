"""DynamoDB call budgets of SPEC.md, counted through the botocore meter on a warm container."""

from __future__ import annotations


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
