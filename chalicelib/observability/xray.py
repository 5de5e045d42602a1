"""X-Ray subsegments sent by hand: each DynamoDB call of a traced invocation, under its segment.

With active tracing Lambda records the invocation's segment itself and hands the function the
trace header in `_X_AMZN_TRACE_ID` (`Root=…;Parent=…;Sampled=1`), per invocation. A subsegment
is a JSON document sent over UDP to the X-Ray daemon Lambda runs beside the function
(`AWS_XRAY_DAEMON_ADDRESS`); its `parent_id` is the header's Parent, so it appears inside the
function's segment. This is what the X-Ray SDK does, without its ~110 ms import (measured: it
would take `import app` past the 250 ms cold-start bar) or its patching of botocore.

Only when the setting CRM_TRACING is on (the deployed functions) and the invocation is sampled;
a failed send is dropped (UDP to a local daemon: it costs a few microseconds and never blocks).
"""

from __future__ import annotations

import json
import os
import socket
import threading
from typing import Any

from chalicelib.settings import SETTINGS

_HEADER = b'{"format": "json", "version": 1}\n'
_DEFAULT_DAEMON = ("127.0.0.1", 2000)

_socket: socket.socket | None = None
_socket_lock = threading.Lock()


def trace_context() -> tuple[str, str] | None:
    """(trace id, parent segment id) of the current invocation when it is traced and sampled."""
    if not SETTINGS.tracing:
        return None
    header = os.environ.get("_X_AMZN_TRACE_ID")
    if not header:
        return None
    fields = dict(part.split("=", 1) for part in header.split(";") if "=" in part)
    root, parent = fields.get("Root"), fields.get("Parent")
    if not root or not parent or fields.get("Sampled") != "1":
        return None
    return root, parent


def trace_id() -> str | None:
    """The invocation's trace id (for the request's log line), sampled or not."""
    header = os.environ.get("_X_AMZN_TRACE_ID")
    if not header:
        return None
    for part in header.split(";"):
        if part.startswith("Root="):
            return part[5:]
    return None


def daemon_address() -> tuple[str, int]:
    """`AWS_XRAY_DAEMON_ADDRESS`: `host:port`, or `udp:host:port tcp:host:port`."""
    raw = os.environ.get("AWS_XRAY_DAEMON_ADDRESS", "")
    for part in raw.split():
        if part.startswith("udp:"):
            raw = part[4:]
            break
    host, _, port = raw.rpartition(":")
    if not host or not port.isdigit():
        return _DEFAULT_DAEMON
    return host, int(port)


def subsegment(
    context: tuple[str, str],
    name: str,
    start: float,
    end: float,
    *,
    aws: dict[str, Any],
    status: int | None,
    throttled: bool = False,
) -> dict[str, Any]:
    """The document of one AWS call's subsegment (times in epoch seconds)."""
    trace, parent = context
    document: dict[str, Any] = {
        "id": os.urandom(8).hex(),
        "trace_id": trace,
        "parent_id": parent,
        "type": "subsegment",
        "namespace": "aws",
        "name": name,
        "start_time": start,
        "end_time": end,
        "aws": aws,
    }
    if status is not None:
        document["http"] = {"response": {"status": status}}
        if status == 429 or throttled:
            document["throttle"] = True
        if 400 <= status < 500:
            document["error"] = True
        elif status >= 500:
            document["fault"] = True
    return document


def send(document: dict[str, Any]) -> None:
    global _socket
    try:
        if _socket is None:
            with _socket_lock:
                if _socket is None:
                    _socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                    _socket.setblocking(False)
        _socket.sendto(_HEADER + json.dumps(document).encode(), daemon_address())
    except OSError:
        pass
