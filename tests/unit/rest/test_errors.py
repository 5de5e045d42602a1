"""The REST error mapping covers every CrmError and produces Twenty's error body."""

from __future__ import annotations

import json

from chalicelib import errors
from chalicelib.rest.errors import ERROR_NAME_BY_STATUS, error_response, status_for


def all_error_classes(root=errors.CrmError):
    found = [root]
    for sub in root.__subclasses__():
        found += all_error_classes(sub)
    return found


def test_every_error_class_maps_to_a_named_status():
    for error_class in all_error_classes():
        status = status_for(error_class("x"))
        assert status in ERROR_NAME_BY_STATUS, error_class
        if error_class is not errors.CrmError:
            assert status != 500, error_class


def test_every_error_class_has_its_own_stable_code():
    codes = [cls.code for cls in all_error_classes()]
    assert len(codes) == len(set(codes))


def test_error_response_has_twenty_shape():
    response = error_response(errors.RecordNotFoundError())
    assert response.status_code == 404
    assert json.loads(response.body) == {
        "statusCode": 404,
        "error": "NotFoundException",
        "messages": ["Record not found"],
        "code": "RECORD_NOT_FOUND",
    }


def test_subclasses_inherit_their_parents_status():
    assert status_for(errors.UniqueViolationError("dup")) == 409
    assert status_for(errors.InvalidFieldValueError("bad")) == 400
    assert status_for(errors.StorageUnavailableError()) == 503


def test_throttling_answers_carry_retry_after():
    assert error_response(errors.ThrottledError()).headers["Retry-After"] == "1"
