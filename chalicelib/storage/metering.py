"""Count DynamoDB requests and items read, and let tests inject faults, via botocore events.

Handlers are added to botocore's built-in handler list, so every client created afterwards
(pynamodb creates its own) reports to the one meter. Install before the first DynamoDB call.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from botocore import handlers

# An interceptor sees (operation name, request params) and may return a fake
# (http_response, parsed_response) pair to short-circuit the call.
Interceptor = Callable[[str, dict[str, Any]], Any]


def _items_read(operation: str, parsed: dict[str, Any]) -> int:
    if operation == "GetItem":
        return 1 if "Item" in parsed else 0
    if operation in ("Query", "Scan"):
        return int(parsed.get("ScannedCount", parsed.get("Count", 0)))
    if operation == "BatchGetItem":
        return sum(len(items) for items in parsed.get("Responses", {}).values())
    if operation == "TransactGetItems":
        return len(parsed.get("Responses", []))
    return 0


class DynamoMeter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.operations: Counter[str] = Counter()
        self.items_read = 0
        self.items_by_operation: Counter[str] = Counter()
        self.interceptors: list[Interceptor] = []

    def reset(self) -> None:
        with self._lock:
            self.operations = Counter()
            self.items_read = 0
            self.items_by_operation = Counter()

    @property
    def requests(self) -> int:
        return sum(self.operations.values())

    def before_call(self, model: Any, params: dict[str, Any], **_: Any) -> Any:
        if not self.interceptors:
            return None
        # `params` is the serialised request; interceptors get the API parameters back.
        body = params.get("body") or b"{}"
        api_params = json.loads(body)
        for interceptor in list(self.interceptors):
            response = interceptor(model.name, api_params)
            if response is not None:
                return response
        return None

    def after_call(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        with self._lock:
            items = _items_read(model.name, parsed or {})
            self.operations[model.name] += 1
            self.items_read += items
            self.items_by_operation[model.name] += items


METER = DynamoMeter()
_installed = False


def install() -> DynamoMeter:
    """Register the meter with botocore once per process."""
    global _installed
    if not _installed:
        handlers.BUILTIN_HANDLERS.append(("before-call.dynamodb", METER.before_call))
        handlers.BUILTIN_HANDLERS.append(("after-call.dynamodb", METER.after_call))
        _installed = True
    return METER
