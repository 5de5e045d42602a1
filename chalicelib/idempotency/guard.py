"""The Idempotency-Key flow both APIs share: claim the key or learn what its first request left,
then store the answer or release the claim. Adapters (hooks.py for REST, graphql_guard.py for
POST /graphql and /metadata) only render answers.

What a request finds under its key (same API key, same key text):

- nothing (or an expired item): it claims the key and runs;
- another request's fingerprint: 422 IDEMPOTENCY_KEY_REUSED;
- a stored answer: that answer again, `Idempotent-Replayed: true`, nothing run;
- a claim still running (its lease is on, whether or not its write committed yet): 409
  IDEMPOTENCY_KEY_IN_USE, `Retry-After: 1`;
- a claim whose write committed but whose answer was never stored (the first request stopped
  in between: its lease ran out), or an answer too large to keep: 409 CONFLICT saying so;
  never run again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from chalicelib.context import Principal
from chalicelib.errors import (
    IdempotencyKeyInUseError,
    IdempotencyKeyReusedError,
    IdempotentAnswerUnavailableError,
)
from chalicelib.storage import idempotency as store

logger = logging.getLogger(__name__)

REPLAYED_HEADER = "Idempotent-Replayed"

# Error codes of answers a retry should really retry: nothing was decided, only interrupted.
RETRYABLE_CODES = frozenset(
    {
        "THROTTLED",
        "RATE_LIMITED",
        "STORAGE_UNAVAILABLE",
        "WRITE_CONTENTION",
        "REQUEST_DEADLINE_EXCEEDED",
        "IDEMPOTENCY_KEY_IN_USE",
    }
)


@dataclass(frozen=True, slots=True)
class Replay:
    answer: store.StoredAnswer
    body: bytes  # answer.body, known to be kept (an answer without one is never replayed)


def begin(
    principal: Principal, key_text: str, fingerprint: str, binding: store.Binding
) -> Replay | None:
    """Claim the key for this request (set on `binding`, which marks the request's writes), or
    the stored answer to replay; raises when the request must not run."""
    found = store.claim(principal.workspace_id, principal.key_id, key_text, fingerprint)
    if isinstance(found, store.Claim):
        binding.claim = found
        return None
    if found.fingerprint != fingerprint:
        raise IdempotencyKeyReusedError(
            "This Idempotency-Key was already used for a different request (method, path, "
            "query or body); use a new key for a new request"
        )
    # IN_PROGRESS, or WRITTEN (committed) and about to store its answer: retry in a moment.
    # (An IN_PROGRESS claim whose lease ran out was taken over by `claim` already.)
    if found.state == store.IN_PROGRESS or (found.answer is None and found.running()):
        raise IdempotencyKeyInUseError()
    if found.answer is None:  # WRITTEN and its lease is over: the first request stopped
        raise IdempotentAnswerUnavailableError(
            "The first request with this Idempotency-Key wrote its changes but stopped before "
            "its answer was stored; nothing was written again: read the records to see them"
        )
    if found.answer.body is None:
        raise IdempotentAnswerUnavailableError(
            f"The first request with this Idempotency-Key was answered "
            f"{found.answer.status}, but the answer was too large to keep; nothing was written "
            "again: read the records to see them"
        )
    return Replay(found.answer, found.answer.body)


def settle(
    binding: store.Binding, status: int, content_type: str, body: bytes, *, retryable: bool
) -> None:
    """Store the answer of the claimed request, or release the claim.

    Released when the answer says "try again" (5xx, 429, a transient storage failure) and no
    write of this request remains committed: the retry then really runs. A server error after a
    committed write leaves the key WRITTEN (its retry is told the write happened). Never fails
    the request: a failure here is logged, and the item's state still keeps a retry from
    writing twice (a lease that runs out on an IN_PROGRESS claim means nothing committed).
    """
    claim = binding.claim
    if claim is None:
        return
    try:
        if retryable and claim.plans_committed == 0:
            store.release(claim)
        elif status >= 500:
            logger.warning("answer %d after a committed write kept out of %s", status, claim.key)
        elif not store.complete(claim, status, content_type, body):
            logger.warning("idempotency claim %s was taken over before its answer", claim.key)
    except Exception:  # noqa: BLE001 - the answer is sent whatever happens to its copy
        logger.exception("could not settle the idempotency claim %s", claim.key)
