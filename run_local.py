"""`make run`: the whole local stack in one process.

Starts moto's DynamoDB server on 127.0.0.1:$DYNAMODB_PORT (or reuses a DynamoDB already
listening there), creates the tables, seeds a demo workspace and prints its API key, then serves
the Chalice app on 127.0.0.1:$PORT until SIGINT or SIGTERM, when both servers stop.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import sys
import threading
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent
# The demo workspace has a fixed id so a restart over the same DynamoDB finds it again.
DEMO_WORKSPACE_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "twenty-serverless-crm/demo-workspace"))


def _port_is_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.3)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _start_dynamodb(port: int):  # type: ignore[no-untyped-def]
    """Our own moto server, or None when a DynamoDB already listens on the port."""
    if _port_is_open(port):
        print(f"Reusing the DynamoDB already listening on 127.0.0.1:{port}", flush=True)
        return None
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    return server


def _configure_environment(dynamodb_port: int) -> None:
    # Before chalicelib is imported: settings and pynamodb models read these once.
    os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = f"http://127.0.0.1:{dynamodb_port}"
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    os.environ.setdefault("AWS_REGION", os.environ["AWS_DEFAULT_REGION"])


def _seed_demo() -> dict[str, str]:
    from chalicelib.auth.api_keys import issue_key
    from chalicelib.metadata.provisioning import create_workspace
    from chalicelib.storage import api_keys
    from chalicelib.storage.schema import ensure_tables

    ensure_tables()
    workspace = create_workspace("Demo workspace", workspace_id=DEMO_WORKSPACE_ID)
    token = os.environ.get("CRM_DEV_API_KEY") or None
    existing = api_keys.find_by_token(token) if token else None
    if existing is not None and existing.workspace_id != workspace.id:
        raise SystemExit("CRM_DEV_API_KEY already belongs to another workspace")
    if existing is None:
        token = issue_key(workspace.id, "Local development key", token=token).token
    return {"workspaceId": workspace.id, "apiKey": token or ""}


def _create_server(port: int):  # type: ignore[no-untyped-def]
    """Chalice's local API Gateway emulation (what `chalice local` runs), bound to the port."""
    from chalice.cli.factory import CLIFactory

    factory = CLIFactory(project_dir=str(ROOT), environ=os.environ)
    config = factory.create_config_obj(chalice_stage_name="dev")
    return factory.create_local_server(config.chalice_app, config, "127.0.0.1", port)


def main() -> int:
    logging.basicConfig(level=logging.WARNING)
    # moto's embedded server logs every DynamoDB call through werkzeug; keep the console readable.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    port = int(os.environ.get("PORT", "8000"))
    dynamodb_port = int(os.environ.get("DYNAMODB_PORT", "8001"))
    dynamodb = _start_dynamodb(dynamodb_port)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    try:
        _configure_environment(dynamodb_port)
        demo = _seed_demo()
        server = _create_server(port)
        # Printed before the server thread starts, so no other output can split these lines;
        # the port is already bound, so early clients wait in the listen backlog.
        print(json.dumps({"api": f"http://127.0.0.1:{port}", **demo}), flush=True)
        print(f"API ready on http://127.0.0.1:{port}  (Ctrl-C stops everything)", flush=True)
        print(f"export CRM_API_KEY={demo['apiKey']}", flush=True)
        thread = threading.Thread(target=server.serve_forever, name="api", daemon=True)
        thread.start()
        # Wake up regularly: Python runs signal handlers only on the main thread, and only
        # between bytecodes, so an untimed wait could sleep through a SIGTERM that the kernel
        # delivered to a server thread.
        while not stop.wait(0.2):
            pass
        server.shutdown()
        thread.join(timeout=5)
    finally:
        if dynamodb is not None:
            dynamodb.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
