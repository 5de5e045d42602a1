"""Items read per DynamoDB operation, next to the app's meter (which only keeps their sum).

It splits an indexed list's reads into index entries (Query) and records (BatchGetItem). Items
are counted with the meter's own rule, so the parts always add up to the meter's total.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

from botocore import handlers

from chalicelib.storage.metering import _items_read


class ReadsByOperation:
    def __init__(self) -> None:
        self._lock = threading.Lock()  # depth=1 reads run on several threads
        self.items: Counter[str] = Counter()

    def after_call(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        with self._lock:
            self.items[model.name] += _items_read(model.name, parsed or {})


READS = ReadsByOperation()
_installed = False


def install() -> ReadsByOperation:
    """Register with botocore once per process, before the first client is created."""
    global _installed
    if not _installed:
        handlers.BUILTIN_HANDLERS.append(("after-call.dynamodb", READS.after_call))
        _installed = True
    return READS
