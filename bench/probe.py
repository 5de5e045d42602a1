"""One untimed call of a case, watched closely: its capacity units and its round trips.

The recorder hooks every DynamoDB client through botocore's events, like the meter
(chalicelib/storage/metering.py), but only while a probe runs, so the timed iterations pay
nothing for it. For each call it

- notes when the call started and ended, and holds it for `latency` seconds first (the emulated
  network: see bench/round_trips.py), so concurrent calls overlap as they would on AWS;
- reads, through a client of its own that neither the meter nor the recorder sees, what the
  bill depends on and the answer does not carry: every item a write touches before and after it,
  the whole items a Query or Scan read (filtered-out ones included, projections undone), and the
  tables' GSIs; bench/capacity.py turns that into units.

What moto reports in `ConsumedCapacity` (pynamodb asks for it on every call) is kept beside the
computed figures as `reported_units`: placeholders, not DynamoDB's numbers.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import botocore.session
from botocore import handlers

from bench import capacity
from bench.capacity import TableShape, Units
from bench.round_trips import sequential_round_trips
from chalicelib.settings import SETTINGS
from chalicelib.storage.metering import METER

DEFAULT_LATENCY_SECONDS = 0.05
_STARTED, _REQUEST, _OLD = "bench.probe.started", "bench.probe.request", "bench.probe.old"
_BATCH_GET_MAX = 100
_WRITES = ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems")
_TOKEN = re.compile(r"[#:][A-Za-z0-9_]+")
# A Query or Scan re-read keeps what selects the items and drops what only trims the answer.
_SELECTING = (
    "TableName",
    "IndexName",
    "KeyConditionExpression",
    "ExclusiveStartKey",
    "ScanIndexForward",
    "ConsistentRead",
    "Segment",
    "TotalSegments",
)

ItemKey = tuple[str, str]  # (table name, the key as canonical JSON)


@dataclass(frozen=True)
class RecordedCall:
    operation: str
    start: float
    end: float
    units: Units
    reported_units: float


@dataclass(frozen=True)
class ProbeResult:
    requests: int
    round_trips: int
    units: Units
    reported_units: float


@dataclass
class _Write:
    table: TableShape
    key: dict[str, Any]
    new: dict[str, Any] | None  # the Put's item; None for a Delete, or an Update (read after)
    transactional: bool
    action: str  # Put, Update, Delete or ConditionCheck


class Peek:
    """Reads the tables behind the API's back: a client without the meter's or probe's hooks."""

    def __init__(self, hooks: list[tuple[str, Callable[..., Any]]]) -> None:
        self._client = botocore.session.get_session().create_client(
            "dynamodb", region_name=SETTINGS.region
        )
        for event, handler in hooks:
            self._client.meta.events.unregister(event, handler)

    @cache  # noqa: B019 - one Peek per process; the table definitions never change in a run
    def table(self, name: str) -> TableShape:
        described = self._client.describe_table(TableName=name)["Table"]
        return TableShape(
            name,
            *_key_schema(described["KeySchema"]),
            indexes=tuple(
                capacity.IndexShape(
                    index["IndexName"],
                    *_key_schema(index["KeySchema"]),
                    projection=index["Projection"]["ProjectionType"],
                    non_key_attributes=tuple(index["Projection"].get("NonKeyAttributes", ())),
                )
                for index in described.get("GlobalSecondaryIndexes", [])
            ),
        )

    def items(self, table: str, keys: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        """The current items of `keys` (absent ones left out), by canonical key."""
        shape = self.table(table)
        found: dict[str, dict[str, Any]] = {}
        unique = list({_canonical(key): key for key in keys}.values())
        for start in range(0, len(unique), _BATCH_GET_MAX):
            request = {
                table: {"Keys": unique[start : start + _BATCH_GET_MAX], "ConsistentRead": True}
            }
            while request:
                answer = self._client.batch_get_item(RequestItems=request)
                for item in answer["Responses"].get(table, []):
                    found[_canonical(shape.key_of(item))] = item
                request = answer.get("UnprocessedKeys") or {}
        return found

    def scanned(self, operation: str, request: dict[str, Any], count: int) -> list[dict[str, Any]]:
        """The `count` items a Query or Scan read before its filter and projection applied."""
        rerun = {name: request[name] for name in _SELECTING if name in request}
        used = set(_TOKEN.findall(rerun.get("KeyConditionExpression", "")))
        for mapping in ("ExpressionAttributeNames", "ExpressionAttributeValues"):
            kept = {k: v for k, v in request.get(mapping, {}).items() if k in used}
            if kept:
                rerun[mapping] = kept
        rerun["Limit"] = count
        method = self._client.query if operation == "Query" else self._client.scan
        return list(method(**rerun)["Items"])


def _key_schema(schema: list[dict[str, str]]) -> tuple[str, str | None]:
    kinds = {part["KeyType"]: part["AttributeName"] for part in schema}
    return kinds["HASH"], kinds.get("RANGE")


def _canonical(key: dict[str, Any]) -> str:
    return json.dumps(key, sort_keys=True)


def _reported(parsed: dict[str, Any]) -> float:
    consumed = parsed.get("ConsumedCapacity")
    entries = consumed if isinstance(consumed, list) else [consumed] if consumed else []
    return float(sum(entry.get("CapacityUnits", 0) for entry in entries))


class CallRecorder:
    def __init__(self, latency: float = DEFAULT_LATENCY_SECONDS) -> None:
        self.latency = latency
        self._lock = threading.Lock()
        self._calls: list[RecordedCall] = []
        self._active = False
        self._peek: Peek | None = None

    # -- wiring ---------------------------------------------------------------------------------

    @property
    def hooks(self) -> list[tuple[str, Callable[..., Any]]]:
        return [
            ("before-call.dynamodb", self.before_call),
            ("after-call.dynamodb", self.after_call),
            ("before-call.dynamodb", METER.before_call),
            ("after-call.dynamodb", METER.after_call),
        ]

    def attach(self, events: Any) -> None:
        """Watch one client's calls (tests); `install` watches every client created after it."""
        events.register("before-call.dynamodb", self.before_call)
        events.register("after-call.dynamodb", self.after_call)

    def install(self) -> CallRecorder:
        handlers.BUILTIN_HANDLERS.append(("before-call.dynamodb", self.before_call))
        handlers.BUILTIN_HANDLERS.append(("after-call.dynamodb", self.after_call))
        return self

    @property
    def peek(self) -> Peek:
        if self._peek is None:
            self._peek = Peek(self.hooks)
        return self._peek

    # -- a probe --------------------------------------------------------------------------------

    def probe(self, call: Callable[[], Any]) -> tuple[Any, ProbeResult]:
        """Run `call` once with every DynamoDB call recorded; its answer and what it cost."""
        self.peek  # noqa: B018 - created before the probe: describing tables is not the call's
        with self._lock:
            self._calls, self._active = [], True
        try:
            answer = call()
        finally:
            with self._lock:
                self._active = False
                calls = list(self._calls)
        return answer, summarise(calls)

    def before_call(
        self, model: Any, params: dict[str, Any], context: dict[str, Any], **_: Any
    ) -> None:
        if not self._active:
            return
        context[_STARTED] = time.perf_counter()
        request = json.loads(params.get("body") or b"{}")
        context[_REQUEST] = request
        if model.name in _WRITES:
            writes = self._writes(model.name, request)
            context[_OLD] = (writes, self._images(writes))
        time.sleep(self.latency)

    def after_call(
        self, parsed: dict[str, Any], model: Any, context: dict[str, Any], **_: Any
    ) -> None:
        started = context.get(_STARTED)
        if started is None:
            return
        end = time.perf_counter()
        parsed = parsed or {}
        # A refused call is a round trip; what DynamoDB bills for it is left out.
        units = Units() if "Error" in parsed else self._units(model.name, parsed, context)
        call = RecordedCall(model.name, started, end, units, _reported(parsed))
        with self._lock:
            self._calls.append(call)

    # -- units ----------------------------------------------------------------------------------

    def _units(self, operation: str, parsed: dict[str, Any], context: dict[str, Any]) -> Units:
        if operation in _WRITES:
            return self._write_units(*context[_OLD])
        request = context[_REQUEST]
        if operation in ("Query", "Scan"):
            return self._scan_units(operation, request, parsed)
        if operation == "GetItem":
            spec = {"Keys": [request["Key"]], "ConsistentRead": request.get("ConsistentRead")}
            return self._get_units(request["TableName"], spec, [], transactional=False)
        if operation == "BatchGetItem":
            total = Units()
            unprocessed = parsed.get("UnprocessedKeys") or {}
            for table, spec in request["RequestItems"].items():
                skipped = unprocessed.get(table, {}).get("Keys", [])
                total += self._get_units(table, spec, skipped, transactional=False)
            return total
        if operation == "TransactGetItems":
            total = Units()
            for action in request["TransactItems"]:
                get = action["Get"]
                spec = {"Keys": [get["Key"]], "ConsistentRead": True}
                total += self._get_units(get["TableName"], spec, [], transactional=True)
            return total
        return Units()

    def _get_units(
        self, table: str, spec: dict[str, Any], skipped: list[Any], *, transactional: bool
    ) -> Units:
        """Keys read one by one: each rounded on its own; an absent item costs the minimum."""
        left_out = {_canonical(key) for key in skipped}
        keys = [key for key in spec["Keys"] if _canonical(key) not in left_out]
        found = self.peek.items(table, keys)  # whole items: a projection does not lower the bill
        consistent = bool(spec.get("ConsistentRead"))
        sizes = [capacity.item_size(found.get(_canonical(key))) for key in keys]
        return Units(
            read=sum(
                capacity.read_units(size, consistent=consistent, transactional=transactional)
                for size in sizes
            )
        )

    def _scan_units(self, operation: str, request: dict[str, Any], parsed: dict[str, Any]) -> Units:
        consistent = bool(request.get("ConsistentRead"))
        count = int(parsed.get("ScannedCount", parsed.get("Count", 0)))
        items = self.peek.scanned(operation, request, count) if count else []
        index_name = request.get("IndexName")
        if index_name:
            table = self.peek.table(request["TableName"])
            index = next(ix for ix in table.indexes if ix.name == index_name)
            items = [capacity.index_entry(item, table, index) or {} for item in items]
        return Units(read=capacity.query_read_units(items, consistent=consistent))

    def _writes(self, operation: str, request: dict[str, Any]) -> list[_Write]:
        peek = self.peek
        if operation == "TransactWriteItems":
            found = []
            for action in request["TransactItems"]:
                ((kind, body),) = action.items()
                table = peek.table(body["TableName"])
                key = table.key_of(body["Item"]) if kind == "Put" else body["Key"]
                found.append(_Write(table, key, body.get("Item"), True, kind))
            return found
        if operation == "BatchWriteItem":
            found = []
            for name, requests in request["RequestItems"].items():
                table = peek.table(name)
                for entry in requests:
                    if "PutRequest" in entry:
                        item = entry["PutRequest"]["Item"]
                        found.append(_Write(table, table.key_of(item), item, False, "Put"))
                    else:
                        key = entry["DeleteRequest"]["Key"]
                        found.append(_Write(table, key, None, False, "Delete"))
            return found
        table = peek.table(request["TableName"])
        kind = operation.removesuffix("Item")
        key = table.key_of(request["Item"]) if kind == "Put" else request["Key"]
        return [_Write(table, key, request.get("Item"), False, kind)]

    def _images(self, writes: list[_Write]) -> dict[ItemKey, dict[str, Any]]:
        by_table: dict[str, list[dict[str, Any]]] = {}
        for write in writes:
            by_table.setdefault(write.table.name, []).append(write.key)
        images: dict[ItemKey, dict[str, Any]] = {}
        for table, keys in by_table.items():
            for key, item in self.peek.items(table, keys).items():
                images[(table, key)] = item
        return images

    def _write_units(self, writes: list[_Write], old: dict[ItemKey, dict[str, Any]]) -> Units:
        updated = [write for write in writes if write.action == "Update"]
        after = self._images(updated) if updated else {}
        total = Units()
        for write in writes:
            ident = (write.table.name, _canonical(write.key))
            before = old.get(ident)
            if write.action == "ConditionCheck":
                # A transaction's condition check reads its item, transactionally.
                size = capacity.item_size(before)
                total += Units(read=capacity.read_units(size, consistent=True, transactional=True))
                continue
            new = after.get(ident) if write.action == "Update" else write.new
            total += capacity.item_write(
                before, new, write.table, transactional=write.transactional
            )
        return total


def summarise(calls: list[RecordedCall]) -> ProbeResult:
    total = Units()
    for call in calls:
        total += call.units
    return ProbeResult(
        requests=len(calls),
        round_trips=sequential_round_trips((call.start, call.end) for call in calls),
        units=total,
        reported_units=sum(call.reported_units for call in calls),
    )
