"""The container's one DynamoDB connection for wire-level calls (reads and transactions)."""

from __future__ import annotations

from functools import cache

from pynamodb.connection import Connection

from chalicelib.settings import SETTINGS


@cache
def shared_connection() -> Connection:
    """pynamodb's low-level Connection: one botocore client, errors translated to pynamodb's."""
    # Creating a botocore client costs tens of milliseconds; warm containers reuse this one.
    return Connection(region=SETTINGS.region)
