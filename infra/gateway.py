"""API Gateway stage properties: throttling, access logs and errors in Twenty's shape.

These are properties of Chalice's `AWS::Serverless::Api`, which SAM turns into the stage and
into the API definition, so they ship with the API's own deployment.
"""

from __future__ import annotations

import json
from typing import Any

from chalicelib import errors
from chalicelib.rest.errors import error_body
from infra.settings import StageSettings

_PLACEHOLDER = "__MESSAGE__"


def _template(status: int, code: str, message: str) -> str:
    """The app's error body (chalicelib.rest.errors) around one message, as a mapping template.

    `message` is template text: either plain text with $context variables, spliced inside the
    quotes, or `$context.error.messageString`, which API Gateway renders already quoted.
    """
    body = json.dumps(error_body(status, [_PLACEHOLDER], code), separators=(",", ":"))
    quoted = message.startswith("$context.error.messageString")
    return body.replace(f'"{_PLACEHOLDER}"' if quoted else _PLACEHOLDER, message)


def _response(status: int, template: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "StatusCode": str(status),
        "ResponseTemplates": {"application/json": template},
        # Header values are mapping expressions: literal strings are single-quoted.
        "ResponseParameters": {
            "Headers": {"Content-Type": "'application/json'", **(headers or {})}
        },
    }


def gateway_responses() -> dict[str, dict[str, Any]]:
    """Errors API Gateway produces itself, before any Lambda runs, in the app's error shape."""
    return {
        # An unknown path, or an unknown method on a known path: a REST API has no route-level
        # 404 and answers 403 "Missing Authentication Token". Twenty (NestJS) answers 404
        # "Cannot GET /path"; $context.path includes the stage prefix (/api/rest/nope).
        # With an Authorization header that is not SigV4 (our "Bearer <key>"), the same
        # response type's default message quotes the header ("Invalid key=value pair ... in
        # Authorization header: 'Bearer <key>'"), so this template must never use
        # $context.error.message; local_stack/gateway.py answers the same body locally.
        "MISSING_AUTHENTICATION_TOKEN": _response(
            404,
            _template(
                404, errors.RouteNotFoundError.code, "Cannot $context.httpMethod $context.path"
            ),
        ),
        # The stage's rate or burst limit was exceeded: the same 429 + Retry-After as the app.
        "THROTTLED": _response(
            429,
            _template(429, errors.ThrottledError.code, "$context.error.messageString"),
            headers={"Retry-After": "'1'"},
        ),
        # Bodies above API Gateway's 10 MB hard limit never reach the app's own 413.
        "REQUEST_TOO_LARGE": _response(
            413,
            _template(413, errors.PayloadTooLargeError.code, "$context.error.messageString"),
        ),
    }


def access_log_format() -> str:
    """One JSON object per request: enough to trace a request, its caller and its cost."""
    fields = {
        "requestId": "$context.requestId",
        "ip": "$context.identity.sourceIp",
        "requestTime": "$context.requestTime",
        "httpMethod": "$context.httpMethod",
        "path": "$context.path",
        "resourcePath": "$context.resourcePath",
        "status": "$context.status",
        "protocol": "$context.protocol",
        "responseLength": "$context.responseLength",
        "responseLatency": "$context.responseLatency",
        "integrationLatency": "$context.integrationLatency",
        "integrationStatus": "$context.integration.status",
        "errorType": "$context.error.responseType",
        "userAgent": "$context.identity.userAgent",
    }
    return json.dumps(fields, separators=(",", ":"))


def method_settings(settings: StageSettings) -> list[dict[str, Any]]:
    """Stage-wide throttling for every resource and method ("/*" + "*")."""
    return [
        {
            "ResourcePath": "/*",
            "HttpMethod": "*",
            "ThrottlingRateLimit": settings.throttle_rate_limit,
            "ThrottlingBurstLimit": settings.throttle_burst_limit,
            # Execution logs cost per request and may contain bodies; access logs are enough.
            "LoggingLevel": "OFF",
            "MetricsEnabled": False,
        }
    ]
