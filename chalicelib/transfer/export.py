"""Export a workspace to a JSON Lines file (fileformat.py), streamed page by page.

Records are read with the migrate jobs' partition walk (storage/metadata_store.records_after:
Query of the record partition, consistent, soft-deleted records included, tombstones skipped),
one object after the other and never more than a page in memory. The header needs the counts
before the records, so the records go to a spool file next to the output first; the output is
then header + model + spool + trailer, written under a temporary name and renamed, so a file
with the final name is always complete. With gzip each part is its own gzip member (a
multi-member gzip file is one stream for every reader). Never exported: API keys, webhooks
(their secrets), metadata jobs, uniqueness guards and counters (the import rebuilds those).
"""

from __future__ import annotations

import gzip
import os
import shutil
from collections.abc import Iterable
from typing import IO, Any

from chalicelib.context import utc_now_iso
from chalicelib.errors import NotFoundError
from chalicelib.metadata.model import SYSTEM_FIELD_NAMES, FieldType, ObjectDef, WorkspaceModel
from chalicelib.metadata.registry import load_model
from chalicelib.metadata.serialization import field_to_body, object_to_body
from chalicelib.storage import workspaces
from chalicelib.storage.metadata_store import records_after
from chalicelib.transfer import fileformat as ff
from chalicelib.transfer.progress import Progress

PAGE_SIZE = 500  # items per Query (a Query also stops at 1 MB)


def dependency_order(model: WorkspaceModel) -> list[ObjectDef]:
    """Objects with the targets of their MANY_TO_ONE relations first, where the relations allow
    it (a cycle is broken by name): most join columns then name a record already imported."""
    remaining = {obj.id: obj for obj in model.objects}
    ordered: list[ObjectDef] = []
    while remaining:
        ready = [
            obj
            for obj in remaining.values()
            if not any(
                f.relation.target_object_id in remaining
                for f in obj.many_to_one_fields()
                if f.relation is not None and f.relation.target_object_id != obj.id
            )
        ]
        chosen = ready or [min(remaining.values(), key=lambda o: o.name_singular)]
        for obj in sorted(chosen, key=lambda o: o.name_singular):
            ordered.append(remaining.pop(obj.id))
    return ordered


def record_data(obj: ObjectDef, shaped: dict[str, Any]) -> dict[str, Any]:
    """The stored values the model knows (values of deleted fields a job has not yet stripped
    are left out), with id and deletedAt."""
    known = set(SYSTEM_FIELD_NAMES) | set(obj.by_join_column)
    known |= {f.name for f in obj.fields if f.type is not FieldType.RELATION}
    return {key: value for key, value in shaped.items() if key in known}


def export_workspace(
    workspace_id: str,
    out_path: str,
    *,
    progress_stream: IO[str] | None = None,
    tty: bool | None = None,
) -> dict[str, Any]:
    """Write the workspace to `out_path`; returns the header (counts per object)."""
    row = workspaces.load_workspace(workspace_id)
    if row is None:
        raise NotFoundError(f"No workspace with id '{workspace_id}'")
    model = load_model(workspace_id)
    objects = dependency_order(model)
    from chalicelib.wiring import record_store

    store = record_store()
    # The live counters (a GetItem each) estimate the total; soft-deleted records add to it.
    estimate = sum(store.count_live(workspace_id, obj.id) for obj in objects)
    progress = Progress("export", estimate, stream=progress_stream, tty=tty)
    spool_path, final_tmp = out_path + ".records.part", out_path + ".part"
    counts: dict[str, int] = {}
    try:
        compressed = out_path.endswith(".gz")
        with ff.open_text(spool_path, "w", compressed=compressed) as spool:
            for obj in objects:
                counts[obj.name_plural] = _spool_records(workspace_id, obj, spool, progress)
        header = {
            "kind": ff.HEADER,
            "format": ff.FORMAT,
            "version": ff.VERSION,
            "sourceWorkspaceId": workspace_id,
            "workspaceName": row.name,
            "exportedAt": utc_now_iso(),
            "objects": len(objects),
            "records": sum(counts.values()),
            "counts": counts,
        }
        head = [header, *(_object_line(obj) for obj in objects)]
        trailer = {"kind": ff.END, "records": header["records"]}
        _assemble(final_tmp, compressed, head, spool_path, trailer)
        os.replace(final_tmp, out_path)
    finally:
        for leftover in (spool_path, final_tmp):
            if os.path.exists(leftover):
                os.remove(leftover)
    progress.finish()
    return header


def _spool_records(workspace_id: str, obj: ObjectDef, spool: IO[str], progress: Progress) -> int:
    written, after = 0, None
    while True:
        records, more = records_after(workspace_id, obj.id, after, PAGE_SIZE)
        for record in records:
            data = record_data(obj, record.shaped())
            spool.write(ff.dump({"kind": ff.RECORD, "object": obj.name_singular, "data": data}))
        written += len(records)
        progress.advance(len(records))
        if not more or not records:
            return written
        after = records[-1].id


def _object_line(obj: ObjectDef) -> dict[str, Any]:
    return {
        "kind": ff.OBJECT,
        "object": object_to_body(obj),
        "fields": [field_to_body(field) for field in obj.fields],
    }


def _assemble(
    path: str, compressed: bool, head: Iterable[dict[str, Any]], spool: str, trailer: dict
) -> None:
    with open(path, "wb") as out:
        _write_member(out, compressed, "".join(ff.dump(entry) for entry in head))
        with open(spool, "rb") as records:
            shutil.copyfileobj(records, out, 1 << 20)
        _write_member(out, compressed, ff.dump(trailer))


def _write_member(out: IO[bytes], compressed: bool, text: str) -> None:
    data = text.encode("utf-8")
    out.write(gzip.compress(data) if compressed else data)
