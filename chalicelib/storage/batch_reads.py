"""BatchGetItem of any number of keys of one table: the one place that chunks and resends."""

from __future__ import annotations

from typing import Any

from chalicelib.storage.retry import RetryableError, with_retries
from chalicelib.storage.wire import call

BATCH_GET_MAX = 100  # DynamoDB's BatchGetItem limit per call

WireItem = dict[str, dict[str, Any]]


def batch_get_items(
    table: str, wire_keys: list[WireItem], projection: dict[str, Any] | None = None
) -> list[WireItem]:
    """Every existing item of `wire_keys` (strongly consistent), in no particular order: ≤ 100
    keys per call, UnprocessedKeys resent under the one retry policy (storage/retry.py);
    `projection`: a ProjectionExpression and its ExpressionAttributeNames."""
    found: list[WireItem] = []
    for start in range(0, len(wire_keys), BATCH_GET_MAX):
        keys = wire_keys[start : start + BATCH_GET_MAX]
        pending: dict[str, Any] = {
            table: {"Keys": keys, "ConsistentRead": True, **(projection or {})}
        }

        def send() -> None:
            nonlocal pending
            response = call("BatchGetItem", {"RequestItems": pending})
            found.extend(response.get("Responses", {}).get(table, []))
            unprocessed = response.get("UnprocessedKeys") or {}
            if unprocessed.get(table):
                pending = unprocessed
                raise RetryableError("unprocessed keys")

        with_retries(send)
    return found
