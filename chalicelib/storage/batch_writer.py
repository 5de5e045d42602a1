"""BatchWriteItem in chunks of 25, resending UnprocessedItems with backoff until all land."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from chalicelib.storage.retry import RetryableError, RetryPolicy, with_retries

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
        # A throttled or unanswered call raises PutError, which `with_retries` resends: the
        # puts are unconditional, so writing one twice is harmless.
        response = self.connection.batch_write_item(put_items=self.pending)
        unprocessed = (response or {}).get("UnprocessedItems", {}).get(self.table, [])
        if unprocessed:
            self.pending = [request["PutRequest"]["Item"] for request in unprocessed]
            raise RetryableError(f"{len(self.pending)} unprocessed items")


def put_all(items: Sequence[Any], *, policy: RetryPolicy | None = None) -> int:
    """Write unconditional puts of pynamodb items; returns the number of BatchWriteItem calls."""
    calls = 0
    for start in range(0, len(items), BATCH_WRITE_MAX):
        chunk_items = items[start : start + BATCH_WRITE_MAX]
        chunk = _Chunk(type(chunk_items[0]), [item.serialize() for item in chunk_items])
        with_retries(chunk.send, policy=policy)
        calls += chunk.calls
    return calls
