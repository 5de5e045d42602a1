"""HTTP middleware: give Chalice's own error responses (405, 415, 500) Twenty's error shape."""

from __future__ import annotations

from collections.abc import Callable

from chalice import Response
from chalice.app import Request

from chalicelib import errors
from chalicelib.rest.errors import error_response

# Chalice answers these before (or around) our views with {"Code": ..., "Message": ...}.
_CHALICE_ERRORS: dict[int, type[errors.CrmError]] = {
    400: errors.BadRequestError,
    405: errors.MethodNotAllowedError,
    415: errors.UnsupportedMediaTypeError,
    500: errors.CrmError,
}


def twenty_error_shape(event: Request, get_response: Callable[[Request], Response]) -> Response:
    response = get_response(event)
    error_class = _CHALICE_ERRORS.get(response.status_code)
    body = response.body
    if error_class is None or not isinstance(body, dict) or "Code" not in body:
        return response
    converted = error_response(error_class(str(body.get("Message") or error_class.default_message)))
    for name in ("Allow",):
        if name in response.headers:
            converted.headers[name] = response.headers[name]
    return converted


__all__ = ["twenty_error_shape"]
