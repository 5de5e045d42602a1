"""Twenty's REST error body and the error responses the routes can give, by status."""

from __future__ import annotations

from typing import Any

_DESCRIPTIONS = {
    "400": "Bad request: a malformed parameter, body or path, or values the model refuses",
    "401": "No API key, or an unknown, expired or revoked one",
    "403": "The API key's scope does not allow this request",
    "404": "Record not found",
    "409": "Conflict: a unique value or id held by another record, a RESTRICT relation, or a "
    "change that kept losing races",
    "413": "Too large: the body (above 5 MiB), one record (DynamoDB's 400 KB item) or the "
    "answer (Lambda's 6 MB response)",
    "415": "The body is not JSON (Content-Type must be application/json)",
    "503": "DynamoDB kept throttling or could not be reached, or the request passed its "
    "deadline; nothing was half-written. Retry after `Retry-After` seconds",
}


def error_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "description": "Twenty's error body",
        "properties": {
            "statusCode": {"type": "integer"},
            "error": {"type": "string", "description": "e.g. BadRequestException"},
            "messages": {"type": "array", "items": {"type": "string"}},
            "code": {"type": "string", "description": "e.g. INVALID_QUERY_PARAM"},
        },
        "required": ["statusCode", "error", "messages", "code"],
        "additionalProperties": False,
    }


def error_response_components() -> dict[str, Any]:
    responses: dict[str, Any] = {}
    for status, description in _DESCRIPTIONS.items():
        response: dict[str, Any] = {
            "description": description,
            # Inline rather than a named schema: an object named `error` owns the name `Error`.
            "content": {"application/json": {"schema": error_schema()}},
        }
        if status == "503":
            response["headers"] = {
                "Retry-After": {
                    "description": "Seconds to wait before retrying",
                    "schema": {"type": "string"},
                }
            }
        responses[status] = response
    return responses


def errors(*statuses: int) -> dict[str, Any]:
    """References to the error responses of `statuses`, for an operation's `responses`."""
    return {str(status): {"$ref": f"#/components/responses/{status}"} for status in statuses}
