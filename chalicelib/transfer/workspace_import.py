"""Import an export file into a new workspace (`--name`) or an existing one (`--into`).

Order: header; the model part, rehearsed against the target's model (or, for a new
workspace, the standard model in memory, before the workspace exists) and then applied; the
records, object by object as the file has them (the export writes the targets of relations
first), in batches of the API's batch maximum; then the link pass for join columns whose
target came later in the file (self-relations, cycles); then the trailer's count check.
Records are never all in memory: one batch, plus the (object, id, column, target) of the
links still to set.

Resuming: ids are kept, so running the same command again (with `--into` the workspace of the
first run) skips the records already there, one BatchGetItem a batch, and sets the links the
first run did not reach. A new workspace's id is printed on stderr before any record is
written, for that purpose.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from chalicelib.context import Principal, RequestContext, utc_now_iso
from chalicelib.errors import NotFoundError
from chalicelib.metadata.builder import build_standard_objects
from chalicelib.metadata.indexing import with_indexes
from chalicelib.metadata.model import WorkspaceModel
from chalicelib.metadata.registry import load_model
from chalicelib.settings import SETTINGS
from chalicelib.storage import workspaces
from chalicelib.transfer import fileformat as ff
from chalicelib.transfer.model_import import ExportedModel, import_model, named, rehearse
from chalicelib.transfer.progress import Progress
from chalicelib.transfer.record_writer import Pending, RecordWriter

IMPORT_ACTOR_NAME = "Workspace import"


@dataclass(frozen=True, slots=True)
class Target:
    """Where records go: an existing workspace, or a name for a new one."""

    workspace_id: str | None = None
    name: str | None = None


def import_actor() -> dict[str, Any]:
    return {"source": "IMPORT", "name": IMPORT_ACTOR_NAME, "workspaceMemberId": None, "context": {}}


def import_context(workspace_id: str) -> RequestContext:
    return RequestContext(Principal(workspace_id, "import", IMPORT_ACTOR_NAME), utc_now_iso())


def _read_head(lines: Iterator[ff.Line]) -> tuple[dict[str, Any], ExportedModel, ff.Line | None]:
    first = next(lines, None)
    if first is None:
        raise ff.TransferError("the file is empty", line=1)
    header = first.body
    if first.kind != ff.HEADER or header.get("format") != ff.FORMAT:
        raise ff.TransferError("the first line is not a workspace export header", line=1)
    if header.get("version") != ff.VERSION:
        raise ff.TransferError(
            f"format version {header.get('version')!r} is not supported (this CLI reads "
            f"version {ff.VERSION})",
            line=1,
        )
    model = ExportedModel()
    for line in lines:
        if line.kind != ff.OBJECT:
            return header, model, line
        model.add(line.number, line.body)
    return header, model, None


def _standard_model() -> WorkspaceModel:
    """What a new workspace starts with, to rehearse the model before creating it."""
    now = utc_now_iso()
    objects = tuple(with_indexes(obj) for obj in build_standard_objects(now=now))
    return WorkspaceModel("new-workspace", 1, objects)


def import_file(
    path: str,
    target: Target,
    *,
    progress_stream: IO[str] | None = None,
    tty: bool | None = None,
    after_batch: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """Import the file; returns {workspaceId, records, imported, skipped, linked, ...}.

    `after_batch` runs after each written batch (tests interrupt an import with it).
    """
    from chalicelib.wiring import metadata_service, record_store

    store = record_store()
    notices = progress_stream if progress_stream is not None else sys.stderr
    with ff.open_text(path, "r") as stream:
        lines = ff.read_lines(stream)
        header, exported, first_record = _read_head(lines)
        created: dict[str, Any] = {}
        if target.workspace_id is not None:
            if workspaces.load_workspace(target.workspace_id) is None:
                raise NotFoundError(f"No workspace with id '{target.workspace_id}'")
            workspace_id = target.workspace_id
        else:
            # The whole model is rehearsed on the standard model before the workspace exists.
            rehearse(store, exported, _standard_model(), import_context("new-workspace"))
            created = _new_workspace(target.name or str(header.get("workspaceName") or "Import"))
            workspace_id = str(created["workspaceId"])
            notices.write(
                f"importing into new workspace {workspace_id}; if interrupted, resume with "
                f"--into {workspace_id}\n"
            )
        ctx = import_context(workspace_id)
        changes = import_model(
            store, metadata_service(), ctx, exported, lambda: load_model(workspace_id)
        )
        model = load_model(workspace_id)
        writer = RecordWriter(
            store, workspace_id, model, now=ctx.now, actor=import_actor(), lenient=False
        )
        progress = Progress(
            "import", int(header.get("records") or 0), stream=progress_stream, tty=tty
        )
        seen = _write_records(writer, model, lines, first_record, progress, after_batch)
        writer.link_all(SETTINGS.batch_max_records, after_batch)
        progress.finish()
    expected = header.get("records")
    if isinstance(expected, int) and expected != seen:
        raise ff.TransferError(f"the header announces {expected} records, the file has {seen}")
    tally = writer.tally
    return {
        **created,
        "workspaceId": workspace_id,
        "records": seen,
        "imported": tally.written,
        "skipped": tally.skipped,
        "linked": tally.linked,
        "modelChanges": changes,
    }


def _new_workspace(name: str) -> dict[str, Any]:
    """The same answer as `workspace create` (chalicelib/admin.py)."""
    from chalicelib.auth.api_keys import issue_key
    from chalicelib.metadata.provisioning import create_workspace

    workspace = create_workspace(name)
    key = issue_key(workspace.id, "Default key")
    return {
        "workspaceId": workspace.id,
        "name": workspace.name,
        "apiKey": key.token,
        "apiKeyId": key.row.key_id,
    }


class _Batcher:
    """Consecutive record lines of one object, up to the batch maximum, to the writer."""

    def __init__(
        self,
        writer: RecordWriter,
        model: WorkspaceModel,
        progress: Progress,
        after_batch: Callable[[], None] | None,
    ) -> None:
        self._writer = writer
        self._objects = named(model)
        self._progress = progress
        self._after_batch = after_batch
        self._batch: list[Pending] = []
        self._object: str | None = None
        self.seen = 0

    def add(self, line: ff.Line) -> None:
        name, data = line.body.get("object"), line.body.get("data")
        if not isinstance(data, dict) or not isinstance(name, str) or name not in self._objects:
            raise ff.TransferError(
                f"a record line needs 'data' and an object of the file ({name!r} is not one)",
                line=line.number,
            )
        self.seen += 1
        if name != self._object or len(self._batch) >= SETTINGS.batch_max_records:
            self.flush()
            self._object = name
        self._batch.append(Pending(line.number, data))

    def flush(self) -> None:
        if self._batch and self._object is not None:
            obj = self._objects[self._object]
            self._progress.advance(self._writer.write_batch(obj, self._batch))
            self._batch = []
            if self._after_batch is not None:
                self._after_batch()


def _write_records(
    writer: RecordWriter,
    model: WorkspaceModel,
    lines: Iterator[ff.Line],
    first: ff.Line | None,
    progress: Progress,
    after_batch: Callable[[], None] | None,
) -> int:
    """Every record line, in batches of one object; the number of records. The file must end
    with its trailer: without it, it was cut at a line end."""
    batcher = _Batcher(writer, model, progress, after_batch)
    last_line = first.number - 1 if first is not None else 0
    for line in itertools.chain([first] if first is not None else [], lines):
        last_line = line.number
        if line.kind == ff.END:
            batcher.flush()
            if line.body.get("records") != batcher.seen:
                raise ff.TransferError(
                    f"the trailer counts {line.body.get('records')} records, the file has "
                    f"{batcher.seen}",
                    line=line.number,
                )
            return batcher.seen
        if line.kind != ff.RECORD:
            raise ff.TransferError(
                f"unexpected '{line.kind}' line among the records", line=line.number
            )
        batcher.add(line)
    batcher.flush()
    raise ff.TransferError(
        "the file ends without its trailer line: it is truncated", line=last_line + 1
    )
