"""Every DynamoDB failure is retried or answered 503 with Retry-After, never a 500.

Faults are injected where botocore meets them, through `before-send` handlers on the app's
DynamoDB clients (the shared wire-level one and the pynamodb models'):

- registered on `before-send.dynamodb.<Operation>`, they run before moto's stub (a handler on
  the more specific event runs first) and raise: the request never reached the table;
- registered last on `before-send`, they run after moto's stub applied the request and raise a
  read timeout: the write landed but its answer was lost.

moto does not deduplicate ClientRequestToken as DynamoDB does (a transaction resent with the
token of one that committed returns success without being applied again), so `LostAnswers`
plays that part with a `before-call` handler.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)

from chalicelib.storage import retry
from chalicelib.storage.executor import MAX_TRANSACTION_BYTES
from tests.functional.graphql_support import GraphQLClient

URL = "https://dynamodb.us-east-1.amazonaws.com/"


def _client_error(status: int, code: str, **extra: Any) -> Callable[[str], ClientError]:
    def make(operation: str) -> ClientError:
        response = {
            "Error": {"Code": code, "Message": f"injected {code}"},
            "ResponseMetadata": {"HTTPStatusCode": status},
            **extra,
        }
        return ClientError(response, operation)  # type: ignore[arg-type]

    return make


def _transport(error_class: type[Exception]) -> Callable[[str], Exception]:
    return lambda operation: error_class(endpoint_url=URL)


FAILURES: dict[str, Callable[[str], Exception]] = {
    "read timeout": _transport(ReadTimeoutError),
    "connect timeout": _transport(ConnectTimeoutError),
    "endpoint unreachable": _transport(EndpointConnectionError),
    "connection closed": _transport(ConnectionClosedError),
    "throughput exceeded": _client_error(400, "ProvisionedThroughputExceededException"),
    "throttling": _client_error(400, "ThrottlingException"),
    "request limit": _client_error(400, "RequestLimitExceeded"),
    "internal server error": _client_error(500, "InternalServerError"),
    "service unavailable": _client_error(503, "ServiceUnavailable"),
    "transaction in progress": _client_error(400, "TransactionInProgressException"),
}
TRANSACTION_FAILURES = {
    **FAILURES,
    "cancelled by a conflicting transaction": _client_error(
        400,
        "TransactionCanceledException",
        CancellationReasons=[{"Code": "TransactionConflict"}, {"Code": "None"}],
    ),
    "cancelled by throttling": _client_error(
        400, "TransactionCanceledException", CancellationReasons=[{"Code": "ThrottlingError"}]
    ),
}


def _emitters() -> list[Any]:
    """The event emitters of every DynamoDB client the app uses."""
    from chalicelib.storage.connection import shared_connection
    from chalicelib.storage.models import ApiKeyItem, MetadataItem, WorkspaceItem

    clients = [shared_connection().client]
    clients += [
        m._get_connection().connection.client for m in (ApiKeyItem, WorkspaceItem, MetadataItem)
    ]
    unique = {id(c.meta.events): c.meta.events for c in clients}
    return list(unique.values())


def _token(body: bytes | str | None) -> str | None:
    return json.loads(body or b"{}").get("ClientRequestToken")


class Faults:
    """Handlers registered on the app's DynamoDB clients for one test, removed after it."""

    def __init__(self) -> None:
        self._registered: list[tuple[Any, str, Callable[..., Any]]] = []

    def _register(self, event: str, handler: Callable[..., Any], *, last: bool = False) -> None:
        for events in _emitters():
            (events.register_last if last else events.register_first)(event, handler)
            self._registered.append((events, event, handler))

    def fail(self, operation: str, failure: Callable[[str], Exception], times: int | None = None):
        """The next `times` requests of `operation` (all when None) fail before the table."""
        failed: list[dict[str, Any]] = []

        def handler(request: Any, **_: Any) -> None:
            if times is None or len(failed) < times:
                failed.append(json.loads(request.body or b"{}"))
                raise failure(operation)

        self._register(f"before-send.dynamodb.{operation}", handler)
        return failed

    def observe(self, operation: str) -> list[int]:
        """The size in bytes of each `operation` request sent."""
        sizes: list[int] = []

        def handler(request: Any, event_name: str, **_: Any) -> None:
            if event_name.endswith(f".{operation}"):
                sizes.append(len(request.body or b""))

        self._register(f"before-send.dynamodb.{operation}", handler)
        return sizes

    def remove(self) -> None:
        for events, event, handler in self._registered:
            events.unregister(event, handler)
        self._registered.clear()


class LostAnswers:
    """TransactWriteItems of the first `transactions` tokens land, but no answer comes back.

    A resend with the token of a transaction that landed is answered as DynamoDB does, success
    without applying it again, unless `forever` (then its answer is lost too).
    """

    def __init__(self, faults: Faults, transactions: int = 1, *, forever: bool = False) -> None:
        self.tokens_sent: list[str | None] = []
        self.applied: list[str] = []
        self._limit, self._forever = transactions, forever
        faults._register("before-send", self._after_the_table, last=True)
        faults._register("before-call.dynamodb.TransactWriteItems", self._dedupe)

    def _lost(self, token: str | None) -> bool:
        return token in self.applied or len(self.applied) < self._limit

    def _after_the_table(self, request: Any, event_name: str, **_: Any) -> None:
        if not event_name.endswith(".TransactWriteItems"):
            return
        token = _token(request.body)
        if self._lost(token) and token is not None:
            self.applied.append(token)  # moto's stub (before this handler) applied it
            raise ReadTimeoutError(endpoint_url=URL)

    def _dedupe(self, params: dict[str, Any], **_: Any) -> Any:
        token = _token(params.get("body"))
        self.tokens_sent.append(token)
        if token not in self.applied:
            return None
        if self._forever:
            raise ReadTimeoutError(endpoint_url=URL)
        return AWSResponse(URL, 200, {}, None), {}


@pytest.fixture
def faults(aws: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Faults]:
    # Four attempts a millisecond or two apart: the same path as production, without the waits.
    monkeypatch.setattr(retry, "POLICY", retry.RetryPolicy(4, 5.0, base=0.001, cap=0.002))
    injected = Faults()
    yield injected
    injected.remove()


@pytest.fixture
def gql(client, tenant) -> GraphQLClient:
    return GraphQLClient(client.http, tenant)


def _raw(rest, method: str, path: str, body: Any = None):
    """The Chalice test client's response itself (headers included)."""
    kwargs: dict[str, Any] = {"headers": rest.tenant.headers}
    if body is not None:
        kwargs["body"] = json.dumps(body)
    return getattr(rest._http, method.lower())(path, **kwargs)


def _assert_unavailable(response) -> None:
    assert response.status_code == 503, response.body
    assert response.headers["Retry-After"] == "1"
    body = json.loads(response.body)
    assert body["statusCode"] == 503
    assert body["error"] == "ServiceUnavailableException"
    assert body["code"] == "STORAGE_UNAVAILABLE"
    assert "retry" in body["messages"][0]


def _people(rest) -> list[dict[str, Any]]:
    status, body = rest.get("/rest/people?limit=200")
    assert status == 200, body
    assert body["totalCount"] == len(body["data"]["people"])
    return body["data"]["people"]


# -- transient failures are retried --------------------------------------------------------------


@pytest.mark.parametrize("failure", TRANSACTION_FAILURES, ids=str)
def test_a_transaction_that_fails_transiently_is_retried_until_it_lands(rest, faults, failure):
    failed = faults.fail("TransactWriteItems", TRANSACTION_FAILURES[failure], times=2)
    status, body = rest.post("/rest/people", {"emails": {"primaryEmail": "ann@example.com"}})
    assert status == 201, body
    assert len(failed) == 2
    # Every attempt carried the same token, so DynamoDB applies the write at most once.
    assert len({attempt["ClientRequestToken"] for attempt in failed}) == 1
    assert [p["emails"]["primaryEmail"] for p in _people(rest)] == ["ann@example.com"]


@pytest.mark.parametrize("failure", FAILURES, ids=str)
def test_a_record_read_that_fails_transiently_is_retried(rest, faults, failure):
    status, body = rest.post("/rest/companies", {"name": "Acme"})
    company_id = body["data"]["createCompany"]["id"]
    # One BatchGetItem serves the API key, the workspace version and the record itself.
    failed = faults.fail("BatchGetItem", FAILURES[failure], times=3)
    status, body = rest.get(f"/rest/companies/{company_id}")
    assert status == 200, body
    assert body["data"]["company"]["name"] == "Acme"
    assert len(failed) == 3


@pytest.mark.parametrize("operation", ["Query", "BatchGetItem"])
@pytest.mark.parametrize("failure", ["read timeout", "throttling", "internal server error"])
def test_list_and_upsert_reads_that_fail_transiently_are_retried(rest, faults, operation, failure):
    rest.post("/rest/people", {"emails": {"primaryEmail": "ann@example.com"}})
    failed = faults.fail(operation, FAILURES[failure], times=2)
    status, body = rest.post(
        "/rest/batch/people?upsert=true",
        [{"emails": {"primaryEmail": "ann@example.com"}, "jobTitle": "CEO"}],
    )
    assert status in (200, 201), body
    listed = _people(rest)
    assert len(failed) == 2
    assert [p["jobTitle"] for p in listed] == ["CEO"]


# -- failures that persist: 503 with Retry-After, nothing written ---------------------------------


@pytest.mark.parametrize("failure", ["read timeout", "endpoint unreachable", "throttling"])
def test_a_transaction_that_keeps_failing_is_a_503_and_writes_nothing(rest, faults, failure):
    faults.fail("TransactWriteItems", FAILURES[failure])
    response = _raw(rest, "POST", "/rest/people", {"emails": {"primaryEmail": "a@example.com"}})
    _assert_unavailable(response)
    faults.remove()
    assert _people(rest) == []


@pytest.mark.parametrize("operation", ["GetItem", "Query", "BatchGetItem"])
def test_a_read_that_keeps_failing_is_a_503(rest, faults, operation):
    rest.post("/rest/people", {"emails": {"primaryEmail": "ann@example.com"}})
    faults.fail(operation, FAILURES["read timeout"])
    if operation == "BatchGetItem":
        body = [{"emails": {"primaryEmail": "ann@example.com"}}]
        response = _raw(rest, "POST", "/rest/batch/people?upsert=true", body)
    else:
        response = _raw(rest, "GET", "/rest/people")
    _assert_unavailable(response)


def test_graphql_answers_a_storage_failure_with_its_code_not_an_internal_error(gql, faults):
    faults.fail("TransactWriteItems", FAILURES["connection closed"])
    status, body = gql('mutation { createCompany(data: {name: "Acme"}) { id } }')
    assert status == 200
    [error] = body["errors"]
    assert error["extensions"] == {"code": "TIMEOUT", "subCode": "STORAGE_UNAVAILABLE"}
    faults.remove()
    faults.fail("Query", FAILURES["internal server error"])
    status, body = gql("{ companies { edges { node { id } } } }")
    assert body["errors"][0]["extensions"]["subCode"] == "STORAGE_UNAVAILABLE"


def test_an_error_dynamodb_will_repeat_is_not_retried(rest, faults):
    # A malformed request of ours is a server fault: one attempt, the 500 path, no traceback.
    failed = faults.fail("TransactWriteItems", _client_error(400, "ValidationException"))
    status, body = rest.post("/rest/companies", {"name": "Acme"})
    assert status == 500, body
    assert body["code"] == "INTERNAL_ERROR"
    assert len(failed) == 1


# -- a transaction whose answer was lost ----------------------------------------------------------


def test_a_transaction_whose_answer_was_lost_is_resent_with_its_token_and_applied_once(
    rest, faults
):
    lost = LostAnswers(faults)
    status, body = rest.post("/rest/people", {"emails": {"primaryEmail": "ann@example.com"}})
    assert status == 201, body
    assert len(lost.applied) == 1
    assert lost.tokens_sent == lost.applied * 2  # the first send, and its resend
    [person] = _people(rest)
    assert person["id"] == body["data"]["createPerson"]["id"]


def test_an_update_whose_answer_was_lost_is_applied_once(rest, faults):
    status, body = rest.post("/rest/companies", {"name": "Acme", "employees": 1})
    company_id = body["data"]["createCompany"]["id"]
    lost = LostAnswers(faults)
    status, body = rest.patch(f"/rest/companies/{company_id}", {"employees": 2})
    assert status == 200, body
    assert lost.tokens_sent == lost.applied * 2
    assert rest.get(f"/rest/companies/{company_id}")[1]["data"]["company"]["employees"] == 2


def test_when_retries_run_out_after_a_lost_answer_the_write_is_undone_before_the_503(rest, faults):
    lost = LostAnswers(faults, forever=True)
    response = _raw(rest, "POST", "/rest/people", {"emails": {"primaryEmail": "ann@example.com"}})
    _assert_unavailable(response)
    assert len(lost.applied) == 1  # it had landed; the compensation (another token) removed it
    faults.remove()
    assert _people(rest) == []
    status, body = rest.post("/rest/people", {"emails": {"primaryEmail": "ann@example.com"}})
    assert status == 201, body  # the email's guard was released too


# -- transactions under DynamoDB's 4 MB -----------------------------------------------------------


def test_a_batch_of_large_records_is_written_in_transactions_under_4_mb(rest, faults):
    sizes = faults.observe("TransactWriteItems")
    records = [{"name": f"{i:02d}" + "x" * 380_000} for i in range(11)]
    status, body = rest.post("/rest/batch/companies", records)
    assert status == 201, str(body)[:300]
    assert len(sizes) >= 2
    assert sum(sizes) > 4 * 1024 * 1024  # one transaction would have passed the limit
    assert max(sizes) <= MAX_TRANSACTION_BYTES + 64 * 1024 < 4 * 1024 * 1024
    status, body = rest.get("/rest/companies?limit=1")
    assert body["totalCount"] == 11


def test_a_refused_later_transaction_of_a_large_batch_undoes_the_earlier_one(rest, faults):
    rest.post("/rest/companies", {"name": "Taken", "domainName": {"primaryLinkUrl": "taken.com"}})
    records = [
        {"name": "x" * 380_000, "domainName": {"primaryLinkUrl": f"d{i}.com"}} for i in range(10)
    ]
    records.append({"name": "last", "domainName": {"primaryLinkUrl": "taken.com"}})
    sizes = faults.observe("TransactWriteItems")
    status, body = rest.post("/rest/batch/companies", records)
    assert status == 409, str(body)[:300]
    assert len(sizes) >= 3  # first, second (refused), the undo of the first
    status, body = rest.get("/rest/companies?limit=5")
    assert [c["name"] for c in body["data"]["companies"]] == ["Taken"]
    assert body["totalCount"] == 1
