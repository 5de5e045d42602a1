"""Where requests meet their Idempotency-Key (issue 14): being built."""

from __future__ import annotations

from collections.abc import Callable

from chalice import Response


def guard_rest_write(call: object, run: Callable[[], Response]) -> Response:
    """Run a REST write under its Idempotency-Key, if it has one."""
    del call
    return run()
