"""HTTP middleware around every route: one request state (`request_state.py`) per request, and
the headers it collected (rate limits) on whatever answer the request gets."""

from __future__ import annotations

from collections.abc import Callable

from chalice import Response
from chalice.app import Request

from chalicelib import request_state


def request_scope(event: Request, get_response: Callable[[Request], Response]) -> Response:
    with request_state.request_scope() as state:
        response = get_response(event)
        for name, value in state.response_headers.items():
            response.headers.setdefault(name, value)
        return response


__all__ = ["request_scope"]
