"""Objects and fields of a workspace model by id, for the metadata APIs (404 when absent)."""

from __future__ import annotations

from chalicelib.errors import MetadataNotFoundError
from chalicelib.metadata.model import FieldDef, ObjectDef, WorkspaceModel


def find_field(model: WorkspaceModel, field_id: str) -> tuple[ObjectDef, FieldDef]:
    for obj in model.objects:
        for field in obj.fields:
            if field.id == field_id:
                return obj, field
    raise MetadataNotFoundError(f"Field '{field_id}' not found")


def find_object(model: WorkspaceModel, object_id: str) -> ObjectDef:
    obj = model.by_id.get(object_id) if isinstance(object_id, str) else None
    if obj is None:
        raise MetadataNotFoundError(f"Object '{object_id}' not found")
    return obj
