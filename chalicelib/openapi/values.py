"""JSON Schemas of field values, per field type: what a write accepts and what a read returns.

Input schemas follow the checks of `core/coercion.py` (a value they admit is accepted, one they
refuse is a 400); response schemas follow `core/presentation.py` (composites always whole, any
other value null when unset).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalicelib.core.coercion import RATING_VALUES
from chalicelib.core.composites import (
    ACTOR_SOURCES,
    LINK_ITEM_KEYS,
    PHONE_ITEM_KEYS,
    SubField,
    SubFieldKind,
    sub_fields,
)
from chalicelib.metadata.model import FieldDef, FieldType

Schema = dict[str, Any]

# The integer ranges of NUMBER fields whose settings.dataType asks for integers.
_INTEGER_RANGES = {"int": (-(2**31), 2**31 - 1), "bigint": (-(2**63), 2**63 - 1)}
# What `_decimal_to_number` reads: NUMERIC values may also be sent as decimal strings.
DECIMAL_PATTERN = r"^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$"
_EMAIL_PATTERN = r"^[^@]+@[^@]+$"
UUID = {"type": "string", "format": "uuid"}
# Record ids (a path's id, a client-chosen id): Twenty accepts UUID versions 1 to 5 only.
RECORD_ID = {
    **UUID,
    "pattern": "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}"
    "-[0-9a-fA-F]{12}$",
}
DATE_TIME = {"type": "string", "format": "date-time"}


def nullable(schema: Schema) -> Schema:
    """`schema` or null, in 3.1's spelling: `type: [X, "null"]` (enums list null too)."""
    kind = schema.get("type")
    if isinstance(kind, str):
        widened = {**schema, "type": [kind, "null"]}
        if "enum" in schema:
            widened["enum"] = [*schema["enum"], None]
        return widened
    if isinstance(kind, list):
        return schema if "null" in kind else {**schema, "type": [*kind, "null"]}
    return {"anyOf": [schema, {"type": "null"}]}


def _described(schema: Schema, description: str | None) -> Schema:
    return {**schema, "description": description} if description else schema


# ---------------------------------------------------------------------------------------------
# Scalar types


def _number(field: FieldDef) -> Schema:
    data_type = (field.settings or {}).get("dataType")
    if data_type in _INTEGER_RANGES:
        low, high = _INTEGER_RANGES[data_type]
        return {"type": "integer", "minimum": low, "maximum": high}
    return {"type": "number"}


def _options(field: FieldDef) -> list[str]:
    return [option.value for option in sorted(field.options, key=lambda o: o.position)]


def _select(field: FieldDef) -> Schema:
    return {"type": "string", "enum": _options(field)}


def _multi_select(field: FieldDef) -> Schema:
    return {"type": "array", "items": {"type": "string", "enum": _options(field)}}


def _static(schema: Schema) -> Callable[[FieldDef], Schema]:
    return lambda _field: dict(schema)


_DECIMAL_INPUT = {
    "anyOf": [{"type": "number"}, {"type": "string", "pattern": DECIMAL_PATTERN}],
    "description": 'A number, or a decimal string such as "1234.5"',
}

# Values as a read returns them.
_SCALAR_RESPONSE: dict[FieldType, Callable[[FieldDef], Schema]] = {
    FieldType.UUID: _static(UUID),
    FieldType.TEXT: _static({"type": "string"}),
    FieldType.RICH_TEXT: _static({"type": "string"}),
    FieldType.NUMBER: _number,
    FieldType.NUMERIC: _static({"type": "number"}),
    FieldType.BOOLEAN: _static({"type": "boolean"}),
    FieldType.DATE: _static({"type": "string", "format": "date"}),
    FieldType.DATE_TIME: _static(DATE_TIME),
    FieldType.SELECT: _select,
    FieldType.MULTI_SELECT: _multi_select,
    FieldType.RATING: _static({"type": "string", "enum": list(RATING_VALUES)}),
    FieldType.POSITION: _static({"type": "number"}),
    FieldType.ARRAY: _static({"type": "array", "items": {"type": "string"}}),
}

# Values as a write accepts them, where that differs from what a read returns.
_SCALAR_INPUT: dict[FieldType, Callable[[FieldDef], Schema]] = {
    **_SCALAR_RESPONSE,
    FieldType.NUMERIC: _static(_DECIMAL_INPUT),
    FieldType.DATE: _static(
        {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
    ),
    FieldType.DATE_TIME: _static(
        {
            **DATE_TIME,
            "description": "ISO 8601; an offset is converted to UTC, a value without one is "
            "read as UTC, and the answer is always YYYY-MM-DDTHH:MM:SS.mmmZ",
        }
    ),
    FieldType.MULTI_SELECT: lambda field: {**_multi_select(field), "uniqueItems": True},
}


# ---------------------------------------------------------------------------------------------
# Composite sub-fields


def _string_items(keys: tuple[str, ...]) -> Schema:
    return {
        "type": "object",
        "properties": {key: {"type": ["string", "null"]} for key in keys},
        "additionalProperties": False,
    }


def _string_items_response(keys: tuple[str, ...]) -> Schema:
    return {
        "type": "object",
        "properties": {key: {"type": "string"} for key in keys},
        "required": list(keys),
        "additionalProperties": False,
    }


# Sub-field values as a write accepts them (null always means "unset").
_SUB_INPUT: dict[SubFieldKind, Schema] = {
    SubFieldKind.TEXT: {"type": "string"},
    SubFieldKind.NULLABLE_TEXT: {"type": "string"},
    SubFieldKind.EMAIL: {
        "type": "string",
        "pattern": r"^(?:[^@]+@[^@]+)?$",
        "description": "An email address (one '@'), or \"\"",
    },
    SubFieldKind.CURRENCY_CODE: {
        "type": "string",
        "pattern": r"^(?:[A-Z]{3})?$",
        "description": 'An ISO 4217 code (3 upper-case letters), or ""',
    },
    SubFieldKind.NUMBER: _DECIMAL_INPUT,
    SubFieldKind.UUID: UUID,
    SubFieldKind.ACTOR_SOURCE: {"type": "string", "enum": list(ACTOR_SOURCES)},
    SubFieldKind.JSON_OBJECT: {"type": "object"},
    SubFieldKind.EMAIL_LIST: {
        "type": "array",
        "items": {"type": "string", "pattern": _EMAIL_PATTERN},
    },
    SubFieldKind.PHONE_LIST: {"type": "array", "items": _string_items(PHONE_ITEM_KEYS)},
    SubFieldKind.LINK_LIST: {"type": "array", "items": _string_items(LINK_ITEM_KEYS)},
}

# Sub-field values as a read returns them: unset text is "", unset lists are [].
_SUB_RESPONSE: dict[SubFieldKind, Schema] = {
    SubFieldKind.TEXT: {"type": "string"},
    SubFieldKind.NULLABLE_TEXT: {"type": ["string", "null"]},
    SubFieldKind.EMAIL: {"type": "string"},
    SubFieldKind.CURRENCY_CODE: {"type": "string"},
    SubFieldKind.NUMBER: {"type": ["number", "null"]},
    SubFieldKind.UUID: nullable(UUID),
    SubFieldKind.ACTOR_SOURCE: {"type": "string", "enum": list(ACTOR_SOURCES)},
    SubFieldKind.JSON_OBJECT: {"type": "object"},
    SubFieldKind.EMAIL_LIST: {"type": "array", "items": {"type": "string"}},
    SubFieldKind.PHONE_LIST: {"type": "array", "items": _string_items_response(PHONE_ITEM_KEYS)},
    SubFieldKind.LINK_LIST: {"type": "array", "items": _string_items_response(LINK_ITEM_KEYS)},
}


def _sub_input(sub: SubField) -> Schema:
    return nullable(dict(_SUB_INPUT[sub.kind]))


def composite_input(field_type: FieldType) -> Schema:
    """A composite as a write accepts it: any subset of its sub-fields, or null (all unset)."""
    return {
        "type": ["object", "null"],
        "properties": {sub.name: _sub_input(sub) for sub in sub_fields(field_type)},
        "additionalProperties": False,
    }


def composite_response(field_type: FieldType) -> Schema:
    """A composite as a read returns it: every sub-field, unset ones empty."""
    subs = sub_fields(field_type)
    return {
        "type": "object",
        "properties": {sub.name: dict(_SUB_RESPONSE[sub.kind]) for sub in subs},
        "required": [sub.name for sub in subs],
        "additionalProperties": False,
    }


# ---------------------------------------------------------------------------------------------
# Public API


def input_schema(field: FieldDef) -> Schema:
    """What a create or an update accepts for the (non-relation) `field`."""
    if field.type in (FieldType.RAW_JSON,):
        return _described({}, field.description or "Any JSON value")
    if sub_fields(field.type):
        return _described(composite_input(field.type), field.description)
    schema = _SCALAR_INPUT[field.type](field)
    return _described(nullable(schema) if field.is_nullable else schema, field.description)


def response_schema(field: FieldDef) -> Schema:
    """What a read returns for the (non-relation) `field`: null whenever no value is stored."""
    if field.type in (FieldType.RAW_JSON,):
        return _described({}, field.description or "Any JSON value")
    if sub_fields(field.type):
        return _described(composite_response(field.type), field.description)
    return _described(nullable(_SCALAR_RESPONSE[field.type](field)), field.description)


def is_composite(field_type: FieldType) -> bool:
    return bool(sub_fields(field_type))
