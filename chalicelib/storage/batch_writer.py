"""BatchWriteItem in chunks of 25, resending UnprocessedItems with backoff until all land."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pynamodb.exceptions import PutError

from chalicelib.settings import SETTINGS
from chalicelib.storage.retry import RETRYABLE_CODES, RetryableError, with_retries

BATCH_WRITE_MAX = 25  # DynamoDB's per-call limit (moto does not enforce it; we do)


class _Chunk:
    """One chunk of puts; `send` writes what is still pending and asks to retry the rest."""

    def __init__(self, model: Any, items: list[dict[str, Any]]) -> None:
        # The model's own table connection knows the key schema (no DescribeTable call).
        self.connection = model._get_connection()
        self.table = model.Meta.table_name
        self.pending = items
        self.calls = 0

    def send(self) -> None:
        self.calls += 1
        try:
            response = self.connection.batch_write_item(put_items=self.pending)
        except PutError as exc:
            if exc.cause_response_code in RETRYABLE_CODES:
                raise RetryableError(exc.cause_response_code) from exc
            raise
        unprocessed = (response or {}).get("UnprocessedItems", {}).get(self.table, [])
        if unprocessed:
            self.pending = [request["PutRequest"]["Item"] for request in unprocessed]
            raise RetryableError(f"{len(self.pending)} unprocessed items")


def put_all(
    items: Sequence[Any],
    *,
    attempts: int | None = None,
    sleep: Callable[[float], None] | None = None,
) -> int:
    """Write unconditional puts of pynamodb items; returns the number of BatchWriteItem calls."""
    retry_kwargs: dict[str, Any] = {"attempts": attempts or SETTINGS.write_retry_attempts}
    if sleep is not None:
        retry_kwargs["sleep"] = sleep
    calls = 0
    for start in range(0, len(items), BATCH_WRITE_MAX):
        chunk_items = items[start : start + BATCH_WRITE_MAX]
        chunk = _Chunk(type(chunk_items[0]), [item.serialize() for item in chunk_items])
        with_retries(chunk.send, **retry_kwargs)
        calls += chunk.calls
    return calls
