"""The GraphQL error mapping covers every CrmError and never leaks a traceback."""

from __future__ import annotations

from graphql import GraphQLError

from chalicelib import errors
from chalicelib.graphql.errors import CODE_BY_ERROR, code_for, format_error

TWENTY_CODES = {
    "BAD_USER_INPUT",
    "NOT_FOUND",
    "UNAUTHENTICATED",
    "FORBIDDEN",
    "CONFLICT",
    "METHOD_NOT_ALLOWED",
    "TIMEOUT",
    "INTERNAL_SERVER_ERROR",
    "METADATA_VALIDATION_FAILED",
}


def all_error_classes(root=errors.CrmError):
    found = [root]
    for sub in root.__subclasses__():
        found += all_error_classes(sub)
    return found


def test_every_error_class_maps_to_a_twenty_code():
    for error_class in all_error_classes():
        code = code_for(error_class("x"))
        assert code in TWENTY_CODES, error_class
        if error_class is not errors.CrmError:
            assert code != "INTERNAL_SERVER_ERROR", error_class


def test_the_table_names_only_crm_errors():
    assert all(issubclass(cls, errors.CrmError) for cls in CODE_BY_ERROR)


def test_subclasses_inherit_their_parents_code():
    assert code_for(errors.UpsertConflictError()) == "BAD_USER_INPUT"
    assert code_for(errors.RecordNotFoundError()) == "NOT_FOUND"
    assert code_for(errors.UniqueViolationError()) == "CONFLICT"
    assert code_for(errors.MetadataValidationError()) == "METADATA_VALIDATION_FAILED"


def test_a_domain_error_keeps_its_message_and_names_its_own_code():
    wrapped = GraphQLError("x", original_error=errors.TooManyRecordsError("too many"), path=["a"])
    assert format_error(wrapped) == {
        "message": "too many",
        "path": ["a"],
        "extensions": {"code": "BAD_USER_INPUT", "subCode": "TOO_MANY_RECORDS"},
    }


def test_an_unexpected_error_becomes_a_generic_internal_error():
    wrapped = GraphQLError("secret detail", original_error=KeyError("table"), path=["a"])
    formatted = format_error(wrapped)
    assert formatted["message"] == "Internal server error"
    assert formatted["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
    assert "secret" not in str(formatted) and "table" not in str(formatted)
