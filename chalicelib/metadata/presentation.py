"""Objects and fields as the metadata APIs show them (Twenty's Object and Field types)."""

from __future__ import annotations

from typing import Any

from chalicelib.metadata.model import FieldDef, ObjectDef, WorkspaceModel
from chalicelib.metadata.serialization import field_to_body, object_to_body

# Stored for the engine's own use, not part of Twenty's Object type.
_INTERNAL_OBJECT_KEYS = ("indexes",)


def object_view(model: WorkspaceModel, obj: ObjectDef, *, with_fields: bool = True) -> dict:
    """An object with Twenty's attributes and, for REST, its fields as a plain list."""
    view = object_to_body(obj)
    for key in _INTERNAL_OBJECT_KEYS:
        view.pop(key, None)
    view.update(
        shortcut=None,
        isRemote=False,
        isUIReadOnly=False,
        isSearchable=False,
        isLabelSyncedWithName=False,
        imageIdentifierFieldMetadataId=None,
        duplicateCriteria=None,
    )
    if with_fields:
        view["fields"] = [field_view(model, field) for field in obj.fields]
    return view


def field_view(model: WorkspaceModel, field: FieldDef) -> dict[str, Any]:
    view = field_to_body(field)
    view.update(isUIReadOnly=False, isLabelSyncedWithName=False)
    view["relation"] = relation_view(model, field)
    return view


def relation_view(model: WorkspaceModel, field: FieldDef) -> dict[str, Any] | None:
    """Twenty's Relation: this field is the source side; the target side is its inverse."""
    relation = field.relation
    if relation is None:
        return None
    source = model.by_id.get(field.object_id)
    target = model.by_id.get(relation.target_object_id)
    target_field = (
        next((f for f in target.fields if f.id == relation.target_field_id), None)
        if target
        else None
    )
    return {
        "type": relation.type.value,
        "sourceObjectMetadata": _object_ref(source),
        "targetObjectMetadata": _object_ref(target),
        "sourceFieldMetadata": {"id": field.id, "name": field.name},
        "targetFieldMetadata": (
            {"id": target_field.id, "name": target_field.name} if target_field else None
        ),
    }


def _object_ref(obj: ObjectDef | None) -> dict[str, Any] | None:
    if obj is None:
        return None
    return {"id": obj.id, "nameSingular": obj.name_singular, "namePlural": obj.name_plural}
