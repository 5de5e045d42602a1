"""Webhooks end to end over HTTP: `make run`'s entry point delivers to a real receiver.

The stack (run_local.py in a subprocess) runs with a retry base of 0.2 s, 2 retries and
disabling after 3 failed deliveries, so the whole retry schedule plays out in about a second.
The receiver is an HTTP server on loopback in this process (`make run` allows loopback targets);
each test gives its webhook its own path and operations, so tests never see each other's events.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.http.local_stack import Stack, free_port, kill_group, start_stack, stop_with_sigterm

ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 15.0
STACK_ENV = {
    "CRM_WEBHOOK_RETRY_BASE_SECONDS": "0.2",
    "CRM_WEBHOOK_MAX_RETRIES": "2",
    "CRM_WEBHOOK_DISABLE_AFTER": "3",
}
FLAKY_FAILURES = 2  # a /flaky/... path answers 500 to the first two attempts of each event


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float  # time.monotonic()

    @property
    def payload(self) -> dict[str, Any]:
        return json.loads(self.body)

    @property
    def event_id(self) -> str:
        return self.headers["Webhook-Id"]


class Receiver:
    """Accepts POSTs on loopback: /down/... answers 503, /flaky/... fails each event's first
    attempts, anything else 200. Keeps every request."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self._changed = threading.Condition()
        self._attempts: Counter[str] = Counter()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                self.send_response(receiver.note(self.path, dict(self.headers.items()), body))
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_port}{path}"

    def note(self, path: str, headers: dict[str, str], body: bytes) -> int:
        with self._changed:
            self.received.append(Received(path, headers, body, time.monotonic()))
            key = f"{path} {headers.get('Webhook-Id')}"
            self._attempts[key] += 1
            self._changed.notify_all()
            if path.startswith("/down"):
                return 503
            if path.startswith("/flaky") and self._attempts[key] <= FLAKY_FAILURES:
                return 500
            return 200

    def on(self, path: str) -> list[Received]:
        with self._changed:
            return [r for r in self.received if r.path == path]

    def wait_for(self, path: str, count: int, timeout: float = WAIT_SECONDS) -> list[Received]:
        with self._changed:
            self._changed.wait_for(lambda: len(self.on(path)) >= count, timeout)
        return self.on(path)


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    yield running
    running.server.shutdown()
    running.server.server_close()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    log = tmp_path_factory.mktemp("webhook-stack") / "run_local.log"
    dev_key = "crm_dev_" + secrets.token_hex(12)
    running = start_stack(log, free_port(), dev_key, env=STACK_ENV)
    try:
        yield running
    finally:
        kill_group(running.process)


@pytest.fixture(scope="module")
def rockets(stack: Stack) -> str:
    """A custom object created through the metadata API."""
    status, body = stack.call("POST", "/rest/metadata/objects", {
        "nameSingular": "rocket", "namePlural": "rockets",
        "labelSingular": "Rocket", "labelPlural": "Rockets",
    })  # fmt: skip
    assert status == 201, body
    return "rockets"


def create_webhook(stack: Stack, receiver: Receiver, path: str, operations: list[str]) -> dict:
    secret = secrets.token_hex(16)
    status, body = stack.call("POST", "/rest/metadata/webhooks", {
        "targetUrl": receiver.url(path), "operations": operations, "secret": secret,
        "description": f"test {path}",
    })  # fmt: skip
    assert status == 201, body
    created = body["data"]["createWebhook"]
    assert created["secret"] == secret  # shown once, at creation
    return created


def deliveries(stack: Stack, webhook_id: str) -> list[dict[str, Any]]:
    status, body = stack.call("GET", f"/rest/metadata/webhooks/{webhook_id}/deliveries")
    assert status == 200, body
    return body["data"]["webhookDeliveries"]


def eventually(check: Callable[[], Any], timeout: float = WAIT_SECONDS) -> Any:
    """The first truthy result of `check`, polled until `timeout`; the last result otherwise."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.1)


def assert_signed(received: Received, secret: str) -> None:
    timestamp = received.headers["X-Twenty-Webhook-Timestamp"]
    expected = hmac.new(
        secret.encode(), timestamp.encode() + b":" + received.body, hashlib.sha256
    ).hexdigest()
    assert received.headers["X-Twenty-Webhook-Signature"] == expected
    assert abs(time.time() * 1000 - int(timestamp)) < 60_000


# --- every event type, on a standard and on a custom object ------------------------------------


@pytest.mark.parametrize(("plural", "singular"), [("companies", "company"), ("rockets", "rocket")])
def test_every_event_type_reaches_the_receiver_signed_with_a_stable_webhook_id(
    stack, receiver, rockets, plural, singular
):
    path = f"/events/{singular}"
    webhook = create_webhook(stack, receiver, path, [f"{singular}.*"])
    written_at = time.monotonic()
    status, body = stack.call("POST", f"/rest/{plural}", {"name": "Acme"})
    assert status == 201, body
    record_id = next(iter(body["data"].values()))["id"]
    one = f"/rest/{plural}/{record_id}"
    first = receiver.wait_for(path, 1)
    assert first, "no delivery"
    latency = first[0].at - written_at
    assert latency < 3.0, f"first delivery after {latency:.2f} s"  # "within about a second"

    # One change at a time: each event is delivered before the next write, so the events are
    # in write order (deliveries of different records are not ordered).
    steps = [
        ("PATCH", one, {"name": "Acme Corp"}),
        ("DELETE", one + "?soft_delete=true", None),
        ("PATCH", f"/rest/restore/{plural}/{record_id}", None),
        ("DELETE", one, None),
    ]
    for count, (method, target, payload) in enumerate(steps, start=2):
        status, answer = stack.call(method, target, payload)
        assert status == 200, answer
        assert len(receiver.wait_for(path, count)) == count

    got = receiver.on(path)
    actions = ["created", "updated", "deleted", "restored", "destroyed"]
    assert [r.payload["eventName"] for r in got] == [f"{singular}.{a}" for a in actions]
    for received in got:
        assert_signed(received, webhook["secret"])
        payload = received.payload
        assert list(payload)[:7] == [
            "targetUrl", "eventName", "objectMetadata", "workspaceId", "webhookId", "eventDate",
            "record",
        ]  # fmt: skip
        assert payload["targetUrl"] == receiver.url(path)
        assert payload["webhookId"] == webhook["id"]
        assert payload["workspaceId"] == stack.banner["workspaceId"]
        assert payload["objectMetadata"]["nameSingular"] == singular
        assert payload["record"]["id"] == record_id
        assert received.headers["Content-Type"] == "application/json"
    updated = got[1].payload
    assert "name" in updated["updatedFields"] and updated["record"]["name"] == "Acme Corp"
    assert all("updatedFields" not in r.payload for i, r in enumerate(got) if i != 1)
    assert got[2].payload["record"]["deletedAt"] is not None
    assert got[3].payload["record"]["deletedAt"] is None
    assert len({r.event_id for r in got}) == 5  # one id per event
    logged = deliveries(stack, webhook["id"])
    assert {d["eventId"] for d in logged} == {r.event_id for r in got}
    assert {d["status"] for d in logged} == {"DELIVERED"}


def test_a_batch_of_60_records_is_60_events(stack, receiver):
    path = "/batch"
    create_webhook(stack, receiver, path, ["person.created"])
    people = [{"name": {"firstName": f"P{n}", "lastName": "Batch"}} for n in range(60)]
    status, body = stack.call("POST", "/rest/batch/people", people)
    assert status == 201, body
    ids = {person["id"] for person in body["data"]["createPeople"]}

    got = receiver.wait_for(path, 60)
    time.sleep(0.5)  # and no more than 60
    assert len(receiver.on(path)) == 60
    assert {r.payload["record"]["id"] for r in got} == ids
    assert {r.payload["eventName"] for r in got} == {"person.created"}
    assert len({r.event_id for r in got}) == 60


# --- retries, the delivery log, replay, disabling ----------------------------------------------


@pytest.fixture(scope="module")
def flaky_delivery(stack, receiver) -> dict[str, Any]:
    """One event to a receiver that fails twice: (webhook, the requests it got, its log entry)."""
    path = "/flaky/opportunity"
    webhook = create_webhook(stack, receiver, path, ["opportunity.created"])
    status, body = stack.call("POST", "/rest/opportunities", {"name": "Big deal"})
    assert status == 201, body
    got = receiver.wait_for(path, FLAKY_FAILURES + 1)
    (logged,) = eventually(
        lambda: [d for d in deliveries(stack, webhook["id"]) if d["status"] == "DELIVERED"]
    )
    return {"webhook": webhook, "path": path, "received": got, "logged": logged}


def test_a_receiver_failing_twice_gets_the_event_on_the_third_attempt_and_the_log_shows_it(
    flaky_delivery,
):
    got = flaky_delivery["received"]
    assert len(got) == 3
    assert len({r.event_id for r in got}) == 1  # the same event each time
    assert len({r.headers["X-Twenty-Webhook-Nonce"] for r in got}) == 3
    for received in got:
        assert_signed(received, flaky_delivery["webhook"]["secret"])  # signed anew each time
    # The retries come after the base delay and its double (jittered down by up to half).
    assert got[1].at - got[0].at >= 0.1
    assert got[2].at - got[1].at >= 0.2
    logged = flaky_delivery["logged"]
    assert logged["attempts"] == 3
    assert logged["status"] == "DELIVERED"
    assert logged["lastStatusCode"] == 200
    assert logged["lastError"] is None and logged["nextAttemptAt"] is None
    assert logged["eventId"] == got[0].event_id
    assert logged["eventName"] == "opportunity.created"


def test_a_replay_sends_the_delivery_again_with_the_same_webhook_id(
    stack, receiver, flaky_delivery
):
    webhook_id, logged = flaky_delivery["webhook"]["id"], flaky_delivery["logged"]
    before = len(receiver.on(flaky_delivery["path"]))
    status, body = stack.call(
        "POST", f"/rest/metadata/webhooks/{webhook_id}/deliveries/{logged['id']}/replay"
    )
    assert status in (200, 201), body

    got = receiver.wait_for(flaky_delivery["path"], before + 1)
    assert len(got) == before + 1
    assert got[-1].event_id == logged["eventId"]
    assert got[-1].body == flaky_delivery["received"][-1].body
    replayed = eventually(lambda: [d for d in deliveries(stack, webhook_id) if d["attempts"] == 4])
    assert replayed and replayed[0]["status"] == "DELIVERED"


def test_a_target_that_always_fails_gets_its_webhook_disabled_with_a_reason(stack, receiver):
    path = "/down"
    webhook = create_webhook(stack, receiver, path, ["note.created"])
    for n in range(3):  # CRM_WEBHOOK_DISABLE_AFTER=3 deliveries, each failing 3 attempts
        status, body = stack.call("POST", "/rest/notes", {"title": f"note {n}"})
        assert status == 201, body

    def disabled() -> dict[str, Any] | None:
        status, body = stack.call("GET", f"/rest/metadata/webhooks/{webhook['id']}")
        assert status == 200, body
        found = body["data"]["webhook"]
        return found if found["status"] == "DISABLED" else None

    found = eventually(disabled)
    assert found, "the webhook was not disabled"
    assert found["disabledReason"]
    assert "secret" not in found or not found["secret"]
    assert len(receiver.on(path)) == 9  # 3 deliveries x (1 attempt + 2 retries)
    assert {d["status"] for d in deliveries(stack, webhook["id"])} == {"FAILED"}
    assert {d["lastStatusCode"] for d in deliveries(stack, webhook["id"])} == {503}

    # Disabled, it gets nothing (a second webhook shows when the stream has dispatched the
    # note); any update makes it ACTIVE again.
    create_webhook(stack, receiver, "/witness", ["note.created"])
    stack.call("POST", "/rest/notes", {"title": "while disabled"})
    assert receiver.wait_for("/witness", 1)
    status, body = stack.call(
        "PATCH", f"/rest/metadata/webhooks/{webhook['id']}", {"targetUrl": receiver.url("/up")}
    )
    assert status == 200, body
    assert body["data"]["updateWebhook"]["status"] == "ACTIVE"
    assert body["data"]["updateWebhook"]["disabledReason"] is None
    stack.call("POST", "/rest/notes", {"title": "after the fix"})
    (delivered,) = receiver.wait_for("/up", 1)
    assert delivered.payload["record"]["title"] == "after the fix"
    assert len(receiver.on(path)) == 9


# --- the documentation's verification snippet ---------------------------------------------------


def documented_verifier() -> Callable[[str, Any, bytes], bool]:
    """The Python block under "Verifying a signature" in docs/webhooks.md, run as it is."""
    text = (ROOT / "docs" / "webhooks.md").read_text()
    section = text.split("## Verifying a signature", 1)[1]
    (code,) = re.findall(r"```python\n(.*?)```", section.split("\n## ", 1)[0], re.S)
    namespace: dict[str, Any] = {}
    exec(compile(code, "docs/webhooks.md", "exec"), namespace)  # noqa: S102 - our own docs
    return namespace["is_signed_by_the_crm"]


def test_the_documented_verification_accepts_a_real_delivery_and_rejects_a_tampered_one(
    stack, receiver
):
    path = "/docs"
    webhook = create_webhook(stack, receiver, path, ["task.created"])
    status, body = stack.call("POST", "/rest/tasks", {"title": "check the docs"})
    assert status == 201, body
    (received,) = receiver.wait_for(path, 1)
    verify = documented_verifier()

    assert verify(webhook["secret"], received.headers, received.body)
    assert not verify("another secret", received.headers, received.body)
    assert not verify(webhook["secret"], received.headers, received.body + b" ")
    stale = {**received.headers, "X-Twenty-Webhook-Timestamp": "1000"}
    assert not verify(webhook["secret"], stale, received.body)


# --- restarts -----------------------------------------------------------------------------------


def test_after_a_restart_over_the_same_data_a_webhook_made_before_still_delivers(
    tmp_path, receiver
):
    dev_key = "crm_dev_" + secrets.token_hex(12)
    first = start_stack(tmp_path / "first.log", free_port(), dev_key, env=STACK_ENV)
    try:
        create_webhook(first, receiver, "/restart", ["company.created"])
    finally:
        assert stop_with_sigterm(first) == 0
    again = start_stack(tmp_path / "again.log", free_port(), dev_key, env=STACK_ENV)
    try:
        status, body = again.call("POST", "/rest/companies", {"name": "After restart"})
        assert status == 201, body
        (delivered,) = receiver.wait_for("/restart", 1)
        assert delivered.payload["record"]["name"] == "After restart"
    finally:
        kill_group(again.process)
