"""HTTP middleware around every route: one request state (`request_state.py`) per request, the
headers it collected (rate limits) on whatever answer the request gets, and the request's log
line with its metrics (observability/request_log.py) once the answer is known."""

from __future__ import annotations

import logging
from collections.abc import Callable

from chalice import Response
from chalice.app import Request

from chalicelib import request_state
from chalicelib.observability import request_log

logger = logging.getLogger(__name__)


def request_scope(event: Request, get_response: Callable[[Request], Response]) -> Response:
    with request_state.request_scope() as state:
        try:
            response = get_response(event)
        except BaseException:
            _log(event, state, None)  # Chalice answers it 500: the line says so
            raise
        for name, value in state.response_headers.items():
            response.headers.setdefault(name, value)
        _log(event, state, response)
        return response


def _log(event: Request, state: request_state.RequestState, response: Response | None) -> None:
    try:
        request_log.log_request(event, state, response)
    except Exception:  # noqa: BLE001 - a log line never costs the client its answer
        logger.exception("request log line failed")


__all__ = ["request_scope"]
