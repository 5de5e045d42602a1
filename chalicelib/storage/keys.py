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
model-migration job            ``WS#<ws>#JOB``                   ``<createdAt>#<jobId>``
webhook                        ``WS#<ws>#HOOK``                  ``<webhookId>``
webhook delivery (log entry)   ``WS#<ws>#HOOK#<webhookId>``      ``<deliveryId>`` (time-ordered)
idempotent response            ``WS#<ws>#IDEM#<keyId>``          ``<sha256 of Idempotency-Key>``
=============================  ================================  ==========================

The keys table holds API keys (hash key ``keyHash`` = SHA-256 of the token) and rate-limit
windows (``keyHash`` = ``RATE#<ws>#<window start, epoch s>``, see `rate_window_hash`).

Workspace, object, field and record ids are UUIDs generated or validated by us, so they never
contain ``#``. The only user text in a key is a unique value; it is percent-escaped so that it
cannot forge a separator, and hashed when it would overflow DynamoDB's 1 KiB sort-key limit.
"""

from __future__ import annotations

import hashlib
import re
import struct
from typing import Any, NamedTuple

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


def object_fields_prefix(object_id: str) -> str:
    """Sort-key prefix of every field item of one object (its own item is ``OBJ#<id>``)."""
    return f"OBJ#{object_id}#FLD#"


def jobs_pk(workspace_id: str) -> str:
    return f"WS#{workspace_id}#JOB"


def workspace_of_jobs_pk(pk: str) -> str | None:
    """The workspace id of a job partition key, None for any other key."""
    if pk.startswith("WS#") and pk.endswith("#JOB") and pk.count(SEPARATOR) == 2:
        return pk[3:-4]
    return None


def job_key(workspace_id: str, job_id: str) -> Key:
    """Job ids are ``<createdAt>#<uuid>``: a Query of the partition returns them oldest first."""
    return Key(jobs_pk(workspace_id), job_id)


def webhooks_pk(workspace_id: str) -> str:
    """Every webhook of a workspace in one partition: a stream batch reads them with one Query."""
    return f"WS#{workspace_id}#HOOK"


def webhook_key(workspace_id: str, webhook_id: str) -> Key:
    return Key(webhooks_pk(workspace_id), webhook_id)


def deliveries_pk(workspace_id: str, webhook_id: str) -> str:
    """One partition per webhook: its delivery log, newest first with ScanIndexForward=False
    (delivery ids are time-ordered), and one busy webhook's writes never share a partition with
    another's."""
    return f"WS#{workspace_id}#HOOK#{webhook_id}"


def delivery_key(workspace_id: str, webhook_id: str, delivery_id: str) -> Key:
    return Key(deliveries_pk(workspace_id, webhook_id), delivery_id)


def record_pk(workspace_id: str, object_id: str) -> str:
    return f"WS#{workspace_id}#REC#{object_id}"


def is_record_pk(pk: str) -> bool:
    """Whether a partition key is a record partition (``WS#<ws>#REC#<objectId>``)."""
    parts = pk.split(SEPARATOR)
    return len(parts) == 4 and parts[0] == "WS" and parts[2] == "REC"


def record_pk_parts(pk: str) -> tuple[str, str] | None:
    """(workspace id, object id) of a record partition key, None for any other key."""
    if not is_record_pk(pk):
        return None
    parts = pk.split(SEPARATOR)
    return parts[1], parts[3]


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
    return Key(unique_pk(workspace_id, object_id), f"{field_path}{SEPARATOR}{encoded}")


def unique_pk(workspace_id: str, object_id: str) -> str:
    return f"WS#{workspace_id}#UQ#{object_id}"


def api_key_hash(token: str) -> str:
    """Keys-table hash key: the SHA-256 of the presented token; the token itself is never stored."""
    return hashlib.sha256(token.encode()).hexdigest()


RATE_WINDOW_PREFIX = "RATE#"


def rate_window_hash(workspace_id: str, window_start: int) -> str:
    """Keys-table hash key of one workspace's minute (epoch seconds of the window's start): the
    workspace's count and each of its keys' counts as attributes, so one UpdateItem charges
    both. In the keys table, not the main one: the main table's stream would otherwise wake the
    stream function for every API request. A SHA-256 hex key hash never starts with `RATE#`."""
    return f"{RATE_WINDOW_PREFIX}{workspace_id}#{window_start}"


def idempotency_key(workspace_id: str, key_id: str, idempotency_key: str) -> Key:
    """A stored response per API key and Idempotency-Key; the client's text is hashed, so no
    length or character of it can reach the key."""
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()
    return Key(f"WS#{workspace_id}#IDEM#{key_id}", digest)


# -- index keys ----------------------------------------------------------------------------------
#
# A record of an object with index slot N carries:
#   ix<N>pk = WS#<ws>#IX#<objectId>#<N>
#   ix<N>sk = <mark><encoded value>\x01<recordId>
# <mark> is "0" for null and "1" for a value, so nulls sort first in ascending order. Encoded
# values sort byte-wise exactly like the evaluator's order forms (core/evaluation.order_form):
#   text (casefold, original) -> casefold \x01 original, control characters below \x02 replaced
#   (rank, value) of SELECT/RATING -> 6-digit rank \x01 value
#   numbers -> 16 hex digits of the IEEE-754 bits, flipped so that byte order is numeric order
#   booleans -> "0"/"1"; ISO dates, date-times, UUIDs -> as they are (fixed width, sortable)
# \x01 is below every encoded character, so a shorter value sorts before its extensions and the
# record id only breaks ties. Text parts are cut at 300 bytes to stay under the 1 KiB key limit.

INDEX_SEPARATOR = "\x01"
NULL_MARK = "0"
VALUE_MARK = "1"
_TEXT_PART_BYTES = 300
_CONTROL_MARKS = re.compile("[\x00-\x02]")


def index_pk(workspace_id: str, object_id: str, slot: int) -> str:
    return f"WS#{workspace_id}#IX#{object_id}#{slot}"


def _clean_text(text: str) -> str:
    cleaned = text.replace("\x00", "\x02").replace("\x01", "\x02")
    encoded = cleaned.encode()[:_TEXT_PART_BYTES]
    return encoded.decode(errors="ignore")


def _sortable_number(number: float) -> str:
    value = float(number) + 0.0  # -0.0 becomes 0.0: they compare equal
    bits = int.from_bytes(struct.pack(">d", value), "big")
    bits = bits ^ 0xFFFFFFFFFFFFFFFF if bits >> 63 else bits | (1 << 63)
    return f"{bits:016x}"


def index_value(form: Any) -> str:
    """The sortable string of an order form (None for null), without the record id."""
    if form is None:
        return NULL_MARK
    if isinstance(form, tuple):
        first, second = form
        head = f"{first:06d}" if isinstance(first, int) else _clean_text(first)
        return VALUE_MARK + head + INDEX_SEPARATOR + _clean_text(str(second))
    if isinstance(form, bool):
        return VALUE_MARK + ("1" if form else "0")
    if isinstance(form, int | float):
        return VALUE_MARK + _sortable_number(form)
    return VALUE_MARK + str(form)


def index_value_is_whole(form: Any) -> bool:
    """Whether the index holds this value whole, so that it compares with every stored key as
    the value itself does. Text holding \\x00-\\x02 (\\x00 and \\x01 become \\x02) or of more
    than 296 bytes (a stored text over 300 bytes is cut to 297-300) is held only in part: its
    key stands for every value sharing that part, and only the records can tell them apart."""
    parts = form if isinstance(form, tuple) else (form,)
    return all(
        not isinstance(part, str)
        or (len(part.encode()) <= _TEXT_PART_BYTES - 4 and not _CONTROL_MARKS.search(part))
        for part in parts
    )


def index_sk(form: Any, record_id: str) -> str:
    return index_value(form) + INDEX_SEPARATOR + record_id


def record_id_from_index_sk(sk: str) -> str:
    return sk.rsplit(INDEX_SEPARATOR, 1)[1]


def index_value_of_sk(sk: str) -> str:
    """The `index_value` part of an index sort key (record ids hold no separator)."""
    return sk.rsplit(INDEX_SEPARATOR, 1)[0]


def index_key_range(
    *,
    nulls: bool,
    lower: tuple[Any, bool] | None = None,
    upper: tuple[Any, bool] | None = None,
    prefix: str | None = None,
) -> tuple[str, tuple[str, ...]]:
    """The sort-key condition of one index segment: ("begins_with", (p,)) or ("between", (a, b)).

    `lower`/`upper` are (order form, inclusive). Every bound lands between two index keys, never
    on one (keys end with "\\x01<record id>"): `+ "\\x02"` skips past all keys of a value and its
    ties, while a bare encoded value sits just before them.
    """
    if nulls:
        return "begins_with", (NULL_MARK,)
    if prefix is not None:
        return "begins_with", (VALUE_MARK + _clean_text(prefix),)
    after_value = "\x02"
    low = VALUE_MARK if lower is None else index_value(lower[0]) + ("" if lower[1] else after_value)
    high = "2" if upper is None else index_value(upper[0]) + (after_value if upper[1] else "")
    return "between", (low, high)


# -- change keys (delta sync) ----------------------------------------------------------------------
#
# Every record item (and the tombstone of a destroyed one) carries, for its LATEST write only:
#   chpk = WS#<ws>#CHG#<objectId>
#   chsk = <stamp>#<recordId>
# <stamp> is the write's time in microseconds since the epoch, 16 zero-padded digits, so that
# byte order is time order (until the year 2286); the record id breaks ties between the records
# of one transaction. A write replaces the item, so an earlier change of the record leaves the
# index: a sync returns each record once, in its current state. Record ids never hold "#".

CHANGE_STAMP_DIGITS = 16


def change_pk(workspace_id: str, object_id: str) -> str:
    return f"WS#{workspace_id}#CHG#{object_id}"


def change_stamp(epoch_seconds: float) -> str:
    """The sortable stamp of a moment (also a position before every change of that moment)."""
    return f"{int(epoch_seconds * 1_000_000):0{CHANGE_STAMP_DIGITS}d}"


def stamp_seconds(stamp: str) -> float:
    """The moment of a stamp (the leading digits of a change sort key or a bare stamp)."""
    return int(stamp[:CHANGE_STAMP_DIGITS]) / 1_000_000


def change_sk(stamp: str, record_id: str) -> str:
    return f"{stamp}{SEPARATOR}{record_id}"


def record_id_from_change_sk(sk: str) -> str:
    return sk.split(SEPARATOR, 1)[1]


def is_change_position(text: str) -> bool:
    """Whether `text` is a change sort key or a bare stamp (a position in the changes index)."""
    stamp, _, record_id = text.partition(SEPARATOR)
    return (
        len(stamp) == CHANGE_STAMP_DIGITS
        and stamp.isascii()
        and stamp.isdigit()
        and SEPARATOR not in record_id
        # Record ids are UUIDs: a longer tail is no position of ours (and could pass the
        # 1 KiB key limit of the Query it would go into).
        and len(record_id) <= 36
    )
