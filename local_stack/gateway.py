"""Chalice's local API Gateway answering an unknown path as the deployed API does: Twenty's 404.

Chalice's emulation answers a path no route matches with API Gateway's default 403 "Missing
Authentication Token", and when the request has an Authorization header its message quotes that
header back in full (the API key). The deployed API maps that response type to a 404 in Twenty's
error shape (infra/gateway.py); `install()` makes the local server and `chalice.test.Client`
answer the same body, `Cannot <METHOD> <path>`, without the query string and without a header.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from chalice.local import LocalGateway, LocalGatewayException

from chalicelib.errors import RouteNotFoundError
from chalicelib.rest.errors import error_body, status_for

_INSTALLED = "__local_stack_route_not_found__"


class RouteNotFound(LocalGatewayException):
    """An unknown path, answered before any Lambda runs (as API Gateway does)."""

    CODE = status_for(RouteNotFoundError())


def not_found(method: str, path: str) -> RouteNotFound:
    """The 404 of `method path`; only the path is named, never its query string."""
    error = RouteNotFoundError(f"Cannot {method.upper()} {urlsplit(path).path}")
    body = json.dumps(
        error_body(RouteNotFound.CODE, error.messages, error.code), separators=(",", ":")
    )
    return RouteNotFound({"Content-Type": "application/json"}, body.encode())


def install() -> None:
    """Patch Chalice's LocalGateway once (idempotent): unknown paths answer Twenty's 404."""
    original = LocalGateway.handle_request
    if getattr(original, _INSTALLED, False):
        return
    LocalGateway.handle_request = _answering_unknown_paths(original)  # type: ignore[method-assign]


def _answering_unknown_paths(handle_request: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(handle_request)
    def handle(self: LocalGateway, method: str, path: str, headers: Any, body: bytes | None) -> Any:
        try:
            # The same matching Chalice does next; it raises ValueError for an unknown path,
            # which Chalice turns into the 403 quoting the Authorization header.
            self.event_converter._route_matcher.match_route(path)
        except ValueError:
            raise not_found(method, path) from None
        return handle_request(self, method, path, headers, body)

    setattr(handle, _INSTALLED, True)
    return handle
