"""Run a read-modify-write again when a concurrent write got in first, for a bounded time.

Record commands read, compute their writes on what they read, and write them conditioned on the
record versions (and unique guards) they read. When another request commits in between, the
condition fails and the command starts over on fresh reads: an update re-applies its own
changes to the record as it now is, so concurrent updates of different fields all land, and of
two updates of one field the last to commit wins, as in Twenty.

A field-level UpdateItem (each field its own attribute of a document map) was the alternative;
it was not chosen because a record's index keys and unique guards are derived from its whole
body (expressions over several fields, composite sub-fields): a write that does not know the
other fields cannot keep them consistent without conditions on those fields, which brings the
same retry back.

Retries are bounded by time, not by a count a few concurrent clients could exhaust, with
jittered exponential backoff so that competing writers spread out; past the budget the client
gets a 503 (WriteContentionError, with Retry-After) and nothing of the attempt is written.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from chalicelib.errors import CrmError, VersionConflictError, WriteContentionError

_T = TypeVar("_T")

# Backoff between attempts: 10 ms doubling, at most 1 s, full jitter. A lost race costs one read
# and one write (milliseconds on DynamoDB); writers that keep losing spread out until their
# attempts stop colliding (16 upserts of one new email: at most 5 retries each, locally).
_BASE_SECONDS = 0.01
_CAP_SECONDS = 1.0


def is_version_conflict(error: CrmError) -> bool:
    return isinstance(error, VersionConflictError)


def retry_conflicts(
    attempt: Callable[[], _T],
    *,
    seconds: float,
    retryable: Callable[[CrmError], bool] = is_version_conflict,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> _T:
    """`attempt()`, run again while it fails with a retryable conflict and time remains."""
    give_up_at = clock() + seconds
    tries = 0
    while True:
        try:
            return attempt()
        except CrmError as error:
            if not retryable(error):
                raise
            delay = random.uniform(0, min(_CAP_SECONDS, _BASE_SECONDS * 2**tries))
            tries += 1
            if clock() + delay >= give_up_at:
                raise WriteContentionError() from error
            sleep(delay)
