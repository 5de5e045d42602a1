"""BatchWriteItem in chunks of 25, resending UnprocessedItems with backoff until all land."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pynamodb.exceptions import PutError

from chalicelib.settings import SETTINGS
from chalicelib.storage.models import _MainTableItem
from chalicelib.storage.retry import RETRYABLE_CODES, RetryableError, with_retries

BATCH_WRITE_MAX = 25  # DynamoDB's per-call limit (moto does not enforce it; we do)


def chunked(items: Sequence[Any], size: int) -> list[Sequence[Any]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


def put_all(
    items: Sequence[_MainTableItem],
    *,
    attempts: int | None = None,
    sleep: Callable[[float], None] | None = None,
) -> int:
    """Write unconditional puts; returns the number of BatchWriteItem calls made."""
    calls = 0
    retry_kwargs: dict[str, Any] = {"attempts": attempts or SETTINGS.write_retry_attempts}
    if sleep is not None:
        retry_kwargs["sleep"] = sleep
    for chunk in chunked(items, BATCH_WRITE_MAX):
        pending = [item.serialize() for item in chunk]
        connection = type(chunk[0])._get_connection()
        table = type(chunk[0]).Meta.table_name

        def send() -> None:
            nonlocal pending, calls
            calls += 1
            try:
                response = connection.batch_write_item(put_items=pending)
            except PutError as exc:
                if exc.cause_response_code in RETRYABLE_CODES:
                    raise RetryableError(exc.cause_response_code) from exc
                raise
            unprocessed = (response or {}).get("UnprocessedItems", {}).get(table, [])
            if unprocessed:
                pending = [request["PutRequest"]["Item"] for request in unprocessed]
                raise RetryableError(f"{len(pending)} unprocessed items")

        with_retries(send, **retry_kwargs)
    return calls
