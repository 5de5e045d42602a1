"""HTTP middleware of every route: the request's deadline and response budget, and a last guard
under Lambda's response limit, so the local stack refuses what AWS would refuse.

The app itself enforces both limits (`core/deadline.py`, `core/budget.py`), locally and on AWS
alike. The adapters check their own answers against the budget (REST in `rest/endpoint.py`,
GraphQL in `graphql/http.py`) and answer in their error shape; this guard only catches what
would pass Lambda's hard limit anyway, on any route.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from chalice import Response
from chalice.app import Request

from chalicelib import errors
from chalicelib.core.budget import response_budget, text_wire_size
from chalicelib.core.deadline import request_deadline
from chalicelib.rest.errors import error_response
from chalicelib.settings import SETTINGS

# Lambda refuses a synchronous response above 6 MiB: API Gateway then answers 502.
LAMBDA_RESPONSE_BYTES = 6 * 1024 * 1024
# Set when a list page (REST) or a connection (GraphQL) stopped early to fit the budget; the
# page's own hasNextPage/hasPreviousPage and cursors tell where to continue.
SHORTENED_HEADER = "X-Crm-Page-Shortened"
SHORTENED_REASON = "response-size"


def request_limits(event: Request, get_response: Callable[[Request], Response]) -> Response:
    with (
        request_deadline(SETTINGS.request_deadline_seconds),
        response_budget(SETTINGS.max_response_bytes) as budget,
    ):
        response = get_response(event)
    if lambda_response_bytes(response) > LAMBDA_RESPONSE_BYTES:
        return error_response(
            errors.ResponseTooLargeError(
                f"The answer would pass the {LAMBDA_RESPONSE_BYTES}-byte limit of a Lambda "
                "response: ask for fewer records or fields"
            )
        )
    if budget.shortened:
        response.headers[SHORTENED_HEADER] = SHORTENED_REASON
    return response


def lambda_response_bytes(response: Response) -> int:
    """Bytes of `response` as Lambda returns it: the body as a JSON string, plus headers."""
    body = response.body
    if isinstance(body, bytes):
        size = (len(body) + 2) // 3 * 4 + 2  # sent base64-encoded
    else:
        text = body if isinstance(body, str) else json.dumps(body, separators=(",", ":"))
        size = text_wire_size(text)
    headers = sum(len(name) + len(str(value)) + 6 for name, value in response.headers.items())
    return size + headers + 128  # statusCode, isBase64Encoded and the envelope's punctuation
