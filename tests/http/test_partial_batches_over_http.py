"""Concurrent partial batches over HTTP against the real local stack: each unique value ends
up with exactly one record, every other claimant is told so at its index, and nothing else is
lost or written twice.

Six clients send, at the same moment, ten people each whose emails overlap with the others'
(and once inside their own batch). Whoever commits first keeps an email; the rest get a
per-item DUPLICATE_ENTRY, never a failed batch.
"""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import quote

from tests.http.local_stack import Stack

CLIENTS = 6
PER_BATCH = 10
ROUNDS = 3


def _batch(prefix: str, client: int) -> list[dict[str, Any]]:
    """Ten people: emails shared with the neighbouring clients, the first one repeated last."""
    emails = [f"{prefix}-{(client * 3 + j) % 15}@example.com" for j in range(PER_BATCH - 1)]
    emails.append(emails[0])
    return [{"emails": {"primaryEmail": e}, "city": f"client {client}"} for e in emails]


def _send_at_once(stack: Stack, batches: list[list[dict[str, Any]]]) -> list[tuple[int, Any]]:
    barrier = threading.Barrier(len(batches))

    def send(batch: list[dict[str, Any]]) -> tuple[int, Any]:
        barrier.wait()
        return stack.call("POST", "/rest/batch/people?partial=true", batch)

    with ThreadPoolExecutor(len(batches)) as pool:
        return list(pool.map(send, batches))


def _people_with(stack: Stack, prefix: str) -> list[dict[str, Any]]:
    query = quote(f'emails.primaryEmail[startsWith]:"{prefix}-"')
    path = f"/rest/people?limit=200&filter={query}"
    status, body = stack.call("GET", path)
    assert status == 200, body
    return body["data"]["people"]


def test_concurrent_partial_batches_give_each_email_to_exactly_one_record(stack: Stack):
    for _ in range(ROUNDS):
        prefix = f"race-{uuid.uuid4().hex[:8]}"
        before = stack.call("GET", "/rest/people?limit=1")[1]["totalCount"]
        batches = [_batch(prefix, client) for client in range(CLIENTS)]
        answers = _send_at_once(stack, batches)
        written: dict[str, str] = {}
        for batch, (status, body) in zip(batches, answers, strict=True):
            assert status == 207, body
            records = body["data"]["createPeople"]
            errors = {error["index"]: error for error in body["errors"]}
            assert len(records) == PER_BATCH
            for index, (sent, record) in enumerate(zip(batch, records, strict=True)):
                email = sent["emails"]["primaryEmail"]
                if record is None:
                    assert errors[index]["code"] == "DUPLICATE_ENTRY", errors[index]
                    assert email in errors[index]["messages"][0]
                    continue
                assert index not in errors
                assert record["emails"]["primaryEmail"] == email
                assert email not in written, f"{email} written twice"
                written[email] = record["id"]
            # The repeat inside one batch never wins over its first use.
            assert records[-1] is None
        distinct = {e["emails"]["primaryEmail"] for batch in batches for e in batch}
        assert set(written) == distinct
        stored = _people_with(stack, prefix)
        assert {p["emails"]["primaryEmail"]: p["id"] for p in stored} == written
        after = stack.call("GET", "/rest/people?limit=1")[1]["totalCount"]
        assert after - before == len(distinct)
