"""botocore hooks on the container's DynamoDB client: capacity asked for, each call recorded.

Registered on the one botocore session of storage/connection.py, so every call of the shared
client (pynamodb's models and Connection, the wire-level calls, the lean read parser of
storage/wire.py, which keeps botocore's events) passes here exactly once:

- `provide-client-params`: asks DynamoDB for `ReturnConsumedCapacity=TOTAL` when the caller did
  not (pynamodb already asks on every item call) and notes when the call started;
- `after-call` (fired for error answers too, before botocore raises them): the consumed
  capacity DynamoDB reported, whether it throttled the call, and the time it took go to the
  current request's state (`request_state.record_dynamodb_call`), and to X-Ray as a subsegment
  when the invocation is traced.

Outside a request (stream and queue handlers, the CLI) nothing is recorded, but traced calls
still reach X-Ray. The hooks do a few dictionary reads per call: no parsing, no allocation
beyond the recorded call.
"""

from __future__ import annotations

import time
from typing import Any

from chalicelib import request_state
from chalicelib.observability import xray
from chalicelib.settings import SETTINGS

# Operations that accept ReturnConsumedCapacity (table and stream administration do not).
CAPACITY_OPERATIONS = (
    "GetItem",
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "Query",
    "Scan",
    "BatchGetItem",
    "BatchWriteItem",
    "TransactGetItems",
    "TransactWriteItems",
)
READ_OPERATIONS = frozenset({"GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"})
# DynamoDB's answers to a request it throttled (storage/retry.py retries each of them).
THROTTLE_CODES = frozenset(
    {"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"}
)
THROTTLE_REASONS = frozenset({"ThrottlingError", "ProvisionedThroughputExceeded"})

# Keys in botocore's per-call context dict (handed from the first hook to the second).
_STARTED, _TABLES = "crm_started", "crm_tables"


def table_role(table_name: str | None) -> str | None:
    """The logical role of a table ("main", "keys") rather than its deployed name."""
    if table_name == SETTINGS.main_table:
        return "main"
    if table_name == SETTINGS.keys_table:
        return "keys"
    return table_name


def ask_for_capacity(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
    context[_STARTED] = time.time()
    context[_TABLES] = params
    if "ReturnConsumedCapacity" not in params:
        params["ReturnConsumedCapacity"] = "TOTAL"


def requested_table(params: dict[str, Any] | None) -> str | None:
    """The role of the one table a request names (None for none or several): for answers that
    report no capacity (errors; moto's transactions)."""
    if not params:
        return None
    if "TableName" in params:
        return table_role(params["TableName"])
    names = set(params.get("RequestItems") or ())
    for item in params.get("TransactItems") or ():
        for action in item.values():
            names.add(action.get("TableName"))
    return table_role(names.pop()) if len(names) == 1 else None


def consumed_units(operation: str, parsed: dict[str, Any]) -> tuple[str | None, float, float]:
    """(table role or None for several, read units, write units) as DynamoDB reported them.

    TOTAL gives `CapacityUnits` per table (a list for batches and transactions); a read
    operation's units are read units, any other's write units.
    """
    consumed = parsed.get("ConsumedCapacity")
    if not consumed:
        return None, 0.0, 0.0
    entries = consumed if isinstance(consumed, list) else (consumed,)
    read = write = 0.0
    tables = set()
    for entry in entries:
        tables.add(entry.get("TableName"))
        units = float(entry.get("CapacityUnits") or 0.0)
        if "ReadCapacityUnits" in entry or "WriteCapacityUnits" in entry:
            read += float(entry.get("ReadCapacityUnits") or 0.0)
            write += float(entry.get("WriteCapacityUnits") or 0.0)
        elif operation in READ_OPERATIONS:
            read += units
        else:
            write += units
    role = table_role(next(iter(tables))) if len(tables) == 1 else None
    return role, read, write


def is_throttled(parsed: dict[str, Any]) -> bool:
    error = parsed.get("Error")
    if not error:
        return False
    if error.get("Code") in THROTTLE_CODES:
        return True
    reasons = parsed.get("CancellationReasons") or ()
    return any(isinstance(r, dict) and r.get("Code") in THROTTLE_REASONS for r in reasons)


def record_call(
    http_response: Any, parsed: dict[str, Any], model: Any, context: dict[str, Any], **_: Any
) -> None:
    state = request_state.current()
    traced = xray.trace_context()
    if state is None and traced is None:
        return
    ended = time.time()
    started = context.get(_STARTED, ended)
    operation = model.name
    parsed = parsed or {}
    table, read, write = consumed_units(operation, parsed)
    if table is None:
        table = requested_table(context.get(_TABLES))
    throttled = is_throttled(parsed)
    if state is not None:
        state.add_call(
            request_state.DynamoCall(
                operation, table, read, write, throttled, round((ended - started) * 1000, 2)
            )
        )
    if traced is not None:
        status = getattr(http_response, "status_code", None)
        metadata = parsed.get("ResponseMetadata") or {}
        aws = {
            "operation": operation,
            "region": SETTINGS.region,
            "request_id": metadata.get("RequestId"),
            "table_role": table,
            "consumed_read_units": read,
            "consumed_write_units": write,
        }
        xray.send(
            xray.subsegment(
                traced, "DynamoDB", started, ended, aws=aws, status=status, throttled=throttled
            )
        )


def register(session: Any) -> None:
    """Install both hooks on a botocore session (before its client is created)."""
    for operation in CAPACITY_OPERATIONS:
        session.register(f"provide-client-params.dynamodb.{operation}", ask_for_capacity)
    session.register("after-call.dynamodb", record_call)
