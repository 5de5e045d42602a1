"""The three component schemas of every object: `Company` (create), `CompanyForUpdate` and
`CompanyForResponse`, from the object's active fields."""

from __future__ import annotations

from typing import Any

from chalicelib.core.relations import MAX_RELATED_PER_PARENT
from chalicelib.metadata.model import (
    SERVER_OWNED_FIELD_NAMES,
    FieldDef,
    FieldType,
    ObjectDef,
    RelationType,
    WorkspaceModel,
)
from chalicelib.openapi import naming, values
from chalicelib.openapi.values import DATE_TIME, RECORD_ID, UUID, Schema, nullable

# System fields read the same on every object, whatever the model declares about them.
_SYSTEM_RESPONSE: dict[str, Schema] = {
    "id": UUID,
    "createdAt": DATE_TIME,
    "updatedAt": DATE_TIME,
    "deletedAt": nullable(DATE_TIME),
    "position": {"type": "number"},
    "createdBy": values.composite_response(FieldType.ACTOR),
    "updatedBy": values.composite_response(FieldType.ACTOR),
}
_SYSTEM_INPUT: dict[str, Schema] = {
    "id": {**RECORD_ID, "description": "Chosen by the client if given: a UUID of version 1 to 5"},
    "position": {"type": "number", "description": "Where the record sorts among the others"},
}
_ACTOR_NOTE = "Set by the server: source API and the name of the API key"


def component_schemas(model: WorkspaceModel) -> dict[str, Schema]:
    """The three schemas of each active object, by name."""
    schemas: dict[str, Schema] = {}
    for obj in _active_objects(model):
        schemas[naming.create_schema(obj)] = create_schema(obj)
        schemas[naming.update_schema(obj)] = update_schema(obj)
        schemas[naming.response_schema(obj)] = response_schema(model, obj)
    return schemas


def _active_objects(model: WorkspaceModel) -> list[ObjectDef]:
    return sorted(model.by_plural.values(), key=lambda obj: obj.name_plural)


def create_schema(obj: ObjectDef) -> Schema:
    """A record to create: every writable field; required are the fields that are neither
    nullable nor defaulted (a create without them is a 400)."""
    properties = _writable_properties(obj, for_update=False)
    schema: Schema = {
        "type": "object",
        "description": f"A {obj.label_singular} to create",
        "properties": properties,
        "additionalProperties": False,
    }
    required = [f.name for f in obj.by_name.values() if f.name in properties and _required(f)]
    if required:
        schema["required"] = required
    return schema


def update_schema(obj: ObjectDef) -> Schema:
    """Changes to a record: any subset of the writable fields (composites merge per sub-field)."""
    return {
        "type": "object",
        "description": f"Changes to a {obj.label_singular}: only the fields given change",
        "properties": _writable_properties(obj, for_update=True),
        "additionalProperties": False,
    }


def response_schema(model: WorkspaceModel, obj: ObjectDef) -> Schema:
    """A record as the API returns it. Only `id` is always there: `fields=` picks the others,
    relations come with `depth=1` only."""
    properties: dict[str, Any] = {}
    for field in obj.by_name.values():
        if field.type is FieldType.RELATION:
            properties.update(_relation_response(model, field))
        elif field.name in _SYSTEM_RESPONSE:
            properties[field.name] = _system_response(field)
        else:
            properties[field.name] = values.response_schema(field)
    for name, schema in _SYSTEM_RESPONSE.items():
        properties.setdefault(name, _system_response_default(name, schema))
    return {
        "type": "object",
        "description": f"A {obj.label_singular} as the API returns it",
        "properties": {"id": properties.pop("id"), **properties},
        "required": ["id"],
        "additionalProperties": False,
    }


def _system_response(field: FieldDef) -> Schema:
    schema = _SYSTEM_RESPONSE[field.name]
    if field.type is FieldType.ACTOR:
        return {**nullable(schema), "description": _ACTOR_NOTE}
    return {**schema, "description": field.description} if field.description else schema


def _system_response_default(name: str, schema: Schema) -> Schema:
    return {**nullable(schema), "description": _ACTOR_NOTE} if name.endswith("By") else schema


def _writable_properties(obj: ObjectDef, *, for_update: bool) -> dict[str, Schema]:
    properties: dict[str, Schema] = {}
    for field in obj.by_name.values():
        if field.name in SERVER_OWNED_FIELD_NAMES or (for_update and field.name == "id"):
            continue
        if field.name in _SYSTEM_INPUT:
            properties[field.name] = _SYSTEM_INPUT[field.name]
        elif field.type is FieldType.RELATION:
            if field.join_column:
                properties[field.join_column] = _join_column_input(field)
        else:
            properties[field.name] = values.input_schema(field)
    if "position" not in properties:
        properties["position"] = _SYSTEM_INPUT["position"]
    return properties


def _join_column_input(field: FieldDef) -> Schema:
    schema = {**UUID, "description": f"The id of the related record ('{field.name}')"}
    return nullable(schema) if field.is_nullable else schema


def _required(field: FieldDef) -> bool:
    """Neither nullable nor defaulted, and not one of the types that then default to empty
    (`core/coercion.py` `_fallback_for_missing`); composites always have a value."""
    if field.is_nullable or field.default_value is not None or field.name in _SYSTEM_INPUT:
        return False
    if field.type is FieldType.RELATION or values.is_composite(field.type):
        return False
    return field.type not in (
        FieldType.TEXT,
        FieldType.RICH_TEXT,
        FieldType.ARRAY,
        FieldType.MULTI_SELECT,
    )


def _relation_response(model: WorkspaceModel, field: FieldDef) -> dict[str, Schema]:
    """A MANY_TO_ONE relation: its join column always, the related record with depth=1. A
    ONE_TO_MANY relation: the related records (at most 60) with depth=1."""
    relation = field.relation
    assert relation is not None
    target = model.by_id.get(relation.target_object_id)
    if relation.type is RelationType.ONE_TO_MANY:
        if target is None or not target.is_active:
            return {}
        return {
            field.name: {
                "type": "array",
                "items": naming.schema_ref(naming.response_schema(target)),
                "maxItems": MAX_RELATED_PER_PARENT,
                "description": f"With depth=1: the {target.label_plural} pointing at this "
                f"record (at most {MAX_RELATED_PER_PARENT})",
            }
        }
    embedded: Schema = (
        nullable(naming.schema_ref(naming.response_schema(target)))
        if target is not None and target.is_active
        else {"type": ["object", "null"]}
    )
    join = nullable({**UUID, "description": f"The id of the related record ('{field.name}')"})
    return {
        field.join_column or f"{field.name}Id": join,
        field.name: {**embedded, "description": "With depth=1: the related record, or null"},
    }
