"""Rate limits over real HTTP on the local stack: concurrent requests never pass a limit.

Each scenario runs on its own stack (its own DynamoDB, limits set through the environment as a
deployment sets them) and sends its burst within one minute window: it waits for the next
window when too little of the current one is left for the burst to fit.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest

from tests.http.local_stack import Stack, free_port, kill_group, start_stack

KEY_LIMIT = 12
WORKSPACE_LIMIT = 15
EXTRA = 8  # requests past the limit in each burst
# Loopback only: never let an HTTP(S)_PROXY from the environment see these requests.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: Any


def send(stack: Stack, method: str, path: str, body: Any = None, *, token: str) -> Answer:
    data = None if body is None else json.dumps(body).encode()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    request = urllib.request.Request(stack.api + path, data=data, headers=headers, method=method)
    try:
        with _OPENER.open(request, timeout=30) as response:
            return Answer(response.status, dict(response.headers), json.loads(response.read()))
    except urllib.error.HTTPError as error:
        with error:
            return Answer(error.code, dict(error.headers), json.loads(error.read() or b"null"))


def limited_stack(tmp_path_factory: pytest.TempPathFactory, **limits: str) -> Iterator[Stack]:
    log = tmp_path_factory.mktemp("rate-limited-stack") / "run_local.log"
    running = start_stack(log, free_port(), "crm_dev_" + secrets.token_hex(12), env=limits)
    try:
        yield running
    finally:
        kill_group(running.process)


@pytest.fixture(scope="module")
def key_limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    yield from limited_stack(
        tmp_path_factory,
        CRM_RATE_LIMIT_PER_MINUTE=str(KEY_LIMIT),
        CRM_WORKSPACE_RATE_LIMIT_PER_MINUTE="0",
    )


@pytest.fixture(scope="module")
def workspace_limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    yield from limited_stack(
        tmp_path_factory,
        CRM_RATE_LIMIT_PER_MINUTE="0",
        CRM_WORKSPACE_RATE_LIMIT_PER_MINUTE=str(WORKSPACE_LIMIT),
    )


def within_one_window(seconds_needed: float = 20.0) -> None:
    """Return once at least `seconds_needed` of the current minute window are left."""
    left = 60 - time.time() % 60
    if left < seconds_needed:
        time.sleep(left + 0.5)


def burst(stack: Stack, tokens: list[str]) -> list[Answer]:
    """One GET per token, every thread released together."""
    barrier = threading.Barrier(len(tokens))

    def run(token: str) -> Answer:
        barrier.wait()
        return send(stack, "GET", "/rest/companies?limit=1", token=token)

    with ThreadPoolExecutor(len(tokens)) as pool:
        return list(pool.map(run, tokens))


def assert_refused(answer: Answer, limit: int) -> None:
    assert answer.status == 429, answer
    assert answer.body["code"] == "RATE_LIMITED"
    assert answer.headers["RateLimit-Limit"] == str(limit)
    assert answer.headers["RateLimit-Remaining"] == "0"
    assert 1 <= int(answer.headers["Retry-After"]) <= 60


def test_concurrent_requests_of_one_key_never_pass_its_limit(key_limited: Stack):
    within_one_window()
    answers = burst(key_limited, [key_limited.key] * (KEY_LIMIT + EXTRA))
    passed = [answer for answer in answers if answer.status == 200]
    assert len(passed) == KEY_LIMIT, [answer.status for answer in answers]
    # Each admitted request was counted alone: every count from 1 to the limit, once.
    remaining = sorted(int(answer.headers["RateLimit-Remaining"]) for answer in passed)
    assert remaining == list(range(KEY_LIMIT))
    for answer in answers:
        if answer.status != 200:
            assert_refused(answer, KEY_LIMIT)


def test_concurrent_requests_of_two_keys_never_pass_their_workspace_limit(
    workspace_limited: Stack,
):
    second_key = {"name": "second", "expiresAt": "2099-01-01T00:00:00Z"}
    created = send(
        workspace_limited, "POST", "/rest/metadata/apiKeys", second_key, token=workspace_limited.key
    )
    assert created.status == 201, created
    second = created.body["data"]["createApiKey"]["token"]
    within_one_window()
    probe = send(workspace_limited, "GET", "/rest/companies?limit=1", token=second)
    left = int(probe.headers["RateLimit-Remaining"])  # the key creation may share this window
    assert left >= WORKSPACE_LIMIT - 2
    tokens = [workspace_limited.key, second] * ((left + EXTRA) // 2 + 1)
    answers = burst(workspace_limited, tokens)
    passed = [answer for answer in answers if answer.status == 200]
    assert len(passed) == left, [answer.status for answer in answers]
    for answer in answers:
        if answer.status != 200:
            assert_refused(answer, WORKSPACE_LIMIT)
