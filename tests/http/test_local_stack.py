"""The real local stack (`make run` = run_local.py) over HTTP: a subprocess, real sockets, urllib.

The module-scoped `stack` fixture (conftest.py) starts run_local.py once on two free loopback
ports; the tests below talk to it like any Twenty REST client would, and the last one using it
stops it with SIGTERM. The remaining tests start stacks of their own.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests.http.local_stack import (
    STOP_TIMEOUT,
    WORKER_SIGNAL_TIMEOUT,
    Stack,
    free_port,
    kill_group,
    port_refuses_connections,
    process_group_is_gone,
    start_stack,
    stop_with_sigterm,
    stored_demo,
    wait_until_refused,
)

# --- REST round trips --------------------------------------------------------------------------


def test_the_banner_reports_the_api_url_the_demo_workspace_and_the_chosen_dev_key(stack: Stack):
    assert stack.banner["api"] == stack.api
    assert stack.banner["apiKey"].startswith("crm_dev_")
    assert len(stack.banner["workspaceId"]) == 36


def test_a_company_goes_through_create_read_update_soft_delete_restore_and_destroy(stack: Stack):
    status, created = stack.call("POST", "/rest/companies", {"name": "Acme", "employees": 10})
    assert status == 201, created
    company = created["data"]["createCompany"]
    company_id = company["id"]
    assert company["name"] == "Acme"
    assert company["deletedAt"] is None
    path = f"/rest/companies/{company_id}"

    status, got = stack.call("GET", path)
    assert status == 200, got
    assert got["data"]["company"]["id"] == company_id
    assert got["data"]["company"]["employees"] == 10

    status, updated = stack.call("PATCH", path, {"name": "Acme Corp"})
    assert status == 200, updated
    assert updated["data"]["updateCompany"]["name"] == "Acme Corp"
    assert updated["data"]["updateCompany"]["employees"] == 10
    assert stack.call("GET", path)[1]["data"]["company"]["name"] == "Acme Corp"

    status, soft = stack.call("DELETE", path + "?soft_delete=true")
    assert status == 200, soft
    assert soft["data"]["deleteCompany"]["id"] == company_id

    status, missing = stack.call("GET", path)
    assert status == 404
    assert set(missing) == {"statusCode", "error", "messages", "code"}
    assert missing["statusCode"] == 404
    assert missing["error"] == "NotFoundException"
    assert isinstance(missing["messages"], list) and len(missing["messages"]) == 1
    assert missing["code"] == "RECORD_NOT_FOUND"

    status, restored = stack.call("PATCH", f"/rest/restore/companies/{company_id}")
    assert status == 200, restored
    assert restored["data"]["restoreCompany"]["id"] == company_id
    assert restored["data"]["restoreCompany"]["deletedAt"] is None
    assert stack.call("GET", path)[0] == 200

    status, destroyed = stack.call("DELETE", path)
    assert status == 200, destroyed
    assert destroyed["data"]["deleteCompany"]["id"] == company_id
    assert stack.call("GET", path)[0] == 404
    # Destroyed, not soft-deleted: there is nothing left to restore.
    assert stack.call("PATCH", f"/rest/restore/companies/{company_id}")[0] == 404


def _person(first: str, email: str, city: str = "") -> dict[str, Any]:
    return {
        "name": {"firstName": first, "lastName": "Tester"},
        "emails": {"primaryEmail": email, "additionalEmails": []},
        "city": city,
    }


def test_a_batch_creates_three_people_and_an_upsert_batch_updates_one_and_adds_one(stack: Stack):
    batch = [
        _person("Ada", "ada@example.com"),
        _person("Bob", "bob@example.com"),
        _person("Cy", "cy@example.com"),
    ]
    status, created = stack.call("POST", "/rest/batch/people", batch)
    assert status == 201, created
    people = created["data"]["createPeople"]
    assert [p["emails"]["primaryEmail"] for p in people] == [
        "ada@example.com",
        "bob@example.com",
        "cy@example.com",
    ]
    assert len({p["id"] for p in people}) == 3
    bob_id = people[1]["id"]

    upsert = [_person("Bob", "bob@example.com", city="Paris"), _person("Dee", "dee@example.com")]
    status, upserted = stack.call("POST", "/rest/batch/people?upsert=true", upsert)
    assert status == 201, upserted
    bob, dee = upserted["data"]["createPeople"]
    assert bob["id"] == bob_id
    assert bob["city"] == "Paris"
    assert dee["id"] not in {p["id"] for p in people}
    assert stack.call("GET", f"/rest/people/{bob_id}")[1]["data"]["person"]["city"] == "Paris"

    status, listed = stack.call("GET", "/rest/people")
    assert status == 200, listed
    assert listed["totalCount"] == 4
    emails = sorted(p["emails"]["primaryEmail"] for p in listed["data"]["people"])
    assert emails == ["ada@example.com", "bob@example.com", "cy@example.com", "dee@example.com"]


def test_a_request_without_an_api_key_is_refused_with_401(stack: Stack):
    status, body = stack.call("GET", "/rest/companies", key=None)
    assert status == 401
    assert body["statusCode"] == 401
    assert body["error"] == "UnauthorizedException"
    assert body["code"] == "UNAUTHENTICATED"
    status, body = stack.call("GET", "/rest/companies", key="crm_not-a-real-key")
    assert status == 401
    assert body["code"] == "UNAUTHENTICATED"


# Last of the tests using `stack`: it stops the shared stack.
def test_sigterm_stops_the_api_and_its_dynamodb_within_ten_seconds(stack: Stack):
    assert not port_refuses_connections(stack.port)
    assert not port_refuses_connections(stack.dynamodb_port)
    started = time.monotonic()
    assert stop_with_sigterm(stack) == 0, stack.output()
    assert time.monotonic() - started < STOP_TIMEOUT
    assert process_group_is_gone(stack.process.pid)
    assert wait_until_refused(stack.port), "the API port still accepts connections"
    assert wait_until_refused(stack.dynamodb_port), "the DynamoDB port still accepts connections"


# POSIX lets the kernel hand a process-directed signal to any thread that does not block it.
# kill(2) on a worker thread's id makes Linux pick that thread, which makes the case repeatable.
@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc thread ids")
def test_sigterm_received_by_a_worker_thread_still_stops_the_stack(tmp_path: Path):
    running = start_stack(
        tmp_path / "run_local.log", free_port(), "crm_dev_" + secrets.token_hex(8)
    )
    try:
        task_dir = Path(f"/proc/{running.process.pid}/task")
        workers = sorted(
            int(tid) for tid in os.listdir(task_dir) if int(tid) != running.process.pid
        )
        assert workers, "the stack should run its servers in threads"
        started = time.monotonic()
        os.kill(workers[-1], signal.SIGTERM)
        try:
            returncode = running.process.wait(timeout=WORKER_SIGNAL_TIMEOUT)
        except subprocess.TimeoutExpired:
            pytest.fail(
                f"SIGTERM delivered to thread {workers[-1]} did not stop run_local.py "
                f"within {WORKER_SIGNAL_TIMEOUT}s:\n{running.output()}"
            )
        assert returncode == 0, running.output()
        assert time.monotonic() - started < WORKER_SIGNAL_TIMEOUT
        assert wait_until_refused(running.port)
        assert wait_until_refused(running.dynamodb_port)
    finally:
        kill_group(running.process)


# --- restart over an existing DynamoDB ---------------------------------------------------------


def test_restarting_over_an_existing_dynamodb_does_not_duplicate_the_demo_workspace(
    tmp_path: Path,
):
    from moto.server import ThreadedMotoServer

    dynamodb_port = free_port()
    dynamodb = ThreadedMotoServer(ip_address="127.0.0.1", port=dynamodb_port, verbose=False)
    dynamodb.start()
    dev_key = "crm_dev_" + secrets.token_hex(12)
    first = second = None
    try:
        first = start_stack(tmp_path / "first.log", dynamodb_port, dev_key)
        assert first.key == dev_key
        status, created = first.call("POST", "/rest/companies", {"name": "Survives restarts"})
        assert status == 201, created
        company_id = created["data"]["createCompany"]["id"]
        assert stop_with_sigterm(first) == 0, first.output()
        after_first = stored_demo(dynamodb_port, first.banner["workspaceId"])
        assert after_first["metadata"] > 0
        # run_local.py did not start this DynamoDB, so it must leave it running.
        assert not port_refuses_connections(dynamodb_port)

        second = start_stack(tmp_path / "second.log", dynamodb_port, dev_key)
        assert second.banner["workspaceId"] == first.banner["workspaceId"]
        assert second.key == dev_key
        status, got = second.call("GET", f"/rest/companies/{company_id}")
        assert status == 200, got
        assert got["data"]["company"]["name"] == "Survives restarts"
        status, listed = second.call("GET", "/rest/companies")
        assert status == 200, listed
        assert listed["totalCount"] == 1
        for run in (first, second):
            assert "Reusing the DynamoDB" in run.output()

        after_second = stored_demo(dynamodb_port, second.banner["workspaceId"])
        assert after_second == after_first
        assert after_second["workspaces"] == 1
        assert after_second["keys"] == 1  # the dev key was found again, not issued twice
        assert stop_with_sigterm(second) == 0, second.output()
    finally:
        for run in (first, second):
            if run is not None:
                kill_group(run.process)
        dynamodb.stop()
    assert port_refuses_connections(dynamodb_port)
