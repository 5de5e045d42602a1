"""Import mode of record creation: the API's create write, keeping what an export recorded.

The API refuses client-set system fields (createdAt, updatedAt, createdBy, updatedBy,
deletedAt): the server owns them. An import restores records another workspace already
created, so it keeps them. Everything else is the API's own path: the values are checked by
`coerce_input`, completed by `apply_create_defaults`, and written as the same plan units
(record put conditioned on a free id, uniqueness guards, relation checks, live counter), which
`write_plan` gives their index entries. Only the operator CLI (chalicelib/transfer/) calls this.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib.core import plan as ops
from chalicelib.core.coercion import apply_create_defaults, coerce_input, coerce_value
from chalicelib.core.ports import StoredRecord
from chalicelib.core.uniqueness import Claim, unique_claims
from chalicelib.errors import InvalidFieldValueError
from chalicelib.metadata.model import SERVER_OWNED_FIELD_NAMES, ObjectDef

# The server-owned fields an import keeps as exported; deletedAt is kept outside the body.
KEPT_SYSTEM_FIELDS = ("createdAt", "updatedAt", "createdBy", "updatedBy")


@dataclass(frozen=True, slots=True)
class ImportedRecord:
    """A validated record ready to be written: its stored body and whether it is live."""

    id: str
    body: dict[str, Any]
    deleted_at: str | None

    @property
    def live(self) -> bool:
        return self.deleted_at is None

    def claims(self, obj: ObjectDef) -> list[Claim]:
        # Soft-deleted records hold no uniqueness guards (as after a soft delete via the API).
        return unique_claims(obj, self.body) if self.live else []


def prepare_record(
    obj: ObjectDef,
    data: Mapping[str, Any],
    *,
    now: str,
    actor: dict[str, Any],
    leave_out: Iterable[str] = (),
) -> ImportedRecord:
    """Validate an exported (or CSV) record; `leave_out` names join columns written later.

    System values the data lacks (a CSV row) are the API's: `now` and the importing `actor`.

    Raises the API's errors (InvalidFieldValueError, UnknownFieldError...) for a bad value.
    """
    skipped = set(leave_out)
    given = {
        key: value
        for key, value in data.items()
        if key not in SERVER_OWNED_FIELD_NAMES and key not in skipped
    }
    if not given.get("id"):
        raise InvalidFieldValueError("A record to import needs its 'id'")
    values = coerce_input(obj, given, for_update=False)
    record_id = values.pop("id")
    body = apply_create_defaults(obj, values)
    for name in KEPT_SYSTEM_FIELDS:
        fallback = now if name.endswith("At") else actor
        body[name] = _system_value(obj, name, data.get(name), fallback=fallback)
    if "position" not in body:
        body["position"] = 0  # the API's default is the creation time; callers may pass one
    deleted_at = data.get("deletedAt")
    if deleted_at is not None:
        deleted_at = _system_value(obj, "deletedAt", deleted_at, fallback=None)
    return ImportedRecord(record_id, body, deleted_at)


def create_unit(
    obj: ObjectDef,
    record: ImportedRecord,
    required: Iterable[tuple[str, str, str]],
    index: int,
) -> ops.Unit:
    """The API's create unit (core/records.py `_create_unit`) for an imported record.

    `required` = (join column, target object id, target id) of the relation targets that must
    be live when the write commits; the importer leaves out targets it found soft-deleted
    (an exported record may point at a record soft-deleted after it was linked).
    """
    operations: list[ops.Operation] = [
        ops.PutRecord(obj.id, record.id, record.body, version=1, deleted_at=record.deleted_at)
    ]
    operations += [ops.ReserveUnique(obj.id, p, v, record.id) for p, v in record.claims(obj)]
    operations += [
        ops.RequireRecord(target_object, target_id, column)
        for column, target_object, target_id in required
    ]
    if record.live:
        operations.append(ops.AdjustCount(obj.id, 1))
    return ops.Unit(tuple(operations), index)


def link_unit(
    obj: ObjectDef,
    current: StoredRecord,
    links: Mapping[str, str],
    required: Iterable[tuple[str, str, str]],
    index: int,
) -> ops.Unit:
    """Set join columns left out at creation (a target later in the file), version-checked.

    updatedAt stays as exported: the link restores the exported state, it is no new change.
    """
    body = {**current.body, **links}
    operations: list[ops.Operation] = [ops.replacement(obj.id, current, body)]
    operations += [
        ops.RequireRecord(target_object, target_id, column)
        for column, target_object, target_id in required
    ]
    return ops.Unit(tuple(operations), index)


def _system_value(obj: ObjectDef, name: str, value: Any, *, fallback: Any) -> Any:
    """A kept system value, checked by its field's type when the model declares the field."""
    if value is None:
        return fallback
    field = obj.by_name.get(name)
    if field is None:
        return value
    return coerce_value(field, value)
