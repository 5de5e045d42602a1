"""A refused transaction becomes the domain error that says why, and translation never crashes."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, ReadTimeoutError
from pynamodb.exceptions import CancellationReason, TransactWriteError, VerboseClientError

from chalicelib.core import plan as ops
from chalicelib.errors import (
    PayloadTooLargeError,
    RelationTargetNotFoundError,
    UniqueViolationError,
    VersionConflictError,
)
from chalicelib.storage.executor import _translate

CREATE = ops.PutRecord("person", "p1", {}, version=1)
UPDATE = ops.PutRecord("person", "p2", {}, version=4, expected_version=3)
RESERVE = ops.ReserveUnique("person", "emails.primaryEmail", "ann@example.com", "p1")
RELEASE = ops.ReleaseUnique("person", "emails.primaryEmail", "old@example.com", "p2")
RELATION = ops.RequireRecord("company", "c1", "companyId")


def cancelled(*reasons: tuple[str, str] | None) -> TransactWriteError:
    cause = VerboseClientError(
        {"Error": {"Code": "TransactionCanceledException", "Message": "Transaction cancelled"}},
        "TransactWriteItems",
        cancellation_reasons=[CancellationReason(*r) if r else None for r in reasons],
    )
    return TransactWriteError("Failed to write transaction items", cause)


FAILED = ("ConditionalCheckFailed", "The conditional request failed")


def test_a_taken_unique_value_names_the_field_and_carries_the_claim():
    error = _translate(cancelled(None, FAILED), [CREATE, RESERVE])
    assert isinstance(error, UniqueViolationError)
    assert "emails.primaryEmail" in error.message
    assert error.claim == ("emails.primaryEmail", "ann@example.com")


def test_a_taken_record_id_is_a_unique_violation_on_id():
    error = _translate(cancelled(FAILED, None), [CREATE, RESERVE])
    assert isinstance(error, UniqueViolationError)
    assert error.claim == ("id", "p1")


def test_a_stale_read_outranks_every_other_failed_condition():
    # Read before a concurrent write: the plan itself is suspect, so the command re-reads.
    error = _translate(cancelled(FAILED, FAILED, FAILED), [RELATION, RESERVE, UPDATE])
    assert isinstance(error, VersionConflictError)
    assert isinstance(_translate(cancelled(FAILED, None), [RELEASE, RESERVE]), VersionConflictError)


def test_a_missing_relation_target_outranks_a_taken_value():
    error = _translate(cancelled(FAILED, FAILED), [RELATION, RESERVE])
    assert isinstance(error, RelationTargetNotFoundError)
    assert "companyId" in error.message


def test_dynamodbs_size_limits_are_a_413_not_a_500():
    too_big = ClientError(
        {
            "Error": {
                "Code": "ValidationException",
                "Message": "Transaction request cannot be larger than 4 MB",
            }
        },
        "TransactWriteItems",
    )
    error = _translate(TransactWriteError("failed", too_big), [CREATE])
    assert isinstance(error, PayloadTooLargeError)
    item = ("ValidationError", "Item size has exceeded the maximum allowed size")
    assert isinstance(_translate(cancelled(None, item), [CREATE, RESERVE]), PayloadTooLargeError)


@pytest.mark.parametrize(
    "failure",
    [
        TransactWriteError("failed", None),
        TransactWriteError("failed", ReadTimeoutError(endpoint_url="https://dynamodb.local")),
        TransactWriteError(
            "failed", ClientError({"Error": {"Code": "ValidationException"}}, "TransactWriteItems")
        ),
        cancelled(("ValidationError", "Two operations on one item")),
    ],
    ids=["no cause", "timeout", "validation", "cancelled without a size problem"],
)
def test_what_has_no_domain_meaning_is_handed_back_unchanged_without_crashing(failure):
    assert _translate(failure, [CREATE, RESERVE]) is failure


def test_reasons_beyond_the_known_actions_are_ignored():
    error = _translate(cancelled(None, None, FAILED), [CREATE, RESERVE])
    assert error.__class__ is TransactWriteError
