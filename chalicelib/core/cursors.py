"""Opaque GraphQL cursors, bound to the workspace, the object and the sort they page.

A GraphQL cursor is base64url of `[record id, binding]`, where the binding is a hash of
(workspace id, object id, sort). The core still checks that the record belongs to the workspace
and object; the binding also refuses a cursor of another list (another sort places it
elsewhere), so a foreign cursor is always a bad request and never a position in someone else's
data.

REST cursors are the record ids themselves (Twenty's OpenAPI types them `format: uuid`), placed
by the core in whatever sort and filter the request has. REST still reads the opaque form it
used to emit (`record_id_of`), so a client holding one of those keeps paging.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from chalicelib.errors import InvalidQueryParamError
from chalicelib.json_input import decode_json

if TYPE_CHECKING:
    from chalicelib.core.filters import SortKey


def binding(workspace_id: str, object_id: str, order: Sequence[tuple[str, str]]) -> str:
    """The tag that ties cursors to one list (workspace, object, sort)."""
    text = json.dumps([workspace_id, object_id, list(order)], separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def sort_binding(workspace_id: str, object_id: str, order_by: Sequence[SortKey]) -> str:
    """The binding of a list sorted by `order_by` (raw sort keys, as the adapters parse them)."""
    return binding(
        workspace_id, object_id, [(".".join(k.path), str(k.direction)) for k in order_by]
    )


def encode_cursor(tag: str, record_id: str) -> str:
    """The cursor of `record_id` in the list tagged `tag`."""
    raw = json.dumps([record_id, tag], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, tag: str, argument: str) -> str | None:
    """The record id of a cursor of this list; anything else is refused."""
    if cursor is None:
        return None
    record_id, found_tag = _unpack(cursor, argument)
    if found_tag != tag:
        raise InvalidQueryParamError(
            f"'{argument}' is a cursor of another list (other object, sort or workspace)"
        )
    return record_id


def record_id_of(cursor: str, argument: str) -> str:
    """The record id inside an opaque cursor, whatever list it came from.

    REST accepts a plain record id in any list, and the core places it (or refuses an id that is
    not a record of the workspace and object), so checking the wrapper's binding would refuse
    nothing the bare id inside it does not already get through.
    """
    return _unpack(cursor, argument)[0]


def _unpack(cursor: str, argument: str) -> tuple[str, object]:
    """The [record id, tag] pair of an opaque cursor; anything else is refused."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        # A flat [id, tag] pair: anything nested is refused before it is decoded.
        raw = base64.urlsafe_b64decode(padded.encode())
        record_id, found_tag = decode_json(raw, error=InvalidQueryParamError, max_depth=1)
    except (InvalidQueryParamError, ValueError, TypeError, binascii.Error):
        raise InvalidQueryParamError(f"'{argument}' is not a valid cursor") from None
    if not isinstance(record_id, str):
        raise InvalidQueryParamError(f"'{argument}' is not a valid cursor")
    return record_id, found_tag
