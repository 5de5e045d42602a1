"""Validation and normalisation of client record input against the workspace metadata."""

from __future__ import annotations

import json
import math
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from chalicelib.core import composites
from chalicelib.core.composites import SubField, SubFieldKind
from chalicelib.errors import InvalidFieldValueError, ReadOnlyFieldError, UnknownFieldError
from chalicelib.metadata.model import (
    SERVER_OWNED_FIELD_NAMES,
    SYSTEM_FIELD_NAMES,
    FieldDef,
    FieldType,
    ObjectDef,
)

RATING_VALUES = ("RATING_1", "RATING_2", "RATING_3", "RATING_4", "RATING_5")

_INTEGER_BOUNDS = {"int": (-(2**31), 2**31 - 1), "bigint": (-(2**63), 2**63 - 1)}
_INTEGER_LABELS = {"int": "integer", "bigint": "big integer"}

# DynamoDB numbers hold at most 38 significant digits within 1e-130 .. 9.99e125; refusing
# anything else here keeps a bad number a 400 instead of a failed write.
_MAX_INTEGER = 10**38
_MAX_MAGNITUDE = 1e126
_MIN_MAGNITUDE = 1e-130

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATE_TIME = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:[Tt ](?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d+))?)?"
    r"(?P<zone>[Zz]|[+-]\d{2}(?::?\d{2})?)?)?"
)
_CURRENCY_CODE = re.compile(r"[A-Z]{3}")

_CALLER_OWNED = frozenset(SYSTEM_FIELD_NAMES)
# Stands in for `position` on models that do not declare it: every record has one.
_POSITION_FIELD = FieldDef(
    id="", object_id="", name="position", label="Position", type=FieldType.POSITION
)


class _Rejected(Exception):
    """Raised by a value rule; the caller turns it into an error that names the field."""

    def __init__(self, expected: str | None = None) -> None:
        super().__init__(expected)
        self.expected = expected


@dataclass(frozen=True, slots=True)
class _Rule:
    """How one field type is checked: what it expects (for messages) and the coercion itself."""

    expected: Callable[[FieldDef], str]
    coerce: Callable[[FieldDef, Any], Any]


@dataclass(frozen=True, slots=True)
class _SubRule:
    expected: str
    coerce: Callable[[Any], Any]


# ---------------------------------------------------------------------------------------------
# Public API


def coerce_input(obj: ObjectDef, body: object, *, for_update: bool) -> dict[str, Any]:
    """The client's record `body`, checked key by key and normalised; only the given keys."""
    if not isinstance(body, dict):
        raise InvalidFieldValueError("Record data must be a JSON object")
    return {key: _coerce_entry(obj, key, value, for_update) for key, value in body.items()}


def coerce_value(field: FieldDef, value: Any) -> Any:
    """One client value for `field`, normalised to its stored form."""
    if composites.is_composite(field.type):
        return _coerce_composite(field, value)
    rule = _RULES.get(field.type)
    if rule is None:
        raise InvalidFieldValueError(f"Field '{field.name}' ({field.type}) cannot be written")
    if value is None:
        if field.is_nullable:
            return None
        expected = f"{rule.expected(field)} (the field is not nullable)"
        raise _invalid(field.name, _type_label(field), expected, value)
    try:
        return rule.coerce(field, value)
    except _Rejected as rejected:
        expected = rejected.expected or rule.expected(field)
        raise _invalid(field.name, _type_label(field), expected, value) from None


def apply_create_defaults(
    obj: ObjectDef, values: Mapping[str, Any], *, now: datetime | None = None
) -> dict[str, Any]:
    """The full stored body of a new record: `values` completed with every field's default.

    System fields (id, position, createdAt...) are the caller's: passed through when given,
    never defaulted. Composites are the empty composite, then the metadata default, then the
    given partial, merged sub-field by sub-field. `now` feeds "now" defaults (tests pin it).
    """
    record: dict[str, Any] = {}
    for field in obj.by_name.values():
        if field.name in _CALLER_OWNED:
            if field.name in values:
                record[field.name] = values[field.name]
        elif field.type is FieldType.RELATION:
            if field.join_column:
                record[field.join_column] = values.get(field.join_column)
        else:
            record[field.name] = _initial_value(field, values, now)
    for name in SYSTEM_FIELD_NAMES:
        if name in values and name not in record:
            record[name] = values[name]
    return record


def merge_update(
    obj: ObjectDef, current: Mapping[str, Any], changes: Mapping[str, Any]
) -> dict[str, Any]:
    """The stored body after `changes`: composites merge per sub-field, other values replace."""
    merged = dict(current)
    for key, value in changes.items():
        field = obj.by_name.get(key)
        if field is not None and composites.is_composite(field.type) and isinstance(value, dict):
            merged[key] = {**composites.fill_composite(field.type, current.get(key)), **value}
        else:
            merged[key] = value
    return merged


def default_value(field: FieldDef, *, now: datetime | None = None) -> Any:
    """The value a new record gets for a non-composite `field` the client left out."""
    default = field.default_value
    if default is None:
        return _fallback_for_missing(field)
    function = _FUNCTION_DEFAULTS.get((field.type, default)) if isinstance(default, str) else None
    if function is not None:
        return function(now or datetime.now(UTC))
    return unquote_default(default)


def unquote_default(default: Any) -> Any:
    """A metadata default in Twenty's serialised form (`"'NEW'"`) as a plain value (`"NEW"`)."""
    if isinstance(default, str):
        quoted = len(default) >= 2 and default[0] == default[-1] == "'"
        return default[1:-1] if quoted else default
    if isinstance(default, list):
        return [unquote_default(item) for item in default]
    if isinstance(default, dict):
        return {key: unquote_default(item) for key, item in default.items()}
    return default


# ---------------------------------------------------------------------------------------------
# Keys of a record body


def _coerce_entry(obj: ObjectDef, key: str, value: Any, for_update: bool) -> Any:
    if key == "id":
        return _coerce_id(value, for_update)
    if key in SERVER_OWNED_FIELD_NAMES:
        raise ReadOnlyFieldError(f"Field '{key}' is read-only: the server sets it")
    relation = obj.by_join_column.get(key)
    if relation is not None:
        return _coerce_join_column(relation, key, value)
    field = obj.by_name.get(key)
    if field is None and key == _POSITION_FIELD.name:
        field = _POSITION_FIELD
    if field is None:
        raise UnknownFieldError(f"Field '{key}' does not exist on object '{obj.name_singular}'")
    if field.type is FieldType.RELATION:
        raise _relation_write_error(field)
    return coerce_value(field, value)


def _coerce_id(value: Any, for_update: bool) -> str:
    if for_update:
        raise ReadOnlyFieldError("Field 'id' is read-only: a record's id cannot be changed")
    canonical = canonical_uuid(value) if isinstance(value, str) else None
    # Version nibble 1-5 and the RFC 4122 variant, as Twenty's isUUID check demands.
    if canonical is None or canonical[14] not in "12345" or canonical[19] not in "89ab":
        raise _invalid("id", "UUID", "a UUID of version 1 to 5", value)
    return canonical


def _coerce_join_column(relation: FieldDef, key: str, value: Any) -> str | None:
    if value is None and relation.is_nullable:
        return None
    canonical = canonical_uuid(value) if isinstance(value, str) else None
    if canonical is None:
        expected = "the id (UUID) of the related record" + (
            " or null" if relation.is_nullable else ""
        )
        raise _invalid(key, "UUID", expected, value)
    return canonical


def _relation_write_error(field: FieldDef) -> InvalidFieldValueError:
    if field.join_column:
        return InvalidFieldValueError(
            f"Field '{field.name}' is a relation and cannot be written directly; "
            f"set '{field.join_column}' to the id of the related record instead"
        )
    return InvalidFieldValueError(
        f"Field '{field.name}' is a one-to-many relation and cannot be written; "
        "set the join column on the related records instead"
    )


# ---------------------------------------------------------------------------------------------
# Scalar field types


def _coerce_text(field: FieldDef, value: Any) -> str:
    if not isinstance(value, str):
        raise _Rejected()
    return value


def _coerce_number(field: FieldDef, value: Any) -> int | float:
    if not _is_number(value):
        raise _Rejected()
    data_type = _integer_data_type(field)
    if data_type is None:
        return _storable(value)
    if isinstance(value, float) and not value.is_integer():
        raise _Rejected()
    low, high = _INTEGER_BOUNDS[data_type]
    if not low <= int(value) <= high:
        raise _Rejected(f"an integer between {low} and {high}")
    return int(value)


def _coerce_numeric(field: FieldDef, value: Any) -> int | float:
    return _json_number(value)


def _coerce_boolean(field: FieldDef, value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Rejected()
    return value


def _coerce_date(field: FieldDef, value: Any) -> str:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise _Rejected()
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise _Rejected() from None


def _coerce_date_time(field: FieldDef, value: Any) -> str:
    return _normalise_date_time(value)


def _coerce_uuid(field: FieldDef, value: Any) -> str:
    canonical = canonical_uuid(value) if isinstance(value, str) else None
    if canonical is None:
        raise _Rejected()
    return canonical


def _coerce_select(field: FieldDef, value: Any) -> str:
    if not isinstance(value, str) or value not in field.option_values:
        raise _Rejected()
    return value


def _coerce_multi_select(field: FieldDef, value: Any) -> list[str]:
    if not isinstance(value, list):
        raise _Rejected()
    allowed = field.option_values
    if any(not isinstance(item, str) or item not in allowed for item in value):
        raise _Rejected()
    if len(set(value)) != len(value):
        raise _Rejected(f"{_expect_multi_select(field)}, each at most once")
    return list(value)


def _coerce_rating(field: FieldDef, value: Any) -> str:
    if not isinstance(value, str) or value not in RATING_VALUES:
        raise _Rejected()
    return value


def _coerce_position(field: FieldDef, value: Any) -> int | float:
    if not _is_number(value):
        raise _Rejected()
    return _storable(value)


def _coerce_raw_json(field: FieldDef, value: Any) -> Any:
    _require_json(value)
    return value


def _coerce_array(field: FieldDef, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _Rejected()
    return list(value)


def _expect_number(field: FieldDef) -> str:
    return "an integer" if _integer_data_type(field) else "a number"


def _expect_select(field: FieldDef) -> str:
    return f"one of {_quoted_options(field)}"


def _expect_multi_select(field: FieldDef) -> str:
    return f"a list of values among {_quoted_options(field)}"


def _static(text: str) -> Callable[[FieldDef], str]:
    return lambda _field: text


_RULES: Mapping[FieldType, _Rule] = {
    FieldType.TEXT: _Rule(_static("a string"), _coerce_text),
    FieldType.RICH_TEXT: _Rule(_static("a string"), _coerce_text),
    FieldType.NUMBER: _Rule(_expect_number, _coerce_number),
    FieldType.NUMERIC: _Rule(_static("a number or a decimal string"), _coerce_numeric),
    FieldType.BOOLEAN: _Rule(_static("true or false"), _coerce_boolean),
    FieldType.DATE: _Rule(_static("a date formatted YYYY-MM-DD"), _coerce_date),
    FieldType.DATE_TIME: _Rule(
        _static("an ISO 8601 date-time such as 2024-01-31T09:30:00.000Z"), _coerce_date_time
    ),
    FieldType.UUID: _Rule(_static("a UUID"), _coerce_uuid),
    FieldType.SELECT: _Rule(_expect_select, _coerce_select),
    FieldType.MULTI_SELECT: _Rule(_expect_multi_select, _coerce_multi_select),
    FieldType.RATING: _Rule(_static(f"one of {', '.join(RATING_VALUES)}"), _coerce_rating),
    FieldType.POSITION: _Rule(_static("a number"), _coerce_position),
    FieldType.RAW_JSON: _Rule(_static("a JSON value"), _coerce_raw_json),
    FieldType.ARRAY: _Rule(_static("a list of strings"), _coerce_array),
}


# ---------------------------------------------------------------------------------------------
# Composite field types


def _coerce_composite(field: FieldDef, value: Any) -> dict[str, Any]:
    if value is None:
        return composites.empty_composite(field.type)  # null empties the whole composite
    names = ", ".join(composites.sub_field_names(field.type))
    if not isinstance(value, dict):
        expected = f"an object with sub-fields {names}, or null"
        raise _invalid(field.name, str(field.type), expected, value)
    coerced: dict[str, Any] = {}
    for key, sub_value in value.items():
        sub = composites.find_sub_field(field.type, key)
        if sub is None:
            raise UnknownFieldError(
                f"Sub-field '{field.name}.{key}' does not exist on {field.type} field "
                f"'{field.name}'; expected one of {names}"
            )
        coerced[key] = _coerce_sub_value(field, sub, sub_value)
    return coerced


def _coerce_sub_value(field: FieldDef, sub: SubField, value: Any) -> Any:
    if value is None:
        return composites.fresh_empty(sub)  # null in a sub-field means "unset"
    rule = _SUB_RULES[sub.kind]
    try:
        return rule.coerce(value)
    except _Rejected as rejected:
        path = f"{field.name}.{sub.name}"
        raise _invalid(path, str(field.type), rejected.expected or rule.expected, value) from None


def _sub_text(value: Any) -> str:
    if not isinstance(value, str):
        raise _Rejected()
    return value


def _sub_email(value: Any) -> str:
    if not isinstance(value, str) or (value and not _looks_like_email(value)):
        raise _Rejected()
    return value


def _sub_currency_code(value: Any) -> str:
    if not isinstance(value, str) or (value and not _CURRENCY_CODE.fullmatch(value)):
        raise _Rejected()
    return value


def _sub_number(value: Any) -> int | float:
    return _json_number(value)


def _sub_uuid(value: Any) -> str:
    canonical = canonical_uuid(value) if isinstance(value, str) else None
    if canonical is None:
        raise _Rejected()
    return canonical


def _sub_actor_source(value: Any) -> str:
    if not isinstance(value, str) or value not in composites.ACTOR_SOURCES:
        raise _Rejected()
    return value


def _sub_json_object(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _Rejected()
    _require_json(value)
    return value


def _sub_email_list(value: Any) -> list[str]:
    if not isinstance(value, list):
        raise _Rejected()
    if not all(isinstance(item, str) and _looks_like_email(item) for item in value):
        raise _Rejected()
    return list(value)


def _sub_phone_list(value: Any) -> list[dict[str, str]]:
    return _string_record_list(value, composites.PHONE_ITEM_KEYS)


def _sub_link_list(value: Any) -> list[dict[str, str]]:
    return _string_record_list(value, composites.LINK_ITEM_KEYS)


def _string_record_list(value: Any, keys: tuple[str, ...]) -> list[dict[str, str]]:
    """A list of objects with string values under `keys` only, completed with "" where unset."""
    if not isinstance(value, list):
        raise _Rejected()
    items = []
    for item in value:
        if not isinstance(item, dict) or not set(item) <= set(keys):
            raise _Rejected()
        if not all(item[key] is None or isinstance(item[key], str) for key in item):
            raise _Rejected()
        items.append({key: item.get(key) or "" for key in keys})
    return items


def _list_of_objects(keys: tuple[str, ...]) -> str:
    return f"a list of objects with string keys {', '.join(keys)}, or null"


_SUB_RULES: Mapping[SubFieldKind, _SubRule] = {
    SubFieldKind.TEXT: _SubRule("a string or null", _sub_text),
    SubFieldKind.NULLABLE_TEXT: _SubRule("a string or null", _sub_text),
    SubFieldKind.EMAIL: _SubRule("an email address (one '@'), \"\" or null", _sub_email),
    SubFieldKind.CURRENCY_CODE: _SubRule(
        'an ISO 4217 code of 3 upper-case letters, "" or null', _sub_currency_code
    ),
    SubFieldKind.NUMBER: _SubRule("a number, a decimal string or null", _sub_number),
    SubFieldKind.UUID: _SubRule("a UUID or null", _sub_uuid),
    SubFieldKind.ACTOR_SOURCE: _SubRule(
        f"one of {', '.join(composites.ACTOR_SOURCES)}", _sub_actor_source
    ),
    SubFieldKind.JSON_OBJECT: _SubRule("a JSON object or null", _sub_json_object),
    SubFieldKind.EMAIL_LIST: _SubRule(
        "a list of email addresses (one '@' each), or null", _sub_email_list
    ),
    SubFieldKind.PHONE_LIST: _SubRule(
        _list_of_objects(composites.PHONE_ITEM_KEYS), _sub_phone_list
    ),
    SubFieldKind.LINK_LIST: _SubRule(_list_of_objects(composites.LINK_ITEM_KEYS), _sub_link_list),
}


# ---------------------------------------------------------------------------------------------
# Defaults on create


def initial_value(field: FieldDef, *, now: datetime | None = None) -> Any:
    """The value a record created without `field` gets (its default, composites completed)."""
    return _initial_value(field, {}, now)


def _initial_value(field: FieldDef, values: Mapping[str, Any], now: datetime | None) -> Any:
    if composites.is_composite(field.type):
        composite = _composite_default(field)
        composite.update(values.get(field.name) or {})
        return composite
    if field.name in values:
        return values[field.name]
    return default_value(field, now=now)


# Composite defaults per (field id, field version): a 60-record batch would otherwise unquote
# the same metadata defaults 60 times. A metadata change bumps updatedAt, hence a new entry.
_COMPOSITE_DEFAULTS: dict[tuple[str, str], dict[str, Any]] = {}


def _composite_default(field: FieldDef) -> dict[str, Any]:
    """The empty composite overlaid with the field's metadata default, where it sets a value."""
    cache_key = (field.id, field.updated_at)
    template = _COMPOSITE_DEFAULTS.get(cache_key)
    if template is None:
        template = _build_composite_default(field)
        if len(_COMPOSITE_DEFAULTS) > 10_000:
            _COMPOSITE_DEFAULTS.clear()
        _COMPOSITE_DEFAULTS[cache_key] = template
    return {k: v.copy() if isinstance(v, list | dict) else v for k, v in template.items()}


def _build_composite_default(field: FieldDef) -> dict[str, Any]:
    composite = composites.empty_composite(field.type)
    default = unquote_default(field.default_value)
    if isinstance(default, dict):
        # Twenty writes null for numeric and JSON sub-defaults; null means "unset", as on input.
        composite.update(
            (name, value)
            for name, value in default.items()
            if name in composite and value is not None
        )
    return composite


# Unquoted metadata defaults that name a server function rather than a literal ("'now'" would
# be the text now), keyed by field type; each takes the creation time.
_FUNCTION_DEFAULTS: Mapping[tuple[FieldType, str], Callable[[datetime], Any]] = {
    (FieldType.DATE_TIME, "now"): lambda now: _format_date_time(now),
    (FieldType.DATE, "now"): lambda now: _format_date_time(now)[:10],
    (FieldType.UUID, "uuid"): lambda _now: str(uuid.uuid4()),
}


def _fallback_for_missing(field: FieldDef) -> Any:
    """What a field without a default gets: null, an empty text or list, or a refusal."""
    if field.is_nullable:
        return None
    if field.type in (FieldType.TEXT, FieldType.RICH_TEXT):
        return ""
    if field.type in (FieldType.ARRAY, FieldType.MULTI_SELECT):
        return []
    raise InvalidFieldValueError(
        f"Field '{field.name}' ({_type_label(field)}) is required: "
        "it is not nullable and has no default value"
    )


# ---------------------------------------------------------------------------------------------
# Value parsing shared by several types


def _normalise_date_time(value: Any) -> str:
    """An ISO 8601 date-time (Z, offset, or naive meaning UTC) as "YYYY-MM-DDTHH:MM:SS.mmmZ".

    A bare date means midnight UTC; the fraction is truncated to milliseconds.
    """
    match = _DATE_TIME.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise _Rejected()
    try:
        moment = _build_date_time(match)
        return _format_date_time(moment)
    except (ValueError, OverflowError):
        raise _Rejected() from None


def _build_date_time(match: re.Match[str]) -> datetime:
    day = date.fromisoformat(match["date"])
    fraction = (match["fraction"] or "")[:6].ljust(6, "0")
    moment = datetime(
        day.year,
        day.month,
        day.day,
        int(match["hour"] or 0),
        int(match["minute"] or 0),
        int(match["second"] or 0),
        int(fraction),
        tzinfo=_zone(match["zone"]),
    )
    return moment.astimezone(UTC)


def _zone(text: str | None) -> timezone:
    if text is None or text in ("Z", "z"):
        return UTC
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if minutes >= 60:
        raise ValueError(f"bad UTC offset {text}")
    offset = timedelta(hours=hours, minutes=minutes)
    return timezone(-offset if text[0] == "-" else offset)


def _format_date_time(moment: datetime) -> str:
    # Formatted by hand: strftime("%Y") does not zero-pad years below 1000 on every platform.
    utc = moment.astimezone(UTC) if moment.tzinfo else moment
    return (
        f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T"
        f"{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}.{utc.microsecond // 1000:03d}Z"
    )


def canonical_uuid(text: str) -> str | None:
    """`text` as a lowercase UUID, or None when it is none."""
    return text.lower() if _UUID.fullmatch(text) else None


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))


def _storable(number: int | float) -> int | float:
    if isinstance(number, int):
        if abs(number) >= _MAX_INTEGER:
            raise _Rejected("an integer of at most 38 digits")
        return number
    if number != 0 and not _MIN_MAGNITUDE <= abs(number) < _MAX_MAGNITUDE:
        raise _Rejected("a number of magnitude between 1e-130 and 1e126")
    return number


def _json_number(value: Any) -> int | float:
    """A number or a decimal string as the JSON number it denotes: int when integral."""
    if isinstance(value, str):
        return _storable(_decimal_to_number(value.strip()))
    if not _is_number(value):
        raise _Rejected()
    if isinstance(value, float) and value.is_integer() and abs(value) < _MAX_INTEGER:
        return _storable(int(value))
    return _storable(value)


def _decimal_to_number(text: str) -> int | float:
    if not _DECIMAL.fullmatch(text):
        raise _Rejected()
    number = Decimal(text)
    if number.is_zero():
        return 0
    if number.adjusted() >= 126:  # checked before int() so "1e999999999" costs nothing
        raise _Rejected("a number of magnitude between 1e-130 and 1e126")
    if number == number.to_integral_value() and number.adjusted() < 38:
        return int(number)
    return float(number)


def _require_json(value: Any) -> None:
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        raise _Rejected() from None


def _looks_like_email(text: str) -> bool:
    local, at, domain = text.partition("@")
    return bool(at and local and domain and "@" not in domain)


def _integer_data_type(field: FieldDef) -> str | None:
    data_type = (field.settings or {}).get("dataType")
    return data_type if data_type in _INTEGER_BOUNDS else None


def _type_label(field: FieldDef) -> str:
    data_type = _integer_data_type(field)
    if field.type is FieldType.NUMBER and data_type:
        return f"{field.type}, {_INTEGER_LABELS[data_type]}"
    return str(field.type)


def _quoted_options(field: FieldDef) -> str:
    ordered = sorted(field.options, key=lambda option: option.position)
    return ", ".join(f"'{option.value}'" for option in ordered) or "(no options defined)"


def _invalid(path: str, label: str, expected: str, value: Any) -> InvalidFieldValueError:
    return InvalidFieldValueError(
        f"Invalid value for field '{path}' ({label}): expected {expected}, got {show_value(value)}"
    )


def show_value(value: Any) -> str:
    """A short rendering of a client value for an error message."""
    if isinstance(value, str):
        text = f"'{value}'"
    else:
        try:
            text = json.dumps(value)
        except (TypeError, ValueError, RecursionError):
            text = type(value).__name__
    return text if len(text) <= 60 else text[:57] + "..."
