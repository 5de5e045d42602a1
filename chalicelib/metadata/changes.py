"""New and changed model values built from metadata API inputs (pure; inputs already checked)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from chalicelib.metadata.builder import IdFactory, build_object, build_relation_fields
from chalicelib.metadata.model import (
    FieldDef,
    FieldType,
    ObjectDef,
    RelationType,
    SelectOption,
)
from chalicelib.metadata.standard_objects import FieldSpec, ObjectSpec, RelationSpec

# Twenty gives a custom object a nullable text `name` that serves as its label identifier.
NAME_FIELD = FieldSpec("name", "Name", FieldType.TEXT, "IconAbc", "Name", default_value="''")

_OBJECT_ATTRIBUTES = {
    "nameSingular": "name_singular",
    "namePlural": "name_plural",
    "labelSingular": "label_singular",
    "labelPlural": "label_plural",
    "description": "description",
    "icon": "icon",
    "isActive": "is_active",
    "labelIdentifierFieldMetadataId": "label_identifier_field_id",
}
_FIELD_ATTRIBUTES = {
    "name": "name",
    "label": "label",
    "description": "description",
    "icon": "icon",
    "isActive": "is_active",
    "isNullable": "is_nullable",
    "isUnique": "is_unique",
    "defaultValue": "default_value",
    "settings": "settings",
}


def build_custom_object(data: Mapping[str, Any], *, now: str, new_id: IdFactory) -> ObjectDef:
    """`id`, `name` (its label identifier, unless skipNameField) and the system fields."""
    spec = ObjectSpec(
        name_singular=data["nameSingular"],
        name_plural=data["namePlural"],
        label_singular=data["labelSingular"].strip(),
        label_plural=data["labelPlural"].strip(),
        fields=() if data.get("skipNameField") else (NAME_FIELD,),
        description=data.get("description"),
        icon=data.get("icon"),
        label_identifier=None if data.get("skipNameField") else "name",
    )
    return replace(build_object(spec, now=now, new_id=new_id), is_custom=True)


def build_options(raw: Any, new_id: IdFactory) -> tuple[SelectOption, ...]:
    if not raw:
        return ()
    return tuple(
        SelectOption(
            value=option["value"],
            label=option["label"],
            position=int(option.get("position", index)),
            color=option.get("color"),
            id=option.get("id") or new_id(),
        )
        for index, option in enumerate(raw)
    )


def build_custom_field(
    obj: ObjectDef, data: Mapping[str, Any], *, now: str, new_id: IdFactory
) -> FieldDef:
    """A non-relation custom field of `obj` from a CreateFieldInput."""
    return FieldDef(
        id=new_id(),
        object_id=obj.id,
        name=data["name"],
        label=data["label"],
        type=FieldType(data["type"]),
        description=data.get("description"),
        icon=data.get("icon"),
        is_custom=True,
        is_active=data.get("isActive", True),
        is_nullable=data.get("isNullable", True),
        is_unique=data.get("isUnique", False),
        default_value=data.get("defaultValue"),
        options=build_options(data.get("options"), new_id),
        settings=dict(data["settings"]) if data.get("settings") else None,
        created_at=now,
        updated_at=now,
    )


def build_custom_relation(
    source: ObjectDef,
    target: ObjectDef,
    data: Mapping[str, Any],
    *,
    now: str,
    new_id: IdFactory,
) -> tuple[FieldDef, FieldDef]:
    """(the field asked for on `source`, its inverse on `target`), both custom.

    `relationCreationPayload.type` is the type of the field asked for: MANY_TO_ONE puts the join
    column on `source`; ONE_TO_MANY puts it on `target` (under the inverse's name).
    """
    payload = data["relationCreationPayload"]
    on_delete = (data.get("settings") or {}).get("onDelete", "SET_NULL")
    asked = (data["name"], data["label"], data.get("icon"), data.get("description"))
    inverse = (
        inverse_field_name(payload, source),
        payload["targetFieldLabel"],
        payload.get("targetFieldIcon"),
        None,
    )
    many_side_first = payload["type"] == RelationType.MANY_TO_ONE.value
    (m_name, m_label, m_icon, m_desc), (o_name, o_label, o_icon, o_desc) = (
        (asked, inverse) if many_side_first else (inverse, asked)
    )
    many_object, one_object = (source, target) if many_side_first else (target, source)
    spec = RelationSpec(
        source=many_object.name_singular,
        name=m_name,
        label=m_label,
        target=one_object.name_singular,
        inverse_name=o_name,
        inverse_label=o_label,
        icon=m_icon,
        inverse_icon=o_icon,
        description=m_desc,
        inverse_description=o_desc,
        on_delete=on_delete,
    )
    many_to_one, one_to_many = build_relation_fields(
        spec,
        source_object_id=many_object.id,
        target_object_id=one_object.id,
        now=now,
        new_id=new_id,
    )
    many_to_one, one_to_many = (replace(f, is_custom=True) for f in (many_to_one, one_to_many))
    return (many_to_one, one_to_many) if many_side_first else (one_to_many, many_to_one)


def inverse_field_name(payload: Mapping[str, Any], source: ObjectDef) -> str:
    """`targetFieldName`, else derived from the label (Twenty's computeMetadataNameFromLabel)."""
    from chalicelib.metadata.names import name_from_label

    given = payload.get("targetFieldName")
    if given:
        return str(given)
    return name_from_label(str(payload.get("targetFieldLabel") or source.label_plural))


def updated_object(obj: ObjectDef, update: Mapping[str, Any], *, now: str) -> ObjectDef:
    changes = {attr: update[key] for key, attr in _OBJECT_ATTRIBUTES.items() if key in update}
    for key in ("labelSingular", "labelPlural"):
        if isinstance(update.get(key), str):
            changes[_OBJECT_ATTRIBUTES[key]] = update[key].strip()
    return replace(obj, **changes, updated_at=now)


def updated_field(
    field: FieldDef, update: Mapping[str, Any], *, now: str, new_id: IdFactory
) -> FieldDef:
    changes = {attr: update[key] for key, attr in _FIELD_ATTRIBUTES.items() if key in update}
    if "options" in update:
        changes["options"] = build_options(update["options"], new_id)
    if "settings" in update and field.type is FieldType.RELATION:
        # A relation keeps its own settings (type, join column); only onDelete may change.
        on_delete = (update["settings"] or {}).get("onDelete")
        settings = dict(field.settings or {})
        if on_delete and field.relation is not None:
            settings["onDelete"] = on_delete
            changes["relation"] = replace(field.relation, on_delete=on_delete)
        changes["settings"] = settings
    return replace(field, **changes, updated_at=now)


def with_field(obj: ObjectDef, field: FieldDef) -> ObjectDef:
    """`obj` with `field` added, or replacing the field of the same id; `id` stays first."""
    if any(f.id == field.id for f in obj.fields):
        return replace(obj, fields=tuple(field if f.id == field.id else f for f in obj.fields))
    return replace(obj, fields=(*obj.fields, field))


def without_field(obj: ObjectDef, field_id: str) -> ObjectDef:
    return replace(obj, fields=tuple(f for f in obj.fields if f.id != field_id))
