"""Where lines go: JSON on stdout (what Lambda ships to CloudWatch), readable on a terminal."""

from __future__ import annotations

import io
import json

from chalicelib.observability import output

LINE = {
    "level": "INFO",
    "timestamp": "2026-12-07T10:00:01.234Z",
    "message": "GET /rest/{plural} 200 12.5 ms",
    "service": "api",
    "requestId": "r-1",
    "api": "rest",
    "status": 200,
    "latencyMs": 12.5,
    "throttles": 0,
    "dynamodb": [
        {"operation": "Query", "table": "main", "calls": 2, "readUnits": 1.0, "writeUnits": 0.0}
    ],
    "dynamodbCalls": 2,
    "readCapacityUnits": 1.0,
    "writeCapacityUnits": 0.0,
    "requests": 1,
    "_aws": {"Timestamp": 1, "CloudWatchMetrics": []},
}


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_line_is_one_json_object_on_one_line_when_stdout_is_not_a_terminal(monkeypatch):
    stream = io.StringIO()
    monkeypatch.setattr("sys.stdout", stream)
    output.emit(LINE)
    text = stream.getvalue()
    assert text.count("\n") == 1
    assert json.loads(text) == LINE


def test_on_a_terminal_the_same_line_reads_as_key_value_pairs_without_the_metrics_block(
    monkeypatch,
):
    stream = Terminal()
    monkeypatch.setattr("sys.stdout", stream)
    output.emit(LINE)
    text = stream.getvalue()
    assert text.count("\n") == 1
    assert text == (
        "10:00:01.234 INFO GET /rest/{plural} 200 12.5 ms "
        "dynamodb=2 calls 1 RCU 0 WCU (Query main x2 1r 0w) requestId=r-1 api=rest\n"
    )
    assert "_aws" not in text and "CloudWatchMetrics" not in text
    assert "throttles" not in text  # zero counts are noise on a terminal


def test_a_closed_stdout_never_fails_the_request(monkeypatch):
    stream = io.StringIO()
    stream.close()
    monkeypatch.setattr("sys.stdout", stream)
    output.emit(LINE)


def test_levels_below_the_setting_are_not_enabled(monkeypatch):
    monkeypatch.setattr(output, "THRESHOLD", output.LEVELS["WARNING"])
    assert not output.enabled("INFO")
    assert output.enabled("WARNING") and output.enabled("ERROR")
