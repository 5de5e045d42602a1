"""What one HTTP request has done so far: read by its response headers and its log line.

The request-scope middleware (`rest/request_scope.py`) opens one state per request; admission
notes the caller, the rate limiter adds its headers, the storage layer records every DynamoDB
call with the capacity it consumed. Outside a request (stream and queue handlers, the CLI, most
unit tests) there is no state and every note is a no-op.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from threading import Lock


@dataclass(frozen=True, slots=True)
class DynamoCall:
    operation: str  # "GetItem", "Query", "BatchGetItem", "TransactWriteItems", ...
    table: str | None  # the table's logical role ("main", "keys"), None for several
    read_units: float  # consumed capacity as DynamoDB reports it (0 when none)
    write_units: float
    throttled: bool = False  # DynamoDB refused it (throttling): storage/retry.py sends it again
    ms: float = 0.0  # wall time of the call, when the recorder measured it


@dataclass(slots=True)
class RequestState:
    started: float = field(default_factory=time.perf_counter)
    api: str | None = None  # "rest", "graphql", "metadata" (REST or GraphQL metadata), "docs"
    operation: str | None = None  # the route pattern or the GraphQL operation name
    workspace_id: str | None = None
    key_id: str | None = None
    # Added to the response whatever its status (e.g. RateLimit-*).
    response_headers: dict[str, str] = field(default_factory=dict)
    dynamodb_calls: list[DynamoCall] = field(default_factory=list)
    # Calls come from worker threads too (concurrent Queries of one request).
    _lock: Lock = field(default_factory=Lock, repr=False)

    def add_call(self, call: DynamoCall) -> None:
        with self._lock:
            self.dynamodb_calls.append(call)

    def calls_so_far(self) -> list[DynamoCall]:
        """A copy of the calls recorded until now (pool threads may still be adding)."""
        with self._lock:
            return list(self.dynamodb_calls)


_current: ContextVar[RequestState | None] = ContextVar("crm_request_state", default=None)


@contextmanager
def request_scope() -> Iterator[RequestState]:
    """One request's state, current in this context until the request is answered."""
    state = RequestState()
    token = _current.set(state)
    try:
        yield state
    finally:
        _current.reset(token)


def current() -> RequestState | None:
    return _current.get()


def note_caller(workspace_id: str, key_id: str) -> None:
    state = _current.get()
    if state is not None:
        state.workspace_id, state.key_id = workspace_id, key_id


def note_operation(api: str, operation: str | None) -> None:
    state = _current.get()
    if state is not None:
        state.api = api
        if operation:
            state.operation = operation


def add_response_headers(headers: dict[str, str]) -> None:
    state = _current.get()
    if state is not None:
        state.response_headers.update(headers)


def record_dynamodb_call(
    operation: str,
    table: str | None,
    read_units: float = 0.0,
    write_units: float = 0.0,
    *,
    throttled: bool = False,
    ms: float = 0.0,
) -> None:
    """Note one DynamoDB request of the current request. Calls through the shared botocore
    client are recorded by its `after-call` hook (observability/dynamodb_calls.py); only a path
    that bypasses botocore's events records its calls itself, so none is counted twice."""
    state = _current.get()
    if state is not None:
        state.add_call(DynamoCall(operation, table, read_units, write_units, throttled, ms))
