"""The index entries of a record: for each indexed path of its object, the value's order form.

Storage turns an entry into `ix<slot>pk` / `ix<slot>sk` (storage/keys.py); the order form is the
evaluator's (core/evaluation.order_form), so an index scan and an in-memory sort agree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib.core.evaluation import order_form
from chalicelib.core.query_validation import ResolvedPath, resolve_path
from chalicelib.metadata.model import ObjectDef


@dataclass(frozen=True, slots=True)
class IndexEntry:
    slot: int
    form: Any  # None for a null value


def _read(path: tuple[str, ...]) -> Callable[[Mapping[str, Any]], Any]:
    def read(record: Mapping[str, Any]) -> Any:
        value: Any = record
        for part in path:
            value = value.get(part) if isinstance(value, Mapping) else None
        return value

    return read


def resolved_indexes(
    obj: ObjectDef, *, ready_only: bool = False
) -> dict[str, tuple[int, ResolvedPath]]:
    """Indexed path -> (slot, resolved path) for the object's index specs (writes keep every
    index up to date; reads use only the ready ones)."""
    found = {}
    for spec in obj.indexes:
        if ready_only and not spec.ready:
            continue
        try:
            found[spec.path] = (spec.slot, resolve_path(obj, tuple(spec.path.split("."))))
        except Exception:  # noqa: BLE001 - a field deactivated since; its slot just goes unused
            continue
    return found


def compile_index_entries(obj: ObjectDef) -> Callable[[Mapping[str, Any]], tuple[IndexEntry, ...]]:
    """A function computing a stored body's index entries, with paths resolved once."""
    parts = [
        (slot, _read(target.path), order_form(target))
        for slot, target in resolved_indexes(obj).values()
    ]

    def entries(body: Mapping[str, Any]) -> tuple[IndexEntry, ...]:
        result = []
        for slot, read, form in parts:
            value = read(body)
            result.append(IndexEntry(slot, None if value is None else form(value)))
        return tuple(result)

    return entries
