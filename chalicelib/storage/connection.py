"""The container's one DynamoDB connection for wire-level calls (reads and transactions)."""

from __future__ import annotations

from functools import cache
from typing import Any

from pynamodb.connection import Connection
from pynamodb.exceptions import PynamoDBException

from chalicelib.settings import SETTINGS
from chalicelib.storage.retry import RETRYABLE_CODES, RetryableError, with_retries


@cache
def shared_connection() -> Connection:
    """pynamodb's low-level Connection: one botocore client, errors translated to pynamodb's."""
    # Creating a botocore client costs tens of milliseconds; warm containers reuse this one.
    return Connection(region=SETTINGS.region)


def call(operation: str, request: dict[str, Any]) -> dict[str, Any]:
    """One wire-level call, retried with backoff while DynamoDB throttles it."""

    def send() -> dict[str, Any]:
        try:
            return shared_connection().dispatch(operation, request)
        except PynamoDBException as exc:
            if exc.cause_response_code in RETRYABLE_CODES:
                raise RetryableError(exc.cause_response_code) from exc
            raise

    return with_retries(send, attempts=SETTINGS.write_retry_attempts)
