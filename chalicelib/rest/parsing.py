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
from chalicelib.metadata.model import ObjectDef, WorkspaceModel

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


def record_cursor_params(params: Mapping[str, str], tag: str) -> tuple[str | None, str | None]:
    """`starting_after` / `ending_before` of a record list as record ids: the opaque cursors of
    `pageInfo` (refused when they belong to another list) or plain record ids."""
    after, before = params.get("starting_after"), params.get("ending_before")
    if after is not None and before is not None:
        raise InvalidQueryParamError("Use either starting_after or ending_before, not both")
    return _record_cursor(after, tag, "starting_after"), _record_cursor(
        before, tag, "ending_before"
    )


def _record_cursor(value: str | None, tag: str, name: str) -> str | None:
    if value is None:
        return None
    if is_uuid(value):
        return value.lower()
    from chalicelib.core.cursors import decode_cursor

    return record_id(decode_cursor(value, tag, name) or "")


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
