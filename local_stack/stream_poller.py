"""The local stack's stand-in for Lambda's event source mapping on the main table's stream.

A daemon thread reads the stream through the DynamoDB Streams API of the local endpoint
(DescribeStream, GetShardIterator, GetRecords, NextShardIterator) about every 0.2 s and hands
each batch, shaped like the Lambda event the deployed stream function receives, to the same
handler (`chalicelib.streams.handle_stream_batch`). So a record written through `make run`
reaches webhook delivery (and metadata jobs) within about a second, by the deployed path.

What it keeps of the deployed mapping (infra/stack.py): it starts at LATEST (like the
function's starting position: nothing written before `make run` started is replayed), reads at
most `STREAM_BATCH_SIZE` records per batch, honours the handler's `batchItemFailures` (the batch
is read again from the first failed record after a pause, as Lambda retries it), and after
`MAX_RETRIES` retries moves on past the batch (where the deployed mapping would send it to its
dead-letter queue). An error of its own (the endpoint away, an expired iterator) is logged and
retried with backoff: the thread never dies of one.
"""

from __future__ import annotations

import base64
import datetime
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError
from chalice.app import DynamoDBEvent

LOG = logging.getLogger("crm.local.stream_poller")

POLL_SECONDS = 0.2
# New shards (DynamoDB rolls a stream's shards over) are looked for this often.
SHARD_REFRESH_SECONDS = 2.0
# Lambda's default retry pacing is its own; locally a failed batch is read again after
# RETRY_PAUSE_SECONDS * 2^(n-1), at most MAX_RETRIES times (the deployed stage's setting).
RETRY_PAUSE_SECONDS = 0.5
MAX_RETRIES = 5
# The poller's own errors: backoff between rounds, doubled per error in a row up to this.
MAX_ERROR_PAUSE_SECONDS = 5.0

Handler = Callable[[DynamoDBEvent], Any]


@dataclass
class _Shard:
    """Where the poller stands in one shard."""

    shard_id: str
    # How to get a new iterator when there is none: (ShardIteratorType, SequenceNumber | None).
    position: tuple[str, str | None]
    iterator: str | None = None
    retries: int = 0  # of the batch at `position`
    not_before: float = 0.0  # monotonic time before which the shard is not read (retry pause)


def lambda_shaped(value: Any) -> Any:
    """A botocore-parsed stream record as Lambda's event JSON carries it: binary attribute
    values as base64 text, ApproximateCreationDateTime as epoch seconds."""
    if isinstance(value, dict):
        return {key: lambda_shaped(item) for key, item in value.items()}
    if isinstance(value, list):
        return [lambda_shaped(item) for item in value]
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, datetime.datetime):
        return value.timestamp()
    return value


def first_failed_sequence(answer: Any, records: list[dict[str, Any]]) -> str | None:
    """The lowest sequence number the handler reported as failed (Lambda's partial batch
    response), None when the whole batch was handled. An identifier naming no record of the
    batch fails the whole batch, as Lambda treats it."""
    failures = (answer or {}).get("batchItemFailures") if isinstance(answer, dict) else None
    if not failures:
        return None
    numbers = {record["dynamodb"]["SequenceNumber"] for record in records}
    failed = [str(failure.get("itemIdentifier")) for failure in failures]
    if any(number not in numbers for number in failed):
        return records[0]["dynamodb"]["SequenceNumber"]
    return min(failed, key=int)


class StreamPoller:
    """Feeds a table's stream to a handler from a daemon thread; `start()` then `stop()`."""

    def __init__(
        self,
        table_name: str,
        handler: Handler,
        *,
        streams: Any,
        batch_size: int,
        poll_seconds: float = POLL_SECONDS,
        retry_pause_seconds: float = RETRY_PAUSE_SECONDS,
    ) -> None:
        self.table_name = table_name
        self.handler = handler
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.retry_pause_seconds = retry_pause_seconds
        self._streams = streams
        self._stream_arn = ""
        self._shards: dict[str, _Shard] = {}
        self._finished: set[str] = set()  # closed shards read to their end
        self._refreshed_at = 0.0
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    # -- life cycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Position at LATEST on every shard now (a write after this returns is delivered),
        then poll on a daemon thread."""
        # The table's current stream: its label is its creation time (ISO 8601), so the newest
        # sorts last should the table have had others.
        streams = self._streams.list_streams(TableName=self.table_name)["Streams"]
        self._stream_arn = max(streams, key=lambda stream: stream["StreamLabel"])["StreamArn"]
        self._refresh_shards(start_type="LATEST")
        for shard in self._shards.values():
            self._ensure_iterator(shard)
        self._thread = threading.Thread(target=self._run, name="stream-poller", daemon=True)
        self._thread.start()

    def stop(self, timeout: float) -> bool:
        """Ask the thread to stop after its current batch; False if it was still running."""
        self._stopping.set()
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        errors = 0
        pause = self.poll_seconds
        while not self._stopping.wait(pause):
            try:
                backlog = self.poll_once()
            except Exception:  # noqa: BLE001 - the poller outlives any error; it logs and backs off
                errors += 1
                pause = min(MAX_ERROR_PAUSE_SECONDS, self.poll_seconds * 2**errors)
                LOG.exception(
                    "reading the %s stream failed; again in %.1f s", self.table_name, pause
                )
                continue
            errors = 0
            # A full batch means more is waiting: read on at once.
            pause = 0.0 if backlog else self.poll_seconds

    # -- one round ----------------------------------------------------------------------------

    def poll_once(self) -> bool:
        """Read every shard once and hand what was read to the handler; True when a shard
        returned a full batch (more may be waiting)."""
        if time.monotonic() - self._refreshed_at >= SHARD_REFRESH_SECONDS:
            # Shards that appear after the start hold only records written after it.
            self._refresh_shards(start_type="TRIM_HORIZON")
        backlog = False
        for shard in list(self._shards.values()):
            if self._stopping.is_set():
                break
            if time.monotonic() >= shard.not_before:
                backlog = self._read(shard) or backlog
        return backlog

    def _refresh_shards(self, *, start_type: str) -> None:
        described = self._streams.describe_stream(StreamArn=self._stream_arn)["StreamDescription"]
        for shard in described.get("Shards", []):
            shard_id = shard["ShardId"]
            if shard_id not in self._shards and shard_id not in self._finished:
                self._shards[shard_id] = _Shard(shard_id, (start_type, None))
        self._refreshed_at = time.monotonic()

    def _ensure_iterator(self, shard: _Shard) -> str:
        if shard.iterator is None:
            kind, sequence = shard.position
            request = {"StreamArn": self._stream_arn, "ShardId": shard.shard_id}
            request["ShardIteratorType"] = kind
            if sequence is not None:
                request["SequenceNumber"] = sequence
            shard.iterator = self._streams.get_shard_iterator(**request)["ShardIterator"]
        return shard.iterator

    def _read(self, shard: _Shard) -> bool:
        iterator = self._ensure_iterator(shard)
        try:
            answer = self._streams.get_records(ShardIterator=iterator, Limit=self.batch_size)
        except ClientError:
            # Refused by the service (expired, trimmed, unknown): a fresh one from `position`.
            # A connection error keeps the iterator: it is still good for the next round.
            shard.iterator = None
            raise
        shard.iterator = None  # used: the next one comes with the answer, or from `position`
        records = answer.get("Records", [])
        if records and not self._handled(shard, records):
            return False
        next_iterator = answer.get("NextShardIterator")
        if next_iterator is None:  # a closed shard, read to its end
            self._shards.pop(shard.shard_id, None)
            self._finished.add(shard.shard_id)
            return False
        shard.iterator = next_iterator
        return len(records) >= self.batch_size

    def _handled(self, shard: _Shard, records: list[dict[str, Any]]) -> bool:
        """Hand one batch over; True when the poller may go past it (handled, or given up)."""
        event_records = [
            {**lambda_shaped(record), "eventSourceARN": self._stream_arn} for record in records
        ]
        try:
            failed = first_failed_sequence(
                self.handler(DynamoDBEvent({"Records": event_records}, None)), records
            )
        except Exception:  # noqa: BLE001 - as on Lambda, an exception fails the whole batch
            LOG.exception("the stream handler failed on a batch of %d records", len(records))
            failed = records[0]["dynamodb"]["SequenceNumber"]
        last = records[-1]["dynamodb"]["SequenceNumber"]
        if failed is not None and shard.retries < MAX_RETRIES:
            shard.retries += 1
            shard.position = ("AT_SEQUENCE_NUMBER", failed)
            shard.not_before = time.monotonic() + self.retry_pause_seconds * 2 ** (
                shard.retries - 1
            )
            return False
        if failed is not None:
            LOG.error(
                "stream records %s..%s still failed after %d retries; skipped (the deployed "
                "stream sends them to its dead-letter queue)",
                failed,
                last,
                MAX_RETRIES,
            )
        shard.retries = 0
        shard.position = ("AFTER_SEQUENCE_NUMBER", last)
        return True


def streams_poller(
    endpoint_url: str, table_name: str, region: str, handler: Handler, batch_size: int
) -> StreamPoller:
    """A poller whose client talks to the local endpoint's DynamoDB Streams API (moto server
    routes it by the X-Amz-Target header), with short timeouts and no retries of botocore's
    own: the poller's next round is the retry."""
    import boto3
    from botocore.config import Config

    config = Config(connect_timeout=2, read_timeout=10, retries={"max_attempts": 1})
    streams = boto3.client(
        "dynamodbstreams", endpoint_url=endpoint_url, region_name=region, config=config
    )
    return StreamPoller(table_name, handler, streams=streams, batch_size=batch_size)
