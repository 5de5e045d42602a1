"""A large world fast: records written through the app's own write path, in-process.

`seed_records` creates records of one object in batches of 60 through `RecordService.create`,
the command every REST and GraphQL create runs (validation, unique guards, index keys,
counters, transactions): the stored items are exactly what the API would store, without the
HTTP layer's cost. With the emulator installed, 100,000 companies take a few minutes.

Use it against whichever DynamoDB the process is configured for: inside `mock_aws()` (tests,
bench) or against a running local stack (AWS_ENDPOINT_URL_DYNAMODB set before chalicelib is
imported).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

BATCH = 60  # the API's batch limit


def company(index: int) -> dict[str, Any]:
    """A company body with a unique domain (so each one holds a uniqueness guard too)."""
    return {
        "name": f"Company {index:06d}",
        "domainName": {"primaryLinkUrl": f"https://seeded-{index}.example.com"},
        "employees": index % 500,
    }


def _batches(count: int, body: Callable[[int], dict[str, Any]], first: int) -> Iterator[tuple]:
    for start in range(first, first + count, BATCH):
        yield tuple(body(i) for i in range(start, min(start + BATCH, first + count)))


def seed_records(
    workspace_id: str,
    plural: str,
    count: int,
    *,
    body: Callable[[int], dict[str, Any]] = company,
    first: int = 0,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Create `count` records of the object named `plural`; returns how many were written."""
    from chalicelib.context import Principal, RequestContext, utc_now_iso
    from chalicelib.core.commands import CreateRecords
    from chalicelib.metadata.registry import load_model
    from chalicelib.wiring import record_service

    obj = load_model(workspace_id).by_plural[plural]
    principal = Principal(workspace_id=workspace_id, key_id="seeding", key_name="Seeding")
    service = record_service()
    written = 0
    for inputs in _batches(count, body, first):
        ctx = RequestContext(principal=principal, now=utc_now_iso())
        service.create(ctx, CreateRecords(obj, inputs))
        written += len(inputs)
        if progress is not None:
            progress(written)
    return written
