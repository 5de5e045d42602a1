"""moto's DynamoDB, kept in a data folder: loaded at start, saved as it changes.

Loading puts the tables and items straight into the backend (no HTTP, no per-item request), so
100,000 items load in seconds; moto derives its GSIs from the items, so they are right at once.

Saving copies only what changed. Wrappers around the backend's writes note the keys each write
touches; a save copies the current state of those keys while holding the emulator's lock, a
few thousand keys per hold so that requests wait a few milliseconds at most, and writes the copy
to the folder's journal outside the lock (datadir.py). Keys written while a save is copying are
copied again before it ends: the last hold, which also takes the keys noted since the save
began, leaves the copy equal to the state at that instant, so a transaction is never saved
half. The journal is merged into the snapshot from the files when it grows (compaction), in
the saving thread, without the lock.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import itertools
import json
import logging
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict
from moto.dynamodb.models.table import Table

from local_stack.datadir import SNAPSHOT_FILE, Contents, DataDir, key_json
from local_stack.journal import stored_item

logger = logging.getLogger(__name__)

# Keys copied per hold of the emulator's lock: a few milliseconds each (measured in
# bench/local_stack.py), so a request waits at most that long for a save.
CHUNK = 500
# Rounds of "copy the keys written meanwhile" before the rest is copied in one hold.
MAX_ROUNDS = 8
# The journal is merged into the snapshot past this size, or past a quarter of the snapshot.
COMPACT_BYTES = 16 * 1024 * 1024

# (table, hash key type, hash key value, range key type, range key value): a hashable key.
Entry = tuple[str, str, str, str | None, str | None]


def _find_lock() -> Any:
    """The emulator's lock (local_stack.emulator.LOCK) when present, else one of our own."""
    for module in ("local_stack.emulator", "local_stack.locking"):
        with contextlib.suppress(ImportError):
            return __import__(module, fromlist=["LOCK"]).LOCK
    return threading.RLock()


LOCK = _find_lock()


# --- noting the keys each write touches -------------------------------------------------------


class ChangeTracker:
    """The keys written since the last save (or `everything`, after a write we cannot follow
    key by key: a deleted table, PartiQL, a restore)."""

    def __init__(self) -> None:
        self.dirty: set[Entry] = set()
        self.everything = False

    def note(self, entries: Iterable[Entry] | None) -> None:
        if entries is None:
            self.everything = True
        else:
            self.dirty.update(entries)

    def take(self) -> set[Entry]:
        taken, self.dirty = self.dirty, set()
        return taken


# Each followed backend carries its tracker; the set finds them for the undo journal's news.
_TRACKER = "_crm_data_tracker"
_FOLLOWED: weakref.WeakSet[DynamoDBBackend] = weakref.WeakSet()


def follow(backend: DynamoDBBackend, tracker: ChangeTracker | None) -> None:
    """Note the keys of `backend`'s writes in `tracker` from now on (None: stop)."""
    setattr(backend, _TRACKER, tracker)
    if tracker is None:
        _FOLLOWED.discard(backend)
    else:
        _FOLLOWED.add(backend)


def _table(backend: DynamoDBBackend, table_name: Any) -> Table | None:
    if not isinstance(table_name, str):
        return None
    table = backend.tables.get(table_name)
    if table is None:  # a table ARN, or a table that does not exist
        with contextlib.suppress(Exception):
            table = backend.get_table(table_name)
    return table


def _entry(backend: DynamoDBBackend, table_name: Any, attrs: Any) -> Entry | None:
    table = _table(backend, table_name)
    if table is None or not isinstance(attrs, dict):
        return None
    hash_key = _typed_scalar(attrs.get(table.hash_key_attr))
    if hash_key is None:
        return None
    if table.range_key_attr is None:
        return (table.name, hash_key[0], hash_key[1], None, None)
    range_key = _typed_scalar(attrs.get(table.range_key_attr))
    if range_key is None:
        return None
    return (table.name, hash_key[0], hash_key[1], range_key[0], range_key[1])


def _typed_scalar(value: Any) -> tuple[str, str] | None:
    """A key value of a request as (type, text): binary keys as base64, like the files."""
    if isinstance(value, dict) and len(value) == 1:
        ((kind, raw),) = value.items()
        if isinstance(kind, str) and isinstance(raw, str | bytes):
            return kind, _base64(raw)
    return None


def _entry_of(table_name: str, hash_key: DynamoType, range_key: DynamoType | None) -> Entry:
    if range_key is None:
        return (table_name, hash_key.type, _base64(hash_key.value), None, None)
    return (
        table_name,
        hash_key.type,
        _base64(hash_key.value),
        range_key.type,
        _base64(range_key.value),
    )


def _key_value(kind: str, text: str) -> DynamoType:
    return typed({kind: text})  # a top-level value: a binary key becomes bytes again


def _argument(args: tuple[Any, ...], kwargs: dict[str, Any], index: int, name: str) -> Any:
    return args[index] if len(args) > index else kwargs.get(name)


def _put_entries(backend: DynamoDBBackend, args: tuple, kwargs: dict) -> list[Entry]:
    table_name = _argument(args, kwargs, 0, "table_name")
    entry = _entry(backend, table_name, _argument(args, kwargs, 1, "item_attrs"))
    return [] if entry is None else [entry]


def _keyed_entries(backend: DynamoDBBackend, args: tuple, kwargs: dict) -> list[Entry]:
    table_name = _argument(args, kwargs, 0, "table_name")
    entry = _entry(backend, table_name, _argument(args, kwargs, 1, "key"))
    return [] if entry is None else [entry]


def _transaction_entries(backend: DynamoDBBackend, args: tuple, kwargs: dict) -> list[Entry]:
    entries = []
    for action in _argument(args, kwargs, 0, "transact_items") or ():
        for kind, operation in action.items() if isinstance(action, dict) else ():
            if kind in ("Put", "Update", "Delete") and isinstance(operation, dict):
                attrs = operation.get("Item" if kind == "Put" else "Key")
                entry = _entry(backend, operation.get("TableName"), attrs)
                if entry is not None:
                    entries.append(entry)
    return entries


def _everything(backend: DynamoDBBackend, args: tuple, kwargs: dict) -> None:
    return None


# Backend writes and the keys they touch. moto's BatchWriteItem calls put_item/delete_item and
# its TransactWriteItems calls all three, so those are followed through them as well.
_WRITES: dict[str, Callable[[DynamoDBBackend, tuple, dict], list[Entry] | None]] = {
    "put_item": _put_entries,
    "update_item": _keyed_entries,
    "delete_item": _keyed_entries,
    "transact_write_items": _transaction_entries,
    "delete_table": _everything,
    "execute_statement": _everything,
    "execute_transaction": _everything,
    "batch_execute_statement": _everything,
    "import_table": _everything,
    "restore_table_from_backup": _everything,
    "restore_table_to_point_in_time": _everything,
}
_installed = False


def _noting(original: Callable[..., Any], entries_of: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def write(self: DynamoDBBackend, *args: Any, **kwargs: Any) -> Any:
        tracker = getattr(self, _TRACKER, None)
        if tracker is None:
            return original(self, *args, **kwargs)
        # Noted inside the lock: a save never sees a write without its keys.
        with LOCK:
            try:
                return original(self, *args, **kwargs)
            finally:
                tracker.note(entries_of(self, args, kwargs))

    return write


def _note_restored(table: Table, hash_key: DynamoType, range_key: DynamoType | None) -> None:
    # The emulator's undo journal put an item back (local_stack/journal.py).
    entry = _entry_of(table.name, hash_key, range_key)
    for backend in list(_FOLLOWED):
        tracker = getattr(backend, _TRACKER, None)
        if tracker is not None and backend.tables.get(table.name) is table:
            tracker.note([entry])


def install() -> None:
    """Wrap the backend's writes once per process (chained over any wrapper already there)."""
    global _installed
    if _installed:
        return
    for name, entries_of in _WRITES.items():
        original = getattr(DynamoDBBackend, name, None)
        if original is not None:
            setattr(DynamoDBBackend, name, _noting(original, entries_of))
    with contextlib.suppress(ImportError):
        from local_stack import journal

        journal.on_restore(_note_restored)
    _installed = True


# --- moto items <-> DynamoDB JSON -------------------------------------------------------------


# Binary values in the files are base64 text (DynamoDB JSON). moto keeps a binary (B) at the top
# of an item, and every member of a binary set (BS), as bytes, but a binary inside a map or list
# as the base64 text of the request: loading rebuilds exactly those forms.


def plain(value: DynamoType) -> dict[str, Any]:
    """A moto attribute value as DynamoDB JSON (binary as base64 text)."""
    kind, raw = value.type, value.value
    if kind == "L":
        return {"L": [plain(member) for member in raw]}
    if kind == "M":
        return {"M": {name: plain(member) for name, member in raw.items()}}
    if kind == "B":
        return {"B": _base64(raw)}
    if kind == "BS":
        return {"BS": [_base64(member) for member in raw]}
    return {kind: raw}


def _base64(raw: bytes | str) -> str:
    return base64.b64encode(raw).decode() if isinstance(raw, bytes) else raw


def plain_item(item: Item) -> dict[str, Any]:
    return {name: plain(value) for name, value in item.attrs.items()}


def typed(value: dict[str, Any], *, nested: bool = False) -> DynamoType:
    """The DynamoType moto builds for a value it parsed from a request, without its per-node
    type tests."""
    ((kind, raw),) = value.items()
    result = DynamoType.__new__(DynamoType)
    result.type = kind
    if kind == "L":
        raw = [typed(member, nested=True) for member in raw]
    elif kind == "M":
        raw = {name: typed(member, nested=True) for name, member in raw.items()}
    elif kind == "B" and not nested:
        raw = base64.b64decode(raw)
    elif kind == "BS":
        raw = [base64.b64decode(member) for member in raw]
    result.value = raw
    return result


def build_item(table: Table, attrs: dict[str, Any]) -> Item:
    """A moto Item for stored attributes, as moto's own deepcopy builds one: without checking
    the size limit again attribute by attribute (it held when the item was written)."""
    item = Item.__new__(Item)
    stored = LimitedSizeDict.__new__(LimitedSizeDict)
    dict.__init__(stored, ((name, typed(value)) for name, value in attrs.items()))
    item.attrs = stored
    item.hash_key = stored[table.hash_key_attr]
    item.range_key = stored[table.range_key_attr] if table.range_key_attr else None
    return item


def table_definition(table: Table) -> dict[str, Any]:
    """Enough to create the table again as it is (CreateTable's names, plus TimeToLive)."""
    definition: dict[str, Any] = {
        "KeySchema": table.schema,
        "AttributeDefinitions": table.attr,
        "BillingMode": table.billing_mode or "PROVISIONED",
        "GlobalSecondaryIndexes": [
            {"IndexName": index.name, "KeySchema": index.schema, "Projection": index.projection}
            for index in table.global_indexes
        ],
        "LocalSecondaryIndexes": [
            {"IndexName": index.name, "KeySchema": index.schema, "Projection": index.projection}
            for index in table.indexes
        ],
        "StreamSpecification": table.stream_specification,
        "TimeToLive": table.ttl,
        "Tags": table.tags,
        "DeletionProtectionEnabled": bool(table.deletion_protection_enabled),
    }
    if definition["BillingMode"] != "PAY_PER_REQUEST":
        throughput = table.throughput
        definition["ProvisionedThroughput"] = {
            "ReadCapacityUnits": throughput["ReadCapacityUnits"],
            "WriteCapacityUnits": throughput["WriteCapacityUnits"],
        }
    if table.sse_specification:
        definition["SSESpecification"] = table.sse_specification
    return json.loads(json.dumps(definition))  # a plain copy, detached from the live table


def create_table(backend: DynamoDBBackend, name: str, definition: dict[str, Any]) -> Table:
    streams = definition["StreamSpecification"]
    table = backend.create_table(
        name,
        schema=definition["KeySchema"],
        throughput=definition.get("ProvisionedThroughput"),
        attr=definition["AttributeDefinitions"],
        global_indexes=definition["GlobalSecondaryIndexes"] or None,
        indexes=definition["LocalSecondaryIndexes"] or None,
        streams=streams if streams and streams.get("StreamEnabled") else None,
        billing_mode=definition["BillingMode"],
        sse_specification=definition.get("SSESpecification"),
        tags=definition["Tags"],
        deletion_protection_enabled=definition["DeletionProtectionEnabled"],
        warm_throughput=None,
    )
    table.ttl = dict(definition["TimeToLive"])
    return table


def _rebuild_key_index(table: Table) -> None:
    """The emulator's sorted key index, rebuilt for the items put in directly. Built now: built
    lazily, the first Query would build it while holding the lock, and at 100,000 records the
    requests waiting behind it would time out."""
    with contextlib.suppress(ImportError):
        from local_stack import key_index

        key_index.forget(table)
        key_index.index_of(table)


def _insert(table: Table, item: Item) -> None:
    if table.range_key_attr is None:
        table.items[item.hash_key] = item
    else:
        table.items[item.hash_key][item.range_key] = item


# --- the saver --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SaveResult:
    items: int  # items written (changed or deleted) by this save
    seconds: float
    longest_hold: float  # the longest time the save held the emulator's lock


@dataclass(frozen=True)
class LoadResult:
    items: int
    tables: int
    seconds: float
    cpu_seconds: float  # this process's CPU time: the figure a busy machine does not inflate
    torn_records: int


class Persistence:
    """One backend kept in one data folder."""

    def __init__(self, backend: DynamoDBBackend, data: DataDir) -> None:
        self.backend = backend
        self.data = data
        self.tracker = ChangeTracker()
        self._tables: dict[str, dict[str, Any]] = {}  # the definitions last saved
        self._save_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- start ---------------------------------------------------------------------------------

    def load(self) -> LoadResult:
        """Fill the (empty) backend from the folder, then start following its writes."""
        install()
        started, cpu_started = time.perf_counter(), time.process_time()
        contents = self.data.read()
        with LOCK:
            # Tables the backend held before (not from the folder) are saved whole next time.
            self.tracker.everything = bool(set(self.backend.tables) - set(contents.tables))
            count = self._fill(contents)
            self._tables = self._definitions()
            follow(self.backend, self.tracker)
        return LoadResult(
            count,
            len(contents.tables),
            time.perf_counter() - started,
            time.process_time() - cpu_started,
            contents.torn_records,
        )

    def _fill(self, contents: Contents) -> int:
        tables = {}
        for name, definition in contents.tables.items():
            if name in self.backend.tables:
                del self.backend.tables[name]
            tables[name] = create_table(self.backend, name, definition)
        count = 0
        for table_name, attrs in contents.parsed_items():
            _insert(tables[table_name], build_item(tables[table_name], attrs))
            count += 1
        contents.items.clear()  # the text copies are no longer needed
        for table in tables.values():
            _rebuild_key_index(table)
        return count

    def _definitions(self) -> dict[str, dict[str, Any]]:
        return {name: table_definition(table) for name, table in self.backend.tables.items()}

    # --- saving --------------------------------------------------------------------------------

    def save(self) -> SaveResult:
        """Write what changed since the last save to the journal (nothing if nothing did)."""
        started = time.perf_counter()
        with self._save_lock:
            copy = _Copy(self)
            record = copy.collect()
            if record is not None:
                try:
                    self.data.append(record)
                except BaseException:
                    copy.give_back()  # the next save tries these keys again
                    raise
                self._tables = copy.tables
        return SaveResult(copy.count, time.perf_counter() - started, copy.longest_hold)

    def compact_if_large(self) -> None:
        snapshot = self.data.path / SNAPSHOT_FILE
        limit = max(COMPACT_BYTES, 4 * snapshot.stat().st_size if snapshot.exists() else 0)
        if self.data.journal_bytes > limit:
            self.data.compact()

    def start(self, every_seconds: float) -> None:
        """Save every `every_seconds` on a background thread until stop()."""
        self._thread = threading.Thread(
            target=self._run, args=(every_seconds,), name="crm-data-saver", daemon=True
        )
        self._thread.start()

    def _run(self, every_seconds: float) -> None:
        while not self._stop.wait(every_seconds):
            try:
                self.save()
                self.compact_if_large()
            except Exception:  # keep saving: a full disk may clear up
                logger.exception("saving the local data failed; retrying in %ss", every_seconds)

    def stop(self, timeout: float) -> bool:
        """Stop the periodic saves and save a last time; False if that did not finish within
        `timeout` seconds (the previous saves stay on disk, and a torn last one is ignored)."""
        self._stop.set()
        final = threading.Thread(target=self._final_save, name="crm-data-final-save", daemon=True)
        final.start()
        final.join(timeout)
        return not final.is_alive()

    def _final_save(self) -> None:
        try:
            self.save()
        except Exception:
            logger.exception("the final save of the local data failed")
            return
        self.close()

    def close(self) -> None:
        """Stop following the backend and release the folder (no save)."""
        follow(self.backend, None)
        self.data.close()


class _Copy:
    """One save's copy of the changed items, taken a chunk of keys per hold of the lock."""

    def __init__(self, owner: Persistence) -> None:
        self.owner = owner
        self.tracker = owner.tracker
        self.everything = False
        self.captured: dict[Entry, dict[str, Any] | None] = {}
        self.tables: dict[str, dict[str, Any]] = {}
        self.count = 0
        self.longest_hold = 0.0

    def collect(self) -> dict[str, Any] | None:
        pending: Iterator[Entry] | None = self._hold(self._start)
        for round_number in range(MAX_ROUNDS + 1):
            while pending is not None:
                pending = self._hold(self._copy_chunk, pending)
            finished, pending = self._hold(self._finish_or_continue, round_number == MAX_ROUNDS)
            if finished:
                return self._record()
        raise AssertionError("unreachable: the last round copies everything")

    def _hold(self, step: Callable[..., Any], *args: Any) -> Any:
        with LOCK:
            began = time.perf_counter()
            try:
                return step(*args)
            finally:
                self.longest_hold = max(self.longest_hold, time.perf_counter() - began)

    def _start(self) -> Iterator[Entry]:
        if not self.tracker.everything:
            return iter(self.tracker.take())
        self.tracker.everything = False
        self.tracker.dirty.clear()
        self.everything = True
        self.captured.clear()
        # Every key, listed at C speed now and turned into entries chunk by chunk later.
        listed = []
        for name, table in self.owner.backend.tables.items():
            ranged = table.range_key_attr is not None
            for hash_key, partition in table.items.items():
                listed.append((name, hash_key, list(partition) if ranged else [None]))
        return (
            _entry_of(name, hash_key, range_key)
            for name, hash_key, range_keys in listed
            for range_key in range_keys
        )

    def _copy_chunk(self, pending: Iterator[Entry]) -> Iterator[Entry] | None:
        copied = 0
        for entry in itertools.islice(pending, CHUNK):
            self.captured[entry] = self._current(entry)
            copied += 1
        return pending if copied == CHUNK else None

    def _finish_or_continue(self, last_round: bool) -> tuple[bool, Iterator[Entry] | None]:
        """In one hold: if few keys were written since the copy began (or this is the last
        round), copy them and the table definitions, and the copy is complete."""
        if self.tracker.everything:
            pending = self._start()  # a table was deleted meanwhile: start over, copying all
            if not last_round:
                return False, pending
        elif len(self.tracker.dirty) > CHUNK and not last_round:
            return False, iter(self.tracker.take())
        else:
            pending = iter(self.tracker.take())
        for entry in pending:
            self.captured[entry] = self._current(entry)
        self.tables = self.owner._definitions()
        return True, None

    def _current(self, entry: Entry) -> dict[str, Any] | None:
        table_name, hash_type, hash_value, range_type, range_value = entry
        table = self.owner.backend.tables.get(table_name)
        if table is None:
            return None
        hash_key = _key_value(hash_type, hash_value)
        range_key = None if range_type is None else _key_value(range_type, range_value)
        item = stored_item(table, hash_key, range_key)
        return None if item is None else plain_item(item)

    def _record(self) -> dict[str, Any] | None:
        record: dict[str, Any] = {}
        if self.everything:
            record["reset"] = True
        if self.everything or self.tables != self.owner._tables:
            record["tables"] = self.tables
        # Items of a table deleted since are left out: the new definitions drop them.
        record["items"] = [
            [entry[0], key_json(*_key_parts(entry)), item]
            for entry, item in self.captured.items()
            if entry[0] in self.tables
        ]
        self.count = len(record["items"])
        if not self.everything and not self.count and "tables" not in record:
            return None
        return record

    def give_back(self) -> None:
        with LOCK:
            self.tracker.note(self.captured)
            if self.everything:
                self.tracker.everything = True


def _key_parts(entry: Entry) -> tuple[dict[str, str], dict[str, str] | None]:
    _table, hash_type, hash_value, range_type, range_value = entry
    range_key = None if range_type is None else {range_type: range_value}
    return {hash_type: hash_value}, range_key
