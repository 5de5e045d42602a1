"""The main table's DynamoDB stream consumer: webhook deliveries, metadata jobs, change counts.

Record changes become webhook deliveries (webhooks/dispatch.py; SPEC: delivery is driven by the
stream, never by the request path). A workspace whose deliveries could not be stored or queued
has its records reported in Lambda's partial-batch response, and Lambda sends the batch again
from the lowest of them; a record dispatched twice stores no delivery twice.

A metadata job (metadata/jobs.py) saves its progress by rewriting its item after every step;
that write reaches this handler, which runs the workspace's jobs on, so a large object deleted
through the API is purged completely without any request waiting for it.

The deployment wires the stream to this handler with batching, retries, bisect-on-error and a
dead-letter queue.
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from collections.abc import Iterable
from typing import Any, Protocol

# Read by app.py when the decorator registers the handler. infra/ replaces the event source's
# stream with the real table's StreamArn in the template, so the deployed value never matters;
# this syntactically valid placeholder only keeps `chalice package` and local imports working.
STREAM_ARN_PLACEHOLDER = (
    "arn:aws:dynamodb:us-east-1:123456789012:table/crm-main/stream/1970-01-01T00:00:00.000"
)
STREAM_BATCH_SIZE = 100

EVENT_NAMES = ("INSERT", "MODIFY", "REMOVE")

LOG = logging.getLogger("crm.streams")
# Lambda's root logger lets only WARNING and above through unless told otherwise; the one INFO
# line per batch is what shows the stream moving.
LOG.setLevel(logging.INFO)


class StreamRecord(Protocol):
    """The part of chalice's DynamoDBRecord this module reads (webhooks/events.py reads more)."""

    event_name: str
    keys: dict[str, Any]
    sequence_number: str


def main_table_stream_arn() -> str:
    """The stream the handler is registered for (an environment override, else a placeholder)."""
    return os.environ.get("CRM_MAIN_TABLE_STREAM_ARN") or STREAM_ARN_PLACEHOLDER


def handle_stream_batch(records: Iterable[StreamRecord]) -> dict[str, Any]:
    """Dispatch a batch's record changes to webhooks, continue metadata jobs, log the counts.

    The answer is Lambda's partial-batch response: `batchItemFailures` names the records whose
    webhook deliveries failed (by sequence number); empty, the event source mapping moves on.
    """
    from chalicelib.storage.keys import is_record_pk, workspace_of_jobs_pk

    batch = list(records)
    counts = Counter({name: 0 for name in EVENT_NAMES})
    job_workspaces: set[str] = set()
    carries_records = False
    for record in batch:
        counts[record.event_name] += 1
        pk = _partition_key(record)
        carries_records = carries_records or is_record_pk(pk)
        workspace_id = workspace_of_jobs_pk(pk)
        if workspace_id is not None and record.event_name != "REMOVE":
            job_workspaces.add(workspace_id)
    LOG.info(
        "stream batch: %s",
        " ".join(f"{name}={count}" for name, count in sorted(counts.items())),
        extra={"streamCounts": dict(counts)},
    )
    failed: list[str] = []
    if carries_records:
        # Only batches that carry record items pay for importing the webhook side (a cold
        # start of a batch of delivery-log or job writes does not).
        from chalicelib.webhooks.dispatch import dispatch

        failed = dispatch(batch)  # chalice's DynamoDBRecords: events.StreamRecord
    if job_workspaces:
        from chalicelib.wiring import metadata_service  # only batches that carry job items

        for workspace_id in sorted(job_workspaces):
            metadata_service().run_jobs(workspace_id)
    return {"batchItemFailures": [{"itemIdentifier": sequence} for sequence in failed]}


def _partition_key(record: StreamRecord) -> str:
    from chalicelib.storage.tables import MAIN_TABLE

    pk = (record.keys or {}).get(MAIN_TABLE.hash_key, {}).get("S")
    return pk if isinstance(pk, str) else ""
