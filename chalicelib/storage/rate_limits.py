"""Rate-limit windows in the keys table: one item per workspace and minute
(`keys.rate_window_hash`; the keys table has no stream, so counting wakes nothing), counting
the workspace's requests and each of its keys' in that minute.

Item: `ws` (the workspace's requests in the window), `k_<keyId>` (one key's), `expiresAt` (TTL,
epoch seconds, a little after the window's end). One conditional UpdateItem per request charges
both counts or neither, and tells the counts either way:

- within both limits: both counts go up, and `UPDATED_NEW` returns them;
- over either limit: the condition fails, nothing changes, and the counts come back with the
  failure (`ReturnValuesOnConditionCheckFailure=ALL_OLD`, at no extra capacity).

The call is on every request's critical path: it is retried once, quickly, never for seconds;
the auth layer lets the request through when it still fails (fail open).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.settings import SETTINGS
from chalicelib.storage import keys, wire
from chalicelib.storage.models import EXPIRES_AT
from chalicelib.storage.retry import RetryPolicy, error_code, with_retries
from chalicelib.storage.tables import KEYS_TABLE

_HASH_KEY = KEYS_TABLE.hash_key
WORKSPACE_COUNT = "ws"
KEY_COUNT_PREFIX = "k_"
# TTL removes a window this long after it ended (DynamoDB deletes expired items within days
# anyway; the margin only keeps a window alive while a late request of it may still arrive).
EXPIRY_MARGIN_SECONDS = 60
# One quick retry at most: a limiter that waits seconds for DynamoDB costs more than it saves.
LIMITER_POLICY = RetryPolicy(attempts=2, seconds=0.2, base=0.01, cap=0.02)


@dataclass(frozen=True, slots=True)
class WindowCharge:
    """The outcome of charging one request to a window.

    Counts include this request when it was admitted, and are the stored counts (this request
    not counted) when it was refused. None: that limit is off, so that count is not kept."""

    admitted: bool
    workspace_count: int | None
    key_count: int | None


def key_count_attribute(key_id: str) -> str:
    return f"{KEY_COUNT_PREFIX}{key_id}"


def charge_window(
    workspace_id: str,
    key_id: str,
    *,
    window_start: int,
    window_seconds: int,
    workspace_limit: int,
    key_limit: int,
) -> WindowCharge:
    """Count one request of `key_id` in the window starting at `window_start` (epoch seconds),
    unless the workspace already made `workspace_limit` or the key `key_limit` requests in it
    (a limit of 0 is off and its count not kept; at least one must be on).

    One UpdateItem. Raises StorageUnavailableError when DynamoDB keeps failing (throttled,
    unreachable) after one retry, and botocore/pynamodb errors that are not transient."""
    assert workspace_limit > 0 or key_limit > 0, "no limit to charge"
    window_hash = keys.rate_window_hash(workspace_id, window_start)
    names: dict[str, str] = {"#expires": EXPIRES_AT}
    values: dict[str, Any] = {
        ":one": {"N": "1"},
        ":expires": {"N": str(window_start + window_seconds + EXPIRY_MARGIN_SECONDS)},
    }
    adds: list[str] = []
    conditions: list[str] = []
    for placeholder, attribute, limit in (
        ("#ws", WORKSPACE_COUNT, workspace_limit),
        ("#key", key_count_attribute(key_id), key_limit),
    ):
        if limit <= 0:
            continue
        names[placeholder] = attribute
        values[f":{placeholder[1:]}Limit"] = {"N": str(limit)}
        adds.append(f"{placeholder} :one")
        # A count absent from the item is 0 (the window's first request, or the key's).
        conditions.append(
            f"(attribute_not_exists({placeholder}) OR {placeholder} < :{placeholder[1:]}Limit)"
        )
    request = {
        "TableName": SETTINGS.keys_table,
        "Key": {_HASH_KEY: {"S": window_hash}},
        # ADD creates a missing item and a missing count at 0 + 1: no read before the write.
        "UpdateExpression": f"SET #expires = :expires ADD {', '.join(adds)}",
        # Both counts below their limits, or nothing is charged: a refused request never uses
        # up the other limit, and a burst past the limit leaves the counts at the limit.
        "ConditionExpression": " AND ".join(conditions),
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": values,
        "ReturnValues": "UPDATED_NEW",
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
    }
    key_attribute = names.get("#key")
    try:
        response = with_retries(lambda: wire.send("UpdateItem", request), policy=LIMITER_POLICY)
    except ClientError as exc:
        if error_code(exc) != "ConditionalCheckFailedException":
            raise
        old = _item_of_failed_condition(exc)
        return WindowCharge(
            admitted=False,
            workspace_count=_count(old, WORKSPACE_COUNT) if workspace_limit > 0 else None,
            key_count=_count(old, key_attribute) if key_attribute else None,
        )
    new = response.get("Attributes") or {}
    return WindowCharge(
        admitted=True,
        workspace_count=_count(new, WORKSPACE_COUNT) if workspace_limit > 0 else None,
        key_count=_count(new, key_attribute) if key_attribute else None,
    )


def _item_of_failed_condition(exc: BaseException) -> dict[str, Any]:
    """The item DynamoDB returned with a failed condition (on botocore's error, or on the
    original error underneath one that re-raised it without)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ClientError) and isinstance(seen.response, dict):
            item = seen.response.get("Item")
            if isinstance(item, dict):
                return item
        seen = seen.__cause__
    return {}


def _count(item: dict[str, Any], attribute: str | None) -> int:
    value = item.get(attribute or "") or {}
    return int(value.get("N", "0"))
