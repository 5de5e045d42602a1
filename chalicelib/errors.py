"""The one error hierarchy: every domain error carries a stable code and no transport knowledge."""

from __future__ import annotations


class CrmError(Exception):
    """Base of every error the API reports to a client."""

    code = "INTERNAL_ERROR"
    default_message = "Internal error"

    def __init__(self, message: str | None = None, *, messages: list[str] | None = None) -> None:
        self.messages = messages or [message or self.default_message]
        super().__init__(self.messages[0])

    @property
    def message(self) -> str:
        return self.messages[0]


class BadRequestError(CrmError):
    code = "BAD_REQUEST"
    default_message = "Bad request"


class InvalidRequestBodyError(BadRequestError):
    code = "INVALID_REQUEST_BODY"


class InvalidQueryParamError(BadRequestError):
    code = "INVALID_QUERY_PARAM"


class InvalidPathError(BadRequestError):
    code = "INVALID_PATH"


class UnknownObjectError(BadRequestError):
    code = "OBJECT_METADATA_NOT_FOUND"


class InvalidFieldValueError(BadRequestError):
    code = "INVALID_FIELD_VALUE"


class UnknownFieldError(BadRequestError):
    code = "UNKNOWN_FIELD"


class ReadOnlyFieldError(BadRequestError):
    code = "READ_ONLY_FIELD"


class RelationTargetNotFoundError(BadRequestError):
    code = "RELATION_TARGET_NOT_FOUND"


class QueryNeedsIndexError(BadRequestError):
    """A filter or sort would read more than the scan cap without an index."""

    code = "QUERY_NEEDS_INDEX"


class TooManyRecordsError(BadRequestError):
    code = "TOO_MANY_RECORDS"


class UpsertConflictError(BadRequestError):
    code = "UPSERT_MULTIPLE_MATCHING_RECORDS_CONFLICT"


class MetadataValidationError(BadRequestError):
    """A metadata change breaks Twenty's naming or model rules; `messages` lists every problem."""

    code = "METADATA_VALIDATION_FAILED"


class AuthenticationError(CrmError):
    code = "UNAUTHENTICATED"
    default_message = "Missing or invalid API key"


class ForbiddenError(CrmError):
    code = "FORBIDDEN"
    default_message = "Forbidden"


class NotFoundError(CrmError):
    code = "NOT_FOUND"
    default_message = "Not found"


class RecordNotFoundError(NotFoundError):
    code = "RECORD_NOT_FOUND"
    default_message = "Record not found"


class MetadataNotFoundError(NotFoundError):
    code = "METADATA_NOT_FOUND"
    default_message = "Object or field metadata not found"


class RouteNotFoundError(NotFoundError):
    code = "ROUTE_NOT_FOUND"
    default_message = "Route not found"


class MethodNotAllowedError(CrmError):
    code = "METHOD_NOT_ALLOWED"
    default_message = "Method not allowed"


class ConflictError(CrmError):
    code = "CONFLICT"
    default_message = "Conflict"


class UniqueViolationError(ConflictError):
    code = "DUPLICATE_ENTRY"


class RelationRestrictedError(ConflictError):
    """A destroy refused because records still refer to the record (onDelete RESTRICT)."""

    code = "RELATION_RESTRICTED"


class VersionConflictError(ConflictError):
    code = "VERSION_CONFLICT"
    default_message = "The record was changed by another request; retry"


class PayloadTooLargeError(CrmError):
    code = "PAYLOAD_TOO_LARGE"
    default_message = "Request body too large"


class UnsupportedMediaTypeError(CrmError):
    code = "UNSUPPORTED_MEDIA_TYPE"
    default_message = "Content-Type must be application/json"


class ThrottledError(CrmError):
    code = "THROTTLED"
    default_message = "Too many requests; retry later"


class StorageUnavailableError(CrmError):
    code = "STORAGE_UNAVAILABLE"
    default_message = "The database did not accept the write in time; nothing was lost, retry"
