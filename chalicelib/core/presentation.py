"""The JSON a client sees for one stored record at depth 0."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from chalicelib.core import composites
from chalicelib.metadata.model import SYSTEM_FIELD_NAMES, FieldType, ObjectDef

_SYSTEM_NAMES = frozenset(SYSTEM_FIELD_NAMES)

# (output key, composite sub-fields or None): worked out once per object, applied per record.
_Column = tuple[str, tuple[composites.SubField, ...] | None]


def _columns(obj: ObjectDef) -> list[_Column]:
    columns: list[_Column] = [("id", None)]
    for field in obj.by_name.values():
        if field.type is FieldType.RELATION:
            if field.join_column:
                columns.append((field.join_column, None))
        elif composites.is_composite(field.type) and field.name not in _SYSTEM_NAMES:
            columns.append((field.name, composites.sub_fields(field.type)))
        elif field.name != "id":
            columns.append((field.name, None))
    # Every record has the system fields, whether or not the model declares them.
    declared = {name for name, _ in columns}
    columns += [(name, None) for name in SYSTEM_FIELD_NAMES if name not in declared]
    return columns


def _fill(subs: tuple[composites.SubField, ...], value: Any) -> dict[str, Any]:
    given = value if isinstance(value, Mapping) else {}
    return {
        sub.name: given[sub.name] if sub.name in given else composites.fresh_empty(sub)
        for sub in subs
    }


def _apply(columns: list[_Column], stored: Mapping[str, Any]) -> dict[str, Any]:
    get = stored.get
    return {name: get(name) if subs is None else _fill(subs, get(name)) for name, subs in columns}


def present_record(obj: ObjectDef, stored: Mapping[str, Any]) -> dict[str, Any]:
    """`stored` shaped by the current model: `id` first, then every active field in order.

    Composites come whole (unset sub-fields empty), MANY_TO_ONE relations as their join column,
    system fields exactly as stored; values of fields that no longer exist are left out, and a
    missing value is null. Nested lists and objects are shared with `stored`, not copied.
    """
    return _apply(_columns(obj), stored)


def present_records(obj: ObjectDef, stored: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """`present_record` for many records of one object, deciding the columns only once."""
    columns = _columns(obj)
    return [_apply(columns, record) for record in stored]
