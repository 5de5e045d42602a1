"""The request's deadline: long reads stop with a clear error instead of API Gateway's timeout.

API Gateway gives up after 29 s and the client gets a 504 it cannot interpret. Every loop that
reads DynamoDB page after page (scans up to the scan cap, index walks, counts, relation
embedding) calls `check()` before its next page; past the deadline the request ends with
`RequestDeadlineError` (503), saying what to narrow.

Writes never check it: a write plan, once started, runs to its end (its transactions are
undone only by its own compensation, never cut by a clock). The reads a command does before
its plan do check it, so a late command stops before its first write.

The deadline lives in a context variable set once per HTTP request (`rest/request_limits.py`),
so the core and the storage loops need no extra parameter; outside a request (CLI, stream
handler, unit tests) there is none and `check()` does nothing. Worker threads do not inherit
context variables: `carried` hands the caller's context (deadline included) to a function run
in a pool.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar, copy_context
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

from chalicelib.errors import RequestDeadlineError

_P = ParamSpec("_P")
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Deadline:
    seconds: float
    ends_at: float  # time.monotonic() value

    @classmethod
    def starting_now(cls, seconds: float) -> Deadline:
        return cls(seconds, time.monotonic() + seconds)

    def passed(self) -> bool:
        return time.monotonic() >= self.ends_at


_current: ContextVar[Deadline | None] = ContextVar("crm_request_deadline", default=None)


@contextmanager
def request_deadline(seconds: float) -> Iterator[Deadline]:
    """The deadline of the request running inside the block, starting now."""
    deadline = Deadline.starting_now(seconds)
    token = _current.set(deadline)
    try:
        yield deadline
    finally:
        _current.reset(token)


def check() -> None:
    """Before reading the next page: stop if the request's deadline has passed."""
    deadline = _current.get()
    if deadline is not None and deadline.passed():
        raise RequestDeadlineError(
            f"The request did not finish within its {deadline.seconds:g}-second limit and was "
            "stopped while reading records: narrow the filter, index the fields it filters or "
            "sorts on (admin 'index add'), ask for fewer records or leave out depth=1"
        )


def carried(function: Callable[_P, _T]) -> Callable[_P, _T]:
    """`function` with the caller's context variables (its deadline, response budget and
    request state, whose DynamoDB calls the request's log line counts), for another thread."""
    context = copy_context()

    def run(*args: _P.args, **kwargs: _P.kwargs) -> _T:
        # A copy per call: one Context cannot be entered by two threads at once, and a merge
        # maps one carried function over a pool.
        return context.copy().run(function, *args, **kwargs)

    return run
