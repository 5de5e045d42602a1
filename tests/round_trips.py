"""Sequential DynamoDB round trips of a request, counted exactly: the longest chain of calls
each of which waited for the one before.

A call made after another in the same thread waited for it. A function handed to a thread pool
starts from the round trip its submitter had reached, and whoever takes its result continues
from the later of the two. So calls in flight together count once, however the pool schedules
its threads, and the count is the same on every run (no clock is involved, unlike wall-time
spans). It assumes that calls sent together are answered together, which is what a pool as
wide as the fan-out (core/child_pages.py) and one HTTP connection per call give on AWS.

The rate limiter's UpdateItem (issue 14: one per request while limits are on, on the rate
window's keys-table item `RATE#...`, storage/keys.rate_window_hash) is not counted: call budgets are
about reading and writing the workspace's data, and hold whether limits are on or off. Its own
tests assert that it adds exactly one write. `LimiterCalls` counts it for the meter's figures.

`install()` hooks botocore (every client created afterwards) and `concurrent.futures`; tests
only, like the meter.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from botocore import handlers

from chalicelib.storage import keys
from chalicelib.storage.tables import KEYS_TABLE


def is_rate_limiter_call(api_params: dict[str, Any]) -> bool:
    """Whether a DynamoDB request (its API parameters) addresses a rate-limit window."""
    key_hash = ((api_params.get("Key") or {}).get(KEYS_TABLE.hash_key) or {}).get("S", "")
    return key_hash.startswith(keys.RATE_WINDOW_PREFIX)


def _is_limiter_request(model: Any, params: dict[str, Any]) -> bool:
    """The same, from botocore's serialised request (only UpdateItem bodies are decoded)."""
    if model.name != "UpdateItem":
        return False
    return is_rate_limiter_call(json.loads(params.get("body") or b"{}"))


class RoundTrips:
    def __init__(self) -> None:
        self._local = threading.local()

    @property
    def reached(self) -> int:
        """Round trips the current thread has waited for so far."""
        return int(getattr(self._local, "reached", 0))

    def _move_to(self, value: int) -> None:
        self._local.reached = value

    def before_call(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        self._local.limiter = _is_limiter_request(model, params)

    def after_call(self, **_: Any) -> None:
        if getattr(self._local, "limiter", False):
            self._local.limiter = False
            return
        self._move_to(self.reached + 1)

    @contextmanager
    def counting(self) -> Iterator[Callable[[], int]]:
        """`with clock.counting() as count:` ... `count()` = round trips since the block began."""
        start = self.reached
        yield lambda: self.reached - start


CLOCK = RoundTrips()
_installed = False
_submit = ThreadPoolExecutor.submit
_result = Future.result


def _submit_counted(self: ThreadPoolExecutor, fn: Callable[..., Any], /, *args: Any, **kw: Any):
    start = CLOCK.reached
    ended = [start]

    def run(*inner_args: Any, **inner_kw: Any) -> Any:
        CLOCK._move_to(start)
        try:
            return fn(*inner_args, **inner_kw)
        finally:
            ended[0] = CLOCK.reached

    future = _submit(self, run, *args, **kw)
    future.round_trips_ended = ended  # type: ignore[attr-defined]
    return future


def _result_counted(self: Future, timeout: float | None = None) -> Any:
    try:
        return _result(self, timeout)
    finally:
        ended = getattr(self, "round_trips_ended", None)
        if ended is not None and self.done():
            CLOCK._move_to(max(CLOCK.reached, ended[0]))


def install() -> RoundTrips:
    """Count from now on (before the first DynamoDB client is created)."""
    global _installed
    if not _installed:
        handlers.BUILTIN_HANDLERS.append(("before-call.dynamodb", CLOCK.before_call))
        handlers.BUILTIN_HANDLERS.append(("after-call.dynamodb", CLOCK.after_call))
        ThreadPoolExecutor.submit = _submit_counted  # type: ignore[method-assign]
        Future.result = _result_counted  # type: ignore[method-assign]
        _installed = True
    return CLOCK


class LimiterCalls:
    """A meter interceptor counting the rate limiter's calls, so that a budget can leave them
    out of the meter's figures: `budget_operations(meter, limiter)`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.operations: Counter[str] = Counter()

    def __call__(self, operation: str, api_params: dict[str, Any]) -> None:
        if is_rate_limiter_call(api_params):
            with self._lock:
                self.operations[operation] += 1
        return None  # never answers in DynamoDB's place

    def reset(self) -> None:
        with self._lock:
            self.operations = Counter()


def budget_operations(meter: Any, limiter: LimiterCalls) -> Counter[str]:
    """The meter's operations since its last reset, less the rate limiter's."""
    left = Counter(meter.operations)
    left.subtract(limiter.operations)
    return +left  # drops the operations left at zero
