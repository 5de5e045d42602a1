"""`offset` on a list (GraphQL find-many and ONE_TO_MANY connections): skip that many matching
records, in the direction of paging, before the page starts.

Every way of serving a list (record partition, index walk, in-memory engine) already returns a
window of `limit` records after (or before) a cursor with exact neighbour flags; an offset asks
it for `offset + limit` records and drops the first `offset` of them (the last ones when paging
backwards). So the records read grow with the offset, which is why it is bounded by the scan
cap: past it, cursors (`after`) page at constant cost and the client is told so.
"""

from __future__ import annotations

from chalicelib.core.listing import Window
from chalicelib.errors import InvalidQueryParamError


def widened_limit(limit: int, offset: int, cap: int) -> int:
    """The window to ask for so that `offset` records can be skipped; refused past `cap`."""
    if offset < 0:
        raise InvalidQueryParamError(f"'offset' must be 0 or more, got {offset}")
    if offset == 0:  # no skipping: the list's own bounds apply unchanged
        return limit
    if offset + limit > cap:
        raise InvalidQueryParamError(
            f"'offset' {offset} with a page of {limit} would read more than {cap} records; "
            "page with cursors ('after' the previous page's endCursor) instead"
        )
    return offset + limit


def skip(window: Window, offset: int, *, backward: bool) -> Window:
    """`window` without its `offset` records nearest the start of paging (the cursor, or the
    start of the order); the side they were cut from says there are records there."""
    if offset <= 0:
        return window
    records = window.records
    skipped = min(offset, len(records))
    if backward:
        kept = records[: len(records) - skipped]
        return Window(kept, window.total, window.has_next or skipped > 0, window.has_previous)
    return Window(
        records[skipped:], window.total, window.has_next, window.has_previous or skipped > 0
    )
