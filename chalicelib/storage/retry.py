"""Which DynamoDB failures are transient, and retrying them with capped, jittered backoff.

One policy for every storage call: botocore's own retries are switched off (storage/connection.py
and the pynamodb models), so a throttled, timed-out or unreachable call is retried here, with
DynamoDB-sized delays (25 ms doubling, capped at 1 s) rather than botocore's (1 s doubling), a
bounded number of times within a bounded time; then the API answers 503 with Retry-After.
"""

from __future__ import annotations

import functools
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionError,
    HTTPClientError,
    IncompleteReadError,
)
from pynamodb.exceptions import PynamoDBException, VerboseClientError

from chalicelib.errors import StorageUnavailableError
from chalicelib.settings import SETTINGS

logger = logging.getLogger(__name__)

T = TypeVar("T")
P = ParamSpec("P")

# Error codes DynamoDB uses when a request may succeed if simply sent again.
RETRYABLE_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
        "TransactionInProgressException",
        "TransactionConflictException",
    }
)
# Cancellation reasons of a TransactWriteItems call that are transient, not a failed condition.
RETRYABLE_CANCELLATION_CODES = frozenset(
    {
        "ThrottlingError",
        "ProvisionedThroughputExceeded",
        "TransactionConflict",
        "RequestLimitExceeded",
    }
)
# Connect/read timeouts, refused or reset connections, truncated answers: the request may or
# may not have reached DynamoDB. Reads are safe to resend; a transaction is resent with its
# ClientRequestToken, which DynamoDB deduplicates for 10 minutes.
_TRANSPORT_FAILURES = (ConnectionError, HTTPClientError, IncompleteReadError)


class RetryableError(Exception):
    """Raised inside a retried call to ask for another attempt."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int
    seconds: float  # no attempt starts once this long has passed since the first one
    base: float = 0.025
    cap: float = 1.0


def default_policy() -> RetryPolicy:
    return RetryPolicy(SETTINGS.write_retry_attempts, SETTINGS.storage_retry_seconds)


# Read at each call, so a test may swap in a faster policy (monkeypatch) without sleeping.
POLICY = default_policy()


def failure_cause(exc: BaseException) -> BaseException | None:
    """The botocore error under pynamodb's wrapper (which may hold none), or `exc` itself."""
    if isinstance(exc, PynamoDBException):
        return exc.cause
    return exc


def error_code(exc: BaseException) -> str | None:
    """DynamoDB's error code for a failed call; None when no answer came back.

    pynamodb's own `cause_response_code` raises AttributeError when the cause is a timeout
    (botocore sets `response = None` on it): never use it on a failure of unknown kind.
    """
    cause = failure_cause(exc)
    if not isinstance(cause, ClientError):
        return None
    response = cause.response if isinstance(cause.response, dict) else {}
    code = (response.get("Error") or {}).get("Code")
    return str(code) if code else None


def error_message(exc: BaseException) -> str:
    cause = failure_cause(exc)
    if isinstance(cause, ClientError) and isinstance(cause.response, dict):
        return str((cause.response.get("Error") or {}).get("Message") or "")
    return str(cause or exc)


def is_transport_failure(exc: BaseException) -> bool:
    """No answer came back: whether the request took effect is unknown."""
    return isinstance(failure_cause(exc), _TRANSPORT_FAILURES)


def cancellation_codes(exc: BaseException) -> list[str | None]:
    """Why a transaction was cancelled, one entry per action in request order (None: no fault)."""
    cause = failure_cause(exc)
    if isinstance(cause, VerboseClientError):
        # pynamodb keeps the reasons beside the response, as CancellationReason or None.
        return [reason.code if reason else None for reason in cause.cancellation_reasons]
    if not isinstance(cause, ClientError) or not isinstance(cause.response, dict):
        return []
    reasons = cause.response.get("CancellationReasons") or []
    codes = [reason.get("Code") if isinstance(reason, dict) else None for reason in reasons]
    return [None if code in (None, "None") else str(code) for code in codes]


def is_transient(exc: BaseException) -> bool:
    """A failure that may pass if the same request is simply sent again."""
    if isinstance(exc, RetryableError) or is_transport_failure(exc):
        return True
    cause = failure_cause(exc)
    if not isinstance(cause, ClientError):
        return False
    code = error_code(exc)
    if code in RETRYABLE_CODES:
        return True
    if code == "TransactionCanceledException":
        # Throttled or conflicting with another transaction: nothing was applied, send again.
        # Reasons that are all empty are treated alike (a failed condition always names one).
        reasons = [reason for reason in cancellation_codes(exc) if reason is not None]
        return not reasons or any(r in RETRYABLE_CANCELLATION_CODES for r in reasons)
    metadata = cause.response.get("ResponseMetadata") if isinstance(cause.response, dict) else None
    status = (metadata or {}).get("HTTPStatusCode")
    # A 5xx is DynamoDB's own fault whatever its code says.
    return isinstance(status, int) and status >= 500


def backoff_delay(attempt: int, base: float = 0.025, cap: float = 1.0) -> float:
    """Full-jitter exponential backoff (AWS architecture blog), in seconds."""
    return random.uniform(0, min(cap, base * (2**attempt)))


def with_retries(
    call: Callable[[], T],
    *,
    policy: RetryPolicy | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """Run `call`, retrying transient failures; past the policy's bounds, a 503-class error."""
    policy = policy or POLICY
    give_up_at = clock() + policy.seconds
    attempt = 0
    while True:
        try:
            return call()
        except (RetryableError, PynamoDBException, BotoCoreError, ClientError) as exc:
            if not is_transient(exc):
                raise
            delay = backoff_delay(attempt, policy.base, policy.cap)
            attempt += 1
            if attempt >= policy.attempts or clock() + delay >= give_up_at:
                logger.warning("DynamoDB still failing after %d attempts: %r", attempt, exc)
                raise StorageUnavailableError() from exc
            logger.info("retrying DynamoDB call after transient error: %r", exc)
            sleep(delay)


def retried(function: Callable[P, T]) -> Callable[P, T]:
    """`function`, each of whose calls runs under `with_retries` (for pynamodb model calls)."""

    @functools.wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        return with_retries(lambda: function(*args, **kwargs))

    return run
