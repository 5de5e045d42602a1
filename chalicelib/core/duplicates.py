"""Duplicate search: which existing records look like a given one.

Twenty matches on the object's duplicate criteria (each a group of paths that must all be
equal and non-empty) and, like upsert, on its unique fields. The standard objects' criteria
come from Twenty's workspace entities; custom objects have only their unique fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalicelib.core import composites
from chalicelib.core.filters import And, Condition, Filter, Operator, Or
from chalicelib.metadata.model import ObjectDef

Criterion = tuple[tuple[str, ...], ...]  # paths that must all match

_STANDARD_CRITERIA: Mapping[str, tuple[Criterion, ...]] = {
    "company": ((("name",),), (("domainName", "primaryLinkUrl"),)),
    "person": (
        (("name", "firstName"), ("name", "lastName")),
        (("linkedinLink", "primaryLinkUrl"),),
        (("emails", "primaryEmail"),),
    ),
}


def duplicate_criteria(obj: ObjectDef) -> tuple[Criterion, ...]:
    """The object's duplicate criteria plus one criterion per unique field, without repeats."""
    found: list[Criterion] = []
    if not obj.is_custom:
        found += _STANDARD_CRITERIA.get(obj.name_singular, ())
    for field in obj.unique_fields():
        subs = composites.unique_sub_field_names(field.type)
        if subs:
            found.append(((field.name, subs[0]),))
        elif not composites.is_composite(field.type):
            found.append(((field.name,),))
    usable = [c for c in found if all(_known(obj, path) for path in c)]
    return tuple(dict.fromkeys(usable))


def duplicate_filter(obj: ObjectDef, record: Mapping[str, Any]) -> Filter | None:
    """A raw filter for the records that share a criterion with `record` (not itself)."""
    alternatives = []
    for criterion in duplicate_criteria(obj):
        values = [_value_at(record, path) for path in criterion]
        if all(_filled(value) for value in values):
            conditions = tuple(
                Condition(path, Operator.EQ, value)
                for path, value in zip(criterion, values, strict=True)
            )
            alternatives.append(And(conditions))
    if not alternatives:
        return None
    matched: Filter = Or(tuple(alternatives))
    if record.get("id"):
        matched = And((matched, Condition(("id",), Operator.NEQ, record["id"])))
    return matched


def _known(obj: ObjectDef, path: tuple[str, ...]) -> bool:
    field = obj.by_name.get(path[0])
    if field is None:
        return False
    return len(path) == 1 or composites.find_sub_field(field.type, path[1]) is not None


def _value_at(record: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = record
    for part in path:
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def _filled(value: Any) -> bool:
    return value is not None and value != "" and not isinstance(value, list | dict)
