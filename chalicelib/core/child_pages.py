"""Each parent's children through the join column's index: reads follow what is returned.

A ONE_TO_MANY relation (GraphQL `companies { people(first: 5) }`, REST `depth=1`) asks for the
children of every parent of a page. The target's join column is indexed (metadata/indexing.py),
and its index holds each parent's children together, in id order. In the default (id) order a
page of children is therefore read in two sequential round trips, whatever the number of
parents:

1. one keys-only Query per parent, all in flight together: `Limit` = page + 1 (the extra key
   says whether more follow), or, when its totalCount is asked and there is no cursor, every
   key of the parent in one answer (≤ 2,000 keys: the count is the number of keys, the page
   the first of them); with a cursor, in the same round, the GetItem that places it, one
   `Limit` 1 Query per parent for the flag on the cursor's other side, and the count of each
   parent's keys when its totalCount is asked;
2. one BatchGetItem round for the records of every page (≤ 100 keys a call, the calls in flight
   together) and, in the same round, the keys of a parent with more than one Query of them,
   counted for totalCount (keys only).

When the parents lie close together in the index (a page of parents in id order: their ids are
neighbours, and so are their children's keys), round 1 is instead ONE keys-only Query over the
key range from the lowest parent to the highest (a *span*), its keys shared out by parent: a
Query costs CPU and at least one 4 KB read unit whatever it returns, so 60 small Queries cost
more than one that reads the same keys. Whether the parents are close is estimated before
reading, from the target's live-record counter (read anyway, core/read_choice.py) and the share
of the UUID space the parents cover: the span is read only when the keys it is expected to hold
are no more than those 4 KB units would buy (`_span_limit`). It reads at most that many keys
(its `Limit`); parents its answer did not finish are walked alone in one more round.

Items read: each returned record's index key and record, one look-ahead key per parent, and the
parent's other keys when its totalCount is asked (read by the page's own Query when they fit);
a span adds the keys of other parents that lie between (few, by the estimate above).
The index is eventually consistent: a record read that no longer belongs to its parent (moved
or deleted a moment ago) is dropped and that parent's walk continues in one more round (from
the keys already read, or a Query more); flags and counts come from the keys.

Any other order or filter is served by `all_children`: every child of the page's parents through
the same index (≤ the scan cap), then filtered, sorted and paged in memory (core/children.py).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any, TypeVar

from chalicelib.core import deadline
from chalicelib.core.evaluation import order_form
from chalicelib.core.indexing import resolved_indexes
from chalicelib.core.listing import Window
from chalicelib.core.ports import RecordStore, StoredRecord
from chalicelib.core.presentation import Columns, present_stored
from chalicelib.errors import InvalidQueryParamError, QueryNeedsIndexError
from chalicelib.metadata.model import ObjectDef
from chalicelib.storage import keys

_T = TypeVar("_T")
# Calls in flight at once (storage/connection.py pools as many HTTP connections): REST depth=1
# on 60 companies sends 240 Queries (4 one-to-many fields), and they all wait together.
MAX_IN_FLIGHT = 256
_READ_CHUNK = 100  # BatchGetItem's limit
_KEYS_PER_QUERY = 2000  # keys asked per counting Query (DynamoDB stops at 1 MB anyway)
# A keys-only index item is ~250 bytes: a Query is billed at least 4 KB, the price of ~16 keys.
_KEYS_PER_READ_UNIT = 16
# A span's Limit at most: its keys fit one 1 MB answer, so a span is one round trip.
_SPAN_MAX_KEYS = 3000
_UUID_SPACE = 1 << 128

Position = tuple[str, str]  # (index sort key, record id): where a walk continues, exclusive
KeyRange = tuple[str, tuple[str, ...]]

_pool_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
_worker = threading.local()


def _shared_pool() -> ThreadPoolExecutor:
    """The container's one pool: its threads outlive a request (starting 60 threads costs
    milliseconds of CPU each time) and are started only as a fan-out needs them."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(
                max_workers=MAX_IN_FLIGHT,
                thread_name_prefix="crm-reads",
                initializer=lambda: setattr(_worker, "pooled", True),
            )
        return _pool


def together(calls: Sequence[Callable[[], _T]]) -> list[_T]:
    """Run `calls` at the same time (threads carrying the request's deadline); their results in
    order. A failure of any is raised once all have ended. Called from a pool thread, the calls
    run one after the other: waiting in a pool for the same pool could exhaust it."""
    if len(calls) <= 1 or getattr(_worker, "pooled", False):
        return [call() for call in calls]
    pool = _shared_pool()
    futures = [pool.submit(deadline.carried(call)) for call in calls[1:]]
    # The first runs here meanwhile: one hand-off to a pool thread less, and this thread waits
    # for less.
    try:
        first = calls[0]()
    finally:
        wait(futures)
    return [first, *(future.result() for future in futures)]


@dataclass(frozen=True, slots=True)
class JoinIndex:
    """The index slot of a target's join column: where the children of each parent are."""

    target: ObjectDef
    column: str
    slot: int
    form: Callable[[Any], Any]

    def key_range(self, parent_id: str) -> KeyRange:
        value = (self.form(parent_id), True)
        return keys.index_key_range(nulls=False, lower=value, upper=value)

    def value(self, parent_id: str) -> str:
        """The parent's part of its children's index keys."""
        return keys.index_value(self.form(parent_id))

    def position(self, parent_id: str, record_id: str) -> Position:
        """Just after (or before, walking backwards) `record_id` among the parent's keys."""
        return keys.index_sk(self.form(parent_id), record_id), record_id

    def side(self, parent_id: str, record_id: str, *, below: bool) -> KeyRange:
        """The parent's keys up to `record_id` (below) or from it, both inclusive."""
        _, (low, high) = self.key_range(parent_id)
        at = keys.index_sk(self.form(parent_id), record_id)
        return "between", ((low, at) if below else (at, high))

    def owns(self, record: StoredRecord, parent_id: str) -> bool:
        """A live record that still points at the parent (the index may lag behind writes)."""
        return (
            not record.destroyed
            and record.deleted_at is None
            and record.body.get(self.column) == parent_id
        )


def join_index(target: ObjectDef, column: str) -> JoinIndex | None:
    """The ready index of `column` on `target`, if any (a slot being backfilled is not used)."""
    found = resolved_indexes(target, ready_only=True).get(column)
    if found is None:
        return None
    slot, path = found
    return JoinIndex(target, column, slot, order_form(path))


@dataclass(frozen=True, slots=True)
class PageAsk:
    """The page each parent gets: `limit` children in id order, after or before a cursor."""

    limit: int
    ascending: bool = True
    after: str | None = None
    before: str | None = None
    # totalCount of each parent (its keys; without a cursor only those past the page are asked)
    count: bool = False
    # Whether the page must know that more children follow (GraphQL's pageInfo); REST's depth=1
    # embeds up to `limit` and needs no extra key.
    look_ahead: bool = True
    # The output keys of the records shown (core/presentation.py), None for all.
    columns: Columns | None = None


@dataclass
class _Walk:
    """One parent's page being read: keys fetched and not yet read, records kept."""

    index: JoinIndex
    parent: str
    resume: Position | None
    started: bool = False
    entries: list[Position] = field(default_factory=list)
    records: list[StoredRecord] = field(default_factory=list)
    stale: int = 0  # keys whose record no longer belongs to the parent
    first_keys: int = 0  # keys returned by the first Query (they count towards the total)
    counted: int | None = None  # keys counted beyond the first Query, or in the whole range
    beyond: bool = False  # a child on the other side of the cursor

    def wants_keys(self, window: int) -> bool:
        return (not self.started or self.resume is not None) and (
            len(self.records) + len(self.entries) < window
        )

    def fetch(self, store: RecordStore, ws: str, forward: bool, window: int) -> None:
        deadline.check()
        first, self.started = not self.started, True
        wanted = window - len(self.records) - len(self.entries)
        if wanted <= 0:  # a page of 0 without look-ahead: nothing to ask
            return
        entries, self.resume = store.index_page(
            ws, self.index.target.id, self.index.slot, self.index.key_range(self.parent),
            forward=forward, start_after=self.resume, limit=wanted,
        )  # fmt: skip
        if first:
            self.first_keys = len(entries)
        self.entries += entries

    def to_read(self, limit: int) -> list[Position]:
        taken = self.entries[: limit - len(self.records)]
        del self.entries[: len(taken)]
        return taken

    def keep(self, read: list[Position], found: dict[tuple[str, str], StoredRecord]) -> None:
        for _, record_id in read:
            record = found.get((self.index.target.id, record_id))
            if record is not None and self.index.owns(record, self.parent):
                self.records.append(record)
            else:
                self.stale += 1


def child_pages(
    store: RecordStore,
    workspace_id: str,
    wanted: Sequence[tuple[JoinIndex, str]],
    ask: PageAsk,
    key_cap: int,
    *,
    alongside: Sequence[Callable[[], Any]] = (),
    live: Mapping[str, int] | None = None,
) -> list[Window]:
    """A page of children for each (join index, parent id) of `wanted`, in that order;
    `alongside` calls go out with the first round (a page's other relations). `live`: the
    live-record counters of the targets, by object id, when read (they allow spans)."""
    if not wanted:
        together(alongside)
        return []
    ws = workspace_id
    cursor = ask.before if ask.before is not None else ask.after
    # The page walks in the order's direction from `after`, against it towards `before`.
    forward = ask.ascending if ask.before is None else not ask.ascending
    walks = [
        _Walk(index, parent, index.position(parent, cursor) if cursor else None)
        for index, parent in wanted
    ]
    window = ask.limit + (1 if ask.look_ahead else 0)
    counting = ask.count and cursor is None
    # Counting reads every key of the parent anyway, so the first Query asks for them all (no
    # page-sized Limit): the page, its look-ahead and the count come from the same answer, and
    # a count Query follows only for a parent whose keys outrun one Query (2,000 keys or 1 MB).
    first_window = max(window, _KEYS_PER_QUERY) if counting else window
    # A span starts each of its parents' walks with every key of the parent (see _Span.read).
    spans = [] if cursor is not None or live is None else _spans(walks, window, live)
    spanned = {id(walk) for span in spans for walk in span.walks}
    first: list[Callable[[], Any]] = [
        lambda w=w: w.fetch(store, ws, forward, first_window) for w in walks if id(w) not in spanned
    ]
    first += [lambda s=s: s.read(store, ws, forward) for s in spans]
    if cursor is not None:
        first += _cursor_calls(store, ws, walks, ask, cursor, key_cap)
    together([*first, *alongside])
    # A span that stopped short (more keys between its parents than estimated): the parents it
    # did not finish are walked alone, as they would have been.
    unfinished = [walk for span in spans for walk in span.unfinished]
    together([lambda w=w: w.fetch(store, ws, forward, first_window) for w in unfinished])
    later = [
        (lambda w=w: _count_rest(store, ws, w, forward, key_cap))
        for w in walks
        if counting and w.resume is not None
    ]
    _read_rounds(store, ws, walks, ask.limit, forward, window, later)
    return [_window(walk, ask, cursor) for walk in walks]


@dataclass
class _Span:
    """Walks of one join index whose first keys come from one Query over the key range from
    their lowest parent to their highest (see the module's docstring)."""

    index: JoinIndex
    walks: list[_Walk]  # in index order of their parents
    limit: int
    unfinished: list[_Walk] = field(default_factory=list)

    def read(self, store: RecordStore, ws: str, forward: bool) -> None:
        deadline.check()
        index = self.index
        by_value: dict[str, list[_Walk]] = {}
        for walk in self.walks:
            by_value.setdefault(index.value(walk.parent), []).append(walk)
        values = list(by_value)  # ascending, as the walks are
        # From the lowest parent's first key to past the highest parent's last one.
        key_range = ("between", (values[0], values[-1] + "\x02"))
        entries, resume = store.index_page(
            ws, index.target.id, index.slot, key_range,
            forward=True, start_after=None, limit=self.limit,
        )  # fmt: skip
        found: dict[str, list[Position]] = {}
        for entry in entries:
            found.setdefault(keys.index_value_of_sk(entry[0]), []).append(entry)
        # Cut short by its Limit: the last parent it reached may have more keys, and the
        # parents after it were not reached at all.
        reached = None
        if resume is not None:
            reached = keys.index_value_of_sk(entries[-1][0]) if entries else values[0]
        for value, walks in by_value.items():
            if reached is not None and value >= reached:
                self.unfinished += walks
                continue
            owned = found.get(value, [])
            if not forward:
                owned = owned[::-1]
            for walk in walks:
                # Every key of the parent: no Query of its own follows (resume stays None).
                walk.started, walk.first_keys, walk.entries = True, len(owned), list(owned)


def _spans(walks: list[_Walk], window: int, live: Mapping[str, int]) -> list[_Span]:
    """The walks worth reading by spans, one span per join index, the rest walked alone."""
    by_index: dict[tuple[str, int], list[_Walk]] = {}
    for walk in walks:
        by_index.setdefault((walk.index.target.id, walk.index.slot), []).append(walk)
    spans = []
    for (target_id, _), group in by_index.items():
        parents = sorted({walk.parent for walk in group})
        limit = _span_limit(parents, window, live.get(target_id))
        if limit:
            ordered = sorted(group, key=lambda walk: walk.index.value(walk.parent))
            spans.append(_Span(group[0].index, ordered, limit))
    return spans


def _span_limit(parents: list[str], window: int, live: int | None) -> int:
    """The Limit of a span over `parents` (sorted), or 0 when walking them alone is cheaper.

    Walking alone costs a Query per parent, each billed at least 4 KB (~16 keys) and reading up
    to `window` keys; a span is worth it when the keys expected between the parents fit that
    allowance. Record ids are random UUIDs, so the target's live records whose parent lies in
    the span are about `live` times the share of the UUID space the parents cover (a page of
    parents in id order covers little of it: their children are near each other in the index).
    """
    if len(parents) < 2 or live is None:
        return 0
    try:
        low, high = (int(parents[i].replace("-", ""), 16) for i in (0, -1))
    except ValueError:
        return 0  # not UUIDs: nothing to estimate by
    limit = min(_SPAN_MAX_KEYS, len(parents) * max(window, _KEYS_PER_READ_UNIT))
    expected = live * (high - low + 1) / _UUID_SPACE
    # Half the Limit: an estimate, so room for parents with more children than the average.
    return limit if expected <= limit / 2 else 0


def _cursor_calls(
    store: RecordStore,
    ws: str,
    walks: list[_Walk],
    ask: PageAsk,
    cursor: str,
    key_cap: int,
) -> list[Callable[[], Any]]:
    """The calls a cursor adds to the first round: placing it, each parent's far-side flag and,
    for totalCount, each parent's keys (the page starts mid-range, so it cannot count them)."""
    target = walks[0].index.target

    def locate() -> None:
        # Ids of another object or workspace are refused, as for a top-level list; a destroyed
        # record's tombstone still places the cursor.
        if store.locate(ws, target.id, cursor) is None:
            name = "ending_before" if ask.before is not None else "starting_after"
            raise InvalidQueryParamError(
                f"'{name}' cursor '{cursor}' is not a record of this object"
            )

    # After a cursor, "previous" = a child at or before it in the order; before a cursor,
    # "next" = a child at or after it (the cursor itself counts, as in the in-memory engine).
    below = (ask.before is None) == ask.ascending

    def flag(walk: _Walk) -> None:
        key_range = walk.index.side(walk.parent, cursor, below=below)
        entries, _ = store.index_page(
            ws, target.id, walk.index.slot, key_range, forward=True, start_after=None, limit=1
        )
        walk.beyond = bool(entries)

    def count(walk: _Walk) -> None:
        walk.counted = _count_keys(
            store, ws, walk, walk.index.key_range(walk.parent), None, key_cap
        )

    calls: list[Callable[[], Any]] = [locate]
    calls += [lambda w=w: flag(w) for w in walks]
    if ask.count:
        calls += [lambda w=w: count(w) for w in walks]
    return calls


def _count_rest(store: RecordStore, ws: str, walk: _Walk, forward: bool, key_cap: int) -> None:
    """Keys of the parent past those its first Query returned, in the same direction."""
    key_range = walk.index.key_range(walk.parent)
    walk.counted = _count_keys(store, ws, walk, key_range, walk.resume, key_cap, forward=forward)


def _count_keys(
    store: RecordStore,
    ws: str,
    walk: _Walk,
    key_range: KeyRange,
    start: Position | None,
    key_cap: int,
    *,
    forward: bool = True,
) -> int:
    total = 0
    while True:
        deadline.check()
        entries, start = store.index_page(
            ws, walk.index.target.id, walk.index.slot, key_range,
            forward=forward, start_after=start, limit=_KEYS_PER_QUERY,
        )  # fmt: skip
        total += len(entries)
        if total > key_cap:
            raise QueryNeedsIndexError(
                f"totalCount of nested {walk.index.target.name_plural} would read more than "
                f"{key_cap} index entries; leave totalCount out of the nested connection"
            )
        if start is None:
            return total


def _read_rounds(
    store: RecordStore,
    ws: str,
    walks: list[_Walk],
    limit: int,
    forward: bool,
    window: int,
    extra: list[Callable[[], Any]],
) -> None:
    """Read the records of every page in one BatchGetItem round (with `extra` calls alongside);
    a walk that lost records to a lagging index fetches more keys and reads again."""
    while True:
        reads = [(walk, walk.to_read(limit)) for walk in walks]
        ids = [(walk.index.target.id, record_id) for walk, read in reads for _, record_id in read]
        found = _read_together(store, ws, ids, extra)
        extra = []
        for walk, read in reads:
            walk.keep(read, found)
        short = [walk for walk in walks if walk.wants_keys(window) or _unread(walk, limit)]
        if not short:
            return
        fetching = [walk for walk in short if walk.wants_keys(window)]
        together([lambda w=w: w.fetch(store, ws, forward, window) for w in fetching])


def _read_together(
    store: RecordStore,
    ws: str,
    refs: list[tuple[str, str]],
    alongside: Sequence[Callable[[], Any]] = (),
) -> dict[tuple[str, str], StoredRecord]:
    """The records of `refs` by BatchGetItem, ≤ 100 keys a call, the calls (and `alongside`)
    in flight together."""
    chunks = [refs[start : start + _READ_CHUNK] for start in range(0, len(refs), _READ_CHUNK)]
    reads: list[Callable[[], Any]] = [
        lambda chunk=chunk: store.get_across(ws, chunk) for chunk in chunks
    ]
    found: dict[tuple[str, str], StoredRecord] = {}
    for result in together(reads + list(alongside))[: len(reads)]:
        found.update(result)
    return found


def _unread(walk: _Walk, limit: int) -> bool:
    return len(walk.records) < limit and bool(walk.entries)


def _window(walk: _Walk, ask: PageAsk, cursor: str | None) -> Window:
    records = present_stored(walk.index.target, walk.records, ask.columns)
    more = bool(walk.entries) or walk.resume is not None
    total = 0
    if ask.count:
        if cursor is None:
            total = walk.first_keys + (walk.counted or 0) - walk.stale
        else:
            total = (walk.counted or 0) - walk.stale
        total = max(total, len(records))
    if ask.before is not None:
        return Window(records[::-1], total, walk.beyond, more)
    return Window(records, total, more, walk.beyond)


def all_children(
    store: RecordStore,
    workspace_id: str,
    index: JoinIndex,
    parents: Sequence[str],
    cap: int,
) -> dict[str, list[StoredRecord]]:
    """Every live child of each parent, in id order: each parent's keys (one Query each, in
    flight together), then one BatchGetItem round; at most `cap` children in all."""
    ws, target = workspace_id, index.target

    def child_ids(parent: str) -> list[str]:
        ids: list[str] = []
        resume: Position | None = None
        while True:
            deadline.check()
            entries, resume = store.index_page(
                ws, target.id, index.slot, index.key_range(parent),
                forward=True, start_after=resume, limit=min(cap + 1 - len(ids), _KEYS_PER_QUERY),
            )  # fmt: skip
            ids += [record_id for _, record_id in entries]
            if resume is None or len(ids) > cap:
                return ids

    per_parent = together([lambda p=p: child_ids(p) for p in parents])
    if sum(len(ids) for ids in per_parent) > cap:
        raise QueryNeedsIndexError(
            f"The nested {target.name_plural} of this page would read more than {cap} records; "
            "ask for fewer parents (first), or page the children in the default order"
        )
    found = _read_together(store, ws, [(target.id, rid) for ids in per_parent for rid in ids])
    groups: dict[str, list[StoredRecord]] = {}
    for parent, ids in zip(parents, per_parent, strict=True):
        owned = [found.get((target.id, rid)) for rid in ids]
        groups[parent] = [r for r in owned if r is not None and index.owns(r, parent)]
    return groups
