"""Idempotency-Key on REST writes and GraphQL mutations (issue 14 item 2), through the API over
the embedded DynamoDB: a retry with the same key and body is answered the first answer again
(`Idempotent-Replayed: true`) and writes nothing, counted through DynamoDB; another body is a
422, a key still running a 409 with Retry-After, a bad key a 400; without the header nothing
changes; a request that stopped after its write committed is never written twice.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from typing import Any

import pytest

from chalicelib.idempotency import guard
from chalicelib.storage import idempotency as store
from chalicelib.storage import keys
from tests.support import Tenant, make_tenant

WRITES = ("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem")


class Api:
    """The Chalice test client with one tenant's key; answers keep their headers."""

    def __init__(self, http: Any, tenant: Tenant) -> None:
        self.http, self.tenant = http, tenant

    def send(
        self, method: str, path: str, body: Any = None, *, key: str | None = None, as_: Any = None
    ) -> Any:
        headers = dict((as_ or self.tenant).headers)
        if key is not None:
            headers["Idempotency-Key"] = key
        kwargs: dict[str, Any] = {"headers": headers}
        if body is not None:
            kwargs["body"] = body if isinstance(body, str) else json.dumps(body)
        return getattr(self.http, method.lower())(path, **kwargs)

    def json(self, method: str, path: str, body: Any = None, **kw: Any) -> tuple[int, Any]:
        response = self.send(method, path, body, **kw)
        return response.status_code, json.loads(response.body)


@pytest.fixture
def api(client: Any, tenant: Tenant) -> Api:
    return Api(client.http, tenant)


class Writes:
    """The DynamoDB write requests the app sends (but the rate limiter's counter, which every
    request charges), and every request's parameters."""

    def __init__(self) -> None:
        self.operations: Counter[str] = Counter()
        self.touched: list[str] = []

    def __call__(self, operation: str, params: dict[str, Any]) -> None:
        text = json.dumps(params)
        if operation in WRITES and f'"{keys.RATE_WINDOW_PREFIX}' not in text:
            self.operations[operation] += 1
        self.touched.append(text)

    def idempotency_items_touched(self) -> bool:
        return any("#IDEM#" in text for text in self.touched)

    def reset(self) -> None:
        self.operations.clear()
        self.touched.clear()


@pytest.fixture
def writes(meter: Any) -> Writes:
    seen = Writes()
    meter.interceptors.append(seen)
    return seen


def new_key() -> str:
    return str(uuid.uuid4())


def company_names(api: Api) -> list[str]:
    status, body = api.json("GET", "/rest/companies?limit=200")
    assert status == 200, body
    return [company["name"] for company in body["data"]["companies"]]


# -- replays: the first answer again, nothing written ---------------------------------------


def test_a_create_retried_with_its_key_gets_the_first_answer_and_writes_nothing(api, writes):
    key = new_key()
    first = api.send("POST", "/rest/companies", {"name": "Acme"}, key=key)
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first.headers
    assert writes.operations["TransactWriteItems"] == 1
    writes.reset()

    again = api.send("POST", "/rest/companies", {"name": "Acme"}, key=key)

    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Content-Type"] == "application/json"
    assert json.loads(again.body) == json.loads(first.body)
    # Only the claim's conditional put, refused: no transaction, no update, no delete.
    assert writes.operations["TransactWriteItems"] == 0
    assert writes.operations["PutItem"] == 1
    assert writes.operations["UpdateItem"] == writes.operations["DeleteItem"] == 0
    assert company_names(api) == ["Acme"]


def test_a_batch_create_of_sixty_retried_with_its_key_writes_its_records_once(api, writes):
    people = [{"emails": {"primaryEmail": f"p{i}@example.com"}} for i in range(60)]
    key = new_key()
    first = api.send("POST", "/rest/batch/people", people, key=key)
    assert first.status_code == 201
    # 60 records, 60 guards and a counter: two transactions, the mark in the first one.
    assert writes.operations["TransactWriteItems"] == 2
    writes.reset()

    again = api.send("POST", "/rest/batch/people", people, key=key)

    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert json.loads(again.body) == json.loads(first.body)
    assert writes.operations["TransactWriteItems"] == 0
    status, listed = api.json("GET", "/rest/people?limit=200")
    assert status == 200 and len(listed["data"]["people"]) == 60


def test_a_patch_retried_with_its_key_answers_the_first_patch_and_does_not_write_again(api, writes):
    _, created = api.json("POST", "/rest/companies", {"name": "Before"})
    record_id = created["data"]["createCompany"]["id"]
    key = new_key()
    first = api.send("PATCH", f"/rest/companies/{record_id}", {"name": "Patched"}, key=key)
    assert first.status_code == 200
    # Someone else changes the record in between: a replay must not put "Patched" back.
    assert api.json("PATCH", f"/rest/companies/{record_id}", {"name": "Later"})[0] == 200
    writes.reset()

    again = api.send("PATCH", f"/rest/companies/{record_id}", {"name": "Patched"}, key=key)

    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert json.loads(again.body)["data"]["updateCompany"]["name"] == "Patched"
    assert writes.operations["TransactWriteItems"] == 0
    assert company_names(api) == ["Later"]


def test_a_delete_retried_with_its_key_answers_200_again_instead_of_404(api, writes):
    _, created = api.json("POST", "/rest/companies", {"name": "Doomed"})
    record_id = created["data"]["createCompany"]["id"]
    key = new_key()
    first = api.send("DELETE", f"/rest/companies/{record_id}", key=key)
    assert first.status_code == 200
    writes.reset()

    again = api.send("DELETE", f"/rest/companies/{record_id}", key=key)

    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert json.loads(again.body) == json.loads(first.body)
    assert writes.operations["TransactWriteItems"] == 0
    # Without the key the same delete is a new request, and the record is gone.
    assert api.json("DELETE", f"/rest/companies/{record_id}")[0] == 404


CREATE_COMPANY = 'mutation { createCompany(data: {name: "Gql"}) { id name } }'


def test_a_graphql_mutation_retried_with_its_key_gets_the_first_answer_and_writes_nothing(
    api, writes
):
    key = new_key()
    first = api.send("POST", "/graphql", {"query": CREATE_COMPANY}, key=key)
    assert first.status_code == 200 and "errors" not in json.loads(first.body)
    assert writes.operations["TransactWriteItems"] == 1
    writes.reset()

    again = api.send("POST", "/graphql", {"query": CREATE_COMPANY}, key=key)

    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert json.loads(again.body) == json.loads(first.body)
    assert writes.operations["TransactWriteItems"] == 0
    assert company_names(api) == ["Gql"]


def test_a_graphql_query_ignores_the_key_and_adds_no_call(api, writes):
    for _ in range(2):
        response = api.send("POST", "/graphql", {"query": "{ companies { totalCount } }"}, key="q")
        assert response.status_code == 200 and "Idempotent-Replayed" not in response.headers
    assert not writes.idempotency_items_touched()


def test_a_metadata_graphql_mutation_retried_with_its_key_creates_one_object(api):
    mutation = {
        "query": "mutation($o: CreateObjectInput!) { createOneObject(input: {object: $o}) "
        "{ id nameSingular } }",
        "variables": {
            "o": {
                "nameSingular": "rocket",
                "namePlural": "rockets",
                "labelSingular": "Rocket",
                "labelPlural": "Rockets",
            }
        },
    }
    key = new_key()
    first = api.send("POST", "/metadata", mutation, key=key)
    assert first.status_code == 200 and "errors" not in json.loads(first.body), first.body

    again = api.send("POST", "/metadata", mutation, key=key)

    # Without the key the same create would be refused: the name is taken.
    assert again.headers["Idempotent-Replayed"] == "true"
    assert json.loads(again.body) == json.loads(first.body)


def test_a_stored_4xx_answer_is_replayed_too(api, writes):
    key = new_key()
    first = api.send("POST", "/rest/companies", {"noSuchField": 1}, key=key)
    assert first.status_code == 400

    again = api.send("POST", "/rest/companies", {"noSuchField": 1}, key=key)

    assert again.status_code == 400 and again.headers["Idempotent-Replayed"] == "true"
    assert json.loads(again.body) == json.loads(first.body)
    assert writes.operations["TransactWriteItems"] == 0


# -- refusals ------------------------------------------------------------------------------


def test_the_same_key_with_another_body_is_422_and_writes_nothing(api, writes):
    key = new_key()
    assert api.send("POST", "/rest/companies", {"name": "One"}, key=key).status_code == 201
    writes.reset()

    status, body = api.json("POST", "/rest/companies", {"name": "Two"}, key=key)

    assert status == 422
    assert body["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert body["error"] == "UnprocessableEntityException"
    assert writes.operations["TransactWriteItems"] == 0
    assert company_names(api) == ["One"]


def test_the_same_key_on_another_path_or_query_is_422(api):
    key = new_key()
    assert api.send("POST", "/rest/companies", {"name": "One"}, key=key).status_code == 201
    assert api.json("POST", "/rest/people", {"name": "One"}, key=key)[0] == 422
    assert api.json("POST", "/rest/companies?upsert=true", {"name": "One"}, key=key)[0] == 422


def test_the_same_key_with_another_graphql_body_is_422(api):
    key = new_key()
    assert api.send("POST", "/graphql", {"query": CREATE_COMPANY}, key=key).status_code == 200
    other = CREATE_COMPANY.replace("Gql", "Other")

    status, body = api.json("POST", "/graphql", {"query": other}, key=key)

    assert status == 422
    assert body["errors"][0]["extensions"]["subCode"] == "IDEMPOTENCY_KEY_REUSED"
    assert company_names(api) == ["Gql"]


def test_keys_belong_to_their_api_key(api, aws):
    stranger = make_tenant("Other")
    key = new_key()
    assert api.send("POST", "/rest/companies", {"name": "Mine"}, key=key).status_code == 201

    theirs = api.send("POST", "/rest/companies", {"name": "Theirs"}, key=key, as_=stranger)

    assert theirs.status_code == 201 and "Idempotent-Replayed" not in theirs.headers


def test_a_key_whose_request_is_still_running_is_409_with_retry_after(
    api, tenant, writes, monkeypatch
):
    body = {"name": "Early"}
    key = _claim_like_the_request(api, tenant, monkeypatch, "POST", "/rest/companies", body)
    writes.reset()

    response = api.send("POST", "/rest/companies", body, key=key)

    assert response.status_code == 409
    assert response.headers["Retry-After"] == "1"
    assert json.loads(response.body)["code"] == "IDEMPOTENCY_KEY_IN_USE"
    assert writes.operations["TransactWriteItems"] == 0
    assert company_names(api) == []


def test_a_graphql_mutation_whose_key_is_in_use_is_409_with_retry_after(api, tenant, monkeypatch):
    body = {"query": CREATE_COMPANY}
    key = _claim_like_the_request(api, tenant, monkeypatch, "POST", "/graphql", body)

    response = api.send("POST", "/graphql", {"query": CREATE_COMPANY}, key=key)

    assert response.status_code == 409 and response.headers["Retry-After"] == "1"
    error = json.loads(response.body)["errors"][0]
    assert error["extensions"] == {"code": "CONFLICT", "subCode": "IDEMPOTENCY_KEY_IN_USE"}
    assert company_names(api) == []


@pytest.mark.parametrize("bad", ["x" * 256, "", "tab\there", "new\nline"])
def test_a_bad_key_is_400_before_anything_is_claimed_or_written(api, writes, bad):
    writes.reset()
    status, body = api.json("POST", "/rest/companies", {"name": "Acme"}, key=bad)

    assert status == 400 and body["code"] == "INVALID_IDEMPOTENCY_KEY"
    assert writes.operations["TransactWriteItems"] == 0
    assert not writes.idempotency_items_touched()


def test_a_key_of_255_characters_is_accepted(api):
    assert api.send("POST", "/rest/companies", {"name": "A"}, key="k" * 255).status_code == 201


def test_a_bad_key_on_a_graphql_mutation_is_400(api):
    status, body = api.json("POST", "/graphql", {"query": CREATE_COMPANY}, key="x" * 256)
    assert status == 400
    assert body["errors"][0]["extensions"]["subCode"] == "INVALID_IDEMPOTENCY_KEY"
    assert company_names(api) == []


# -- without the header: nothing changes ---------------------------------------------------


def test_without_the_header_a_write_makes_the_same_calls_and_touches_no_key_item(
    api, meter, writes
):
    api.json("GET", "/rest/companies")  # warm caches
    meter.reset()
    writes.reset()
    assert api.send("POST", "/rest/companies", {"name": "Plain"}).status_code == 201
    plain = Counter(meter.operations)
    assert not writes.idempotency_items_touched()

    meter.reset()
    assert api.send("POST", "/rest/companies", {"name": "Keyed"}, key=new_key()).status_code == 201
    keyed = Counter(meter.operations)

    # The key's whole cost: the claim (PutItem) and the stored answer (UpdateItem); the mark
    # rides in the write's own transaction.
    assert keyed - plain == Counter({"PutItem": 1, "UpdateItem": 1})
    assert plain - keyed == Counter()


# -- interrupted first requests ------------------------------------------------------------


def test_a_retry_after_a_crash_between_commit_and_stored_answer_writes_nothing(
    api, writes, monkeypatch
):
    key = new_key()
    # The process dies once the write committed, before the answer is stored.
    with monkeypatch.context() as crash:
        crash.setattr(guard.store, "complete", lambda *args, **kw: True)
        assert api.send("POST", "/rest/companies", {"name": "Once"}, key=key).status_code == 201
    writes.reset()

    # While its lease is on, the first request may still be about to store its answer.
    early = api.send("POST", "/rest/companies", {"name": "Once"}, key=key)
    assert early.status_code == 409 and early.headers["Retry-After"] == "1"
    assert json.loads(early.body)["code"] == "IDEMPOTENCY_KEY_IN_USE"
    # Once the lease ran out: it stopped after committing, and a committed write is never
    # taken over.
    monkeypatch.setattr(store, "clock", _later(store.LEASE_SECONDS + 1))
    status, body = api.json("POST", "/rest/companies", {"name": "Once"}, key=key)

    assert status == 409 and body["code"] == "IDEMPOTENCY_ANSWER_UNAVAILABLE"
    assert "wrote its changes" in body["messages"][0]
    assert writes.operations["TransactWriteItems"] == 0
    assert company_names(api) == ["Once"]


def test_a_claim_left_by_a_crash_before_the_write_is_taken_over_once_its_lease_ran_out(
    api, monkeypatch
):
    key = new_key()

    def crash(*args: Any, **kw: Any) -> None:
        raise RuntimeError("the process died before its transaction was sent")

    with monkeypatch.context() as dying:
        dying.setattr("chalicelib.storage.executor.execute_plan", crash)
        dying.setattr(guard.store, "release", lambda claim: True)  # no cleanup after a crash
        assert api.send("POST", "/rest/companies", {"name": "Late"}, key=key).status_code == 500

    assert api.send("POST", "/rest/companies", {"name": "Late"}, key=key).status_code == 409
    monkeypatch.setattr(store, "clock", _later(store.LEASE_SECONDS + 1))
    taken_over = api.send("POST", "/rest/companies", {"name": "Late"}, key=key)

    assert taken_over.status_code == 201 and "Idempotent-Replayed" not in taken_over.headers
    assert company_names(api) == ["Late"]


def test_a_server_error_before_any_write_releases_the_key_so_a_retry_runs(api, monkeypatch):
    key = new_key()

    def unavailable(*args: Any, **kw: Any) -> None:
        from chalicelib.errors import StorageUnavailableError

        raise StorageUnavailableError()

    with monkeypatch.context() as failing:
        failing.setattr("chalicelib.storage.executor.execute_plan", unavailable)
        assert api.send("POST", "/rest/companies", {"name": "Retry"}, key=key).status_code == 503

    again = api.send("POST", "/rest/companies", {"name": "Retry"}, key=key)

    assert again.status_code == 201 and "Idempotent-Replayed" not in again.headers
    assert company_names(api) == ["Retry"]


def test_a_graphql_mutation_that_hit_a_storage_timeout_releases_the_key(api, monkeypatch):
    key = new_key()

    def unavailable(*args: Any, **kw: Any) -> None:
        from chalicelib.errors import StorageUnavailableError

        raise StorageUnavailableError()

    with monkeypatch.context() as failing:
        failing.setattr("chalicelib.storage.executor.execute_plan", unavailable)
        status, body = api.json("POST", "/graphql", {"query": CREATE_COMPANY}, key=key)
        assert status == 200 and body["errors"][0]["extensions"]["code"] == "TIMEOUT"

    again = api.send("POST", "/graphql", {"query": CREATE_COMPANY}, key=key)

    assert again.status_code == 200 and "Idempotent-Replayed" not in again.headers
    assert "errors" not in json.loads(again.body)
    assert company_names(api) == ["Gql"]


def test_a_metadata_rest_write_retried_with_its_key_is_replayed(api):
    rocket = {
        "nameSingular": "rocket",
        "namePlural": "rockets",
        "labelSingular": "Rocket",
        "labelPlural": "Rockets",
    }
    key = new_key()
    first = api.send("POST", "/rest/metadata/objects", rocket, key=key)
    assert first.status_code == 201, first.body

    again = api.send("POST", "/rest/metadata/objects", rocket, key=key)

    # Without the key the same create is refused (the name is taken); with it, the first answer.
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert json.loads(again.body) == json.loads(first.body)
    assert api.send("POST", "/rest/metadata/objects", rocket).status_code == 400


def test_an_answer_too_large_to_keep_is_not_replayed_but_never_written_again(
    api, writes, monkeypatch
):
    key = new_key()
    monkeypatch.setattr(store, "MAX_ITEM_BYTES", 100)  # every answer is "too large" here
    assert api.send("POST", "/rest/companies", {"name": "Big"}, key=key).status_code == 201
    writes.reset()

    status, body = api.json("POST", "/rest/companies", {"name": "Big"}, key=key)

    assert status == 409 and body["code"] == "IDEMPOTENCY_ANSWER_UNAVAILABLE"
    assert "too large to keep" in body["messages"][0]
    assert writes.operations["TransactWriteItems"] == 0
    assert company_names(api) == ["Big"]


# -- helpers -------------------------------------------------------------------------------


def _later(seconds: float) -> Any:
    import time

    return lambda: time.time() + seconds


def _claim_like_the_request(
    api: Api, tenant: Tenant, monkeypatch: pytest.MonkeyPatch, method: str, path: str, body: Any
) -> str:
    """A new key, claimed IN_PROGRESS as if a first request `method path body` with it were
    still running. The request's fingerprint is learned by sending it once with a probe key
    whose claim is refused (so that probe runs nothing)."""
    seen: list[str] = []

    def spy(workspace_id: str, key_id: str, key_text: str, fingerprint: str, **kw: Any):
        seen.append(fingerprint)
        raise RuntimeError("only the fingerprint was wanted")

    with monkeypatch.context() as probing:
        probing.setattr(store, "claim", spy)
        api.send(method, path, body, key="probe")
    key = new_key()
    assert isinstance(store.claim(tenant.workspace_id, tenant.key_id, key, seen[0]), store.Claim)
    return key
