"""Index another path of an object: assign a slot, backfill existing records, then use it.

The slot is first saved as not ready (every write from the next request on keeps it up to
date), existing records are backfilled, and only then is it marked ready for reads, so no query
ever sees a half-built index.
"""

from __future__ import annotations

from dataclasses import replace

from chalicelib.core.backfill import backfill_index
from chalicelib.core.ports import RecordStore
from chalicelib.core.query_validation import is_orderable, resolve_path
from chalicelib.errors import (
    BadRequestError,
    ConflictError,
    UnknownObjectError,
    VersionConflictError,
)
from chalicelib.metadata.model import IndexSpec, ObjectDef
from chalicelib.metadata.registry import load_model
from chalicelib.metadata.serialization import object_to_body
from chalicelib.storage.metadata_store import MetadataChange, commit_change
from chalicelib.storage.tables import INDEX_SLOTS


def _object(workspace_id: str, plural: str) -> tuple[ObjectDef, int]:
    model = load_model(workspace_id)
    obj = model.by_plural.get(plural)
    if obj is None:
        raise UnknownObjectError(f"object '{plural}' not found")
    return obj, model.version


def add_index(store: RecordStore, workspace_id: str, plural: str, path: str) -> IndexSpec:
    """Index `path` of the object named `plural`; returns the ready index spec."""
    obj, version = _object(workspace_id, plural)
    existing = next((spec for spec in obj.indexes if spec.path == path), None)
    if existing is not None and existing.ready:
        return existing
    target = resolve_path(obj, tuple(path.split(".")))
    if not is_orderable(target):
        raise BadRequestError(f"'{path}' cannot be indexed: its values have no order")
    if existing is None:
        used = {spec.slot for spec in obj.indexes}
        free = [slot for slot in range(1, INDEX_SLOTS + 1) if slot not in used]
        if not free:
            raise BadRequestError(f"'{plural}' already uses all {INDEX_SLOTS} index slots")
        existing = IndexSpec(path=path, slot=free[0], ready=False)
        obj = replace(obj, indexes=(*obj.indexes, existing))
        version = _save(workspace_id, obj, version)
    obj, version = _object(workspace_id, plural)
    backfill_index(store, workspace_id, obj, {existing.slot})
    ready = replace(existing, ready=True)
    indexes = tuple(ready if spec.slot == existing.slot else spec for spec in obj.indexes)
    _save(workspace_id, replace(obj, indexes=indexes), version)
    return ready


def _save(workspace_id: str, obj: ObjectDef, version: int) -> int:
    """Store the object's new index list with the version bump; a concurrent change -> 409."""
    change = MetadataChange(object_bodies=[object_to_body(obj)])
    try:
        return commit_change(workspace_id, change, version)
    except VersionConflictError as exc:
        raise ConflictError("The data model changed meanwhile; retry") from exc
