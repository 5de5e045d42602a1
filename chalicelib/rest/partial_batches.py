"""The REST answer of a batch create with per-item results (`?partial=true`).

207 Multi-Status whenever partial results were asked for, whatever their mix, so a client
reads one shape: `data.create<Plural>` holds one entry per input, in input order (the record
as the default batch echoes it, or null), and `errors` one entry per refused input.
"""

from __future__ import annotations

from typing import Any

from chalicelib.core.partial_batch import ItemError, PartialResult
from chalicelib.metadata.model import ObjectDef
from chalicelib.rest.rendering import Keep, pascal, pick

MULTI_STATUS = 207


def partial_batch(obj: ObjectDef, result: PartialResult, keep: Keep = None) -> dict[str, Any]:
    records = [None if o is None else pick([o.record], keep)[0] for o in result.outcomes]
    return {
        "data": {f"create{pascal(obj.name_plural)}": records},
        "errors": [_item_error(item) for item in result.errors],
    }


def _item_error(item: ItemError) -> dict[str, Any]:
    """Twenty's `messages` and our stable `code`, placed by the input's index."""
    entry: dict[str, Any] = {
        "index": item.index,
        "code": item.error.code,
        "messages": item.error.messages,
    }
    if item.field is not None:
        entry["field"] = item.field
    return entry
