"""Retry with capped exponential backoff and jitter for throttled or contended DynamoDB calls."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from chalicelib.errors import StorageUnavailableError

logger = logging.getLogger(__name__)

T = TypeVar("T")

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


class RetryableError(Exception):
    """Raised inside a retried call to ask for another attempt."""


def backoff_delay(attempt: int, base: float = 0.025, cap: float = 1.0) -> float:
    """Full-jitter exponential backoff (AWS architecture blog), in seconds."""
    return random.uniform(0, min(cap, base * (2**attempt)))


def with_retries(
    call: Callable[[], T],
    *,
    attempts: int,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run `call`, retrying while it raises RetryableError; give up with a 503-class error."""
    for attempt in range(attempts):
        try:
            return call()
        except RetryableError as exc:
            logger.info("retrying DynamoDB call after transient error: %s", exc)
            sleep(backoff_delay(attempt))
    raise StorageUnavailableError()
