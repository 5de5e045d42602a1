"""Idempotency-Key items (issue 14): one per API key and key text, holding the first answer.

Item (storage/keys.idempotency_key: pk ``WS#<ws>#IDEM#<keyId>``, sk = SHA-256 of the key text):
`state`, `fingerprint` (SHA-256 of method, path, query string and body), `claimToken` (the
request holding the claim), `leaseUntil` (N, epoch s), `expiresAt` (N, DynamoDB TTL), and once
answered `httpStatus` (N), `contentType`, `body` (B, zlib of the answer's bytes) or
`bodyOmitted` (the answer was too large to keep).

Its life: `claim` puts it IN_PROGRESS (conditional PutItem); the request's write marks it
WRITTEN inside the write's own TransactWriteItems (`written_mark_action`, appended by
storage/executor.py while a claim is bound with `marking_writes`); `complete` stores the answer
(COMPLETED), or `release` deletes it when the request failed in a way a retry should really
retry. Every change after the claim is conditioned on the claim token, so a request whose claim
was taken over (its lease ran out) can neither write nor store anything under it.

Every call goes through storage/connection.call (the storage retry policy).
"""

from __future__ import annotations

import logging
import time
import uuid
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from chalicelib.settings import SETTINGS
from chalicelib.storage import keys
from chalicelib.storage.connection import call
from chalicelib.storage.item_limits import MAX_ITEM_BYTES
from chalicelib.storage.models import EXPIRES_AT
from chalicelib.storage.retry import error_code
from chalicelib.storage.tables import MAIN_TABLE

logger = logging.getLogger(__name__)

IN_PROGRESS = "IN_PROGRESS"
WRITTEN = "WRITTEN"
COMPLETED = "COMPLETED"

# Longer than any request may run (API Gateway gives up after 29 s): a claim older than this
# belongs to a request that is gone. Taking it over is safe even if that request still runs,
# because its write is conditioned on its own claim token (`written_mark_action`).
LEASE_SECONDS = 60.0
# Room kept for the item's other attributes when deciding whether an answer's body fits.
_ITEM_OVERHEAD_BYTES = 2_048

_PK, _SK = MAIN_TABLE.hash_key, MAIN_TABLE.range_key or "sk"
_STATE = "state"  # a DynamoDB reserved word: always through the #state placeholder
_FINGERPRINT = "fingerprint"
_TOKEN = "claimToken"
_LEASE = "leaseUntil"
_HTTP_STATUS = "httpStatus"
_CONTENT_TYPE = "contentType"
_BODY = "body"
_BODY_OMITTED = "bodyOmitted"

WireItem = dict[str, dict[str, Any]]

# Read at each call, so a test may move time past a lease or an expiry without sleeping.
clock: Callable[[], float] = time.time


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    status: int
    content_type: str
    body: bytes | None  # None: the answer was too large to keep


@dataclass(frozen=True, slots=True)
class Found:
    """The item another request with the same key left."""

    state: str
    fingerprint: str
    answer: StoredAnswer | None  # only when COMPLETED
    lease_until: float | None = None  # while its request may still be running (not COMPLETED)

    def running(self, now: float | None = None) -> bool:
        """Whether the request holding the claim may still be running (its lease is on)."""
        now = clock() if now is None else now
        return self.lease_until is not None and now < self.lease_until


@dataclass(slots=True)
class Claim:
    key: keys.Key
    token: str
    # Plans whose first transaction (holding the WRITTEN mark) committed and were not undone
    # in this request; counted by storage/executor.py.
    plans_committed: int = 0


def _key(key: keys.Key) -> WireItem:
    return {_PK: {"S": key.pk}, _SK: {"S": key.sk}}


def claim(
    workspace_id: str, key_id: str, key_text: str, fingerprint: str, *, now: float | None = None
) -> Claim | Found:
    """Claim the key for this request, or return what an earlier request with it left.

    One conditional PutItem; when its condition fails the item comes back with the refusal
    (ReturnValuesOnConditionCheckFailure), so a replay costs this one call too.
    """
    now = clock() if now is None else now
    key = keys.idempotency_key(workspace_id, key_id, key_text)
    token = str(uuid.uuid4())
    item = {
        **_key(key),
        _STATE: {"S": IN_PROGRESS},
        _FINGERPRINT: {"S": fingerprint},
        _TOKEN: {"S": token},
        _LEASE: {"N": f"{now + LEASE_SECONDS:.3f}"},
        EXPIRES_AT: {"N": str(int(now) + SETTINGS.idempotency_hours * 3600)},
    }
    request = {
        "TableName": SETTINGS.main_table,
        "Item": item,
        # A new key; or one whose time is up (TTL deletes expired items only eventually); or
        # the same request's claim whose holder is gone (lease over) before its write committed
        # (a committed write turned it WRITTEN, which is never taken over).
        "ConditionExpression": (
            f"attribute_not_exists({_PK}) OR {EXPIRES_AT} < :now OR "
            f"(#state = :in_progress AND {_LEASE} < :now AND {_FINGERPRINT} = :fingerprint)"
        ),
        "ExpressionAttributeNames": {"#state": _STATE},
        "ExpressionAttributeValues": {
            ":now": {"N": f"{now:.3f}"},
            ":in_progress": {"S": IN_PROGRESS},
            ":fingerprint": {"S": fingerprint},
        },
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
    }
    try:
        call("PutItem", request)
    except Exception as exc:
        if error_code(exc) != "ConditionalCheckFailedException":
            raise
        existing = _returned_item(exc) or _get(key)
        if existing is None:  # expired and deleted between the two calls: claim it again
            return claim(workspace_id, key_id, key_text, fingerprint, now=now)
        return _found(existing)
    return Claim(key, token)


def _returned_item(exc: BaseException) -> WireItem | None:
    """The item DynamoDB sent back with a failed condition (pynamodb keeps botocore's error,
    which holds it, as the cause of its own)."""
    seen: BaseException | None = exc
    while seen is not None:
        response = getattr(seen, "response", None)
        if isinstance(response, dict) and isinstance(response.get("Item"), dict):
            return response["Item"]
        seen = seen.__cause__
    return None


def _get(key: keys.Key) -> WireItem | None:
    request = {"TableName": SETTINGS.main_table, "Key": _key(key), "ConsistentRead": True}
    return call("GetItem", request).get("Item")


def _found(item: WireItem) -> Found:
    state = item[_STATE]["S"]
    answer = None
    if state == COMPLETED:
        body = item.get(_BODY)
        answer = StoredAnswer(
            status=int(item[_HTTP_STATUS]["N"]),
            content_type=item[_CONTENT_TYPE]["S"],
            body=zlib.decompress(body["B"]) if body is not None else None,
        )
    lease = item.get(_LEASE)
    lease_until = float(lease["N"]) if lease is not None else None
    return Found(state, item[_FINGERPRINT]["S"], answer, lease_until)


def complete(claim: Claim, status: int, content_type: str, body: bytes) -> bool:
    """Store the answer under the claim (COMPLETED); False when the claim was taken over.

    The body is kept zlib-compressed (JSON shrinks several-fold, and DynamoDB bills by the
    byte); one still too large for an item is left out and `bodyOmitted` says so.
    """
    compressed = zlib.compress(body)
    fits = len(compressed) + _ITEM_OVERHEAD_BYTES <= MAX_ITEM_BYTES
    values: dict[str, Any] = {
        ":completed": {"S": COMPLETED},
        ":status": {"N": str(status)},
        ":content_type": {"S": content_type},
        ":token": {"S": claim.token},
    }
    sets = ["#state = :completed", f"{_HTTP_STATUS} = :status", f"{_CONTENT_TYPE} = :content_type"]
    if fits:
        values[":body"] = {"B": compressed}
        sets.append(f"{_BODY} = :body")
    else:
        values[":omitted"] = {"BOOL": True}
        sets.append(f"{_BODY_OMITTED} = :omitted")
    request = {
        "TableName": SETTINGS.main_table,
        "Key": _key(claim.key),
        "UpdateExpression": "SET " + ", ".join(sets) + f" REMOVE {_LEASE}",
        "ConditionExpression": f"{_TOKEN} = :token",  # still this request's claim
        "ExpressionAttributeNames": {"#state": _STATE},
        "ExpressionAttributeValues": values,
    }
    return _conditional("UpdateItem", request)


def release(claim: Claim) -> bool:
    """Forget the claim, so that a retry runs the request again; False when taken over."""
    request = {
        "TableName": SETTINGS.main_table,
        "Key": _key(claim.key),
        "ConditionExpression": f"{_TOKEN} = :token",  # still this request's claim
        "ExpressionAttributeValues": {":token": {"S": claim.token}},
    }
    return _conditional("DeleteItem", request)


def _conditional(operation: str, request: dict[str, Any]) -> bool:
    try:
        call(operation, request)
    except Exception as exc:
        if error_code(exc) == "ConditionalCheckFailedException":
            return False
        raise
    return True


# -- the WRITTEN mark, inside the write's transaction -------------------------------------------


@dataclass(slots=True)
class Binding:
    claim: Claim | None = None


_binding: ContextVar[Binding | None] = ContextVar("crm_idempotency_claim", default=None)


@contextmanager
def marking_writes() -> Iterator[Binding]:
    """While open, the executor marks the claim set on the binding WRITTEN in the first
    transaction of every plan it runs (the binding starts empty: GraphQL claims only once the
    request is known to be a mutation, inside the block)."""
    binding = Binding()
    token = _binding.set(binding)
    try:
        yield binding
    finally:
        _binding.reset(token)


def active_claim() -> Claim | None:
    binding = _binding.get()
    return binding.claim if binding is not None else None


def written_mark_action(table: str, claim: Claim) -> dict[str, Any]:
    """The Update a plan's first transaction carries: the key's write has committed."""
    return {
        "TableName": table,
        "Key": _key(claim.key),
        "UpdateExpression": "SET #state = :written",
        # Only while this request holds the claim: a request whose claim a retry took over
        # (its lease ran out) has its whole transaction refused, so the two never both write.
        # Not conditioned on the state: every plan of a request (several mutations of one
        # GraphQL document, an undone plan computed again) sets the same mark.
        "ConditionExpression": f"{_TOKEN} = :token",
        "ExpressionAttributeNames": {"#state": _STATE},
        "ExpressionAttributeValues": {":written": {"S": WRITTEN}, ":token": {"S": claim.token}},
    }
