"""Requests per minute per API key and per workspace (issue 14), in fixed one-minute windows.

`charge` runs in admission (`auth/admission.py`) after the key and its scope are checked and
before anything of the workspace is read: a refused request costs one UpdateItem and nothing
else. Each admitted request's answer carries `RateLimit-Limit`, `RateLimit-Remaining` and
`RateLimit-Reset` for whichever limit (key or workspace) is nearer to refusing; a refused one is
a 429 with the same headers and `Retry-After` (the seconds left in the window).

Fail open: when the count cannot be written (DynamoDB throttling or unreachable), the request
goes on without RateLimit headers (no count is known, and a guessed one would mislead a client
pacing itself by it) and a warning is logged; the limiter never turns a request into a 5xx.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.exceptions import PynamoDBException

from chalicelib import request_state
from chalicelib.context import Principal
from chalicelib.errors import RateLimitedError, StorageUnavailableError
from chalicelib.settings import SETTINGS
from chalicelib.storage.rate_limits import WindowCharge, charge_window

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60


@dataclass(frozen=True, slots=True)
class Quota:
    """What the RateLimit headers report: one limit, what is left of it, when it renews."""

    limit: int
    remaining: int
    reset_seconds: int

    def headers(self) -> dict[str, str]:
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_seconds),
        }


def window_start(now_epoch: float) -> int:
    return int(now_epoch // WINDOW_SECONDS) * WINDOW_SECONDS


def seconds_to_reset(now_epoch: float) -> int:
    """Whole seconds until the current window ends, rounded up: never 0 (a client told 0 would
    retry at once, inside the window that refused it)."""
    end = window_start(now_epoch) + WINDOW_SECONDS
    return max(1, math.ceil(end - now_epoch))


def charge(principal: Principal, *, now_epoch: float) -> None:
    """Count one request of `principal`; over a limit: RateLimitedError, nothing else done."""
    key_limit = max(0, SETTINGS.rate_limit_per_minute)
    workspace_limit = max(0, SETTINGS.workspace_rate_limit_per_minute)
    if key_limit == 0 and workspace_limit == 0:
        return  # both limits off: no DynamoDB call at all
    try:
        outcome = charge_window(
            principal.workspace_id,
            principal.key_id,
            window_start=window_start(now_epoch),
            window_seconds=WINDOW_SECONDS,
            workspace_limit=workspace_limit,
            key_limit=key_limit,
        )
    except (StorageUnavailableError, ClientError, BotoCoreError, PynamoDBException) as exc:
        # Fail open: a limiter that cannot count must not refuse or fail the request.
        logger.warning(
            "rate limiter could not count a request of workspace %s, key %s; let through: %r",
            principal.workspace_id,
            principal.key_id,
            exc,
        )
        return
    reset = seconds_to_reset(now_epoch)
    quota = nearest_quota(
        outcome, key_limit=key_limit, workspace_limit=workspace_limit, reset=reset
    )
    request_state.add_response_headers(quota.headers())
    if not outcome.admitted:
        raise RateLimitedError(retry_after=reset)


def nearest_quota(
    outcome: WindowCharge, *, key_limit: int, workspace_limit: int, reset: int
) -> Quota:
    """The limit nearer to refusing (fewer requests left; on a tie the smaller limit, then the
    key's). A refused request reports 0 left of the limit that refused it."""
    candidates: list[Quota] = []
    for limit, count in (
        (key_limit, outcome.key_count),
        (workspace_limit, outcome.workspace_count),
    ):
        if limit > 0:
            candidates.append(Quota(limit, max(0, limit - (count or 0)), reset))
    nearest = min(candidates, key=lambda quota: (quota.remaining, quota.limit))
    if not outcome.admitted and nearest.remaining > 0:
        # The counts of a refusal come from DynamoDB's failed condition; were they missing, the
        # refusal still stands, and a client must not read it as requests left.
        nearest = Quota(nearest.limit, 0, reset)
    return nearest
