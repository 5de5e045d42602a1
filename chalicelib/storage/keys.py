"""THE key design: every partition/sort key string is built and parsed here, and only here.

Layout of the main table (``pk`` / ``sk``):

=============================  ================================  ==========================
item                           pk                                sk
=============================  ================================  ==========================
workspace                      ``WS#<ws>``                       ``#WORKSPACE``
live-record counter            ``WS#<ws>``                       ``COUNT#<objectId>``
object metadata                ``WS#<ws>#META``                  ``OBJ#<objectId>``
field metadata                 ``WS#<ws>#META``                  ``OBJ#<objectId>#FLD#<fieldId>``
record                         ``WS#<ws>#REC#<objectId>``        ``<recordId>``
uniqueness guard               ``WS#<ws>#UQ#<objectId>``         ``<fieldPath>#=<escaped value>``
=============================  ================================  ==========================

Workspace, object, field and record ids are UUIDs generated or validated by us, so they never
contain ``#``. The only user text in a key is a unique value; it is percent-escaped so that it
cannot forge a separator, and hashed when it would overflow DynamoDB's 1 KiB sort-key limit.
"""

from __future__ import annotations

import hashlib
from typing import NamedTuple

SEPARATOR = "#"
WORKSPACE_SK = "#WORKSPACE"
_MAX_ESCAPED_VALUE = 900  # bytes; leaves room for the field path under the 1024-byte sk limit


class Key(NamedTuple):
    pk: str
    sk: str


def workspace_key(workspace_id: str) -> Key:
    return Key(f"WS#{workspace_id}", WORKSPACE_SK)


def counter_key(workspace_id: str, object_id: str) -> Key:
    return Key(f"WS#{workspace_id}", f"COUNT#{object_id}")


def metadata_pk(workspace_id: str) -> str:
    return f"WS#{workspace_id}#META"


def object_metadata_key(workspace_id: str, object_id: str) -> Key:
    return Key(metadata_pk(workspace_id), f"OBJ#{object_id}")


def field_metadata_key(workspace_id: str, object_id: str, field_id: str) -> Key:
    return Key(metadata_pk(workspace_id), f"OBJ#{object_id}#FLD#{field_id}")


def record_pk(workspace_id: str, object_id: str) -> str:
    return f"WS#{workspace_id}#REC#{object_id}"


def record_key(workspace_id: str, object_id: str, record_id: str) -> Key:
    return Key(record_pk(workspace_id, object_id), record_id)


def record_id_from_sk(sk: str) -> str:
    return sk


def escape(text: str) -> str:
    """Percent-escape the characters that carry meaning in our keys (``%`` first, then ``#``)."""
    return text.replace("%", "%25").replace(SEPARATOR, "%23")


def unique_guard_key(workspace_id: str, object_id: str, field_path: str, value: str) -> Key:
    """Key of the item that reserves ``value`` of a unique field for one record."""
    # "=" marks a literal (escaped) value and "H" a digest, so the two forms never collide.
    encoded = "=" + escape(value)
    if len(encoded.encode()) > _MAX_ESCAPED_VALUE:
        encoded = "H" + hashlib.sha256(value.encode()).hexdigest()
    return Key(f"WS#{workspace_id}#UQ#{object_id}", f"{field_path}{SEPARATOR}{encoded}")


def api_key_hash(token: str) -> str:
    """Keys-table hash key: the SHA-256 of the presented token; the token itself is never stored."""
    return hashlib.sha256(token.encode()).hexdigest()
