"""The container's one DynamoDB connection for wire-level calls (reads and transactions)."""

from __future__ import annotations

from functools import cache
from typing import Any

from pynamodb.connection import Connection

from chalicelib.settings import SETTINGS
from chalicelib.storage.retry import with_retries


@cache
def shared_connection() -> Connection:
    """pynamodb's low-level Connection: one botocore client, errors translated to pynamodb's."""
    # Creating a botocore client costs tens of milliseconds; warm containers reuse this one.
    return Connection(
        region=SETTINGS.region,
        connect_timeout_seconds=SETTINGS.dynamodb_connect_timeout,
        read_timeout_seconds=SETTINGS.dynamodb_read_timeout,
        # Retries are storage/retry.py's alone: botocore's would multiply them, with delays
        # (1 s doubling) sized for other services than DynamoDB.
        max_retry_attempts=0,
    )


def call(operation: str, request: dict[str, Any]) -> dict[str, Any]:
    """One wire-level call, retried with backoff while DynamoDB throttles it or fails to answer.

    `dispatch` raises botocore's errors as they are (a ClientError, or a BotoCoreError for a
    timeout or a lost connection); `with_retries` tells the transient ones apart.
    """
    return with_retries(lambda: shared_connection().dispatch(operation, request))
