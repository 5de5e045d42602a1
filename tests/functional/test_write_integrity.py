"""Batches land whole under throttling and UnprocessedItems, or not at all on a failed condition."""

from __future__ import annotations

import threading

import boto3
import pytest
from botocore.awsrequest import AWSResponse

from chalicelib.settings import SETTINGS
from tests.support import make_tenant


def _error(code: str, **extra):
    """A DynamoDB error response as botocore would have parsed it."""
    parsed = {"Error": {"Code": code, "Message": f"injected {code}"}, **extra}
    return AWSResponse("https://dynamodb.local", 400, {}, None), parsed


def fail_first(meter, operation: str, times: int, response_factory):
    calls = {"n": 0}

    def interceptor(name, params):
        if name == operation and calls["n"] < times:
            calls["n"] += 1
            return response_factory(params)
        return None

    meter.interceptors.append(interceptor)
    return calls


def people(count: int, prefix: str = "p"):
    return [{"emails": {"primaryEmail": f"{prefix}{i}@example.com"}} for i in range(count)]


def test_batch_lands_whole_when_transactions_are_throttled(rest, meter):
    calls = fail_first(
        meter,
        "TransactWriteItems",
        3,
        lambda params: _error("ProvisionedThroughputExceededException"),
    )
    status, body = rest.post("/rest/batch/people", people(60))
    assert status == 201, body
    assert calls["n"] == 3
    assert rest.get("/rest/people?limit=200")[1]["totalCount"] == 60
    assert len(rest.get("/rest/people?limit=200")[1]["data"]["people"]) == 60


def test_batch_lands_whole_when_a_transaction_is_cancelled_for_throttling(rest, meter):
    def cancelled(params):
        reasons = [{"Code": "ThrottlingError"}] + [{"Code": "None"}] * (
            len(params["TransactItems"]) - 1
        )
        return _error("TransactionCanceledException", CancellationReasons=reasons)

    calls = fail_first(meter, "TransactWriteItems", 2, cancelled)
    status, body = rest.post("/rest/batch/companies", [{"name": f"c{i}"} for i in range(30)])
    assert status == 201, body
    assert calls["n"] == 2
    assert rest.get("/rest/companies")[1]["totalCount"] == 30


def test_workspace_seeding_lands_whole_despite_unprocessed_items(aws, meter):
    """Half of every first BatchWriteItem is really written, the rest reported unprocessed."""
    raw = boto3.client("dynamodb", region_name=SETTINGS.region)
    calls = {"n": 0, "inside": False}

    def half_processed(name, params):
        if name != "BatchWriteItem" or calls["n"] >= 3 or calls["inside"]:
            return None
        calls["n"] += 1
        [(table, requests)] = params["RequestItems"].items()
        half = len(requests) // 2
        calls["inside"] = True  # the real half-write below passes through this hook too
        try:
            if half:
                raw.batch_write_item(RequestItems={table: requests[:half]})
        finally:
            calls["inside"] = False
        body = {"UnprocessedItems": {table: requests[half:]}}
        return AWSResponse("https://dynamodb.local", 200, {}, None), body

    meter.interceptors.append(half_processed)
    tenant = make_tenant("Throttled")
    meter.interceptors.clear()
    assert calls["n"] == 3
    from chalicelib.metadata.builder import build_standard_objects
    from chalicelib.storage.workspaces import load_metadata_bodies

    objects, fields = load_metadata_bodies(tenant.workspace_id)
    expected = build_standard_objects(now="2020-01-01T00:00:00.000Z")
    assert len(objects) == len(expected)
    assert len(fields) == sum(len(obj.fields) for obj in expected)


def test_failed_condition_in_a_later_transaction_undoes_the_earlier_one(rest, meter):
    status, body = rest.post("/rest/people", {"emails": {"primaryEmail": "p55@example.com"}})
    assert status == 201
    existing_id = body["data"]["createPerson"]["id"]
    meter.reset()
    # 60 people with uniqueness guards need two transactions; record 55 lands in the second
    # and collides with the existing person, after the first transaction has committed.
    status, body = rest.post("/rest/batch/people", people(60))
    assert status == 409, body
    assert "emails.primaryEmail" in body["messages"][0]
    assert meter.operations["TransactWriteItems"] >= 3  # first, second (refused), undo
    _, listed = rest.get("/rest/people?limit=200")
    assert [p["id"] for p in listed["data"]["people"]] == [existing_id]
    assert listed["totalCount"] == 1
    # Every guard of the undone records was released: the same emails can be used again.
    free = [p for p in people(60) if p["emails"]["primaryEmail"] != "p55@example.com"]
    status, body = rest.post("/rest/batch/people", free)
    assert status == 201, body
    assert rest.get("/rest/people?limit=200")[1]["totalCount"] == 60


@pytest.fixture
def atomic_requests(monkeypatch):
    """Make each moto request atomic, as each DynamoDB request is.

    moto's in-process backend is not thread-safe (a transaction deep-copies tables that another
    thread is writing). Real DynamoDB applies every request atomically; this lock restores that
    guarantee and nothing more, so our own read-then-conditional-write races stay real.
    """
    from moto.core.responses import BaseResponse

    lock = threading.Lock()
    original = BaseResponse.call_action

    def call_action(self):
        with lock:
            return original(self)

    monkeypatch.setattr(BaseResponse, "call_action", call_action)


def test_concurrent_creates_with_the_same_email_keep_exactly_one(rest, atomic_requests):
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def create():
        barrier.wait()
        status, _ = rest.post("/rest/people", {"emails": {"primaryEmail": "race@example.com"}})
        statuses.append(status)

    for _ in range(5):
        threads = [threading.Thread(target=create) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert statuses.count(201) == 1
    assert statuses.count(409) == 9
    _, listed = rest.get("/rest/people")
    assert listed["totalCount"] == 1
    assert len(listed["data"]["people"]) == 1


def test_concurrent_updates_of_different_fields_both_land(rest, atomic_requests):
    status, body = rest.post("/rest/companies", {"name": "Start"})
    company_id = body["data"]["createCompany"]["id"]
    barrier = threading.Barrier(2)
    results: list[int] = []

    def update(change):
        barrier.wait()
        results.append(rest.patch(f"/rest/companies/{company_id}", change)[0])

    threads = [
        threading.Thread(target=update, args=({"name": "Renamed"},)),
        threading.Thread(target=update, args=({"employees": 42},)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [200, 200]
    company = rest.get(f"/rest/companies/{company_id}")[1]["data"]["company"]
    assert company["name"] == "Renamed"
    assert company["employees"] == 42
