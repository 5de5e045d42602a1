"""CSV import of one object: header = field paths, each cell turned into the JSON value its
field type takes, then the same validation and write path as an export file's records.

Header cells are field paths: `city`, `name.firstName`, `emails.primaryEmail`, join columns
such as `companyId`, `id`, `position`. An empty cell leaves the value out (the field's default
applies). Cells of number, boolean and list types are parsed (`42`, `true`/`false`,
`["a","b"]` or `a, b`), JSON-valued ones (RAW_JSON, list sub-fields) read as JSON; whatever
does not parse is passed on as text, so the API's own message names the field and the value.

Bad rows are skipped and listed with their line numbers (the valid rows are imported). Rows
without an `id` column get a deterministic id (UUIDv5 of object, line and content): running
the same file again skips the rows already imported instead of duplicating them.
"""

from __future__ import annotations

import csv
import json
import re
import uuid
from collections.abc import Callable
from typing import IO, Any

from chalicelib.core import composites
from chalicelib.core.composites import SubFieldKind
from chalicelib.errors import InvalidRequestBodyError, NotFoundError
from chalicelib.json_input import decode_json
from chalicelib.metadata.model import FieldType, ObjectDef
from chalicelib.metadata.registry import load_model
from chalicelib.settings import SETTINGS
from chalicelib.storage import workspaces
from chalicelib.transfer.fileformat import TransferError
from chalicelib.transfer.progress import Progress
from chalicelib.transfer.record_writer import Pending, RecordWriter, Rejected
from chalicelib.transfer.workspace_import import import_context

CSV_ACTOR_NAME = "CSV import"
_ID_NAMESPACE = uuid.UUID("4f1f3c8e-6f2a-5d3b-9c47-7a1e2b3c4d5e")
_INTEGER = re.compile(r"[+-]?\d+")
_FLOAT = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_TRUE, _FALSE = {"true", "yes", "1"}, {"false", "no", "0"}


def _number(text: str) -> Any:
    if _INTEGER.fullmatch(text):
        return int(text)
    return float(text) if _FLOAT.fullmatch(text) else text


def _boolean(text: str) -> Any:
    lowered = text.lower()
    return True if lowered in _TRUE else False if lowered in _FALSE else text


def _json(text: str) -> Any:
    """A cell's JSON value; anything that is no JSON the API would accept stays text (and the
    field's validation then names it)."""
    try:
        return decode_json(text, what="cell")
    except InvalidRequestBodyError:
        return text


def _list(text: str) -> Any:
    if text.startswith("["):
        return _json(text)
    return [part.strip() for part in text.split(",") if part.strip()]


_BY_TYPE: dict[FieldType, Callable[[str], Any]] = {
    FieldType.NUMBER: _number,
    FieldType.NUMERIC: _number,
    FieldType.POSITION: _number,
    FieldType.BOOLEAN: _boolean,
    FieldType.MULTI_SELECT: _list,
    FieldType.ARRAY: _list,
    FieldType.RAW_JSON: _json,
}
_BY_KIND: dict[SubFieldKind, Callable[[str], Any]] = {
    SubFieldKind.NUMBER: _number,
    SubFieldKind.EMAIL_LIST: _list,
    SubFieldKind.PHONE_LIST: _json,
    SubFieldKind.LINK_LIST: _json,
    SubFieldKind.JSON_OBJECT: _json,
}


def _column_parser(obj: ObjectDef, path: str) -> Callable[[str], Any]:
    """How a cell of this header path becomes a value; an unknown path is refused up front."""
    head, _, sub = path.partition(".")
    if not sub:
        if head in ("id", *obj.by_join_column):
            return str
        if head == "position":
            return _number
        field = obj.by_name.get(head)
        if field is None or field.type is FieldType.RELATION:
            raise TransferError(f"column '{path}' is no field of '{obj.name_singular}'", line=1)
        return _BY_TYPE.get(field.type, str)
    field = obj.by_name.get(head)
    found = composites.find_sub_field(field.type, sub) if field is not None else None
    if field is None or found is None:
        raise TransferError(f"column '{path}' is no sub-field of '{obj.name_singular}'", line=1)
    return _BY_KIND.get(found.kind, str)


def row_values(
    header: list[str], parsers: list[Callable[[str], Any]], row: list[str]
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for path, parse, cell in zip(header, parsers, row, strict=False):
        if cell == "":
            continue
        head, _, sub = path.partition(".")
        value = parse(cell)
        if sub:
            values.setdefault(head, {})[sub] = value
        else:
            values[head] = value
    return values


def import_csv(
    workspace_id: str,
    object_name: str,
    path: str,
    *,
    progress_stream: IO[str] | None = None,
    tty: bool | None = None,
) -> dict[str, Any]:
    """Import the rows; {workspaceId, object, records, imported, skipped, rejected}."""
    from chalicelib.wiring import record_store

    if workspaces.load_workspace(workspace_id) is None:
        raise NotFoundError(f"No workspace with id '{workspace_id}'")
    model = load_model(workspace_id)
    obj = model.by_plural.get(object_name) or model.by_singular.get(object_name)
    if obj is None:
        raise NotFoundError(f"No object '{object_name}' in workspace '{workspace_id}'")
    ctx = import_context(workspace_id)
    actor = {"source": "IMPORT", "name": CSV_ACTOR_NAME, "workspaceMemberId": None, "context": {}}
    writer = RecordWriter(
        record_store(), workspace_id, model, now=ctx.now, actor=actor, lenient=True
    )
    with open(path, encoding="utf-8-sig", newline="") as stream:
        total = max(sum(1 for _ in stream) - 1, 0)  # lines, an estimate: a cell may span lines
        stream.seek(0)
        reader = csv.reader(stream)
        header = next(reader, None)
        if not header:
            raise TransferError("the CSV file has no header line", line=1)
        header = [cell.strip() for cell in header]
        parsers = [_column_parser(obj, column) for column in header]
        progress = Progress(f"import {obj.name_plural}", total, stream=progress_stream, tty=tty)
        batch: list[Pending] = []
        rows = 0
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            rows += 1
            line = reader.line_num
            values = row_values(header, parsers, row)
            if len(row) != len(header):
                writer.tally.rejected.append(_wrong_width(line, len(row), len(header)))
                progress.advance(1)
                continue
            values.setdefault("id", _row_id(obj, line, row))
            batch.append(Pending(line, values))
            if len(batch) >= SETTINGS.batch_max_records:
                progress.advance(writer.write_batch(obj, batch))
                batch = []
        if batch:
            progress.advance(writer.write_batch(obj, batch))
        writer.link_all(SETTINGS.batch_max_records)
        progress.finish()
    tally = writer.tally
    return {
        "workspaceId": workspace_id,
        "object": obj.name_plural,
        "records": rows,
        "imported": tally.written,
        "skipped": tally.skipped,
        "rejected": [entry.to_json() for entry in sorted(tally.rejected, key=lambda r: r.line)],
    }


def _wrong_width(line: int, got: int, wanted: int) -> Rejected:
    return Rejected(line, [f"the row has {got} cells, the header {wanted}"])


def _row_id(obj: ObjectDef, line: int, row: list[str]) -> str:
    return str(uuid.uuid5(_ID_NAMESPACE, json.dumps([obj.name_singular, line, row])))
