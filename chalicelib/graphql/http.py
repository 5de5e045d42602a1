"""The HTTP side of a GraphQL endpoint: body size and JSON, the response, and the last-resort
error handling that guarantees an `errors[]` answer and never a traceback (any schema)."""

from __future__ import annotations

import logging
from typing import Any

from chalice import Response
from chalice.app import Request

from chalicelib import request_state
from chalicelib.core import budget
from chalicelib.errors import (
    CrmError,
    InvalidRequestBodyError,
    PayloadTooLargeError,
    RateLimitedError,
    ResponseTooLargeError,
)
from chalicelib.graphql.errors import BAD_USER_INPUT, INTERNAL_SERVER_ERROR, code_for, error_entry
from chalicelib.graphql.execution import GraphQLResponse, Prepare, run_request
from chalicelib.graphql.limits import QueryLimits
from chalicelib.json_input import decode_json
from chalicelib.json_output import dumps
from chalicelib.settings import SETTINGS

logger = logging.getLogger(__name__)


class PreparedAnswer(Exception):
    """Raised by `prepare` to answer the request itself with `response` (an Idempotency-Key's
    stored answer or refusal, idempotency/graphql_guard.py): nothing of the request runs."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


def default_limits() -> QueryLimits:
    """The abuse limits of the settings (both GraphQL endpoints use them)."""
    return QueryLimits(
        max_depth=SETTINGS.graphql_max_depth,
        max_fields=SETTINGS.graphql_max_fields,
        max_root_fields=SETTINGS.graphql_max_root_fields,
        max_tokens=SETTINGS.graphql_max_tokens,
        max_aliases=SETTINGS.graphql_max_aliases,
        max_directives=SETTINGS.graphql_max_directives,
        max_fragments=SETTINGS.graphql_max_fragments,
        max_nesting=SETTINGS.graphql_max_nesting,
        max_query_chars=SETTINGS.graphql_max_query_chars,
    )


def respond(answer: GraphQLResponse) -> Response:
    """A GraphQL answer as a JSON response; one too large to send is a 413 (core/budget.py)."""
    text = dumps(answer.body)
    try:
        budget.require_sendable(text, TOO_LARGE_ADVICE)
    except ResponseTooLargeError as exc:
        return _error(413, exc.message, code_for(exc), subCode=exc.code)
    headers = {"Content-Type": "application/json"}
    return Response(body=text, status_code=answer.status, headers=headers)


# Connections were cut to fit before; what is left is a selection too large as a whole. Creates
# whose echo cannot fit are refused before writing, but other mutations have been applied.
TOO_LARGE_ADVICE = (
    "select fewer fields, aliases or records (mutations in the document, if any, were applied: "
    "read their records back with a smaller selection)"
)


def _error(status: int, message: str, code: str, **extra: Any) -> Response:
    return respond(GraphQLResponse(status, {"errors": [error_entry(message, code, **extra)]}))


def _is_json(content_type: str | None) -> bool:
    """application/json or a `+json` type, any charset; no header counts as JSON, as in Chalice.
    The routes accept every type so that anything else is a GraphQL-shaped 400, never Chalice's
    415 in the REST shape."""
    if not content_type:
        return True
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def serve_graphql(request: Request, limits: QueryLimits, prepare: Prepare) -> Response:
    """Answer one GraphQL POST (or GET, for queries); `prepare(writes)` authenticates, checks
    the key's scope for a request that is (or not) a mutation, and returns (schema, context)."""
    try:
        if request.method == "GET":
            return _serve_get(request, limits, prepare)
        raw = request.raw_body or b""
        if len(raw) > SETTINGS.max_body_bytes:
            raise PayloadTooLargeError()
        if not _is_json(request.headers.get("content-type")):
            return _error(
                400, "The body must be JSON (Content-Type: application/json)", BAD_USER_INPUT
            )
        try:
            payload = decode_json(raw or b"null")
        except InvalidRequestBodyError as exc:
            return _error(400, exc.message, BAD_USER_INPUT)
        if isinstance(payload, dict) and isinstance(payload.get("operationName"), str):
            request_state.note_operation("graphql", payload["operationName"])
        return _answer(payload, limits, prepare)
    except PayloadTooLargeError as exc:
        return _error(413, exc.message, code_for(exc), subCode=exc.code)
    except RateLimitedError as exc:  # HTTP's own refusal, so clients back off on the status
        response = _error(429, exc.message, code_for(exc), subCode=exc.code)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except CrmError as exc:
        return _error(200, "; ".join(exc.messages), code_for(exc), subCode=exc.code)
    except Exception:  # noqa: BLE001 - the API never leaks a traceback
        logger.exception("unhandled error in %s", request.path)
        return _error(500, "Internal server error", INTERNAL_SERVER_ERROR)


def _answer(payload: Any, limits: QueryLimits, prepare: Prepare) -> Response:
    try:
        return respond(run_request(payload, limits, prepare))
    except PreparedAnswer as answer:
        return answer.response


def _serve_get(request: Request, limits: QueryLimits, prepare: Prepare) -> Response:
    """GraphQL over GET, as GraphQL-over-HTTP servers accept it: `?query=…&variables=<JSON>&
    operationName=…`, with the same limits, statuses and errors as POST. Only queries: a
    mutation is 405 with `Allow: POST` (the GraphQL-over-HTTP rule), before authentication."""
    params = request.query_params or {}
    query = params.get("query")
    if not query:
        return _error(
            400, "A GET request carries its document in the 'query' parameter", BAD_USER_INPUT
        )
    payload: dict[str, Any] = {"query": query, "operationName": params.get("operationName") or None}
    if params.get("variables"):
        try:
            payload["variables"] = decode_json(params["variables"].encode())
        except InvalidRequestBodyError as exc:
            return _error(400, f"'variables' must be JSON: {exc.message}", BAD_USER_INPUT)
    answer = run_request(payload, limits, prepare, queries_only=True)
    response = respond(answer)
    if answer.status == 405:
        response.headers["Allow"] = "POST"
    return response
