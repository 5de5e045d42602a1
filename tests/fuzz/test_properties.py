"""The fuzzers' oracles refuse what they must: a fuzz run that passes means something."""

from __future__ import annotations

import json

import pytest

from tests.fuzz.properties import assert_graphql_answer, assert_rest_answer
from tests.fuzz.world import NOT_JSON, Answer


def answer(status: int, body: object) -> Answer:
    text = body if isinstance(body, str) else json.dumps(body)
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = NOT_JSON
    return Answer(status, text, parsed)


TWENTY_400 = {"statusCode": 400, "error": "BadRequestException", "messages": ["x"], "code": "C"}


def test_a_rest_answer_passes_when_it_is_a_success_or_a_twenty_error():
    assert_rest_answer(answer(200, {"data": {}}))
    assert_rest_answer(answer(400, TWENTY_400))


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (500, {**TWENTY_400, "statusCode": 500}),
        (503, {**TWENTY_400, "statusCode": 503}),
        (200, "<html>"),
        (400, {"message": "bad", "statusCode": 400}),
        (400, {**TWENTY_400, "statusCode": 404}),
        (400, {**TWENTY_400, "messages": []}),
        (400, {**TWENTY_400, "messages": "x"}),
        (400, {k: v for k, v in TWENTY_400.items() if k != "code"}),
    ],
)
def test_a_rest_answer_fails_on_a_5xx_non_json_or_another_error_shape(status, body):
    with pytest.raises(AssertionError):
        assert_rest_answer(answer(status, body))


def test_a_graphql_answer_passes_with_data_or_coded_errors():
    assert_graphql_answer(answer(200, {"data": {"__typename": "Query"}}))
    error = {"message": "m", "extensions": {"code": "BAD_USER_INPUT"}}
    assert_graphql_answer(answer(400, {"errors": [error]}))
    assert_graphql_answer(answer(200, {"data": {"x": None}, "errors": [error]}))


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (500, {"errors": [{"message": "m", "extensions": {"code": "BAD_USER_INPUT"}}]}),
        (200, {"data": None, "errors": [{"message": "m", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}]}),
        (200, {"errors": [{"message": "m"}]}),
        (400, {"data": None}),
        (200, {"result": 1}),
        (200, "not json"),
    ],
)  # fmt: skip
def test_a_graphql_answer_fails_on_a_5xx_an_internal_error_or_a_missing_code(status, body):
    with pytest.raises(AssertionError):
        assert_graphql_answer(answer(status, body))
