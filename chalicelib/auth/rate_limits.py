"""Requests per minute per API key and per workspace (issue 14): being built."""

from __future__ import annotations

from chalicelib.context import Principal


def charge(principal: Principal, *, now_epoch: float) -> None:
    """Count one request of `principal`; over a limit: RateLimitedError, nothing else done."""
    del principal, now_epoch
