"""Answers that Lambda can send: one byte budget per request, paid for by every record returned.

A Lambda response cannot exceed 6 MiB (API Gateway then answers 502), and a page of 60 records
of up to 400 KB each would pass it four times over. So every record an answer carries is paid
for from the request's budget, in the bytes it takes on the wire: a list page stops early when
its next record would not fit, with `hasNextPage` (or `hasPreviousPage` when paging backwards)
set and its cursor on the last record kept, so the next page starts with the first record left
out; the answer says it was shortened. An answer that cannot be shortened (one record with its
relations, the echo of a write) is refused whole with `ResponseTooLargeError` (413), and a write
is refused *before* it happens when its echo could not be sent: a 413 after committing would
tell the client its write failed.

REST and GraphQL share the budget logic here; the adapters only render it, and check the
serialized answer once more (`require_sendable`) for what records do not account for: a
GraphQL selection repeating fields under aliases, a 400-alias introspection document.

The budget lives in a context variable opened once per HTTP request (`rest/request_limits.py`):
several lists of one GraphQL document draw from the same budget. Outside a request (CLI,
stream handler, unit tests) there is none and nothing is limited.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from chalicelib.errors import ResponseTooLargeError
from chalicelib.json_output import dumps

# Held back from what records may use, for what surrounds them: pageInfo, totalCount, cursors
# of a page, GraphQL errors, the response's headers.
ENVELOPE_RESERVE = 64 * 1024
# Added to each record: a GraphQL edge's `{"node":…,"cursor":"…"}` (an opaque cursor is ~90
# characters), or REST's separator.
RECORD_OVERHEAD = 160

_R = TypeVar("_R")


def text_wire_size(text: str) -> int:
    """Bytes a JSON body takes inside the Lambda response, which carries it as a JSON string:
    `"` and `\\` are escaped once more. The body is ASCII (json_output.py escapes the rest), so
    characters are bytes."""
    return len(text) + text.count('"') + text.count("\\") + 2


def wire_size(value: Any) -> int:
    """`text_wire_size` of `value` serialized as the adapters serialize answers."""
    return text_wire_size(dumps(value))


def _list_wire_size(records: Sequence[Any]) -> int:
    """`sum(wire_size(r) + RECORD_OVERHEAD for r in records)`, from one serialization: the
    list's text is its records' texts plus `[`, `]` and n - 1 commas, and `text_wire_size` adds
    2 per text (its quotes) where the list's adds it once."""
    count = len(records)
    if count == 0:
        return 0
    return wire_size(list(records)) + count * (RECORD_OVERHEAD + 1) - 3


class ResponseBudget:
    """The bytes one request's answer may still spend on records, and whether it cut a page."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.remaining = max(0, limit - ENVELOPE_RESERVE)
        self.shortened = False

    def fit(self, records: Sequence[_R], *, from_end: bool) -> list[_R]:
        """The longest run of `records` this budget pays for, from the start (or from the end,
        for a page read backwards from its cursor). At least one record, else 413."""
        # The common case, a page that fits whole, is sized by one serialization of the list
        # (a nested read fits 60 small pages): exactly the sum of the records' own sizes.
        whole = _list_wire_size(records)
        if whole <= self.remaining:
            self.remaining -= whole
            return list(records)
        order = reversed(records) if from_end else iter(records)
        kept = 0
        for record in order:
            size = wire_size(record) + RECORD_OVERHEAD
            if size > self.remaining:
                if kept == 0:
                    raise ResponseTooLargeError(
                        f"A record of this list takes {size} bytes with what it embeds, more "
                        f"than the {self.remaining} bytes left under this answer's "
                        f"{self.limit}-byte limit: leave out depth=1, or ask for fewer lists "
                        "in one request"
                    )
                break
            self.remaining -= size
            kept += 1
        if kept < len(records):
            self.shortened = True
        return list(records[len(records) - kept :] if from_end else records[:kept])

    def charge(self, records: Sequence[Any], advice: str) -> None:
        """Pay for an answer that is sent whole or not at all."""
        self.remaining -= self.require_room(records, advice)

    def require_room(self, records: Sequence[Any], advice: str) -> int:
        """The size of `records`, refused if they cannot fit; nothing is paid (a write checks
        its echo before writing, and may run again after a conflict)."""
        size = _list_wire_size(records)
        if size > self.remaining:
            raise ResponseTooLargeError(
                f"The answer would take {size} bytes, more than the {self.remaining} bytes "
                f"left under the {self.limit}-byte response limit: {advice}"
            )
        return size

    def require_sendable(self, text: str, advice: str) -> None:
        """The final check of a serialized answer, whatever it holds."""
        size = text_wire_size(text)
        if size > self.limit:
            raise ResponseTooLargeError(
                f"The answer would take {size} bytes, more than the {self.limit}-byte response "
                f"limit: {advice}"
            )


_current: ContextVar[ResponseBudget | None] = ContextVar("crm_response_budget", default=None)


@contextmanager
def response_budget(limit: int) -> Iterator[ResponseBudget]:
    """The budget of the request answered inside the block."""
    budget = ResponseBudget(limit)
    token = _current.set(budget)
    try:
        yield budget
    finally:
        _current.reset(token)


def current() -> ResponseBudget | None:
    return _current.get()


def fit_page(records: list[_R], *, from_end: bool = False) -> list[_R]:
    """`ResponseBudget.fit` of the current request; every record outside a request."""
    budget = _current.get()
    return records if budget is None or not records else budget.fit(records, from_end=from_end)


def charge(records: Sequence[Any], advice: str) -> None:
    """`ResponseBudget.charge` of the current request; nothing outside a request."""
    budget = _current.get()
    if budget is not None:
        budget.charge(records, advice)


def require_room(records: Sequence[Any], advice: str) -> None:
    """`ResponseBudget.require_room` of the current request; nothing outside a request."""
    budget = _current.get()
    if budget is not None:
        budget.require_room(records, advice)


def require_sendable(text: str, advice: str) -> None:
    """`ResponseBudget.require_sendable` of the current request; nothing outside a request."""
    budget = _current.get()
    if budget is not None:
        budget.require_sendable(text, advice)
