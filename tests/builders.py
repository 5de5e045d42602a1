"""Small builders of metadata values (fields, objects) for unit tests."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from chalicelib.metadata.model import (
    FieldDef,
    FieldType,
    ObjectDef,
    RelationDef,
    RelationType,
    SelectOption,
)

_NAMESPACE = uuid.UUID("6f1c1d2e-8a4b-4c3d-9e5f-0a1b2c3d4e5f")


def stable_id(*parts: str) -> str:
    """A UUID derived from `parts`, so fixtures are the same on every run."""
    return str(uuid.uuid5(_NAMESPACE, "/".join(parts)))


def make_field(name: str, type: FieldType | str, **kw: Any) -> FieldDef:
    """A field; `options` may be given as plain values ("NEW", "DONE")."""
    if "options" in kw:
        kw["options"] = make_options(*kw["options"])
    kw.setdefault("id", stable_id("field", name))
    kw.setdefault("object_id", "")
    kw.setdefault("label", name[:1].upper() + name[1:])
    return FieldDef(name=name, type=FieldType(type), **kw)


def make_options(*values: str | SelectOption) -> tuple[SelectOption, ...]:
    return tuple(
        value if isinstance(value, SelectOption) else SelectOption(value, value.title(), position)
        for position, value in enumerate(values)
    )


def make_many_to_one(name: str, target: str = "target", **kw: Any) -> FieldDef:
    """The MANY_TO_ONE side of a relation; its join column is `<name>Id`."""
    relation = RelationDef(RelationType.MANY_TO_ONE, stable_id("object", target), "")
    return make_field(name, FieldType.RELATION, relation=relation, **kw)


def make_one_to_many(name: str, target: str = "target", **kw: Any) -> FieldDef:
    relation = RelationDef(RelationType.ONE_TO_MANY, stable_id("object", target), "")
    return make_field(name, FieldType.RELATION, relation=relation, **kw)


def system_fields() -> tuple[FieldDef, ...]:
    """The fields every object has, shaped like the seeded metadata."""
    return (
        make_field("id", FieldType.UUID, is_nullable=False, is_system=True, default_value="uuid"),
        make_field("createdAt", FieldType.DATE_TIME, is_nullable=False, default_value="now"),
        make_field("updatedAt", FieldType.DATE_TIME, is_nullable=False, default_value="now"),
        make_field("deletedAt", FieldType.DATE_TIME),
        make_field("position", FieldType.POSITION, is_system=True),
        make_field("createdBy", FieldType.ACTOR, is_nullable=False),
        make_field("updatedBy", FieldType.ACTOR, is_nullable=False),
    )


def make_object(
    singular: str,
    plural: str,
    fields: list[FieldDef] | tuple[FieldDef, ...],
    *,
    with_system_fields: bool = True,
    **kw: Any,
) -> ObjectDef:
    """An object owning `fields` (after `id`, before the other system fields by default)."""
    object_id = kw.pop("id", stable_id("object", singular))
    system = system_fields() if with_system_fields else ()
    ordered = (*system[:1], *fields, *system[1:])
    owned = tuple(replace(item, object_id=object_id) for item in ordered)
    kw.setdefault("label_singular", singular.title())
    kw.setdefault("label_plural", plural.title())
    return ObjectDef(id=object_id, name_singular=singular, name_plural=plural, fields=owned, **kw)
