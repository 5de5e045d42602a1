"""Idempotency-Key over HTTP against the real local stack: requests sent at the same moment with
one key write once (the others get the first answer replayed, or 409 with Retry-After while it
runs), and hostile keys are refused with 400 before anything is written.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.http.local_stack import Stack

ROUNDS = 10
SENDERS = 8
# Loopback only: never let an HTTP(S)_PROXY from the environment see these requests.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))

Answer = tuple[int, dict[str, str], Any]


def send(stack: Stack, method: str, path: str, body: Any, key: str | None) -> Answer:
    headers = {"Authorization": f"Bearer {stack.key}", "Content-Type": "application/json"}
    if key is not None:
        headers["Idempotency-Key"] = key
    data = json.dumps(body).encode()
    request = urllib.request.Request(stack.api + path, data=data, headers=headers, method=method)
    try:
        with _OPENER.open(request, timeout=15) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), json.loads(error.read())


def at_once(count: int, call: Any) -> list[Answer]:
    """`count` calls, each in its own thread, released together."""
    barrier = threading.Barrier(count)

    def run(_: int) -> Answer:
        barrier.wait()
        return call()

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def companies_named(stack: Stack, name: str) -> int:
    query = urllib.parse.quote(f'name[eq]:"{name}"')
    status, body = stack.call("GET", f"/rest/companies?filter={query}&limit=200")
    assert status == 200, body
    return len(body["data"]["companies"])


def check_one_write(answers: list[Answer], created: str) -> None:
    """One answer ran the request; every other is its replay or a 409 to retry shortly."""
    first = [a for a in answers if a[0] == 201 and a[1].get("Idempotent-Replayed") is None]
    assert len(first) == 1, [(s, b) for s, _, b in answers]
    for status, headers, body in answers:
        if status == 409:
            assert headers["Retry-After"] == "1"
            assert body["code"] == "IDEMPOTENCY_KEY_IN_USE"
        else:
            assert status == 201, body
            assert body["data"][created] == first[0][2]["data"][created]


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_requests_sent_together_with_one_key_create_exactly_one_record(stack: Stack, round_):
    key, name = str(uuid.uuid4()), f"Together {uuid.uuid4()}"

    answers = at_once(SENDERS, lambda: send(stack, "POST", "/rest/companies", {"name": name}, key))

    check_one_write(answers, "createCompany")
    assert companies_named(stack, name) == 1


def test_batches_sent_together_with_one_key_write_their_records_once(stack: Stack):
    key, tag = str(uuid.uuid4()), uuid.uuid4().hex
    batch = [{"name": f"Batch {tag}"} for _ in range(20)]

    answers = at_once(SENDERS, lambda: send(stack, "POST", "/rest/batch/companies", batch, key))

    check_one_write(answers, "createCompanies")
    assert companies_named(stack, f"Batch {tag}") == 20


def test_graphql_mutations_sent_together_with_one_key_create_exactly_one_record(stack: Stack):
    key, name = str(uuid.uuid4()), f"Gql {uuid.uuid4()}"
    mutation = {"query": f'mutation {{ createCompany(data: {{name: "{name}"}}) {{ id }} }}'}

    answers = at_once(SENDERS, lambda: send(stack, "POST", "/graphql", mutation, key))

    ran = [a for a in answers if a[0] == 200 and a[1].get("Idempotent-Replayed") is None]
    assert len(ran) == 1, answers
    for status, headers, body in answers:
        assert status in (200, 409), body
        if status == 409:
            assert headers["Retry-After"] == "1"
    assert companies_named(stack, name) == 1


def test_a_replay_over_http_carries_the_replayed_header(stack: Stack):
    key, name = str(uuid.uuid4()), f"Replay {uuid.uuid4()}"
    first = send(stack, "POST", "/rest/companies", {"name": name}, key)
    again = send(stack, "POST", "/rest/companies", {"name": name}, key)

    assert first[0] == again[0] == 201
    assert again[1]["Idempotent-Replayed"] == "true"
    assert again[2] == first[2]
    assert companies_named(stack, name) == 1


@pytest.mark.parametrize(
    "hostile", ["k" * 256, "k" * 10_000, "\x7f", "nul\x00byte"], ids=["256", "10k", "del", "nul"]
)
def test_hostile_keys_are_refused_with_400_and_write_nothing(stack: Stack, hostile: str):
    name = f"Hostile {uuid.uuid4()}"
    try:
        status, _, body = send(stack, "POST", "/rest/companies", {"name": name}, hostile)
    except ValueError:
        pytest.skip("the HTTP client refuses to send this header value itself")
    assert status == 400, body
    assert body["code"] == "INVALID_IDEMPOTENCY_KEY"
    assert companies_named(stack, name) == 0
