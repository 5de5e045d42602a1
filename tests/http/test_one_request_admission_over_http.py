"""Admission in one DynamoDB request, over real HTTP against the local stack (`make run`):
tokens naming their workspace, hostile tokens (401, never a 500, nothing returned) and a
revocation racing reads by id (every request sent after it is refused)."""

from __future__ import annotations

import secrets
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.http.local_stack import Stack

FUTURE = "2099-01-01T00:00:00.000Z"
READERS = 8


def new_key(stack: Stack, name: str) -> dict:
    status, body = stack.call("POST", "/rest/metadata/apiKeys", {"name": name, "expiresAt": FUTURE})
    assert status == 201, body
    return body["data"]["createApiKey"]


def new_company(stack: Stack, name: str, key: str | None = "default") -> str:
    status, body = stack.call("POST", "/rest/companies", {"name": name}, key=key)
    assert status == 201, body
    return body["data"]["createCompany"]["id"]


def workspace_hex(stack: Stack) -> str:
    return uuid.UUID(stack.banner["workspaceId"]).hex


def test_a_key_made_over_http_names_its_workspace_and_reads_by_id(stack: Stack):
    key = new_key(stack, "Named")
    assert key["token"].startswith(f"crm_{workspace_hex(stack)}_")
    record_id = new_company(stack, "Named Co", key=key["token"])
    status, body = stack.call("GET", f"/rest/companies/{record_id}", key=key["token"])
    assert status == 200 and body["data"]["company"]["name"] == "Named Co"
    # The stack's own key was chosen by its operator and names no workspace: it still works.
    assert stack.call("GET", f"/rest/companies/{record_id}")[0] == 200


def hostile_tokens(stack: Stack) -> list[str]:
    real = new_key(stack, "Real")["token"]
    secret = real.split("_", 2)[2]
    ours, theirs = workspace_hex(stack), uuid.uuid4().hex
    return [
        f"crm_{ours}_{secrets.token_urlsafe(32)}",  # our workspace, a guessed secret
        f"crm_{theirs}_{secret}",  # a real secret under another workspace
        f"crm_{ours.upper()}_{secret}",
        f"crm_{ours}_",
        f"crm_{ours}_{secret}{'x' * 8000}",
        f"crm_{ours}_{secret}\u00e9",
        f"crm_{ours[:31]}_{secret}",
        f"crm__{secret}",
    ]


def test_hostile_tokens_are_401_with_nothing_returned_never_a_500(stack: Stack):
    record_id = new_company(stack, "Hidden Co")
    for token in hostile_tokens(stack):
        for method, path in (
            ("GET", f"/rest/companies/{record_id}"),
            ("GET", "/rest/companies"),
            ("PATCH", f"/rest/companies/{record_id}"),
        ):
            body = {"name": "Taken"} if method == "PATCH" else None
            status, answer = stack.call(method, path, body, key=token)
            assert status == 401, (token[:60], path, answer)
            assert "data" not in answer and "Hidden Co" not in str(answer)
    assert stack.call("GET", f"/rest/companies/{record_id}")[1]["data"]["company"]["name"] == (
        "Hidden Co"
    )


@pytest.mark.parametrize("round_", range(3))
def test_a_revocation_racing_reads_by_id_refuses_every_request_sent_after_it(
    stack: Stack, round_: int
):
    key = new_key(stack, f"Racing {round_}")
    record_id = new_company(stack, f"Raced {round_}", key=key["token"])
    revoked_at: list[float] = []
    answers: list[tuple[float, int]] = []
    lock = threading.Lock()
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            sent = time.monotonic()
            status, _ = stack.call("GET", f"/rest/companies/{record_id}", key=key["token"])
            with lock:
                answers.append((sent, status))

    with ThreadPoolExecutor(READERS) as pool:
        for _ in range(READERS):
            pool.submit(read)
        time.sleep(0.3)
        status, body = stack.call("DELETE", f"/rest/metadata/apiKeys/{key['id']}")
        assert status == 200, body
        revoked_at.append(time.monotonic())
        time.sleep(0.3)
        stop.set()
    assert {status for _, status in answers} <= {200, 401}, answers
    after = [status for sent, status in answers if sent > revoked_at[0]]
    assert after and set(after) == {401}
    assert any(status == 200 for sent, status in answers if sent < revoked_at[0])
