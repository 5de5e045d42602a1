"""The rate limiter of admission: which limit the headers report, when a window resets, what a
refusal says, and that a limiter which cannot count lets the request through."""

from __future__ import annotations

import logging

import pytest
from botocore.exceptions import ClientError

from chalicelib import request_state
from chalicelib.auth import rate_limits
from chalicelib.auth.rate_limits import Quota, charge, nearest_quota, seconds_to_reset, window_start
from chalicelib.context import Principal
from chalicelib.errors import RateLimitedError, StorageUnavailableError
from chalicelib.storage.rate_limits import WindowCharge
from tests.rate_limit_support import WINDOW_START, set_limits

WORKSPACE = "11111111-1111-4111-8111-111111111111"
KEY = Principal(WORKSPACE, "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa", "sync")
OTHER_KEY = Principal(WORKSPACE, "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb", "backfill")
NOW = WINDOW_START + 10.0


def charged_headers(principal: Principal = KEY, now: float = NOW) -> dict[str, str]:
    """The response headers one charge adds (RateLimitedError propagates)."""
    with request_state.request_scope() as state:
        charge(principal, now_epoch=now)
        return dict(state.response_headers)


# -- windows ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "start", "reset"),
    [
        (WINDOW_START, WINDOW_START, 60),
        (WINDOW_START + 0.2, WINDOW_START, 60),
        (WINDOW_START + 10, WINDOW_START, 50),
        (WINDOW_START + 59.5, WINDOW_START, 1),  # rounded up: never 0
        (WINDOW_START + 60, WINDOW_START + 60, 60),
    ],
)
def test_a_window_is_the_current_minute_and_resets_when_it_ends(now, start, reset):
    assert window_start(now) == start
    assert seconds_to_reset(now) == reset


# -- which limit the headers report -------------------------------------------------------------


def test_the_headers_report_the_key_limit_when_fewer_of_its_requests_are_left():
    outcome = WindowCharge(admitted=True, workspace_count=10, key_count=95)
    quota = nearest_quota(outcome, key_limit=100, workspace_limit=1000, reset=7)
    assert quota == Quota(limit=100, remaining=5, reset_seconds=7)


def test_the_headers_report_the_workspace_limit_when_fewer_of_its_requests_are_left():
    outcome = WindowCharge(admitted=True, workspace_count=98, key_count=3)
    quota = nearest_quota(outcome, key_limit=100, workspace_limit=100, reset=7)
    assert quota == Quota(limit=100, remaining=2, reset_seconds=7)


def test_a_limit_that_is_off_is_never_reported():
    outcome = WindowCharge(admitted=True, workspace_count=None, key_count=99)
    assert nearest_quota(outcome, key_limit=100, workspace_limit=0, reset=1).limit == 100


def test_a_refusal_reports_none_left_even_without_the_counts():
    outcome = WindowCharge(admitted=False, workspace_count=0, key_count=0)
    quota = nearest_quota(outcome, key_limit=100, workspace_limit=50, reset=3)
    assert quota == Quota(limit=50, remaining=0, reset_seconds=3)


# -- charge, against the embedded DynamoDB ------------------------------------------------------


def test_each_request_adds_the_three_headers_with_one_fewer_left(aws, monkeypatch):
    set_limits(monkeypatch, key=3, workspace=10)
    assert charged_headers() == {
        "RateLimit-Limit": "3",
        "RateLimit-Remaining": "2",
        "RateLimit-Reset": "50",
    }
    assert charged_headers()["RateLimit-Remaining"] == "1"
    assert charged_headers()["RateLimit-Remaining"] == "0"


def test_past_the_key_limit_the_request_is_refused_until_the_window_ends(aws, monkeypatch):
    set_limits(monkeypatch, key=2, workspace=10)
    charged_headers(), charged_headers()
    with request_state.request_scope() as state:
        with pytest.raises(RateLimitedError) as refused:
            charge(KEY, now_epoch=NOW + 5)
        assert refused.value.retry_after == 45
        assert state.response_headers == {
            "RateLimit-Limit": "2",
            "RateLimit-Remaining": "0",
            "RateLimit-Reset": "45",
        }
    assert charged_headers(now=WINDOW_START + 60)["RateLimit-Remaining"] == "1"


def test_past_the_workspace_limit_every_key_of_it_is_refused(aws, monkeypatch):
    set_limits(monkeypatch, key=10, workspace=3)
    charged_headers(KEY), charged_headers(OTHER_KEY)
    assert charged_headers(KEY) == {
        "RateLimit-Limit": "3",
        "RateLimit-Remaining": "0",
        "RateLimit-Reset": "50",
    }
    for principal in (KEY, OTHER_KEY):
        with pytest.raises(RateLimitedError):
            charged_headers(principal)
    other_workspace = Principal("22222222-2222-4222-8222-222222222222", "cccc", "elsewhere")
    assert charged_headers(other_workspace)["RateLimit-Remaining"] == "2"


def test_with_both_limits_off_no_dynamodb_call_is_made_and_no_header_added(aws, monkeypatch, meter):
    set_limits(monkeypatch, key=0, workspace=0)
    meter.reset()
    for _ in range(3):
        assert charged_headers() == {}
    assert meter.requests == 0


@pytest.mark.parametrize(
    "failure",
    [
        StorageUnavailableError(),
        ClientError({"Error": {"Code": "ValidationException", "Message": "x"}}, "UpdateItem"),
    ],
    ids=["throttled or unreachable", "refused by DynamoDB"],
)
def test_a_limiter_that_cannot_count_lets_the_request_through_and_logs_it(
    monkeypatch, caplog, failure
):
    set_limits(monkeypatch, key=1, workspace=1)

    def fail(*_args, **_kwargs):
        raise failure

    monkeypatch.setattr(rate_limits, "charge_window", fail)
    with caplog.at_level(logging.WARNING, logger=rate_limits.__name__):
        assert charged_headers() == {}
        assert charged_headers() == {}  # over the limit of 1, had it counted
    assert "rate limiter could not count" in caplog.text
