"""Response bodies of the REST core routes: Twenty's envelopes around the record schemas."""

from __future__ import annotations

from typing import Any

from chalicelib.core.group_by import RECORDS_PER_GROUP
from chalicelib.metadata.model import ObjectDef
from chalicelib.openapi import naming
from chalicelib.openapi.values import UUID, Schema, nullable

PAGE_INFO = "PageInfo"


def page_info_schema() -> Schema:
    cursor = nullable({**UUID, "description": "A record id; null on an empty page"})
    return {
        "type": "object",
        "properties": {
            "hasNextPage": {"type": "boolean"},
            "hasPreviousPage": {"type": "boolean"},
            "startCursor": cursor,
            "endCursor": cursor,
        },
        "required": ["hasNextPage", "hasPreviousPage", "startCursor", "endCursor"],
        "additionalProperties": False,
    }


def _data(key: str, value: Schema) -> Schema:
    return _closed({"data": _closed({key: value})})


def _closed(properties: dict[str, Schema]) -> Schema:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def _record(obj: ObjectDef) -> Schema:
    return naming.schema_ref(naming.response_schema(obj))


def _records(obj: ObjectDef) -> Schema:
    return {"type": "array", "items": _record(obj)}


def json_content(schema: Schema, description: str = "Successful operation") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def find_many(obj: ObjectDef) -> Schema:
    return _closed(
        {
            "data": _closed({obj.name_plural: _records(obj)}),
            "totalCount": {"type": "integer", "minimum": 0},
            "pageInfo": naming.schema_ref(PAGE_INFO),
        }
    )


def find_one(obj: ObjectDef) -> Schema:
    return _data(obj.name_singular, _record(obj))


def mutation(verb: str, obj: ObjectDef) -> Schema:
    """`{"data": {"<verb><Singular>": record}}` (create, update, restore)."""
    return _data(f"{verb}{naming.pascal(obj.name_singular)}", _record(obj))


def many_mutation(verb: str, obj: ObjectDef) -> Schema:
    """`{"data": {"<verb><Plural>": [records]}}` (create, update, restore many; merge is one)."""
    return _data(f"{verb}{naming.pascal(obj.name_plural)}", _records(obj))


def _id_only() -> Schema:
    return _closed({"id": UUID})


def delete_one(obj: ObjectDef) -> Schema:
    return _data(f"delete{naming.pascal(obj.name_singular)}", _id_only())


def delete_many(obj: ObjectDef) -> Schema:
    return _data(f"delete{naming.pascal(obj.name_plural)}", {"type": "array", "items": _id_only()})


def merge(obj: ObjectDef) -> Schema:
    return _data(f"merge{naming.pascal(obj.name_plural)}", _record(obj))


def duplicates(obj: ObjectDef) -> Schema:
    entry = _closed(
        {
            f"{obj.name_singular}Duplicates": _records(obj),
            "totalCount": {"type": "integer", "minimum": 0},
            "pageInfo": naming.schema_ref(PAGE_INFO),
        }
    )
    return _closed(
        {
            "data": {
                "type": "array",
                "items": entry,
                "description": "One entry per given id, then one per given record",
            }
        }
    )


def group_by(obj: ObjectDef) -> Schema:
    group = {
        "type": "object",
        "properties": {
            "groupByDimensionValues": {
                "type": "array",
                "items": {},
                "description": "The group's value of each dimension (null: records without one)",
            },
            "totalCount": {"type": "integer", "minimum": 0},
            "records": {**_records(obj), "maxItems": RECORDS_PER_GROUP},
        },
        "required": ["groupByDimensionValues", "totalCount"],
        "additionalProperties": {
            "description": "The aggregates asked for (`aggregate`), by name",
            "type": ["number", "string", "null"],
        },
    }
    return _data(f"{obj.name_plural}GroupBy", {"type": "array", "items": group})
