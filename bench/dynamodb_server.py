"""DynamoDB in a server of its own, for measurements whose timed process must not hold moto.

A Lambda reaches DynamoDB over a socket and runs nothing of it. `python -m bench` runs moto in
its own process and subtracts moto's CPU; the cold start (bench/coldstart.py) and the
Lambda-like CPU (bench/lambda_like.py) instead time a child interpreter that holds the app
alone and reaches this server over loopback.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def dynamodb_server() -> Iterator[str]:
    """moto's DynamoDB server (with the local stack's emulator) on a free loopback port, in this
    process's threads; its URL. Not `mock_aws()`: the timed child must reach DynamoDB over a
    socket without importing moto (which would load boto3 before any clock starts)."""
    from moto.server import ThreadedMotoServer

    from local_stack import emulator

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    emulator.install()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def lambda_event(
    app: Any, method: str, path: str, headers: dict[str, str], body: str | None = None
) -> dict[str, Any]:
    """The API Gateway event Lambda hands the app for this request."""
    from chalice.config import Config
    from chalice.local import LocalGateway

    converter = LocalGateway(app, Config()).event_converter
    return converter.create_lambda_event(method=method, path=path, headers=headers, body=body)


@contextmanager
def seeding(endpoint: str) -> Iterator[None]:
    """This process's DynamoDB calls sent to `endpoint` meanwhile: it seeds the server through
    the app, whose client is created on its first call (and keeps that endpoint)."""
    saved = os.environ.get(_ENDPOINT)
    os.environ[_ENDPOINT] = endpoint
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop(_ENDPOINT)
        else:
            os.environ[_ENDPOINT] = saved


def child_environment(env: dict[str, str], endpoint: str) -> dict[str, str]:
    """`env` for a child interpreter whose DynamoDB is the server at `endpoint`."""
    return {**env, _ENDPOINT: endpoint}


_ENDPOINT = "AWS_ENDPOINT_URL_DYNAMODB"
