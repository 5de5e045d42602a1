"""The main table's DynamoDB stream consumer: counts what changed and continues metadata jobs.

A metadata job (metadata/jobs.py) saves its progress by rewriting its item after every step;
that write reaches this handler, which runs the workspace's jobs on, so a large object deleted
through the API is purged completely without any request waiting for it.

Webhook delivery will hang off this handler too (SPEC: delivery is driven by the stream, never
by the request path). The deployment already wires the stream to it with batching, retries,
bisect-on-error and a dead-letter queue.
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
# Lambda's root logger lets only WARNING and above through unless told otherwise; one INFO line
# per batch is the whole point of this handler until webhooks exist.
LOG.setLevel(logging.INFO)


class StreamRecord(Protocol):
    """The part of chalice's DynamoDBRecord this module reads."""

    event_name: str
    keys: dict[str, Any]


def main_table_stream_arn() -> str:
    """The stream the handler is registered for (an environment override, else a placeholder)."""
    return os.environ.get("CRM_MAIN_TABLE_STREAM_ARN") or STREAM_ARN_PLACEHOLDER


def handle_stream_batch(records: Iterable[StreamRecord]) -> dict[str, Any]:
    """Count a batch's records per event name, log the counts and report no failed item.

    The answer is Lambda's partial-batch response: an empty `batchItemFailures` tells the event
    source mapping that every record was handled, so it moves on to the next batch.
    """
    counts = Counter({name: 0 for name in EVENT_NAMES})
    job_workspaces: set[str] = set()
    for record in records:
        counts[record.event_name] += 1
        workspace_id = _job_workspace(record)
        if workspace_id is not None and record.event_name != "REMOVE":
            job_workspaces.add(workspace_id)
    LOG.info(
        "stream batch: %s",
        " ".join(f"{name}={count}" for name, count in sorted(counts.items())),
        extra={"streamCounts": dict(counts)},
    )
    if job_workspaces:
        from chalicelib.wiring import metadata_service  # only batches that carry job items

        for workspace_id in sorted(job_workspaces):
            metadata_service().run_jobs(workspace_id)
    return {"batchItemFailures": []}


def _job_workspace(record: StreamRecord) -> str | None:
    from chalicelib.storage.keys import workspace_of_jobs_pk
    from chalicelib.storage.tables import MAIN_TABLE

    pk = (record.keys or {}).get(MAIN_TABLE.hash_key, {}).get("S")
    return workspace_of_jobs_pk(pk) if isinstance(pk, str) else None
