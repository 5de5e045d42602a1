"""The one mapping from CrmError to GraphQL `extensions.code`, and the error wire shape."""

from __future__ import annotations

import logging
from typing import Any

from graphql import GraphQLError

from chalicelib import errors

logger = logging.getLogger(__name__)

# Codes of Twenty's graphql-errors.util.ts.
BAD_USER_INPUT = "BAD_USER_INPUT"
INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"

# Looked up along the exception's MRO, so a subclass inherits its parent's code.
CODE_BY_ERROR: dict[type[errors.CrmError], str] = {
    errors.CrmError: INTERNAL_SERVER_ERROR,
    errors.BadRequestError: BAD_USER_INPUT,
    errors.MetadataValidationError: "METADATA_VALIDATION_FAILED",
    errors.AuthenticationError: "UNAUTHENTICATED",
    errors.ForbiddenError: "FORBIDDEN",
    errors.NotFoundError: "NOT_FOUND",
    errors.MethodNotAllowedError: "METHOD_NOT_ALLOWED",
    errors.ConflictError: "CONFLICT",
    # Beyond Twenty: its codes stay the codes; `subCode` names the error exactly.
    errors.IdempotencyKeyReusedError: BAD_USER_INPUT,
    errors.SyncTokenExpiredError: BAD_USER_INPUT,
    # Twenty answers an oversized or mistyped request, and its rate limiter, as bad input.
    errors.PayloadTooLargeError: BAD_USER_INPUT,
    errors.UnsupportedMediaTypeError: BAD_USER_INPUT,
    errors.ThrottledError: BAD_USER_INPUT,
    errors.StorageUnavailableError: "TIMEOUT",
    errors.RequestDeadlineError: "TIMEOUT",
}

INTERNAL_MESSAGE = "Internal server error"


def code_for(error: errors.CrmError) -> str:
    """The `extensions.code` of a domain error."""
    for cls in type(error).__mro__:
        if cls in CODE_BY_ERROR:
            return CODE_BY_ERROR[cls]
    return INTERNAL_SERVER_ERROR


def error_entry(message: str, code: str, **extra: Any) -> dict[str, Any]:
    """One `errors[]` item without location (request-level errors)."""
    return {"message": message, "extensions": {"code": code, **extra}}


def crm_error_entry(error: errors.CrmError) -> dict[str, Any]:
    """A domain error raised before execution (authentication, metadata)."""
    return error_entry("; ".join(error.messages), code_for(error), subCode=error.code)


def format_error(error: GraphQLError, default_code: str = BAD_USER_INPUT) -> dict[str, Any]:
    """A located error as the spec shapes it, with our code; never a traceback."""
    original = error.original_error
    formatted = error.formatted
    if isinstance(original, errors.CrmError):
        formatted["message"] = "; ".join(original.messages)
        formatted["extensions"] = {"code": code_for(original), "subCode": original.code}
    elif original is not None and not isinstance(original, GraphQLError):
        logger.error("unhandled error in a resolver", exc_info=original)
        formatted["message"] = INTERNAL_MESSAGE
        formatted["extensions"] = {"code": INTERNAL_SERVER_ERROR}
    else:
        formatted["extensions"] = {"code": default_code, **(error.extensions or {})}
    return formatted
