"""X-Ray by hand: each DynamoDB call of a traced, sampled invocation reaches the daemon's UDP
port as a subsegment of the function's segment; nothing is sent otherwise."""

from __future__ import annotations

import json
import socket
from dataclasses import replace

import pytest

from chalicelib.observability import xray
from chalicelib.settings import SETTINGS
from chalicelib.storage.connection import call

TRACE = "1-5759e988-bd862e3fe1be46a994272793"
PARENT = "53995c3f42cd8ad8"


@pytest.fixture
def daemon(monkeypatch):
    """A UDP socket on loopback standing in for the X-Ray daemon, tracing on."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as receiver:
        receiver.bind(("127.0.0.1", 0))
        receiver.settimeout(2)
        monkeypatch.setenv("AWS_XRAY_DAEMON_ADDRESS", f"127.0.0.1:{receiver.getsockname()[1]}")
        monkeypatch.setattr(xray, "SETTINGS", replace(SETTINGS, tracing=True))
        yield receiver


def received(receiver: socket.socket) -> dict:
    header, _, body = receiver.recv(65536).partition(b"\n")
    assert json.loads(header) == {"format": "json", "version": 1}
    return json.loads(body)


def nothing_received(receiver: socket.socket) -> bool:
    receiver.settimeout(0.2)
    try:
        receiver.recv(65536)
    except TimeoutError:
        return True
    return False


def test_a_dynamodb_call_of_a_sampled_invocation_is_a_subsegment_of_its_segment(
    aws, daemon, monkeypatch
):
    monkeypatch.setenv("_X_AMZN_TRACE_ID", f"Root={TRACE};Parent={PARENT};Sampled=1")
    call("GetItem", {"TableName": SETTINGS.main_table, "Key": {"pk": {"S": "a"}, "sk": {"S": "b"}}})
    document = received(daemon)
    assert (document["trace_id"], document["parent_id"]) == (TRACE, PARENT)
    assert document["type"] == "subsegment" and document["namespace"] == "aws"
    assert document["name"] == "DynamoDB"
    assert len(document["id"]) == 16 and int(document["id"], 16) >= 0
    assert document["start_time"] <= document["end_time"]
    assert document["aws"]["operation"] == "GetItem"
    assert document["aws"]["table_role"] == "main"
    assert document["aws"]["consumed_read_units"] == 0.5
    assert document["http"] == {"response": {"status": 200}}
    assert "error" not in document and "fault" not in document


def test_an_unsampled_invocation_or_tracing_off_sends_nothing(aws, daemon, monkeypatch):
    key = {"TableName": SETTINGS.main_table, "Key": {"pk": {"S": "a"}, "sk": {"S": "b"}}}
    monkeypatch.setenv("_X_AMZN_TRACE_ID", f"Root={TRACE};Parent={PARENT};Sampled=0")
    call("GetItem", key)
    assert nothing_received(daemon)
    monkeypatch.setenv("_X_AMZN_TRACE_ID", f"Root={TRACE};Parent={PARENT};Sampled=1")
    monkeypatch.setattr(xray, "SETTINGS", replace(SETTINGS, tracing=False))
    call("GetItem", key)
    assert nothing_received(daemon)


def test_throttled_and_failed_calls_are_flagged_as_x_ray_expects():
    context = (TRACE, PARENT)
    throttled = xray.subsegment(context, "DynamoDB", 1.0, 2.0, aws={}, status=400, throttled=True)
    assert throttled["throttle"] is True and throttled["error"] is True
    fault = xray.subsegment(context, "DynamoDB", 1.0, 2.0, aws={}, status=500)
    assert fault["fault"] is True and "throttle" not in fault


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("169.254.79.129:2000", ("169.254.79.129", 2000)),
        ("udp:127.0.0.1:2001 tcp:127.0.0.1:2000", ("127.0.0.1", 2001)),
        ("", ("127.0.0.1", 2000)),
    ],
)
def test_the_daemon_address_is_read_as_lambda_sets_it(monkeypatch, address, expected):
    monkeypatch.setenv("AWS_XRAY_DAEMON_ADDRESS", address)
    assert xray.daemon_address() == expected
