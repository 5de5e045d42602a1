"""The JSON a client sees for one stored record at depth 0."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalicelib.core import composites
from chalicelib.metadata.model import SYSTEM_FIELD_NAMES, FieldType, ObjectDef

_SYSTEM_NAMES = frozenset(SYSTEM_FIELD_NAMES)


def present_record(obj: ObjectDef, stored: Mapping[str, Any]) -> dict[str, Any]:
    """`stored` shaped by the current model: `id` first, then every active field in order.

    Composites come whole (unset sub-fields empty), MANY_TO_ONE relations as their join column,
    system fields exactly as stored; values of fields that no longer exist are left out, and a
    missing value is null. Nested lists and objects are shared with `stored`, not copied.
    """
    record: dict[str, Any] = {"id": stored.get("id")}
    for field in obj.by_name.values():
        if field.type is FieldType.RELATION:
            if field.join_column:
                record[field.join_column] = stored.get(field.join_column)
        elif composites.is_composite(field.type) and field.name not in _SYSTEM_NAMES:
            record[field.name] = composites.fill_composite(field.type, stored.get(field.name))
        elif field.name != "id":
            record[field.name] = stored.get(field.name)
    # Every record has the system fields, whether or not the model declares them.
    for name in SYSTEM_FIELD_NAMES:
        if name not in record:
            record[name] = stored.get(name)
    return record
