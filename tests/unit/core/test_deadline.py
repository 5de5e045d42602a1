"""The request deadline: reads stop after it, threads keep it, nothing happens outside a request."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from chalicelib.core import deadline
from chalicelib.errors import RequestDeadlineError


def test_a_check_before_the_deadline_lets_the_read_go_on():
    with deadline.request_deadline(5):
        deadline.check()


def test_a_check_after_the_deadline_ends_the_request_with_advice():
    with deadline.request_deadline(0.01), pytest.raises(RequestDeadlineError) as raised:
        time.sleep(0.02)
        deadline.check()
    assert raised.value.code == "REQUEST_DEADLINE_EXCEEDED"
    assert "index" in raised.value.message and "0.01-second" in raised.value.message


def test_outside_a_request_there_is_no_deadline():
    deadline.check()


def test_a_function_carried_to_a_pool_thread_keeps_the_callers_deadline():
    with deadline.request_deadline(0):
        carried = deadline.carried(deadline.check)
    with ThreadPoolExecutor(1) as pool, pytest.raises(RequestDeadlineError):
        pool.submit(carried).result()


def test_the_deadline_ends_with_its_request():
    with deadline.request_deadline(0):
        pass
    deadline.check()
