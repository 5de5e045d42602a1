"""The real local stack keeps its data in its folder across stops, crashes and 30 SIGTERMs.

Every stack here runs run_local.py as `make run` does, on its own free ports and with its own
data folder under the test's tmp_path (never the repo's `.crm-data/`).
"""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.http.local_stack import (
    ROOT,
    Stack,
    free_port,
    kill_9,
    kill_group,
    port_refuses_connections,
    stack_env,
    start_stack,
    stop_with_sigterm,
    stored_demo,
)

STOPS = 30
# SIGTERM to exit: about 0.1 s here, a final save included; the rest is slack for a busy machine.
STOP_WITHIN_SECONDS = 5.0

LAUNCH_FIELDS: list[dict[str, Any]] = [
    {"type": "NUMBER", "name": "stages", "label": "Stages", "settings": {"dataType": "int"}},
    {"type": "BOOLEAN", "name": "crewed", "label": "Crewed", "defaultValue": False},
    {"type": "DATE_TIME", "name": "liftoff", "label": "Liftoff"},
    {
        "type": "SELECT",
        "name": "status",
        "label": "Status",
        "defaultValue": "'PLANNED'",
        "options": [
            {"value": "PLANNED", "label": "Planned", "position": 0},
            {"value": "FLOWN", "label": "Flown", "position": 1},
        ],
    },
    {"type": "EMAILS", "name": "contact", "label": "Contact", "isUnique": True},
    {"type": "CURRENCY", "name": "cost", "label": "Cost"},
    {"type": "RAW_JSON", "name": "telemetry", "label": "Telemetry"},
    {"type": "ARRAY", "name": "tags", "label": "Tags"},
]


def dev_key() -> str:
    return "crm_dev_" + secrets.token_hex(12)


def create_launches(stack: Stack) -> None:
    """A custom object, its fields, 25 records, one updated and one soft-deleted."""
    status, body = stack.call("POST", "/rest/metadata/objects", {
        "nameSingular": "launch", "namePlural": "launches",
        "labelSingular": "Launch", "labelPlural": "Launches",
    })  # fmt: skip
    assert status == 201, body
    object_id = body["data"]["createOneObject"]["id"]
    for spec in LAUNCH_FIELDS:
        status, body = stack.call(
            "POST", "/rest/metadata/fields", {"objectMetadataId": object_id, **spec}
        )
        assert status == 201, (spec["name"], body)
    launches = [
        {
            "name": f"Launch {n:02d}",
            "stages": n % 3 + 1,
            "crewed": n % 2 == 0,
            "liftoff": f"2031-01-{n + 1:02d}T10:00:00.000Z",
            "contact": {"primaryEmail": f"l{n}@launch.test"},
            "cost": {"amountMicros": n * 1_000_000, "currencyCode": "EUR"},
            "telemetry": {"n": n, "ok": True},
            "tags": [f"t{n}"],
        }
        for n in range(25)
    ]
    status, body = stack.call("POST", "/rest/batch/launches", launches)
    assert status == 201, body
    created = body["data"]["createLaunches"]
    status, body = stack.call("PATCH", f"/rest/launches/{created[3]['id']}", {"status": "FLOWN"})
    assert status == 200, body
    status, body = stack.call("DELETE", f"/rest/launches/{created[4]['id']}?soft_delete=true")
    assert status == 200, body


def everything_visible(stack: Stack) -> dict[str, Any]:
    """What a client sees: the model, pages by index and by default order, counts, one record."""
    seen: dict[str, Any] = {}
    for path in (
        "/rest/metadata/objects",
        "/rest/launches?order_by=name[DescNullsLast]&limit=10",
        "/rest/launches?order_by=createdAt[AscNullsFirst]&limit=7",
        "/rest/launches?filter=stages[eq]:2",
        "/rest/launches?filter=deletedAt[is]:NOT_NULL",
        "/rest/launches?filter=contact.primaryEmail[eq]:l7@launch.test",
        "/rest/launches",
        "/rest/companies",
    ):
        status, body = stack.call("GET", path)
        assert status == 200, (path, body)
        seen[path] = body
    # The second page through the first page's cursor.
    cursor = seen["/rest/launches?order_by=name[DescNullsLast]&limit=10"]["pageInfo"]["endCursor"]
    path = f"/rest/launches?order_by=name[DescNullsLast]&limit=10&starting_after={cursor}"
    seen["second page"] = stack.call("GET", path)[1]
    first_id = seen["/rest/launches"]["data"]["launches"][0]["id"]
    seen["one"] = stack.call("GET", f"/rest/launches/{first_id}")[1]
    return seen


def test_a_custom_object_and_its_records_come_back_identical_after_a_sigterm(tmp_path: Path):
    key = dev_key()
    first = start_stack(tmp_path / "first.log", free_port(), key)
    second = None
    try:
        assert first.banner["loadedItems"] == 0
        create_launches(first)
        before = everything_visible(first)
        assert before["/rest/launches"]["totalCount"] == 24  # one soft-deleted
        assert (
            len(before["/rest/launches?order_by=name[DescNullsLast]&limit=10"]["data"]["launches"])
            == 10
        )
        demo_before = stored_demo(first.dynamodb_port, first.banner["workspaceId"])
        assert stop_with_sigterm(first) == 0, first.output()
        assert "Data saved" in first.output()

        second = start_stack(tmp_path / "second.log", free_port(), key)
        assert second.banner["dataDir"] == str(tmp_path / "crm-data")
        assert second.banner["loadedItems"] > 25
        assert second.banner["loadedRecords"] == 25  # the soft-deleted one included
        assert "25 records" in second.output()
        assert (second.banner["workspaceId"], second.key) == (first.banner["workspaceId"], key)
        assert everything_visible(second) == before
        # Loaded, not seeded again: one workspace item, one key, the same metadata items.
        assert stored_demo(second.dynamodb_port, second.banner["workspaceId"]) == demo_before
        assert demo_before["workspaces"] == 1 and demo_before["keys"] == 1
        # Still writable: the unique email guard came back too.
        status, body = second.call(
            "POST", "/rest/launches", {"contact": {"primaryEmail": "l7@launch.test"}}
        )
        assert status == 409, body
        assert stop_with_sigterm(second) == 0, second.output()
    finally:
        for running in (first, second):
            if running is not None:
                kill_group(running.process)


def test_kill_9_after_a_save_loses_nothing_that_was_saved(tmp_path: Path):
    key = dev_key()
    crashed = start_stack(tmp_path / "crashed.log", free_port(), key, env={"CRM_SAVE_SECONDS": "1"})
    again = None
    try:
        status, body = crashed.call(
            "POST", "/rest/batch/companies", [{"name": f"Survivor {n}"} for n in range(5)]
        )
        assert status == 201, body
        ids = [company["id"] for company in body["data"]["createCompanies"]]
        wait_until_journal_holds(crashed.data_dir, ids, timeout=15)
        kill_9(crashed)
        assert "Data saved" not in crashed.output()  # no handler ran: only periodic saves

        again = start_stack(tmp_path / "again.log", free_port(), key)
        status, body = again.call("GET", "/rest/companies")
        assert status == 200, body
        assert sorted(c["id"] for c in body["data"]["companies"]) == sorted(ids)
        assert body["totalCount"] == 5
        assert stop_with_sigterm(again) == 0, again.output()
    finally:
        for running in (crashed, again):
            if running is not None:
                kill_group(running.process)


def wait_until_journal_holds(folder: Path, texts: list[str], timeout: float) -> None:
    """Until every text is in a complete (newline-ended) line of the data folder's journal."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        saved = b"".join(
            path.read_bytes().rpartition(b"\n")[0] for path in folder.glob("journal-*.jsonl")
        )
        if all(text.encode() in saved for text in texts):
            return
        time.sleep(0.1)
    raise AssertionError(f"not saved within {timeout}s: {texts}")


def test_fresh_1_starts_empty_with_one_new_demo_workspace_and_key(tmp_path: Path):
    key = dev_key()
    first = start_stack(tmp_path / "first.log", free_port(), key)
    fresh = None
    try:
        status, body = first.call("POST", "/rest/companies", {"name": "Forgotten"})
        assert status == 201, body
        assert stop_with_sigterm(first) == 0, first.output()

        fresh = start_stack(tmp_path / "fresh.log", free_port(), key, env={"FRESH": "1"})
        assert (fresh.banner["loadedItems"], fresh.banner["loadedRecords"]) == (0, 0)
        assert "started empty: FRESH=1" in fresh.output()
        assert fresh.banner["workspaceId"] == first.banner["workspaceId"]
        status, body = fresh.call("GET", "/rest/companies")
        assert status == 200, body
        assert body["totalCount"] == 0
        demo = stored_demo(fresh.dynamodb_port, fresh.banner["workspaceId"])
        assert (demo["workspaces"], demo["keys"]) == (1, 1)
        assert stop_with_sigterm(fresh) == 0, fresh.output()
    finally:
        for running in (first, fresh):
            if running is not None:
                kill_group(running.process)


def test_a_data_folder_of_another_format_version_is_refused_and_kept(tmp_path: Path):
    folder = tmp_path / "crm-data"
    folder.mkdir()
    (folder / "format.json").write_text(
        json.dumps({"format": "twenty-serverless-crm local DynamoDB data", "version": 99})
    )
    (folder / "journal-000001.jsonl").write_text('{"items": []}\n')
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    port, dynamodb_port = free_port(), free_port()
    env = stack_env(port, dynamodb_port, dev_key(), folder)
    done = subprocess.run(
        [sys.executable, "run_local.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "version 99" in done.stderr and "FRESH=1" in done.stderr and str(folder) in done.stderr
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.name != ".lock"} == before
    assert port_refuses_connections(dynamodb_port)


def test_thirty_sigterms_in_a_row_each_stop_the_stack_within_seconds(tmp_path: Path):
    # One data folder for all runs: each run finds the companies of the runs before it.
    key = dev_key()
    timings = []
    for run in range(STOPS):
        stack = start_stack(tmp_path / f"run{run}.log", free_port(), key)
        try:
            status, body = stack.call("POST", "/rest/companies", {"name": f"Run {run}"})
            assert status == 201, body
            status, body = stack.call("GET", "/rest/companies?limit=1")
            assert status == 200 and body["totalCount"] == run + 1, body
            started = time.monotonic()
            assert stop_with_sigterm(stack) == 0, stack.output()
            timings.append(time.monotonic() - started)
            assert timings[-1] < STOP_WITHIN_SECONDS, (run, stack.output())
            assert "Data saved" in stack.output()
        finally:
            kill_group(stack.process)
    print(f"{STOPS} stops: longest {max(timings):.2f}s, mean {sum(timings) / STOPS:.2f}s")
