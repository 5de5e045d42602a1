"""Telling transient DynamoDB failures apart, and retrying them within attempts and time."""

from __future__ import annotations

import pytest
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ReadTimeoutError,
)
from pynamodb.exceptions import (
    CancellationReason,
    GetError,
    PutError,
    QueryError,
    TransactGetError,
    TransactWriteError,
    VerboseClientError,
)

from chalicelib.errors import StorageUnavailableError
from chalicelib.storage.retry import (
    RetryableError,
    RetryPolicy,
    error_code,
    is_transient,
    is_transport_failure,
    with_retries,
)
from tests.support import FakeTime

URL = "https://dynamodb.local"


def client_error(code: str, status: int = 400, reasons=None) -> ClientError:
    response = {
        "Error": {"Code": code, "Message": "m"},
        "ResponseMetadata": {"HTTPStatusCode": status},
    }
    if reasons is not None:
        response["CancellationReasons"] = [{"Code": r or "None"} for r in reasons]
    return ClientError(response, "Op")


def cancelled(*reasons: str | None) -> TransactWriteError:
    cause = VerboseClientError(
        {"Error": {"Code": "TransactionCanceledException", "Message": "cancelled"}},
        "TransactWriteItems",
        cancellation_reasons=[CancellationReason(code=r) if r else None for r in reasons],
    )
    return TransactWriteError("Failed to write transaction items", cause)


TRANSPORT = [
    ReadTimeoutError(endpoint_url=URL),
    ConnectTimeoutError(endpoint_url=URL),
    EndpointConnectionError(endpoint_url=URL),
    ConnectionClosedError(endpoint_url=URL),
]


@pytest.mark.parametrize("cause", TRANSPORT, ids=lambda e: type(e).__name__)
@pytest.mark.parametrize(
    "wrapper", [None, TransactWriteError, TransactGetError, GetError, PutError, QueryError]
)
def test_timeouts_and_lost_connections_are_transient_bare_or_wrapped_by_pynamodb(cause, wrapper):
    failure = cause if wrapper is None else wrapper("failed", cause)
    assert is_transient(failure)
    assert is_transport_failure(failure)
    assert error_code(failure) is None


def test_pynamodbs_own_code_lookup_crashes_on_a_timeout_and_ours_does_not():
    failure = TransactWriteError("failed", ReadTimeoutError(endpoint_url=URL))
    with pytest.raises(AttributeError):
        _ = failure.cause_response_code  # what turned issue 17's timeout into a 500
    assert error_code(failure) is None


@pytest.mark.parametrize(
    "code",
    [
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "TransactionInProgressException",
    ],
)
def test_throttling_and_dynamodbs_own_faults_are_transient(code):
    assert is_transient(client_error(code))
    assert is_transient(PutError("failed", client_error(code)))
    assert not is_transport_failure(client_error(code))


def test_any_5xx_answer_is_transient_whatever_its_code():
    assert is_transient(client_error("SomethingNew", status=503))


@pytest.mark.parametrize(
    "failure",
    [
        client_error("ValidationException"),
        client_error("ConditionalCheckFailedException"),
        client_error("ResourceNotFoundException"),
        GetError("failed", None),
        NoCredentialsError(),
        ValueError("not a DynamoDB failure"),
    ],
    ids=lambda e: type(e).__name__ + ":" + str(error_code(e)),
)
def test_failures_that_would_repeat_are_not_transient(failure):
    assert not is_transient(failure)


def test_a_cancelled_transaction_is_transient_only_when_a_reason_is():
    assert is_transient(cancelled(None, "TransactionConflict"))
    assert is_transient(cancelled("ThrottlingError"))
    assert is_transient(cancelled("ConditionalCheckFailed", "TransactionConflict"))
    assert not is_transient(cancelled(None, "ConditionalCheckFailed"))
    assert not is_transient(cancelled("ValidationError"))
    # The same, as botocore raises it without pynamodb.
    raw = client_error("TransactionCanceledException", reasons=[None, "TransactionConflict"])
    assert is_transient(raw)


def failing(times: int, failure: Exception, result: str = "done"):
    calls = {"n": 0}

    def call() -> str:
        calls["n"] += 1
        if calls["n"] <= times:
            raise failure
        return result

    return call, calls


def test_transient_failures_are_retried_until_the_call_succeeds():
    time = FakeTime()
    call, calls = failing(3, TransactWriteError("f", ReadTimeoutError(endpoint_url=URL)))
    result = with_retries(call, policy=RetryPolicy(5, 10.0), sleep=time.sleep, clock=time.clock)
    assert result == "done"
    assert calls["n"] == 4
    assert len(time.slept) == 3
    assert all(0 <= delay <= 0.025 * 2**i for i, delay in enumerate(time.slept))


def test_past_its_attempts_a_transient_failure_becomes_a_503_naming_its_cause():
    time = FakeTime()
    cause = client_error("ThrottlingException")
    call, calls = failing(100, cause)
    with pytest.raises(StorageUnavailableError) as raised:
        with_retries(call, policy=RetryPolicy(4, 10.0), sleep=time.sleep, clock=time.clock)
    assert calls["n"] == 4
    assert raised.value.__cause__ is cause


def test_no_attempt_starts_after_the_time_budget():
    time = FakeTime()

    def slow_timeout() -> None:
        time.now += 3.0  # each attempt waits for a 3 s read timeout
        raise ReadTimeoutError(endpoint_url=URL)

    with pytest.raises(StorageUnavailableError):
        with_retries(slow_timeout, policy=RetryPolicy(12, 10.0), sleep=time.sleep, clock=time.clock)
    assert time.now < 13.0  # four attempts at most, never the twelve the count allows


def test_a_failure_that_would_repeat_is_raised_at_once():
    time = FakeTime()
    cause = client_error("ValidationException")
    call, calls = failing(5, cause)
    with pytest.raises(ClientError):
        with_retries(call, policy=RetryPolicy(5, 10.0), sleep=time.sleep, clock=time.clock)
    assert calls["n"] == 1
    assert time.slept == []


def test_a_call_may_ask_for_another_attempt_itself():
    time = FakeTime()
    call, calls = failing(2, RetryableError("unprocessed items"))
    assert with_retries(call, policy=RetryPolicy(5, 10.0), sleep=time.sleep, clock=time.clock)
    assert calls["n"] == 3
