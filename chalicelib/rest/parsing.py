"""Turn a REST request's path, query string and body into validated values for the core."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from chalicelib.errors import (
    InvalidPathError,
    InvalidQueryParamError,
    InvalidRequestBodyError,
    PayloadTooLargeError,
    UnknownObjectError,
)
from chalicelib.json_input import decode_json
from chalicelib.metadata.model import (
    SYSTEM_FIELD_NAMES,
    ObjectDef,
    RelationType,
    WorkspaceModel,
)

if TYPE_CHECKING:
    from chalicelib.core.filters import Filter, SortKey

# Twenty accepts UUIDs of versions 1 to 5 only (twenty-shared isValidUuid).
_UUID = re.compile(
    r"^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", re.I
)


def is_uuid(value: str) -> bool:
    return bool(_UUID.match(value))


def record_id(value: str) -> str:
    if not is_uuid(value):
        raise InvalidPathError(f"'{value}' is not a valid UUID")
    return value.lower()


def resolve_object(model: WorkspaceModel, plural: str) -> ObjectDef:
    obj = model.by_plural.get(plural)
    if obj is not None:
        return obj
    singular = model.by_singular.get(plural)
    if singular is not None:
        raise UnknownObjectError(
            f"object '{plural}' not found. Did you mean '{singular.name_plural}'?"
        )
    example = next(iter(sorted(model.by_plural)), "companies")
    raise UnknownObjectError(f"object '{plural}' not found. eg: {example}")


def json_body(raw: bytes | None, *, max_bytes: int) -> Any:
    if raw is not None and len(raw) > max_bytes:
        raise PayloadTooLargeError(f"Request body exceeds {max_bytes} bytes")
    if not raw:
        raise InvalidRequestBodyError("Request body is empty; send a JSON document")
    return decode_json(raw)


def boolean_param(params: Mapping[str, str], name: str) -> bool:
    raw = params.get(name)
    if raw is None:
        return False
    if raw.lower() in ("true", "1"):
        return True
    if raw.lower() in ("false", "0", ""):
        return False
    raise InvalidQueryParamError(f"'{name}' must be true or false, got '{raw}'")


def limit_param(params: Mapping[str, str], *, default: int, maximum: int) -> int:
    raw = params.get("limit")
    if raw is None:
        return default
    # ASCII only: str.isdigit() also accepts digits such as "²" that int() refuses.
    if not (raw.isascii() and raw.isdigit()):
        raise InvalidQueryParamError(f"limit '{raw[:40]}' is invalid. Should be an integer")
    # Twenty clamps a limit above the maximum instead of refusing it; a huge one is never
    # converted (int() refuses more than 4,300 digits).
    digits = raw.lstrip("0") or "0"
    return maximum if len(digits) > len(str(maximum)) else min(int(digits), maximum)


def cursor_params(params: Mapping[str, str]) -> tuple[str | None, str | None]:
    after, before = params.get("starting_after"), params.get("ending_before")
    if after is not None and before is not None:
        raise InvalidQueryParamError("Use either starting_after or ending_before, not both")
    for name, value in (("starting_after", after), ("ending_before", before)):
        if value is not None and not is_uuid(value):
            raise InvalidQueryParamError(f"'{name}' must be a record id (UUID), got '{value}'")
    return (after.lower() if after else None), (before.lower() if before else None)


def record_cursor_params(params: Mapping[str, str]) -> tuple[str | None, str | None]:
    """`starting_after` / `ending_before` of a record list as record ids.

    A cursor is a record id (what `pageInfo` carries), placed by the core in this request's
    sort and filter; the opaque cursors this API emitted before are still read, for clients
    that hold one (`core/cursors.py`).
    """
    after, before = params.get("starting_after"), params.get("ending_before")
    if after is not None and before is not None:
        raise InvalidQueryParamError("Use either starting_after or ending_before, not both")
    return _record_cursor(after, "starting_after"), _record_cursor(before, "ending_before")


def _record_cursor(value: str | None, name: str) -> str | None:
    if value is None:
        return None
    if is_uuid(value):
        return value.lower()
    from chalicelib.core.cursors import record_id_of  # only for the old opaque form

    inside = record_id_of(value, name)
    if not is_uuid(inside):
        raise InvalidQueryParamError(f"'{name}' is not a valid cursor")
    return inside.lower()


def depth_param(params: Mapping[str, str]) -> int:
    raw = params.get("depth")
    if raw is None:
        return 0
    if raw not in ("0", "1"):
        raise InvalidQueryParamError(f"depth '{raw}' is invalid. Allowed values are 0, 1")
    return int(raw)


def filter_param(params: Mapping[str, str]) -> Filter | None:
    raw = params.get("filter")
    if not raw:
        return None
    from chalicelib.rest.filter_parser import parse_filter  # on first use: a smaller cold start

    return parse_filter(raw)


def order_by_param(params: Mapping[str, str]) -> tuple[SortKey, ...]:
    raw = params.get("order_by")
    if not raw:
        return ()
    from chalicelib.rest.order_parser import parse_order_by  # on first use, as parse_filter

    return parse_order_by(raw)


def required_filter_param(params: Mapping[str, str], operation: str) -> Filter:
    """The filter of a bulk delete or destroy, which Twenty refuses to run without one."""
    found = filter_param(params)
    if found is None:
        raise InvalidQueryParamError(
            f"Filters are mandatory for bulk {operation} operations. Please provide at least one "
            "filter to prevent accidental deletion of all records."
        )
    return found


def fields_param(params: Mapping[str, str], obj: ObjectDef, depth: int) -> frozenset[str] | None:
    """The record keys `fields=name,emails,company` keeps (`id` always), or None for all.

    A composite comes whole; a MANY_TO_ONE relation keeps its join column (and the related
    record at depth 1), which may also be named itself (`companyId`); a ONE_TO_MANY relation is
    only returned at depth 1. Unknown names are refused, all of them at once.
    """
    raw = params.get("fields")
    if raw is None:
        return None
    names = list(dict.fromkeys(name.strip() for name in raw.split(",") if name.strip()))
    if not names:
        raise InvalidQueryParamError(
            "'fields' parameter is empty. Expected a comma-separated list of field names, "
            "e.g. fields=id,name"
        )
    unknown = [name for name in names if _field_keys(obj, name) is None]
    if unknown:
        raise InvalidQueryParamError(
            f"'fields' parameter invalid. Unknown or unreadable fields on "
            f"'{obj.name_singular}': {', '.join(unknown)}"
        )
    to_many = [name for name in names if _is_one_to_many(obj, name)]
    if to_many and depth == 0:
        raise InvalidQueryParamError(
            f"'fields' parameter invalid. One-to-many relation fields on '{obj.name_singular}' "
            f"are only returned with depth=1: {', '.join(to_many)}"
        )
    return frozenset({"id"}.union(*(_field_keys(obj, name) or () for name in names)))


def _field_keys(obj: ObjectDef, name: str) -> tuple[str, ...] | None:
    """The keys of a presented record that field `name` stands for (None: not a field)."""
    if name in obj.by_join_column:
        return (name,)
    field = obj.by_name.get(name)
    if field is None:
        return (name,) if name in SYSTEM_FIELD_NAMES else None
    return (name, field.join_column) if field.join_column else (name,)


def _is_one_to_many(obj: ObjectDef, name: str) -> bool:
    field = obj.by_name.get(name)
    relation = field.relation if field is not None else None
    return relation is not None and relation.type is RelationType.ONE_TO_MANY


def duplicates_body(body: Any) -> tuple[tuple[str, ...], tuple[Any, ...]]:
    """`{"ids": [uuid, ...]}` and/or `{"data": [record, ...]}`: the ids and the input records."""
    if not isinstance(body, dict):
        raise InvalidRequestBodyError('Body must be a JSON object with "ids" and/or "data"')
    ids, data = body.get("ids"), body.get("data")
    if ids is None and not data:
        raise InvalidRequestBodyError('You have to provide either "data" or "ids" argument')
    for name, value in (("ids", ids), ("data", data)):
        if value is not None and not isinstance(value, list):
            raise InvalidRequestBodyError(f'"{name}" must be an array')
    if any(not isinstance(item, str) or not is_uuid(item) for item in ids or ()):
        raise InvalidRequestBodyError('"ids" must be an array of record ids (UUIDs)')
    return tuple(item.lower() for item in ids or ()), tuple(data or ())
