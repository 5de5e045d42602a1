"""Bring one stored record in line with its object's current model (a pure function).

Used by the model-migration job after a metadata change: values of deleted fields are dropped,
SELECT / MULTI_SELECT values whose option was removed become null / are left out, and the
index keys are recomputed for the object's current index slots. `updatedAt` and the actors stay:
the record's content did not change, its model did.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalicelib.core import plan as ops
from chalicelib.core.coercion import initial_value
from chalicelib.core.ports import StoredRecord
from chalicelib.metadata.model import SYSTEM_FIELD_NAMES, FieldDef, FieldType, ObjectDef


def _kept_keys(obj: ObjectDef) -> frozenset[str]:
    """Body keys the model still knows: every field's name (inactive fields keep their values
    until deleted), every join column, and the system fields."""
    kept = set(SYSTEM_FIELD_NAMES)
    for field in obj.fields:
        if field.join_column:
            kept.add(field.join_column)
        elif field.type is not FieldType.RELATION:
            kept.add(field.name)
    return frozenset(kept)


def _clean_option_value(field: FieldDef, value: Any) -> Any:
    allowed = field.option_values
    if field.type is FieldType.SELECT:
        return value if value is None or value in allowed else None
    if isinstance(value, list):
        return [item for item in value if item in allowed]
    return value


def migrated_body(
    obj: ObjectDef, body: dict[str, Any], renamed: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """`body` with renamed fields' values under their new names, without the values the model
    no longer has room for, and with the default of every field added since it was written (as
    a column added with a default in SQL)."""
    body = _renamed(body, renamed or {})
    kept = _kept_keys(obj)
    cleaned = {key: value for key, value in body.items() if key in kept}
    for field in obj.fields:
        if field.type in (FieldType.SELECT, FieldType.MULTI_SELECT) and field.name in cleaned:
            cleaned[field.name] = _clean_option_value(field, cleaned[field.name])
        elif _gets_default(field, cleaned):
            cleaned[field.name] = initial_value(field)
    return cleaned


def _renamed(body: dict[str, Any], renamed: Mapping[str, str]) -> dict[str, Any]:
    moved = dict(body)
    for old, new in renamed.items():
        # A record written since the rename already holds the new name: that value wins.
        if old in moved and new not in moved:
            moved[new] = moved.pop(old)
    return moved


def _gets_default(field: FieldDef, body: dict[str, Any]) -> bool:
    return (
        field.is_active
        and field.name not in body
        and field.default_value is not None
        and field.type is not FieldType.RELATION
        and field.name not in SYSTEM_FIELD_NAMES
    )


def rewrite(object_id: str, record: StoredRecord, body: dict[str, Any]) -> ops.PutRecord:
    """Put `record` back with `body`, if it is still at the version read; its deletedAt stays.

    Index entries are added when the plan is written (core/writing.py), from the new body.
    """
    return ops.replacement(object_id, record, body)


class RecordMigrator:
    """Plans the rewrite of records of one object under its current model."""

    def __init__(
        self, obj: ObjectDef, *, reindex: bool, renamed: Mapping[str, str] | None = None
    ) -> None:
        self._obj = obj
        self._reindex = reindex
        self._renamed = dict(renamed or {})

    def unit(self, record: StoredRecord) -> ops.Unit | None:
        """The write that migrates `record`, or None when it is already in line (a reindex
        rewrites every record: its index keys are what changed)."""
        body = migrated_body(self._obj, record.body, self._renamed)
        if body == record.body and not self._reindex:
            return None
        return ops.Unit((rewrite(self._obj.id, record, body),))
