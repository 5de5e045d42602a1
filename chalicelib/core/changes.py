"""Delta sync: the changes of one object's records after a sync token, oldest first.

Storage keeps, for every record, its latest write in a changes index sorted by the write's time
(storage/changes.py). A call reads the index after the token's position and up to the settle
horizon (now - settle): a write becomes visible some time after its stamp (its transaction may
be retried, the index lags), and the settle time covers that, so nothing older than the horizon
can still appear and a token never skips a change. Each record comes once, in its current state:
a record changed twice since the token shows its last change only.

The first sync (no token) lists the object's records in id order instead of the index: records
written before the index existed carry no change keys, and a full sync returns every record
anyway. It then continues in the index from the horizon of its start, so a write made while the
listing ran comes again as a change (a repeat, never a gap).

Tokens are opaque to clients: base64url of a small JSON array (a version, the workspace, the
object, the position and, while listing, the last id listed) with a CRC-32, so that a truncated,
altered or foreign token is a 400 and not a silent restart. No secret is needed: a token only
names a position in the caller's own object, which the caller may read whole anyway.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from chalicelib.context import RequestContext
from chalicelib.core import budget
from chalicelib.core.coercion import canonical_uuid
from chalicelib.core.ports import StoredRecord
from chalicelib.core.presentation import present_record
from chalicelib.errors import InvalidQueryParamError, InvalidSyncTokenError, SyncTokenExpiredError
from chalicelib.metadata.model import ObjectDef

TOKEN_VERSION = 1
_CRC_BYTES = 4
_MAX_TOKEN_CHARS = 2_000  # ours are about 250; anything far longer is not one of them

CREATED, UPDATED, DELETED, RESTORED, DESTROYED = (
    "created",
    "updated",
    "deleted",
    "restored",
    "destroyed",
)


@dataclass(frozen=True, slots=True)
class ChangeEntry:
    """One entry of the changes index: a record's latest write, where it sorts, and what it was
    (`operation` as stored with the write: created/updated/deleted/restored/destroyed)."""

    record_id: str
    position: str
    operation: str


class ChangeStore(Protocol):
    """What delta sync needs from storage (storage/changes.py)."""

    retention_seconds: float

    def stamp(self, epoch_seconds: float) -> str:
        """The position just before every change written at or after this moment."""
        ...

    def position_seconds(self, position: str) -> float | None:
        """The moment of a position, None for text that is no position."""
        ...

    def changes(
        self, workspace_id: str, object_id: str, *, after: str | None, before: str, limit: int
    ) -> tuple[list[ChangeEntry], bool]: ...

    def records(
        self, workspace_id: str, object_id: str, record_ids: list[str]
    ) -> dict[str, StoredRecord]: ...

    def listing(
        self, workspace_id: str, object_id: str, *, after: str | None, limit: int
    ) -> tuple[list[StoredRecord], bool]: ...


@dataclass(frozen=True, slots=True)
class SyncToken:
    """Where a client's sync stands.

    `position`: changes after it come next. `listed`: during a first sync, the id of the last
    record listed ("" before the first); None once the listing is done.
    """

    workspace_id: str
    object_id: str
    position: str
    listed: str | None = None

    def encode(self) -> str:
        payload = json.dumps(
            [TOKEN_VERSION, self.workspace_id, self.object_id, self.position, self.listed],
            separators=(",", ":"),
        ).encode()
        raw = payload + zlib.crc32(payload).to_bytes(_CRC_BYTES, "big")
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_token(text: str) -> SyncToken:
    """The token `text` stands for; InvalidSyncTokenError for anything we did not issue."""
    if not text or len(text) > _MAX_TOKEN_CHARS or not text.isascii():
        raise InvalidSyncTokenError()
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise InvalidSyncTokenError() from None
    payload, crc = raw[:-_CRC_BYTES], raw[-_CRC_BYTES:]
    if len(raw) <= _CRC_BYTES or zlib.crc32(payload).to_bytes(_CRC_BYTES, "big") != crc:
        raise InvalidSyncTokenError()
    try:
        fields = json.loads(payload)
    except ValueError:
        raise InvalidSyncTokenError() from None
    if not (
        isinstance(fields, list)
        and len(fields) == 5
        and fields[0] == TOKEN_VERSION
        and all(isinstance(f, str) for f in fields[1:4])
        and (fields[4] is None or isinstance(fields[4], str))
    ):
        raise InvalidSyncTokenError()
    # The CRC catches accidents, not forgeries: the last id listed goes into a key condition,
    # so it must be a record id (or "" before the first), never text past DynamoDB's key limits.
    listed = fields[4]
    if listed and canonical_uuid(listed) != listed:
        raise InvalidSyncTokenError()
    return SyncToken(fields[1], fields[2], fields[3], fields[4])


@dataclass(frozen=True, slots=True)
class ChangePage:
    """`changes`: {operation, id, record} oldest first; the token to continue from; whether
    more changes are already waiting after it."""

    changes: list[dict[str, Any]]
    next_token: str
    has_more: bool


def _created_after(record: StoredRecord, moment: float) -> bool:
    created_at = record.body.get("createdAt")
    if not isinstance(created_at, str):
        return False
    try:
        return datetime.fromisoformat(created_at).timestamp() > moment
    except ValueError:
        return False


class ChangeFeed:
    """`GET /rest/changes/{plural}` and GraphQL `<plural>Changes` (both call `changes`)."""

    def __init__(
        self,
        store: ChangeStore,
        *,
        settle_seconds: float,
        page_default: int,
        page_max: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        # Mutable so that tests can run without waiting for the horizon.
        self.settle_seconds = settle_seconds
        self._page_default = page_default
        self._page_max = page_max
        self._clock = clock

    def changes(
        self, ctx: RequestContext, obj: ObjectDef, since: str | None, limit: int | None = None
    ) -> ChangePage:
        size = self._page_default if limit is None else limit
        if size < 1:
            raise InvalidQueryParamError(f"limit must be at least 1, got {size}")
        size = min(size, self._page_max)
        now = self._clock()
        horizon = self._store.stamp(now - self.settle_seconds)
        if since is None:
            token = SyncToken(ctx.workspace_id, obj.id, horizon, listed="")
        else:
            token = self._accepted(decode_token(since), ctx, obj, now)
        if token.listed is None:
            return self._change_page(obj, token, horizon, size)
        listed, after_listing, more = self._listing_page(obj, token, size)
        if more:
            return ChangePage(listed, after_listing.encode(), True)
        room = size - len(listed)
        if room == 0:  # a full page: the changes since the listing started come next
            return ChangePage(listed, after_listing.encode(), True)
        # The listing is done: the changes made since it started fill the rest of the page, so
        # that `hasMore: false` always means "up to date".
        following = self._change_page(obj, after_listing, horizon, room)
        return ChangePage(listed + following.changes, following.next_token, following.has_more)

    def _accepted(
        self, token: SyncToken, ctx: RequestContext, obj: ObjectDef, now: float
    ) -> SyncToken:
        if token.workspace_id != ctx.workspace_id or token.object_id != obj.id:
            raise InvalidSyncTokenError(
                f"This sync token belongs to another object than '{obj.name_plural}'"
            )
        moment = self._store.position_seconds(token.position)
        if moment is None:
            raise InvalidSyncTokenError()
        # Destroyed records are known only while their tombstones last: past that, a change
        # after this position may be gone, and only a full sync is exact.
        if moment < now - self._store.retention_seconds:
            raise SyncTokenExpiredError()
        return token

    def _listing_page(
        self, obj: ObjectDef, token: SyncToken, size: int
    ) -> tuple[list[dict[str, Any]], SyncToken, bool]:
        """A page of the first sync's listing, the token after it, and whether more follow."""
        records, more = self._store.listing(
            token.workspace_id, obj.id, after=token.listed or None, limit=size
        )
        changes = budget.fit_page(
            [_change(obj, DELETED if r.deleted_at else CREATED, r) for r in records]
        )
        if len(changes) < len(records):
            more = True
        # After the last record, the changes index takes over from the listing's start.
        listed = changes[-1]["id"] if more else None
        return changes, SyncToken(token.workspace_id, token.object_id, token.position, listed), more

    def _change_page(self, obj: ObjectDef, token: SyncToken, horizon: str, size: int) -> ChangePage:
        ws = token.workspace_id
        entries, more = self._store.changes(
            ws, obj.id, after=token.position, before=horizon, limit=size
        )
        # A destroyed record's entry says all there is; the others are read as they are now.
        wanted = [e.record_id for e in entries if e.operation != DESTROYED]
        current = self._store.records(ws, obj.id, wanted) if wanted else {}
        since = self._store.position_seconds(token.position) or 0.0
        changes = budget.fit_page(
            [_classified(obj, entry, current.get(entry.record_id), since) for entry in entries]
        )
        if len(changes) < len(entries):
            more = True
        # Nothing more before the horizon: the next call starts there (never behind the token,
        # should another container's clock run behind this one's).
        position = entries[len(changes) - 1].position if more else max(horizon, token.position)
        following = SyncToken(ws, token.object_id, position)
        return ChangePage(changes, following.encode(), more)


def _classified(
    obj: ObjectDef, entry: ChangeEntry, record: StoredRecord | None, since: float
) -> dict[str, Any]:
    """The change a client sees, from the record as it is now (it may be newer than the entry:
    then its newer change comes again later, never missed)."""
    if record is None or record.destroyed:
        return {"operation": DESTROYED, "id": entry.record_id, "record": None}
    if record.deleted_at is not None:
        return _change(obj, DELETED, record)
    if _created_after(record, since):
        return _change(obj, CREATED, record)
    return _change(obj, RESTORED if entry.operation == RESTORED else UPDATED, record)


def _change(obj: ObjectDef, operation: str, record: StoredRecord) -> dict[str, Any]:
    return {
        "operation": operation,
        "id": record.id,
        "record": present_record(obj, record.shaped()),
    }
