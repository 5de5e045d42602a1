"""Where observability lines go: stdout, as one JSON object per line, or readable on a terminal.

Lambda sends each line its function prints to CloudWatch Logs as one event, and CloudWatch
extracts Embedded Metric Format metrics only from events that are a JSON object as a whole. So
the lines are printed, not logged: Lambda's Python logging handler would prefix them (level,
time, request id) and spoil both the JSON and the metrics.

`make run` in a terminal prints the same line as `key=value` pairs instead (`readable`); piped
into a file (the HTTP tests' log) it stays JSON, as on AWS.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from typing import Any, TextIO

from chalicelib.settings import SETTINGS

LEVELS = {"DEBUG": 10, "INFO": 20, "WARNING": 30, "ERROR": 40, "CRITICAL": 50}
THRESHOLD = LEVELS.get(SETTINGS.log_level, 20)

# The app's own loggers (retries, webhook attempts) follow the same setting.
logging.getLogger("chalicelib").setLevel(THRESHOLD)

_tty: tuple[TextIO | None, bool] = (None, False)
# One line at a time: the local server answers requests in threads, and a line cut by another
# would no longer be JSON (on Lambda one invocation runs at a time).
_writing = threading.Lock()


def enabled(level: str) -> bool:
    return LEVELS[level] >= THRESHOLD


def _is_terminal(stream: TextIO) -> bool:
    # Asked once per stream object (a test may swap sys.stdout), not once per line.
    global _tty
    if _tty[0] is not stream:
        try:
            _tty = (stream, stream.isatty())
        except (AttributeError, ValueError):
            _tty = (stream, False)
    return _tty[1]


def emit(line: dict[str, Any]) -> None:
    """Print `line` (JSON, or readable on a terminal); never raises into the request."""
    stream = sys.stdout
    try:
        text = readable(line) if _is_terminal(stream) else json_text(line)
        with _writing:
            stream.write(text + "\n")
            stream.flush()
    except (OSError, ValueError, TypeError):  # a closed stdout must not fail the request
        pass


def json_text(line: dict[str, Any]) -> str:
    return json.dumps(line, separators=(",", ":"), default=str)


# Left out of the readable form: the metrics block, and what the message or the DynamoDB
# summary already says.
_NOT_READABLE = frozenset(
    {
        "_aws",
        "timestamp",
        "message",
        "level",
        "service",
        "method",
        "route",
        "status",
        "latencyMs",
        "requests",
        "clientErrors",
        "serverErrors",
        "errors",
        "dynamodb",
        "dynamodbCalls",
        "readCapacityUnits",
        "writeCapacityUnits",
    }
)


def readable(line: dict[str, Any]) -> str:
    """`12:00:01.234 INFO GET /rest/companies 200 12.3 ms dynamodb=2 calls 1.5 RCU 0 WCU
    (GetItem main x1 0.5r, ...) api=rest workspaceId=...` on one line."""
    head = f"{line.get('timestamp', '')[11:23]} {line.get('level', '')} {line.get('message', '')}"
    parts = [head]
    if "dynamodbCalls" in line:
        each = ", ".join(
            f"{g['operation']} {g.get('table') or '*'} x{g['calls']} "
            f"{g['readUnits']:g}r {g['writeUnits']:g}w"
            for g in line.get("dynamodb", ())
        )
        parts.append(
            f"dynamodb={line['dynamodbCalls']} calls {line.get('readCapacityUnits', 0):g} RCU "
            f"{line.get('writeCapacityUnits', 0):g} WCU" + (f" ({each})" if each else "")
        )
    for key, value in line.items():
        if key in _NOT_READABLE or value is None or value == [] or value == 0:
            continue
        shown = value if isinstance(value, str | int | float) else json_text(value)
        parts.append(f"{key}={shown}")
    return " ".join(parts)
