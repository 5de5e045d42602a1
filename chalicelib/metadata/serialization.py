"""Model values to and from the camelCase bodies stored in DynamoDB (Twenty's metadata names)."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from chalicelib.metadata.model import (
    FieldDef,
    FieldType,
    IndexSpec,
    ObjectDef,
    RelationDef,
    RelationType,
    SelectOption,
    WorkspaceModel,
)


def object_to_body(obj: ObjectDef) -> dict[str, Any]:
    """The object's own attributes; its fields are stored as separate items."""
    return {
        "id": obj.id,
        "nameSingular": obj.name_singular,
        "namePlural": obj.name_plural,
        "labelSingular": obj.label_singular,
        "labelPlural": obj.label_plural,
        "description": obj.description,
        "icon": obj.icon,
        "isCustom": obj.is_custom,
        "isActive": obj.is_active,
        "isSystem": obj.is_system,
        "labelIdentifierFieldMetadataId": obj.label_identifier_field_id,
        "createdAt": obj.created_at,
        "updatedAt": obj.updated_at,
        "indexes": [
            {"path": index.path, "slot": index.slot, "ready": index.ready} for index in obj.indexes
        ],
    }


def field_to_body(field: FieldDef) -> dict[str, Any]:
    # Copies: callers marshal or amend bodies, and the model value must stay untouched.
    return {
        "id": field.id,
        "objectMetadataId": field.object_id,
        "type": field.type.value,
        "name": field.name,
        "label": field.label,
        "description": field.description,
        "icon": field.icon,
        "isCustom": field.is_custom,
        "isActive": field.is_active,
        "isSystem": field.is_system,
        "isNullable": field.is_nullable,
        "isUnique": field.is_unique,
        "defaultValue": copy.deepcopy(field.default_value),
        # Twenty sends null, not [], for fields without options.
        "options": [option.to_json() for option in field.options] if field.options else None,
        "settings": copy.deepcopy(field.settings),
        "relation": _relation_to_body(field.relation),
        "createdAt": field.created_at,
        "updatedAt": field.updated_at,
    }


def object_from_body(body: dict[str, Any], fields: tuple[FieldDef, ...]) -> ObjectDef:
    return ObjectDef(
        id=body["id"],
        name_singular=body["nameSingular"],
        name_plural=body["namePlural"],
        label_singular=body["labelSingular"],
        label_plural=body["labelPlural"],
        fields=fields,
        description=body.get("description"),
        icon=body.get("icon"),
        is_custom=body.get("isCustom", False),
        is_active=body.get("isActive", True),
        is_system=body.get("isSystem", False),
        label_identifier_field_id=body.get("labelIdentifierFieldMetadataId"),
        created_at=body.get("createdAt", ""),
        updated_at=body.get("updatedAt", ""),
        indexes=tuple(
            IndexSpec(
                path=entry["path"], slot=int(entry["slot"]), ready=bool(entry.get("ready", True))
            )
            for entry in body.get("indexes") or ()
        ),
    )


def field_from_body(body: dict[str, Any]) -> FieldDef:
    return FieldDef(
        id=body["id"],
        object_id=body["objectMetadataId"],
        name=body["name"],
        label=body["label"],
        type=FieldType(body["type"]),
        description=body.get("description"),
        icon=body.get("icon"),
        is_custom=body.get("isCustom", False),
        is_active=body.get("isActive", True),
        is_system=body.get("isSystem", False),
        is_nullable=body.get("isNullable", True),
        is_unique=body.get("isUnique", False),
        default_value=body.get("defaultValue"),
        options=tuple(_option_from_body(option) for option in body.get("options") or ()),
        settings=body.get("settings"),
        relation=_relation_from_body(body.get("relation")),
        created_at=body.get("createdAt", ""),
        updated_at=body.get("updatedAt", ""),
    )


def build_workspace_model(
    workspace_id: str,
    version: int,
    object_bodies: Iterable[dict[str, Any]],
    field_bodies: Iterable[dict[str, Any]],
) -> WorkspaceModel:
    """Objects sorted by nameSingular (a stable order whatever the storage order); fields keep
    the order given. Fields of an object not among `object_bodies` are dropped: they can only be
    leftovers of an object deleted between the writes of its items."""
    fields_by_object: dict[str, list[FieldDef]] = {}
    for body in field_bodies:
        fields_by_object.setdefault(body["objectMetadataId"], []).append(field_from_body(body))
    objects = [
        object_from_body(body, tuple(fields_by_object.get(body["id"], ())))
        for body in object_bodies
    ]
    objects.sort(key=lambda obj: obj.name_singular)
    return WorkspaceModel(workspace_id=workspace_id, version=version, objects=tuple(objects))


def _relation_to_body(relation: RelationDef | None) -> dict[str, Any] | None:
    if relation is None:
        return None
    return {
        "type": relation.type.value,
        "targetObjectMetadataId": relation.target_object_id,
        "targetFieldMetadataId": relation.target_field_id,
        "onDelete": relation.on_delete,
    }


def _relation_from_body(body: dict[str, Any] | None) -> RelationDef | None:
    if body is None:
        return None
    return RelationDef(
        type=RelationType(body["type"]),
        target_object_id=body["targetObjectMetadataId"],
        target_field_id=body["targetFieldMetadataId"],
        on_delete=body.get("onDelete", "SET_NULL"),
    )


def _option_from_body(body: dict[str, Any]) -> SelectOption:
    return SelectOption(
        value=body["value"],
        label=body["label"],
        # DynamoDB hands numbers back as Decimal.
        position=int(body["position"]),
        color=body.get("color"),
        id=body.get("id"),
    )
