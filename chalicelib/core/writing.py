"""Write a plan: add each record write's index entries (one place for every command), execute.

Writes to other objects' records (a destroy's onDelete consequences) get their own object's
index entries; the model names those objects.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from chalicelib.core import plan as ops
from chalicelib.core.ports import RecordStore
from chalicelib.metadata.model import ObjectDef, WorkspaceModel

Entries = Callable[[dict[str, Any]], tuple[Any, ...]]


def write_plan(
    store: RecordStore,
    workspace_id: str,
    obj: ObjectDef,
    plan: ops.Plan,
    model: WorkspaceModel | None = None,
) -> None:
    """Execute `plan`, whose record writes are for `obj` unless they name another object."""
    # Imported on first write (it brings the evaluator): keeps `import app` small.
    from chalicelib.core.indexing import compile_index_entries

    compiled: dict[str, Entries] = {obj.id: compile_index_entries(obj)}

    def entries(object_id: str) -> Entries:
        if object_id not in compiled and model is not None:
            compiled[object_id] = compile_index_entries(model.by_id[object_id])
        return compiled[object_id]

    units = tuple(
        ops.Unit(tuple(_indexed(op, entries) for op in unit.operations), unit.index)
        for unit in plan.units
    )
    store.execute(workspace_id, ops.Plan(units))


def _indexed(op: ops.Operation, entries_of: Callable[[str], Entries]) -> ops.Operation:
    if isinstance(op, ops.DeleteRecord):
        return replace(op, previous_index_entries=entries_of(op.object_id)(op.previous_body))
    if not isinstance(op, ops.PutRecord):
        return op
    entries = entries_of(op.object_id)
    # Indexes hold live records only: a soft-deleted record leaves them (restore puts it back).
    current = entries(op.body) if op.deleted_at is None else ()
    previous = ()
    if op.previous_body is not None and op.previous_deleted_at is None:
        previous = entries(op.previous_body)
    return replace(op, index_entries=current, previous_index_entries=previous)
