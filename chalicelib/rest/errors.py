"""The one mapping from CrmError to a REST response in Twenty's error shape."""

from __future__ import annotations

import json
import logging

from chalice import Response

from chalicelib import errors

logger = logging.getLogger(__name__)

# Looked up along the exception's MRO, so a subclass inherits its parent's status.
STATUS_BY_ERROR: dict[type[errors.CrmError], int] = {
    errors.CrmError: 500,
    errors.BadRequestError: 400,
    errors.AuthenticationError: 401,
    errors.ForbiddenError: 403,
    errors.NotFoundError: 404,
    errors.MethodNotAllowedError: 405,
    errors.ConflictError: 409,
    errors.SyncTokenExpiredError: 410,
    errors.IdempotencyKeyReusedError: 422,
    errors.PayloadTooLargeError: 413,
    errors.UnsupportedMediaTypeError: 415,
    errors.ThrottledError: 429,
    errors.StorageUnavailableError: 503,
    # Not 504: that is API Gateway's own timeout, whose outcome a client cannot know; this is a
    # clean refusal of a read, safe to retry once narrowed.
    errors.RequestDeadlineError: 503,
}

# Twenty names the `error` field after the NestJS exception class of the status.
ERROR_NAME_BY_STATUS = {
    400: "BadRequestException",
    401: "UnauthorizedException",
    403: "ForbiddenException",
    404: "NotFoundException",
    405: "MethodNotAllowedException",
    409: "ConflictException",
    410: "GoneException",
    413: "PayloadTooLargeException",
    415: "UnsupportedMediaTypeException",
    422: "UnprocessableEntityException",
    429: "TooManyRequestsException",
    500: "InternalServerErrorException",
    503: "ServiceUnavailableException",
}


def status_for(error: errors.CrmError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 500


def error_body(status: int, messages: list[str], code: str) -> dict[str, object]:
    return {
        "statusCode": status,
        "error": ERROR_NAME_BY_STATUS.get(status, "HttpException"),
        "messages": messages,
        "code": code,
    }


def error_response(error: errors.CrmError) -> Response:
    status = status_for(error)
    headers = {"Content-Type": "application/json"}
    if error.retry_after is not None:
        headers["Retry-After"] = str(error.retry_after)
    elif status in (429, 503):
        headers["Retry-After"] = "1"
    body = error_body(status, error.messages, error.code)
    return Response(
        body=json.dumps(body, separators=(",", ":")), status_code=status, headers=headers
    )


def unexpected_error_response() -> Response:
    logger.exception("unhandled error")
    return error_response(errors.CrmError("Internal server error"))
