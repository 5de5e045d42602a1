"""The HTTP side of a GraphQL endpoint: body size and JSON, the response, and the last-resort
error handling that guarantees an `errors[]` answer and never a traceback (any schema)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from chalice import Response
from chalice.app import Request

from chalicelib.errors import CrmError, PayloadTooLargeError
from chalicelib.graphql.errors import BAD_USER_INPUT, INTERNAL_SERVER_ERROR, code_for, error_entry
from chalicelib.graphql.execution import GraphQLResponse, PreparedSchema, run_request
from chalicelib.graphql.limits import QueryLimits
from chalicelib.settings import SETTINGS

logger = logging.getLogger(__name__)


def default_limits() -> QueryLimits:
    """The abuse limits of the settings (both GraphQL endpoints use them)."""
    return QueryLimits(
        max_depth=SETTINGS.graphql_max_depth,
        max_fields=SETTINGS.graphql_max_fields,
        max_root_fields=SETTINGS.graphql_max_root_fields,
        max_tokens=SETTINGS.graphql_max_tokens,
    )


def respond(answer: GraphQLResponse) -> Response:
    """A GraphQL answer as a JSON response."""
    return Response(
        body=json.dumps(answer.body, separators=(",", ":")),
        status_code=answer.status,
        headers={"Content-Type": "application/json"},
    )


def _error(status: int, message: str, code: str, **extra: Any) -> Response:
    return respond(GraphQLResponse(status, {"errors": [error_entry(message, code, **extra)]}))


def serve_graphql(
    request: Request,
    limits: QueryLimits,
    prepare: Callable[[], tuple[PreparedSchema, Any]],
) -> Response:
    """Answer one GraphQL POST; `prepare` authenticates and returns (schema, context)."""
    try:
        raw = request.raw_body or b""
        if len(raw) > SETTINGS.max_body_bytes:
            raise PayloadTooLargeError()
        try:
            payload = json.loads(raw or b"null")
        except ValueError:
            return _error(400, "Invalid JSON body", BAD_USER_INPUT)
        return respond(run_request(payload, limits, prepare))
    except PayloadTooLargeError as exc:
        return _error(413, exc.message, code_for(exc), subCode=exc.code)
    except CrmError as exc:
        return _error(200, "; ".join(exc.messages), code_for(exc), subCode=exc.code)
    except Exception:  # noqa: BLE001 - the API never leaks a traceback
        logger.exception("unhandled error in %s", request.path)
        return _error(500, "Internal server error", INTERNAL_SERVER_ERROR)
