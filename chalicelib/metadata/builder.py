"""Turns object and relation specs into model values with fresh ids and the system fields."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any

from chalicelib.metadata.model import FieldDef, FieldType, ObjectDef, RelationDef, RelationType
from chalicelib.metadata.standard_objects import (
    STANDARD_OBJECTS,
    STANDARD_RELATIONS,
    FieldSpec,
    ObjectSpec,
    RelationSpec,
)

IdFactory = Callable[[], str]

# The server overwrites actor values on every write; this only documents the shape.
ACTOR_DEFAULT = {
    "source": "'MANUAL'",
    "name": "'System'",
    "workspaceMemberId": None,
    "context": None,
}

# `id` leads every object's field list; the other system fields close it (SYSTEM_FIELD_NAMES order).
ID_FIELD = FieldSpec(
    "id",
    "Id",
    FieldType.UUID,
    "Icon123",
    "Id",
    is_nullable=False,
    is_system=True,
    default_value="uuid",
)
TRAILING_SYSTEM_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "createdAt",
        "Creation date",
        FieldType.DATE_TIME,
        "IconCalendar",
        "Creation date",
        is_nullable=False,
        default_value="now",
    ),
    FieldSpec(
        "updatedAt",
        "Last update",
        FieldType.DATE_TIME,
        "IconCalendarClock",
        "Last time the record was changed",
        is_nullable=False,
        default_value="now",
    ),
    FieldSpec(
        "deletedAt",
        "Deleted at",
        FieldType.DATE_TIME,
        "IconCalendarMinus",
        "Date when the record was deleted",
    ),
    FieldSpec(
        "position", "Position", FieldType.POSITION, "IconHierarchy2", "Position", is_system=True
    ),
    FieldSpec(
        "createdBy",
        "Created by",
        FieldType.ACTOR,
        "IconCreativeCommonsSa",
        "The creator of the record",
        is_nullable=False,
        default_value=ACTOR_DEFAULT,
    ),
    FieldSpec(
        "updatedBy",
        "Updated by",
        FieldType.ACTOR,
        "IconUserCircle",
        "The workspace member who last updated the record",
        is_nullable=False,
        default_value=ACTOR_DEFAULT,
    ),
)


def _uuid4() -> str:
    return str(uuid.uuid4())


def build_standard_objects(*, now: str, new_id: IdFactory = _uuid4) -> tuple[ObjectDef, ...]:
    """The standard objects of a new workspace, with their relations, all created at `now`."""
    return build_objects(STANDARD_OBJECTS, STANDARD_RELATIONS, now=now, new_id=new_id)


def build_objects(
    specs: Sequence[ObjectSpec],
    relations: Iterable[RelationSpec],
    *,
    now: str,
    new_id: IdFactory = _uuid4,
) -> tuple[ObjectDef, ...]:
    """Objects whose relations all stay among `specs` (relation ends are nameSingulars)."""
    object_ids = {spec.name_singular: new_id() for spec in specs}
    relation_fields: dict[str, list[FieldDef]] = {name: [] for name in object_ids}
    for relation in relations:
        many_to_one, one_to_many = build_relation_fields(
            relation,
            source_object_id=object_ids[relation.source],
            target_object_id=object_ids[relation.target],
            now=now,
            new_id=new_id,
        )
        relation_fields[relation.source].append(many_to_one)
        relation_fields[relation.target].append(one_to_many)
    return tuple(
        build_object(
            spec,
            now=now,
            new_id=new_id,
            object_id=object_ids[spec.name_singular],
            relation_fields=relation_fields[spec.name_singular],
        )
        for spec in specs
    )


def build_object(
    spec: ObjectSpec,
    *,
    now: str,
    new_id: IdFactory = _uuid4,
    object_id: str | None = None,
    relation_fields: Iterable[FieldDef] = (),
) -> ObjectDef:
    """One object: `id`, the spec's fields, the given relation fields, then the system fields.

    Relation fields must already carry `object_id` (see `build_relation_fields`).
    """
    object_id = object_id or new_id()

    def build(field_spec: FieldSpec) -> FieldDef:
        return build_field(field_spec, object_id=object_id, now=now, new_id=new_id)

    fields = (
        build(ID_FIELD),
        *(build(field_spec) for field_spec in spec.fields),
        *relation_fields,
        *(build(field_spec) for field_spec in TRAILING_SYSTEM_FIELDS),
    )
    return ObjectDef(
        id=object_id,
        name_singular=spec.name_singular,
        name_plural=spec.name_plural,
        label_singular=spec.label_singular,
        label_plural=spec.label_plural,
        fields=fields,
        description=spec.description,
        icon=spec.icon,
        is_custom=False,
        is_system=spec.is_system,
        label_identifier_field_id=_label_identifier_id(spec, fields),
        created_at=now,
        updated_at=now,
    )


def build_field(
    spec: FieldSpec, *, object_id: str, now: str, new_id: IdFactory = _uuid4
) -> FieldDef:
    # Deep copies: specs are shared module constants, and a model value must not alias them.
    return FieldDef(
        id=new_id(),
        object_id=object_id,
        name=spec.name,
        label=spec.label,
        type=spec.type,
        description=spec.description,
        icon=spec.icon,
        is_custom=False,
        is_system=spec.is_system,
        is_nullable=spec.is_nullable,
        is_unique=spec.is_unique,
        default_value=copy.deepcopy(spec.default_value),
        options=tuple(replace(option, id=new_id()) for option in spec.options),
        settings=copy.deepcopy(spec.settings),
        created_at=now,
        updated_at=now,
    )


def build_relation_fields(
    spec: RelationSpec,
    *,
    source_object_id: str,
    target_object_id: str,
    now: str,
    new_id: IdFactory = _uuid4,
) -> tuple[FieldDef, FieldDef]:
    """The MANY_TO_ONE field on the source and its ONE_TO_MANY inverse on the target."""
    source_field_id = new_id()
    target_field_id = new_id()
    many_to_one = FieldDef(
        id=source_field_id,
        object_id=source_object_id,
        name=spec.name,
        label=spec.label,
        type=FieldType.RELATION,
        description=spec.description,
        icon=spec.icon,
        relation=RelationDef(
            type=RelationType.MANY_TO_ONE,
            target_object_id=target_object_id,
            target_field_id=target_field_id,
            on_delete=spec.on_delete,
        ),
        settings=relation_settings(RelationType.MANY_TO_ONE, spec.on_delete, spec.name),
        created_at=now,
        updated_at=now,
    )
    one_to_many = FieldDef(
        id=target_field_id,
        object_id=target_object_id,
        name=spec.inverse_name,
        label=spec.inverse_label,
        type=FieldType.RELATION,
        description=spec.inverse_description,
        icon=spec.inverse_icon,
        # The inverse repeats on_delete so either side tells what deleting the target does.
        relation=RelationDef(
            type=RelationType.ONE_TO_MANY,
            target_object_id=source_object_id,
            target_field_id=source_field_id,
            on_delete=spec.on_delete,
        ),
        settings=relation_settings(RelationType.ONE_TO_MANY, spec.on_delete, spec.inverse_name),
        created_at=now,
        updated_at=now,
    )
    return many_to_one, one_to_many


def relation_settings(relation_type: RelationType, on_delete: str, name: str) -> dict[str, Any]:
    """Twenty's RELATION `settings`; only the MANY_TO_ONE side owns a join column."""
    settings: dict[str, Any] = {"relationType": relation_type.value, "onDelete": on_delete}
    if relation_type is RelationType.MANY_TO_ONE:
        settings["joinColumnName"] = f"{name}Id"
    return settings


def _label_identifier_id(spec: ObjectSpec, fields: Sequence[FieldDef]) -> str | None:
    if spec.label_identifier is None:
        return None
    for field in fields:
        if field.name == spec.label_identifier:
            return field.id
    raise ValueError(
        f"{spec.name_singular}: label identifier {spec.label_identifier!r} is not one of its fields"
    )
