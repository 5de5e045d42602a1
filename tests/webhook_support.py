"""Webhook test helpers: moto's main-table stream fed to the real stream handler, and a queue
sink that keeps what was enqueued.

Under `mock_aws` nothing invokes Lambda from a stream, so `StreamFeed` does what the event
source mapping does: it reads the main table's stream from where it last stopped (DynamoDB
Streams API: DescribeStream, GetShardIterator, GetRecords) and hands the records, shaped like
Lambda's event, to `streams.handle_stream_batch` in batches of the deployed size. Needs
AWS_ACCOUNT_ID_ENDPOINT_MODE=disabled (tests/conftest.py sets it; see ecosystem.md, streams).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from chalicelib.webhooks.model import DeliveryRef


class StreamFeed:
    """Reads the main table's stream onward from the last read and feeds the stream handler."""

    def __init__(self) -> None:
        import boto3

        from chalicelib.settings import SETTINGS

        dynamodb = boto3.client("dynamodb", region_name=SETTINGS.region)
        self._streams = boto3.client("dynamodbstreams", region_name=SETTINGS.region)
        table = dynamodb.describe_table(TableName=SETTINGS.main_table)["Table"]
        self._stream_arn = table["LatestStreamArn"]
        self._last_read: dict[str, str] = {}  # shard id -> last sequence number read

    def read(self) -> list[dict[str, Any]]:
        """Every stream record written since the last read, as Lambda's event carries it."""
        from local_stack.stream_poller import lambda_shaped

        shards = self._streams.describe_stream(StreamArn=self._stream_arn)["StreamDescription"]
        records: list[dict[str, Any]] = []
        for shard in shards["Shards"]:
            records += self._read_shard(shard["ShardId"])
        # Lambda adds the stream's ARN to every record; the Streams API does not carry it.
        return [{**lambda_shaped(record), "eventSourceARN": self._stream_arn} for record in records]

    def _read_shard(self, shard_id: str) -> list[dict[str, Any]]:
        position: dict[str, str] = {"ShardIteratorType": "TRIM_HORIZON"}
        if shard_id in self._last_read:
            position = {
                "ShardIteratorType": "AFTER_SEQUENCE_NUMBER",
                "SequenceNumber": self._last_read[shard_id],
            }
        iterator = self._streams.get_shard_iterator(
            StreamArn=self._stream_arn, ShardId=shard_id, **position
        )["ShardIterator"]
        records: list[dict[str, Any]] = []
        while iterator:
            answer = self._streams.get_records(ShardIterator=iterator, Limit=1000)
            if not answer["Records"]:
                break
            records += answer["Records"]
            iterator = answer.get("NextShardIterator")
        if records:
            self._last_read[shard_id] = records[-1]["dynamodb"]["SequenceNumber"]
        return records

    def skip(self) -> int:
        """Move past everything written so far (setup writes); how many records were skipped."""
        return len(self.read())

    def feed(self, records: list[dict[str, Any]], batch_size: int | None = None) -> list[Any]:
        """Hand `records` to the stream handler in batches; the handler's answers."""
        from chalice.app import DynamoDBEvent

        from chalicelib import streams

        size = batch_size or streams.STREAM_BATCH_SIZE
        return [
            streams.handle_stream_batch(
                DynamoDBEvent({"Records": records[start : start + size]}, None)
            )
            for start in range(0, len(records), size)
        ]

    def pump(self) -> list[dict[str, Any]]:
        """Read what was written since the last read and feed it; the records fed."""
        records = self.read()
        self.feed(records)
        return records


@dataclass
class QueueSink:
    """A local delivery queue that only remembers: (refs, delay) per enqueue call."""

    calls: list[tuple[list[DeliveryRef], float]] = field(default_factory=list)

    def __call__(self, refs: list[DeliveryRef], delay_seconds: float) -> None:
        self.calls.append((list(refs), delay_seconds))

    @property
    def refs(self) -> list[DeliveryRef]:
        return [ref for refs, _ in self.calls for ref in refs]

    def clear(self) -> None:
        self.calls.clear()


@contextmanager
def queue_sink() -> Iterator[QueueSink]:
    """Install a QueueSink as the local delivery queue for the duration of the block."""
    from chalicelib.webhooks import queue

    sink = QueueSink()
    queue.install_local(sink)
    try:
        yield sink
    finally:
        queue.uninstall_local()
