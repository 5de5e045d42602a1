"""Driving the real local stack (`make run` = run_local.py): a subprocess, real sockets, urllib."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from chalicelib.settings import SETTINGS

ROOT = Path(__file__).resolve().parents[2]
READY_TIMEOUT = 60.0
PORT_ATTEMPTS = 3
STOP_TIMEOUT = 10.0
# A clean stop takes about one second; the worker-thread case fails fast to keep the module quick.
WORKER_SIGNAL_TIMEOUT = 5.0

# Loopback only: never let an HTTP(S)_PROXY from the environment see these requests.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_refuses_connections(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) != 0


def http(
    method: str, url: str, body: Any = None, *, key: str | None = None
) -> tuple[int, dict[str, Any]]:
    """One request; returns (status, parsed JSON body) for success and error statuses alike."""
    headers = {"Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if key is not None:
        headers["Authorization"] = f"Bearer {key}"
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with _OPENER.open(request, timeout=15) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read() or b"null")


@dataclass
class Stack:
    process: subprocess.Popen[bytes]
    log: Path
    port: int
    dynamodb_port: int
    banner: dict[str, Any]
    data_dir: Path

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def key(self) -> str:
        return self.banner["apiKey"]

    def call(self, method: str, path: str, body: Any = None, *, key: str | None = "default"):
        return http(method, self.api + path, body, key=self.key if key == "default" else key)

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def stack_env(port: int, dynamodb_port: int, dev_key: str, data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    # The stack's own settings, never inherited: tests must not write into the repo's folder.
    for name in ("CRM_DATA_DIR", "FRESH", "CRM_SAVE_SECONDS"):
        env.pop(name, None)
    # The stack must talk to its own DynamoDB endpoint, never to one inherited from pytest.
    env.pop("AWS_ENDPOINT_URL_DYNAMODB", None)
    env.pop("AWS_ENDPOINT_URL", None)
    # chalice.test.Client swaps os.environ per request; used from several threads it can leave
    # the Chalice config's variables (Lambda marker, production table names) behind. Pin what
    # the stack reads so it matches this process's SETTINGS whatever ran before.
    env.pop("AWS_EXECUTION_ENV", None)
    env.update(
        PORT=str(port),
        DYNAMODB_PORT=str(dynamodb_port),
        CRM_DEV_API_KEY=dev_key,
        CRM_MAIN_TABLE=SETTINGS.main_table,
        CRM_KEYS_TABLE=SETTINGS.keys_table,
        AWS_REGION=SETTINGS.region,
        AWS_DEFAULT_REGION=SETTINGS.region,
        PYTHONUNBUFFERED="1",
        CRM_DATA_DIR=str(data_dir),
    )
    return env


def banner_line(text: str) -> dict[str, str] | None:
    """The JSON banner. Searched for inside lines: Chalice's server thread prints "Serving on …"
    concurrently, so the banner can share a line with it (see the report of this test)."""
    decoder = json.JSONDecoder()
    for line in text.splitlines():
        start = line.find('{"api"')
        if start < 0:
            continue
        try:
            parsed, _ = decoder.raw_decode(line, start)
        except ValueError:
            continue
        if isinstance(parsed, dict) and "workspaceId" in parsed:
            return parsed
    return None


def start_stack(
    log: Path,
    dynamodb_port: int,
    dev_key: str,
    *,
    data_dir: Path | None = None,
    env: dict[str, str] | None = None,
) -> Stack:
    """Run run_local.py and wait until /healthz answers and the JSON banner is printed.

    Its data folder is `data_dir`, by default `crm-data` next to the log (so stacks started
    one after the other from one test's tmp_path share it, like restarts of `make run`)."""
    data_dir = data_dir or log.parent / "crm-data"
    for attempt in range(PORT_ATTEMPTS):
        port = free_port()
        while port == dynamodb_port:
            port = free_port()
        with log.open("wb") as sink:
            process = subprocess.Popen(
                [sys.executable, "run_local.py"],
                cwd=ROOT,
                env={**stack_env(port, dynamodb_port, dev_key, data_dir), **(env or {})},
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        stack = _wait_until_ready(process, log, port, dynamodb_port, data_dir)
        if stack is not None:
            return stack
        output = log.read_text(errors="replace")
        # free_port() only finds a port that was free a moment ago: another test's process
        # (tests run on several workers) may take it before the API binds it. Try another.
        lost_the_port = "Address already in use" in output and "create_local_server" in output
        if not lost_the_port or attempt == PORT_ATTEMPTS - 1:
            pytest.fail(f"run_local.py exited with {process.returncode} before ready:\n{output}")
    raise AssertionError("unreachable")


def _wait_until_ready(
    process: subprocess.Popen[bytes], log: Path, port: int, dynamodb_port: int, data_dir: Path
) -> Stack | None:
    """The stack once /healthz answers and the banner is printed; None if it exited first."""
    deadline = time.monotonic() + READY_TIMEOUT
    healthy = False
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return None
        if not healthy:
            try:
                status, body = http("GET", f"http://127.0.0.1:{port}/healthz")
                healthy = status == 200 and body == {"status": "ok"}
            except (OSError, ValueError):
                pass
        banner = banner_line(log.read_text(errors="replace")) if healthy else None
        if banner is not None:
            return Stack(process, log, port, dynamodb_port, banner, data_dir)
        time.sleep(0.1)
    kill_group(process)
    pytest.fail(
        f"run_local.py not ready within {READY_TIMEOUT}s:\n{log.read_text(errors='replace')}"
    )


def kill_group(process: subprocess.Popen[bytes]) -> None:
    """Last-resort cleanup of a stack a failed test left running (its own process group)."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=STOP_TIMEOUT)


def stop_with_sigterm(stack: Stack) -> int:
    stack.process.send_signal(signal.SIGTERM)
    try:
        return stack.process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        kill_group(stack.process)
        pytest.fail(f"run_local.py still running {STOP_TIMEOUT}s after SIGTERM:\n{stack.output()}")


def kill_9(stack: Stack) -> None:
    """What a crash looks like: SIGKILL, no handler runs, nothing more is saved."""
    stack.process.send_signal(signal.SIGKILL)
    stack.process.wait(timeout=STOP_TIMEOUT)


def process_group_is_gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


def wait_until_refused(port: int, timeout: float = 3.0) -> bool:
    deadline = time.monotonic() + timeout
    while not port_refuses_connections(port):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def stored_demo(dynamodb_port: int, workspace_id: str) -> dict[str, int]:
    """How many workspace, metadata and API-key items the demo workspace has in DynamoDB."""
    import boto3

    dynamo = boto3.client(
        "dynamodb", endpoint_url=f"http://127.0.0.1:{dynamodb_port}", region_name=SETTINGS.region
    )

    def count(operation: str, **params: Any) -> int:
        pages = dynamo.get_paginator(operation).paginate(Select="COUNT", **params)
        return sum(page["Count"] for page in pages)

    return {
        "workspaces": count(
            "query",
            TableName=SETTINGS.main_table,
            KeyConditionExpression="pk = :pk AND sk = :sk",
            ExpressionAttributeValues={
                ":pk": {"S": f"WS#{workspace_id}"},
                ":sk": {"S": "#WORKSPACE"},
            },
        ),
        # A re-seed would write the whole standard model again under fresh object/field ids.
        "metadata": count(
            "query",
            TableName=SETTINGS.main_table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": f"WS#{workspace_id}#META"}},
        ),
        "keys": count(
            "scan",
            TableName=SETTINGS.keys_table,
            FilterExpression="workspaceId = :ws",
            ExpressionAttributeValues={":ws": {"S": workspace_id}},
        ),
    }
