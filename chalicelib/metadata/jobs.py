"""Work a metadata change leaves for existing records, done in resumable steps.

A change commits its jobs in the same transaction as the model itself, so the model never
promises what no job will do. Two kinds:

* ``migrate``: rewrite an object's records under its current model (values of renamed fields
  moved, of deleted fields dropped, removed SELECT options cleared, new fields' defaults filled,
  index keys of new slots written), then mark the
  job's index slots ready and drop the unique guards of fields that no longer exist.
* ``purge``: delete everything a deleted object left: records, unique guards, its live-record
  counter and its field items.

Jobs run right after the change, in the same request, until a time budget is spent; whatever
is left continues at the start of the next metadata request of the workspace, in the stream
handler (each step rewrites the job item, which wakes it again), or with
``python -m chalicelib.admin jobs run``. Every step is idempotent, so two runners at once only
repeat work. Until a purge finishes, its records are unreachable anyway: record keys carry the
object id, and a new object (even with the same name) gets a new one.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import replace
from typing import Any

from chalicelib.core import plan as ops
from chalicelib.core.ports import RecordStore
from chalicelib.core.record_migration import RecordMigrator
from chalicelib.core.writing import write_plan
from chalicelib.errors import VersionConflictError
from chalicelib.metadata.model import ObjectDef
from chalicelib.metadata.registry import load_model
from chalicelib.metadata.serialization import object_to_body
from chalicelib.storage import keys, metadata_store
from chalicelib.storage.metadata_store import MetadataChange

logger = logging.getLogger(__name__)

STEP = 100  # records per step: one Query page and at most one TransactWriteItems
_ATTEMPTS = 5


def migrate_job(
    object_id: str,
    now: str,
    *,
    ready_slots: tuple[int, ...] = (),
    dropped_guards: tuple[str, ...] = (),
    reindex: bool = False,
    renamed: dict[str, str] | None = None,
) -> dict[str, Any]:
    return {
        "id": f"{now}#{uuid.uuid4()}",
        "kind": "migrate",
        "objectId": object_id,
        "readySlots": list(ready_slots),
        "droppedGuards": list(dropped_guards),
        "reindex": reindex or bool(ready_slots),
        "renamed": dict(renamed or {}),
        "after": None,
    }


def purge_job(object_id: str, now: str) -> dict[str, Any]:
    return {"id": f"{now}#{uuid.uuid4()}", "kind": "purge", "objectId": object_id}


def run_pending(
    store: RecordStore, workspace_id: str, *, budget_seconds: float, step: int = STEP
) -> bool:
    """Run the workspace's jobs, oldest first, until done (True) or the budget is spent.

    Each job does at least one step of `step` records per run, so work always moves on."""
    deadline = time.monotonic() + budget_seconds
    for job in metadata_store.pending_jobs(workspace_id):
        runner = _migrate if job["kind"] == "migrate" else _purge
        if not runner(store, workspace_id, job, deadline, step):
            return False
    return True


def _migrate(
    store: RecordStore, workspace_id: str, job: dict[str, Any], deadline: float, step: int
) -> bool:
    while True:
        obj = load_model(workspace_id).by_id.get(job["objectId"])
        if obj is None:
            # The object was deleted since: its purge job removes the records.
            metadata_store.finish_job(workspace_id, job["id"])
            return True
        records, more = metadata_store.records_after(workspace_id, obj.id, job["after"], step)
        _rewrite(store, workspace_id, obj, job, records)
        if records:
            job["after"] = records[-1].id
        if not more:
            _complete_migration(store, workspace_id, job)
            return True
        metadata_store.save_job(workspace_id, job)
        if time.monotonic() > deadline:
            return False


def _rewrite(store, workspace_id, obj: ObjectDef, job, records) -> None:  # type: ignore[no-untyped-def]
    for _ in range(_ATTEMPTS):
        migrator = RecordMigrator(obj, reindex=job["reindex"], renamed=job.get("renamed"))
        units = tuple(unit for record in records if (unit := migrator.unit(record)))
        if not units:
            return
        try:
            write_plan(store, workspace_id, obj, ops.Plan(units))
            return
        except VersionConflictError:
            # Written meanwhile (under the new model already): read them again and retry.
            fresh = store.get_many(workspace_id, obj.id, [r.id for r in records])
            records = list(fresh.values())
            obj = load_model(workspace_id).by_id.get(obj.id) or obj
    raise VersionConflictError("The records kept changing while they were migrated")


def _complete_migration(store: RecordStore, workspace_id: str, job: dict[str, Any]) -> None:
    for path in job.get("droppedGuards") or ():
        pk = keys.unique_pk(workspace_id, job["objectId"])
        while metadata_store.delete_partition_page(pk, sk_prefix=f"{path}#"):
            pass
    if job.get("readySlots"):
        _mark_ready(workspace_id, job["objectId"], set(job["readySlots"]))
    metadata_store.finish_job(workspace_id, job["id"])


def _mark_ready(workspace_id: str, object_id: str, slots: set[int]) -> None:
    for _ in range(_ATTEMPTS):
        model = load_model(workspace_id)
        obj = model.by_id.get(object_id)
        if obj is None:
            return
        indexes = tuple(
            replace(spec, ready=True) if spec.slot in slots else spec for spec in obj.indexes
        )
        change = MetadataChange(object_bodies=[object_to_body(replace(obj, indexes=indexes))])
        try:
            metadata_store.commit_change(workspace_id, change, model.version)
            return
        except VersionConflictError:
            continue
    logger.warning("index slots %s of %s stay unready after contention", slots, object_id)


def _purge(
    _store: RecordStore, workspace_id: str, job: dict[str, Any], deadline: float, step: int
) -> bool:
    object_id = job["objectId"]
    partitions = (
        (keys.record_pk(workspace_id, object_id), None),
        (keys.unique_pk(workspace_id, object_id), None),
        (keys.metadata_pk(workspace_id), keys.object_fields_prefix(object_id)),
    )
    for pk, prefix in partitions:
        while metadata_store.delete_partition_page(pk, sk_prefix=prefix, limit=step):
            if time.monotonic() > deadline:
                # Progress is the data itself: the next run starts on what is left.
                metadata_store.save_job(workspace_id, job)
                return False
    metadata_store.delete_item(keys.counter_key(workspace_id, object_id))
    metadata_store.finish_job(workspace_id, job["id"])
    return True
