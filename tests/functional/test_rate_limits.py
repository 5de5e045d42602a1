"""Rate limits per API key and per workspace through the API (Chalice's test client over the
embedded DynamoDB): the RateLimit headers on every kind of answer, 429 with Retry-After past a
limit and recovery when the window ends, one UpdateItem per request, and fail-open.

Limits are set through SETTINGS and admission's clock is moved by hand
(tests/rate_limit_support.py), so no test waits for a minute to pass.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from chalicelib.auth import rate_limits
from chalicelib.storage import retry
from chalicelib.storage.connection import shared_connection
from tests.rate_limit_support import (
    WindowClock,
    freeze_admission_clock,
    rate_headers,
    set_limits,
)
from tests.support import Tenant, make_tenant

COMPANIES_QUERY = "{ companies(first: 1) { edges { node { id } } } }"
# Operations that would mean a refused request read the workspace's data or wrote something.
DATA_OPERATIONS = ("Query", "Scan", "PutItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem")


class Api:
    """The Chalice test client with one tenant's key; answers keep their headers."""

    def __init__(self, http: Any, tenant: Tenant) -> None:
        self.http, self.tenant = http, tenant

    def send(self, method: str, path: str, body: Any = None, *, key: Tenant | None = None):
        headers = dict((key or self.tenant).headers)
        kwargs: dict[str, Any] = {"headers": headers}
        if body is not None:
            kwargs["body"] = body if isinstance(body, str) else json.dumps(body)
        return getattr(self.http, method.lower())(path, **kwargs)

    def graphql(self, query: str, *, path: str = "/graphql", key: Tenant | None = None):
        return self.send("POST", path, {"query": query}, key=key)


@pytest.fixture
def api(client: Any, tenant: Tenant) -> Api:
    return Api(client.http, tenant)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> WindowClock:
    return freeze_admission_clock(monkeypatch)


def body_of(response: Any) -> Any:
    return json.loads(response.body)


def second_key(tenant: Tenant) -> Tenant:
    from chalicelib.auth.api_keys import issue_key

    issued = issue_key(tenant.workspace_id, "second key")
    return Tenant(tenant.workspace_id, issued.token, issued.row.key_id)


# -- the headers on every kind of answer ----------------------------------------------------------


def _created_company(api: Api) -> str:
    return body_of(api.send("POST", "/rest/companies", {"name": "Acme"}))["data"]["createCompany"][
        "id"
    ]


ANSWERS: dict[str, tuple[Callable[[Api], Any], int]] = {
    "REST list": (lambda api: api.send("GET", "/rest/companies"), 200),
    "REST get one": (lambda api: api.send("GET", f"/rest/companies/{_created_company(api)}"), 200),
    "REST create": (lambda api: api.send("POST", "/rest/companies", {"name": "Acme"}), 201),
    "REST bad body": (lambda api: api.send("POST", "/rest/companies", "{not json"), 400),
    "REST unknown record": (lambda api: api.send("GET", f"/rest/companies/{uuid.uuid4()}"), 404),
    "GraphQL query": (lambda api: api.graphql(COMPANIES_QUERY), 200),
    "GraphQL invalid document": (lambda api: api.graphql("{ noSuchField }"), 400),
    "REST metadata": (lambda api: api.send("GET", "/rest/metadata/objects"), 200),
    "GraphQL metadata": (
        lambda api: api.graphql(
            "{ objects(paging: {first: 1}) { edges { node { id } } } }", path="/metadata"
        ),
        200,
    ),  # fmt: skip
    "REST API keys": (lambda api: api.send("GET", "/rest/metadata/apiKeys"), 200),
    "OpenAPI document": (lambda api: api.send("GET", "/rest/open-api/core"), 200),
    "GraphQL SDL": (lambda api: api.send("GET", "/graphql/schema.graphql"), 200),
}


@pytest.mark.parametrize("answer", ANSWERS, ids=list(ANSWERS))
def test_every_kind_of_answer_carries_the_rate_limit_headers(api, clock, monkeypatch, answer):
    set_limits(monkeypatch, key=50, workspace=80)
    ask, status = ANSWERS[answer]
    before = int(rate_headers(api.send("GET", "/rest/companies").headers)["RateLimit-Remaining"])
    response = ask(api)
    assert response.status_code == status, response.body
    headers = rate_headers(response.headers)
    assert headers["RateLimit-Limit"] == "50"
    assert headers["RateLimit-Reset"] == "50"  # the clock stands 10 s into its minute
    # Some answers make a request of their own first (a record to read back).
    assert int(headers["RateLimit-Remaining"]) < before
    assert "Retry-After" not in headers


@pytest.fixture
def failing_writes(monkeypatch: pytest.MonkeyPatch, aws: None) -> Iterator[None]:
    """Every TransactWriteItems is throttled; the storage retry gives up within milliseconds."""
    monkeypatch.setattr(retry, "POLICY", retry.RetryPolicy(2, 1.0, base=0.001, cap=0.002))

    def throttle(**_: Any) -> None:
        error = {"Code": "ThrottlingException", "Message": "injected"}
        response = {"Error": error, "ResponseMetadata": {"HTTPStatusCode": 400}}
        raise ClientError(response, "TransactWriteItems")  # type: ignore[arg-type]

    events = shared_connection().client.meta.events
    events.register_first("before-send.dynamodb.TransactWriteItems", throttle)
    yield
    events.unregister("before-send.dynamodb.TransactWriteItems", throttle)


def test_a_server_error_answer_carries_the_rate_limit_headers(
    api, clock, monkeypatch, failing_writes
):
    set_limits(monkeypatch, key=50, workspace=80)
    response = api.send("POST", "/rest/companies", {"name": "Acme"})
    assert response.status_code == 503, response.body
    assert rate_headers(response.headers)["RateLimit-Remaining"] == "49"


def test_an_unauthenticated_request_is_neither_charged_nor_given_headers(api, clock, monkeypatch):
    set_limits(monkeypatch, key=50, workspace=80)
    stranger = Tenant(api.tenant.workspace_id, "crm_not-a-key", "none")
    response = api.send("GET", "/rest/companies", key=stranger)
    assert response.status_code == 401
    assert rate_headers(response.headers) == {}
    first = api.send("GET", "/rest/companies")
    assert rate_headers(first.headers)["RateLimit-Remaining"] == "49"


def test_the_openapi_document_without_a_key_stays_public_and_uncharged(api, clock, monkeypatch):
    set_limits(monkeypatch, key=1, workspace=1)
    for _ in range(3):
        response = api.http.get("/rest/open-api/core")
        assert response.status_code == 200 and rate_headers(response.headers) == {}


# -- over a limit ---------------------------------------------------------------------------------


def test_past_the_key_limit_the_answer_is_429_with_retry_after_and_nothing_is_done(
    api, clock, monkeypatch, meter
):
    set_limits(monkeypatch, key=3, workspace=100)
    for remaining in ("2", "1", "0"):
        answer = api.send("GET", "/rest/companies")
        assert (
            answer.status_code == 200
            and rate_headers(answer.headers)["RateLimit-Remaining"] == remaining
        )
    clock.now += 15  # 25 s into the window
    meter.reset()
    refused = api.send("POST", "/rest/companies", {"name": "Too many"})
    assert refused.status_code == 429
    assert body_of(refused) == {
        "statusCode": 429,
        "error": "TooManyRequestsException",
        "messages": [body_of(refused)["messages"][0]],
        "code": "RATE_LIMITED",
    }
    assert rate_headers(refused.headers) == {
        "RateLimit-Limit": "3",
        "RateLimit-Remaining": "0",
        "RateLimit-Reset": "35",
        "Retry-After": "35",
    }
    assert meter.operations["UpdateItem"] == 1
    assert not any(meter.operations[name] for name in DATA_OPERATIONS), meter.operations
    clock.next_window()
    listed = api.send("GET", "/rest/companies")
    assert listed.status_code == 200
    assert body_of(listed)["data"]["companies"] == []  # the refused create wrote nothing
    assert rate_headers(listed.headers)["RateLimit-Remaining"] == "2"


def test_two_keys_of_a_workspace_share_its_limit_and_other_workspaces_are_untouched(
    api, clock, monkeypatch
):
    set_limits(monkeypatch, key=10, workspace=4)
    other_key = second_key(api.tenant)
    for key in (api.tenant, other_key, api.tenant, other_key):
        assert api.send("GET", "/rest/companies", key=key).status_code == 200
    for key in (api.tenant, other_key):
        refused = api.send("GET", "/rest/companies", key=key)
        assert refused.status_code == 429
        assert rate_headers(refused.headers)["RateLimit-Limit"] == "4"
        assert refused.headers["Retry-After"] == "50"
    elsewhere = make_tenant("Globex")
    answer = api.send("GET", "/rest/companies", key=elsewhere)
    assert answer.status_code == 200 and rate_headers(answer.headers)["RateLimit-Remaining"] == "3"


def test_each_key_has_its_own_limit_within_the_workspace(api, clock, monkeypatch):
    set_limits(monkeypatch, key=2, workspace=100)
    other_key = second_key(api.tenant)
    for _ in range(2):
        assert api.send("GET", "/rest/companies").status_code == 200
    assert api.send("GET", "/rest/companies").status_code == 429
    answer = api.send("GET", "/rest/companies", key=other_key)
    assert answer.status_code == 200 and rate_headers(answer.headers)["RateLimit-Remaining"] == "1"


def test_a_rate_limited_graphql_request_is_an_http_429_with_a_graphql_error(
    api, clock, monkeypatch
):
    set_limits(monkeypatch, key=1, workspace=100)
    assert api.graphql(COMPANIES_QUERY).status_code == 200
    refused = api.graphql(COMPANIES_QUERY)
    assert refused.status_code == 429
    (error,) = body_of(refused)["errors"]
    assert error["extensions"]["subCode"] == "RATE_LIMITED"
    assert "data" not in body_of(refused)
    assert rate_headers(refused.headers) == {
        "RateLimit-Limit": "1",
        "RateLimit-Remaining": "0",
        "RateLimit-Reset": "50",
        "Retry-After": "50",
    }


@pytest.mark.parametrize(
    "refused",
    [
        lambda api: api.graphql("{ objects(paging: {first: 1}) { totalCount } }", path="/metadata"),
        lambda api: api.send("GET", "/graphql/schema.graphql"),
        lambda api: api.send("GET", "/rest/open-api/core"),
        lambda api: api.send("GET", "/rest/metadata/objects"),
    ],
    ids=["GraphQL metadata", "GraphQL SDL", "OpenAPI document", "REST metadata"],
)
def test_every_api_refuses_past_the_limit_with_retry_after(api, clock, monkeypatch, refused):
    set_limits(monkeypatch, key=1, workspace=100)
    assert api.send("GET", "/rest/companies").status_code == 200
    response = refused(api)
    assert response.status_code == 429, response.body
    assert response.headers["Retry-After"] == "50"
    assert rate_headers(response.headers)["RateLimit-Remaining"] == "0"


def test_a_graphql_request_counts_once_whatever_its_root_fields(api, clock, monkeypatch):
    set_limits(monkeypatch, key=10, workspace=100)
    query = "{ companies { totalCount } people { totalCount } opportunities { totalCount } }"
    response = api.graphql(query)
    assert response.status_code == 200 and "errors" not in body_of(response)
    assert rate_headers(response.headers)["RateLimit-Remaining"] == "9"


# -- cost -----------------------------------------------------------------------------------------


def _operations_of(api: Api, meter: Any, ask: Callable[[Api], Any]) -> Counter[str]:
    api.send("GET", "/rest/companies?limit=1")  # a warm container: the model is cached
    meter.reset()
    assert ask(api).status_code < 300
    return Counter(meter.operations)


@pytest.mark.parametrize(
    "ask",
    [
        lambda api: api.send("GET", "/rest/companies?limit=5"),
        lambda api: api.send("POST", "/rest/companies", {"name": "Acme"}),
        lambda api: api.graphql(COMPANIES_QUERY),
    ],
    ids=["REST list", "REST create", "GraphQL query"],
)
def test_the_limiter_costs_exactly_one_update_item_per_request(api, clock, monkeypatch, meter, ask):
    set_limits(monkeypatch, key=0, workspace=0)
    without = _operations_of(api, meter, ask)
    set_limits(monkeypatch, key=100, workspace=100)
    with_limits = _operations_of(api, meter, ask)
    assert with_limits - without == Counter({"UpdateItem": 1})
    assert without - with_limits == Counter()


# -- fail open ------------------------------------------------------------------------------------


@pytest.fixture
def throttled_limiter(aws: None) -> Iterator[list[str]]:
    """The limiter's UpdateItem (the only one of these requests) is always throttled."""
    sent: list[str] = []

    def throttle(**_: Any) -> None:
        sent.append("UpdateItem")
        error = {"Code": "ProvisionedThroughputExceededException", "Message": "injected"}
        response = {"Error": error, "ResponseMetadata": {"HTTPStatusCode": 400}}
        raise ClientError(response, "UpdateItem")  # type: ignore[arg-type]

    events = shared_connection().client.meta.events
    events.register_first("before-send.dynamodb.UpdateItem", throttle)
    yield sent
    events.unregister("before-send.dynamodb.UpdateItem", throttle)


def test_a_throttled_limiter_lets_requests_through_without_headers_and_logs_it(
    api, clock, monkeypatch, caplog, throttled_limiter
):
    set_limits(monkeypatch, key=1, workspace=1)
    with caplog.at_level(logging.WARNING, logger=rate_limits.__name__):
        for _ in range(3):  # past both limits, had the limiter counted
            response = api.send("GET", "/rest/companies")
            assert response.status_code == 200
            assert rate_headers(response.headers) == {}
        assert api.graphql(COMPANIES_QUERY).status_code == 200
    assert "rate limiter could not count" in caplog.text
    # Each request tried the limiter's write at most twice (one quick retry), never for long.
    assert len(throttled_limiter) == 2 * 4
