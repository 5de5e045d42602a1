"""`make run`: the whole local stack in one process.

Starts moto's DynamoDB server on 127.0.0.1:$DYNAMODB_PORT (or reuses a DynamoDB already
listening there), loads the data folder into it ($CRM_DATA_DIR, default `.crm-data/`; emptied
first with FRESH=1), creates the tables, seeds a demo workspace and prints its API key, then
serves the Chalice app on 127.0.0.1:$PORT. What changes is saved every $CRM_SAVE_SECONDS
(default 5) and once more on SIGINT or SIGTERM, when both servers stop.

Webhooks are delivered as on AWS, by the stream: a poller feeds the main table's stream to the
stream handler (local_stack/stream_poller.py) and an in-process delay queue stands in for SQS
(local_stack/delivery_queue.py). Loopback targets are allowed (CRM_WEBHOOK_ALLOW_LOOPBACK=1
unless set otherwise), so a receiver on 127.0.0.1 works.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import socket
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from local_stack.shutdown import StopRequest, run_bounded

ROOT = Path(__file__).resolve().parent
# The demo workspace has a fixed id so a restart over the same data finds it again.
DEMO_WORKSPACE_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "twenty-serverless-crm/demo-workspace"))
DEFAULT_DATA_DIR = ROOT / ".crm-data"
# How long each step of a stop may take before it is given up (the process ends regardless).
SERVER_STOP_SECONDS = 3.0
# Webhook delivery stops after the API: a stream batch or an attempt under way may finish.
WEBHOOK_STOP_SECONDS = 3.0
FINAL_SAVE_SECONDS = 20.0
POLL_SECONDS = 0.05  # how often the servers' loops look for a shutdown request


def _port_is_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.3)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _serve(server: Any, name: str) -> threading.Thread:
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": POLL_SECONDS}, name=name, daemon=True
    )
    thread.start()
    return thread


def _start_dynamodb(port: int) -> Any:
    """Our own moto server, bound before this returns, or None when a DynamoDB already listens
    on the port."""
    if _port_is_open(port):
        return None
    from local_stack import emulator

    emulator.install()  # before the first request: fast, atomic, AWS's limits (emulator.py)
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    app = DomainDispatcherApplication(create_backend_app)
    server = make_server("127.0.0.1", port, app, threaded=True, request_handler=MotoRequestHandler)
    server.daemon_threads = True  # an open keep-alive connection must not hold the exit
    _serve(server, "dynamodb")
    return server


def _configure_environment(dynamodb_port: int) -> None:
    # Before chalicelib is imported: settings and pynamodb models read these once.
    os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = f"http://127.0.0.1:{dynamodb_port}"
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    os.environ.setdefault("AWS_REGION", os.environ["AWS_DEFAULT_REGION"])
    # Stream calls carry a StreamArn, which botocore would send to an account endpoint of AWS;
    # moto server routes them by their X-Amz-Target header, on the same port.
    os.environ["AWS_ENDPOINT_URL_DYNAMODB_STREAMS"] = os.environ["AWS_ENDPOINT_URL_DYNAMODB"]
    # A developer's receiver on 127.0.0.1 must work locally; still refusable with
    # CRM_WEBHOOK_ALLOW_LOOPBACK=0. Deliveries always go through the in-process queue here.
    os.environ.setdefault("CRM_WEBHOOK_ALLOW_LOOPBACK", "1")
    os.environ.pop("CRM_WEBHOOK_QUEUE_URL", None)


def _open_data(folder: Path, fresh: bool) -> tuple[Any, dict[str, Any]]:
    """Load the data folder into our embedded DynamoDB; (persistence, banner facts)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    from local_stack.datadir import DataDir
    from local_stack.persistence import Persistence

    data = DataDir(folder)
    data.open()  # refuses a folder of another format or in use by another stack
    if fresh:
        data.reset()
    backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][os.environ["AWS_REGION"]]
    persistence = Persistence(backend, data)
    loaded = persistence.load()
    # The loaded items live as long as the stack: kept out of the garbage collector's full
    # passes, which would otherwise walk all of them (long pauses at 100,000 records).
    gc.freeze()
    records = _stored_records(backend)
    print(
        f"Data: {records:,} records ({loaded.items:,} DynamoDB items) loaded from {folder} in "
        f"{loaded.seconds:.1f} s "
        f"({loaded.cpu_seconds:.1f} s CPU)"
        + (" (started empty: FRESH=1)" if fresh else "")
        + (
            f"; {loaded.torn_records} unfinished save(s) from a crash ignored"
            if loaded.torn_records
            else ""
        ),
        flush=True,
    )
    return persistence, {
        "dataDir": str(folder),
        "loadedItems": loaded.items,
        "loadedRecords": records,
    }


def _stored_records(backend: Any) -> int:
    """Records of every workspace in the loaded main table (destroyed records' tombstones left
    out), read from the emulator's memory: no request, no scan."""
    from chalicelib.settings import SETTINGS
    from chalicelib.storage.keys import is_record_pk
    from chalicelib.storage.models import RECORD_TOMBSTONE

    table = backend.tables.get(SETTINGS.main_table)
    if table is None:
        return 0
    return sum(
        1
        for hash_key, partition in table.items.items()
        if is_record_pk(hash_key.value)
        for item in partition.values()
        if RECORD_TOMBSTONE not in item.attrs
    )


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


def _start_webhooks(dynamodb_port: int) -> tuple[Any, Any]:
    """The delivery queue (installed as the webhook queue's local sink), then the stream
    poller, positioned at the stream's end before this returns: every write the API makes from
    now on is delivered."""
    from chalicelib import streams
    from chalicelib.settings import SETTINGS
    from chalicelib.webhooks import delivery, queue
    from local_stack.delivery_queue import DeliveryQueue
    from local_stack.stream_poller import streams_poller

    deliveries = DeliveryQueue(delivery.attempt)
    queue.install_local(deliveries.put)
    deliveries.start()
    poller = streams_poller(
        f"http://127.0.0.1:{dynamodb_port}",
        SETTINGS.main_table,
        SETTINGS.region,
        streams.handle_stream_batch,
        batch_size=streams.STREAM_BATCH_SIZE,
    )
    poller.start()
    return poller, deliveries


def _webhook_facts() -> dict[str, Any]:
    from chalicelib.settings import SETTINGS

    return {
        "webhooks": {
            "delivery": "on (stream poller + in-process retry queue)",
            "allowLoopback": SETTINGS.webhook_allow_loopback,
            "retryBaseSeconds": SETTINGS.webhook_retry_base_seconds,
        }
    }


def _create_server(port: int) -> Any:
    """Chalice's local API Gateway emulation (what `chalice local` runs), bound to the port."""
    from chalice.cli.factory import CLIFactory

    from local_stack import gateway

    gateway.install()  # an unknown path answers Twenty's 404, as the deployed API does
    factory = CLIFactory(project_dir=str(ROOT), environ=os.environ)
    config = factory.create_config_obj(chalice_stage_name="dev")
    local = factory.create_local_server(config.chalice_app, config, "127.0.0.1", port)
    local.server.daemon_threads = True  # a browser's keep-alive connection must not hold the exit
    # socketserver listens with a backlog of 5: a sixth simultaneous client was reset.
    local.server.socket.listen(128)
    return local.server


def _print_banner(port: int, demo: dict[str, str], data: dict[str, Any], save_seconds: float):
    # Printed before the server thread starts, so no other output can split these lines;
    # the port is already bound, so early clients wait in the listen backlog.
    print(json.dumps({"api": f"http://127.0.0.1:{port}", **demo, **data}), flush=True)
    if data["dataDir"]:
        print(
            f"Data lives in {data['dataDir']} (saved every {save_seconds:g} s and on stop). "
            "To start empty: `make run FRESH=1`, or stop and delete that folder.",
            flush=True,
        )
    print(f"API ready on http://127.0.0.1:{port}  (Ctrl-C stops everything)", flush=True)
    print(f"export CRM_API_KEY={demo['apiKey']}", flush=True)


def _stop(api: Any, dynamodb: Any, persistence: Any, webhooks: tuple[Any, Any] | None) -> None:
    """Each step bounded: the API stops taking requests, webhook delivery stops (deliveries
    still waiting stay PENDING in the delivery log), the data is saved, DynamoDB stops."""
    if api is not None and not run_bounded(api.shutdown, SERVER_STOP_SECONDS, "api-shutdown"):
        print("The API server did not stop in time; stopping anyway", flush=True)
    if webhooks is not None:
        poller, deliveries = webhooks
        poller.stop(WEBHOOK_STOP_SECONDS)
        deliveries.stop(WEBHOOK_STOP_SECONDS)
    if persistence is not None:
        started = time.monotonic()
        if persistence.stop(FINAL_SAVE_SECONDS):
            print(f"Data saved ({time.monotonic() - started:.1f} s)", flush=True)
        else:
            print(
                f"The final save took over {FINAL_SAVE_SECONDS:g} s and was abandoned; the "
                "previous save is kept",
                flush=True,
            )
    if dynamodb is not None:
        run_bounded(dynamodb.shutdown, SERVER_STOP_SECONDS, "dynamodb-shutdown")


def _data_settings() -> tuple[Path, bool, float]:
    folder = Path(os.environ.get("CRM_DATA_DIR") or DEFAULT_DATA_DIR).expanduser().resolve()
    fresh = os.environ.get("FRESH", "").strip().lower() in ("1", "true", "yes")
    # At least a fifth of a second: 0 would save in a busy loop.
    save_seconds = max(0.2, float(os.environ.get("CRM_SAVE_SECONDS") or 5))
    return folder, fresh, save_seconds


def main() -> int:
    logging.basicConfig(level=logging.WARNING)
    # moto's embedded server logs every DynamoDB call through werkzeug; keep the console readable.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    stop = StopRequest()  # first: a signal during the start is kept, not lost
    port = int(os.environ.get("PORT", "8000"))
    dynamodb_port = int(os.environ.get("DYNAMODB_PORT", "8001"))
    folder, fresh, save_seconds = _data_settings()
    _configure_environment(dynamodb_port)
    dynamodb = _start_dynamodb(dynamodb_port)
    persistence = None
    api = None
    webhooks = None
    try:
        if dynamodb is None:
            print(
                f"Reusing the DynamoDB already listening on 127.0.0.1:{dynamodb_port}; its "
                f"data is its own (no data folder{', FRESH=1 ignored' if fresh else ''})",
                flush=True,
            )
            data: dict[str, Any] = {"dataDir": None, "loadedItems": None, "loadedRecords": None}
        else:
            persistence, data = _open_data(folder, fresh)
        demo = _seed_demo()
        webhooks = _start_webhooks(dynamodb_port)
        api = _create_server(port)
        _print_banner(port, demo, {**data, **_webhook_facts()}, save_seconds)
        _serve(api, "api")
        if persistence is not None:
            persistence.start(save_seconds)
        stop.wait()
    finally:
        _stop(api, dynamodb, persistence, webhooks)
    return 0


if __name__ == "__main__":
    try:
        code = main()
    except Exception as error:
        from local_stack.datadir import DataDirError

        if not isinstance(error, DataDirError):
            raise
        print(error, file=sys.stderr, flush=True)
        code = 2
    sys.stdout.flush()
    sys.stderr.flush()
    # Servers' worker threads are daemons; nothing else may keep a stopped stack alive.
    os._exit(code)
