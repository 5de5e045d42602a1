"""TransactWriteItems retried with the same ClientRequestToken is applied once, as on AWS.

The app retries a transaction whose answer was lost (a timeout) with the same token, and counts
on DynamoDB to recognise it: for 10 minutes after a token's transaction succeeded, the same
request with that token succeeds again without being applied, and a different request with it
is refused with IdempotentParameterMismatchException. moto ignores the token, so a retry of a
transaction that had committed would fail its own conditions (the ids it created now exist).
Only successes are remembered: a cancelled transaction changed nothing and may be tried again.
Tokens are kept on the backend they were used with, so a reset DynamoDB (a new test's
`mock_aws()`) forgets them with its data.
"""

from __future__ import annotations

import functools
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from moto.core.responses import ActionResult
from moto.dynamodb.exceptions import DynamodbException

WINDOW_SECONDS = 600.0

_LOCK = threading.Lock()
_TOKENS = "_local_stack_transaction_tokens"

# token -> (monotonic time of the success, the request it answered), oldest first.
Succeeded = OrderedDict[str, tuple[float, str]]


class IdempotentParameterMismatch(DynamodbException):
    error_type = "com.amazonaws.dynamodb.v20120810#IdempotentParameterMismatchException"

    def __init__(self) -> None:
        super().__init__(
            self.error_type,
            "The request uses the same client token as a previous, but non-identical request.",
        )


def _succeeded(backend: Any) -> Succeeded:
    return backend.__dict__.setdefault(_TOKENS, OrderedDict())


def _expire(succeeded: Succeeded, now: float) -> None:
    while succeeded and next(iter(succeeded.values()))[0] < now - WINDOW_SECONDS:
        succeeded.popitem(last=False)


def idempotent(original: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Wrap DynamoHandler.transact_write_items (the request, token included, is `self.body`)."""

    @functools.wraps(original)
    def transact_write_items(self: Any) -> Any:
        token = self.body.get("ClientRequestToken")
        if not token:
            return original(self)
        request = json.dumps(self.body.get("TransactItems"), sort_keys=True, default=str)
        with _LOCK:
            succeeded = _succeeded(self.dynamodb_backend)
            now = time.monotonic()
            _expire(succeeded, now)
            seen = succeeded.get(token)
        if seen is not None:
            if seen[1] != request:
                raise IdempotentParameterMismatch()
            return ActionResult({"ConsumedCapacity": [], "ItemCollectionMetrics": {}})
        answer = original(self)
        with _LOCK:
            succeeded[token] = (now, request)
        return answer

    return transact_write_items
