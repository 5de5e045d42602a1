"""The one error hierarchy: every domain error carries a stable code and no transport knowledge."""

from __future__ import annotations


class CrmError(Exception):
    """Base of every error the API reports to a client."""

    code = "INTERNAL_ERROR"
    default_message = "Internal error"
    # Seconds a client should wait before retrying (the Retry-After header), when it matters.
    retry_after: int | None = None

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


class WebhookTargetRefusedError(BadRequestError):
    """A webhook targetUrl that is not http(s) or reaches a non-public address (SSRF guard)."""

    code = "WEBHOOK_TARGET_REFUSED"
    default_message = "The webhook's targetUrl is not allowed"


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


class WebhookNotFoundError(NotFoundError):
    code = "WEBHOOK_NOT_FOUND"
    default_message = "Webhook not found"


class WebhookDeliveryNotFoundError(NotFoundError):
    code = "WEBHOOK_DELIVERY_NOT_FOUND"
    default_message = "Webhook delivery not found"


class MethodNotAllowedError(CrmError):
    code = "METHOD_NOT_ALLOWED"
    default_message = "Method not allowed"


class ConflictError(CrmError):
    code = "CONFLICT"
    default_message = "Conflict"


class UniqueViolationError(ConflictError):
    code = "DUPLICATE_ENTRY"

    def __init__(
        self,
        message: str | None = None,
        *,
        messages: list[str] | None = None,
        claim: tuple[str, str] | None = None,
    ) -> None:
        super().__init__(message, messages=messages)
        # The (field path, value) the write could not take, ("id", record id) for a record id:
        # an upsert that lost a race on one of its own keys retries as an update (core/records).
        self.claim = claim


class RelationRestrictedError(ConflictError):
    """A destroy refused because records still refer to the record (onDelete RESTRICT)."""

    code = "RELATION_RESTRICTED"


class VersionConflictError(ConflictError):
    code = "VERSION_CONFLICT"
    default_message = "The record was changed by another request; retry"


class PayloadTooLargeError(CrmError):
    code = "PAYLOAD_TOO_LARGE"
    default_message = "Request body too large"


class RecordTooLargeError(PayloadTooLargeError):
    """A record whose stored item would pass DynamoDB's 400 KB item limit; nothing is written."""

    code = "RECORD_TOO_LARGE"
    default_message = "The record is too large to store"


class ResponseTooLargeError(PayloadTooLargeError):
    """An answer that cannot be sent under the response limit (Lambda refuses 6 MB)."""

    code = "RESPONSE_TOO_LARGE"
    default_message = "The answer is too large to send; ask for fewer records or fields"


class UnsupportedMediaTypeError(CrmError):
    code = "UNSUPPORTED_MEDIA_TYPE"
    default_message = "Content-Type must be application/json"


class ThrottledError(CrmError):
    code = "THROTTLED"
    default_message = "Too many requests; retry later"


class RateLimitedError(ThrottledError):
    """The key's or the workspace's requests of the current minute are used up."""

    code = "RATE_LIMITED"
    default_message = "Too many requests for this API key or workspace; retry after the window"

    def __init__(self, message: str | None = None, *, retry_after: int = 60) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class InvalidIdempotencyKeyError(BadRequestError):
    code = "INVALID_IDEMPOTENCY_KEY"
    default_message = "Idempotency-Key must be 1 to 255 printable characters"


class IdempotencyKeyReusedError(CrmError):
    """The same Idempotency-Key came back with another request (method, path or body)."""

    code = "IDEMPOTENCY_KEY_REUSED"
    default_message = "This Idempotency-Key was used for a different request"


class IdempotencyKeyInUseError(ConflictError):
    """The first request with this Idempotency-Key is still running."""

    code = "IDEMPOTENCY_KEY_IN_USE"
    default_message = "A request with this Idempotency-Key is still in progress; retry shortly"
    retry_after = 1


class IdempotentAnswerUnavailableError(ConflictError):
    """The first request with this Idempotency-Key wrote, but its answer cannot be replayed (lost
    in a crash, or too large to keep): the client reads the records instead of retrying."""

    code = "IDEMPOTENCY_ANSWER_UNAVAILABLE"
    default_message = "The first request with this Idempotency-Key was applied; read the records"


class InvalidSyncTokenError(BadRequestError):
    code = "INVALID_SYNC_TOKEN"
    default_message = "This sync token was not issued by this API"


class SyncTokenExpiredError(CrmError):
    """The changes after this token are no longer all retained: the client re-syncs whole."""

    code = "SYNC_TOKEN_EXPIRED"
    default_message = "This sync token is older than the retained changes; start a full sync"


class StorageUnavailableError(CrmError):
    code = "STORAGE_UNAVAILABLE"
    default_message = "The database did not answer in time; nothing was lost, retry"


class WriteContentionError(StorageUnavailableError):
    """Concurrent writes to the same records kept invalidating this one for the whole budget."""

    code = "WRITE_CONTENTION"
    default_message = "The records were being changed by other requests; nothing was written, retry"


class RequestDeadlineError(CrmError):
    """A read stopped at the request's deadline, before API Gateway's 29 s timeout."""

    code = "REQUEST_DEADLINE_EXCEEDED"
    default_message = "The request did not finish in time; narrow it"
