"""The middleware of every route: limits open per request, shortened pages flagged, and nothing
over Lambda's 6 MiB response limit ever sent (the local server refuses what AWS would)."""

from __future__ import annotations

import json

from chalice import Response

from chalicelib.core import budget, deadline
from chalicelib.rest.request_limits import (
    LAMBDA_RESPONSE_BYTES,
    SHORTENED_HEADER,
    lambda_response_bytes,
    request_limits,
)


def answer(body) -> Response:
    return Response(body=body, status_code=200, headers={"Content-Type": "application/json"})


def test_a_response_over_lambdas_limit_becomes_a_413_in_twentys_shape():
    huge = json.dumps({"data": "x" * LAMBDA_RESPONSE_BYTES})
    response = request_limits(object(), lambda _: answer(huge))
    assert response.status_code == 413
    body = json.loads(response.body)
    assert body["code"] == "RESPONSE_TOO_LARGE" and body["error"] == "PayloadTooLargeException"


def test_quotes_count_twice_toward_lambdas_limit():
    # Under the limit as text, over it once Lambda escapes every quote of the body.
    quoted = json.dumps(['"'] * (LAMBDA_RESPONSE_BYTES // 6), separators=(",", ":"))
    assert len(quoted) < LAMBDA_RESPONSE_BYTES < lambda_response_bytes(answer(quoted))
    assert request_limits(object(), lambda _: answer(quoted)).status_code == 413


def test_a_response_under_the_limit_passes_unchanged():
    small = answer('{"data":[]}')
    assert request_limits(object(), lambda _: small) is small
    assert SHORTENED_HEADER not in small.headers


def test_the_deadline_and_budget_last_exactly_as_long_as_the_request():
    seen = {}

    def view(_request):
        seen["budget"] = budget.current()
        seen["deadline"] = deadline._current.get()
        return answer("{}")

    request_limits(object(), view)
    assert seen["budget"] is not None and seen["deadline"] is not None
    assert budget.current() is None and deadline._current.get() is None


def test_a_shortened_page_is_flagged_in_a_header():
    def view(_request):
        page = [{"id": str(i), "name": "x" * 100_000} for i in range(100)]
        assert len(budget.fit_page(page)) < 100
        return answer("{}")

    response = request_limits(object(), view)
    assert response.headers[SHORTENED_HEADER] == "response-size"
