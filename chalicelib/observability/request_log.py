"""The one structured line per HTTP request, with its CloudWatch metrics (EMF).

Written by the outermost middleware (rest/request_scope.py) once the answer is known, from the
request's state (request_state.py: caller, GraphQL operation, DynamoDB calls) and the answer's
status. What it holds, and what it never holds:

- ids: the Lambda request id (API Gateway's own beside it), the X-Ray trace id, the workspace
  and the API key's id: never the token, the Authorization header, a secret, a query string or
  a request or response body (record values); the error code of an error answer is read from
  the answer's `code` (REST) or `extensions.code` (GraphQL), not its messages;
- what was asked: api (rest, graphql, metadata, docs, system), the route pattern (never the
  concrete path, which holds record ids), the GraphQL operation name, the method;
- what it cost: status, latency, the DynamoDB calls grouped by operation and table with the
  read and write capacity units DynamoDB reported, throttled attempts; per call (with its time)
  at DEBUG and in the sampled share of requests (CRM_LOG_DEBUG_SAMPLE_RATE).

Level: INFO for answers below 400, WARNING for 4xx, ERROR for 5xx. A line below CRM_LOG_LEVEL
is reduced to its metrics, so dashboards and alarms never depend on the log level.
"""

from __future__ import annotations

import random
import re
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from chalice import Response
from chalice.app import Request

from chalicelib.observability import emf, output, xray
from chalicelib.request_state import DynamoCall, RequestState
from chalicelib.settings import SETTINGS

SERVICE = "api"
NAMESPACE = SETTINGS.metrics_namespace

# Every request line: totals across APIs (alarms, the dashboard) and per API.
REQUEST_METRICS = emf.directive(
    NAMESPACE,
    [["service"], ["service", "api"]],
    [
        ("requests", emf.COUNT),
        ("clientErrors", emf.COUNT),
        ("serverErrors", emf.COUNT),
        ("latencyMs", emf.MILLISECONDS),
        ("dynamodbCalls", emf.COUNT),
        ("readCapacityUnits", emf.NONE),
        ("writeCapacityUnits", emf.NONE),
        ("throttles", emf.COUNT),
    ],
)
# Error answers only: how many of each code.
ERROR_METRICS = emf.directive(NAMESPACE, [["service", "errorCode"]], [("errors", emf.COUNT)])
METRIC_KEYS = (
    "requests",
    "clientErrors",
    "serverErrors",
    "latencyMs",
    "dynamodbCalls",
    "readCapacityUnits",
    "writeCapacityUnits",
    "throttles",
)

# Route prefixes -> the API they belong to (first match wins).
_APIS = (
    ("/rest/metadata", "metadata"),
    ("/rest/open-api", "docs"),
    ("/graphql/schema.graphql", "docs"),
    ("/metadata/schema.graphql", "docs"),
    ("/rest", "rest"),
    ("/graphql", "graphql"),
    ("/metadata", "metadata"),
    ("/docs", "docs"),
    ("/playground", "docs"),
)
# The name of a GraphQL document's first definition when it is a named operation, read from
# the start of the raw body (no JSON decoding, no parsing: about a microsecond) when the client
# sent no operationName: `{"query": "query Name ...` (JSON escapes whitespace as \n, \t).
_OPERATION_IN_BODY = re.compile(
    rb'"query"\s*:\s*"(?:\s|\\[nrt])*(?:query|mutation|subscription)(?:\s|\\[nrt])+'
    rb"([_A-Za-z][_0-9A-Za-z]*)"
)
_OPERATION_IN_QUERY = re.compile(r"\s*(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)")
_OPERATION_SCAN_BYTES = 2048
# An error code in a serialized answer. Messages are JSON strings, so a quote inside one is
# escaped and cannot end a match early: only the real key matches.
_REST_CODE = re.compile(r'"code":"([A-Za-z0-9_]+)"')
_GRAPHQL_CODE = re.compile(r'"extensions":\{[^{}]*?"code":"([A-Za-z0-9_]+)"')


def api_of(route: str | None) -> str:
    if route:
        for prefix, api in _APIS:
            if route == prefix or route.startswith(prefix + "/") or route.startswith(prefix + "?"):
                return api
    return "system"


def request_ids(request: Request) -> dict[str, str]:
    """Lambda's request id (API Gateway's beside it when both exist), or a new one locally."""
    ids: dict[str, str] = {}
    lambda_context = getattr(request, "lambda_context", None)
    lambda_id = getattr(lambda_context, "aws_request_id", None)
    gateway_id = (request.context or {}).get("requestId")
    if lambda_id:
        ids["requestId"] = str(lambda_id)
        if gateway_id:
            ids["apiRequestId"] = str(gateway_id)
    elif gateway_id:
        ids["requestId"] = str(gateway_id)
    else:
        ids["requestId"] = uuid.uuid4().hex
    return ids


def graphql_operation(request: Request, state: RequestState) -> str | None:
    """`operationName` (graphql/http.py notes it), else the document's first operation's name
    when it is the first definition; None for an anonymous one."""
    if state.operation:
        return state.operation
    if request.method == "GET":
        params = request.query_params or {}
        found = _OPERATION_IN_QUERY.match(params.get("query") or "")
        return params.get("operationName") or (found.group(1) if found else None)
    body = request.raw_body
    raw = body if isinstance(body, bytes) else body.encode()
    in_body = _OPERATION_IN_BODY.search(raw, 0, _OPERATION_SCAN_BYTES)
    return in_body.group(1).decode() if in_body else None


def error_code(response: Response | None, api: str) -> str | None:
    """The code of an error answer: REST's `code`, or the first GraphQL error's
    `extensions.code` (GraphQL answers 200 with `errors` too)."""
    if response is None:
        return "INTERNAL_SERVER_ERROR"
    body = response.body
    graphql_errors = isinstance(body, str) and body.startswith('{"errors":[')
    if response.status_code < 400 and not (graphql_errors and api in ("graphql", "metadata")):
        return None
    if isinstance(body, dict):
        code = body.get("code") or body.get("Code")
        return str(code) if code else None
    if not isinstance(body, str):
        return None
    found = (_GRAPHQL_CODE if body.startswith('{"errors"') else _REST_CODE).search(body)
    return found.group(1) if found else None


def dynamodb_summary(calls: list[DynamoCall]) -> list[dict[str, Any]]:
    """The calls grouped by (operation, table): count, read and write units, throttled ones."""
    groups: dict[tuple[str, str | None], dict[str, Any]] = {}
    for call in calls:
        group = groups.get((call.operation, call.table))
        if group is None:
            group = groups[(call.operation, call.table)] = {
                "operation": call.operation,
                "table": call.table,
                "calls": 0,
                "readUnits": 0.0,
                "writeUnits": 0.0,
            }
        group["calls"] += 1
        group["readUnits"] += call.read_units
        group["writeUnits"] += call.write_units
        if call.throttled:
            group["throttled"] = group.get("throttled", 0) + 1
    for group in groups.values():
        group["readUnits"] = round(group["readUnits"], 2)
        group["writeUnits"] = round(group["writeUnits"], 2)
    return list(groups.values())


def _level(status: int) -> str:
    return "ERROR" if status >= 500 else "WARNING" if status >= 400 else "INFO"


def request_line(
    request: Request, state: RequestState, response: Response | None, *, detailed: bool
) -> dict[str, Any]:
    latency = round((time.perf_counter() - state.started) * 1000, 2)
    now = time.time()
    route = (request.context or {}).get("resourcePath") or request.path
    api = api_of(route)
    status = response.status_code if response is not None else 500
    operation = graphql_operation(request, state) if api in ("graphql", "metadata") else None
    code = error_code(response, api)
    calls = state.calls_so_far()
    read = round(sum(call.read_units for call in calls), 2)
    write = round(sum(call.write_units for call in calls), 2)
    throttles = sum(1 for call in calls if call.throttled)
    level = _level(status)
    line: dict[str, Any] = {
        "level": level,
        "timestamp": datetime.fromtimestamp(now, UTC).isoformat(timespec="milliseconds")[:-6] + "Z",
        "message": f"{request.method} {route} {status} {latency} ms",
        "service": SERVICE,
        **request_ids(request),
        "traceId": xray.trace_id(),
        "workspaceId": state.workspace_id,
        "keyId": state.key_id,
        "api": api,
        "route": route,
        "operation": operation,
        "method": request.method,
        "status": status,
        "errorCode": code,
        "dynamodb": dynamodb_summary(calls),
        # metrics (EMF, below)
        "requests": 1,
        "clientErrors": 1 if 400 <= status < 500 else 0,
        "serverErrors": 1 if status >= 500 else 0,
        "latencyMs": latency,
        "dynamodbCalls": len(calls),
        "readCapacityUnits": read,
        "writeCapacityUnits": write,
        "throttles": throttles,
    }
    if detailed:
        line["sampled"] = True
        line["dynamodbEach"] = [
            [c.operation, c.table, c.read_units, c.write_units, c.ms] for c in calls
        ]
    # Absent values are left out (a REST line has no operation, a local one no trace id).
    line = {key: value for key, value in line.items() if value is not None}
    directives = [REQUEST_METRICS]
    if code is not None:
        line["errors"] = 1
        directives.append(ERROR_METRICS)
    line["_aws"] = emf.block(int(now * 1000), directives)
    return line


def metrics_only(line: dict[str, Any]) -> dict[str, Any]:
    """What is left of a line below the log level: its metrics and their dimensions."""
    kept = {"_aws", "service", "api", "errorCode", "errors", *METRIC_KEYS}
    return {key: value for key, value in line.items() if key in kept}


def log_request(request: Request, state: RequestState, response: Response | None) -> None:
    """Write the request's line (or its metrics alone, below the log level)."""
    rate = SETTINGS.log_debug_sample_rate
    detailed = (rate > 0 and random.random() < rate) or output.enabled("DEBUG")
    line = request_line(request, state, response, detailed=detailed)
    output.emit(line if detailed or output.enabled(line["level"]) else metrics_only(line))
