"""The local stack's data folder on disk: a base snapshot plus an append-only journal.

Layout (`.crm-data/` by default):

- `format.json`: which format wrote the folder; another version is refused, never wiped.
- `snapshot.jsonl.gz`: a header line (`{"format", "segment", "tables"}`: table definitions, and
  the last journal segment the snapshot includes), then one line per item:
  `<table> TAB <key as JSON> TAB <item as DynamoDB JSON>`.
- `journal-<segment>.jsonl`: one line per save, `{"reset"?, "tables"?, "items": [[table, key,
  item or null], ...]}` (null: deleted), appended and fsync'd. Each run of the stack starts a new
  segment.

Why this format: DynamoDB JSON is exactly what moto holds and returns (every attribute type,
binary as base64, numbers as strings), so a round trip is lossless and independent of moto's
classes; a data file is never code (unlike a pickle) and stays readable with `zcat`. One save is
one line, so a save is atomic: a line without its final newline or that does not parse (a save
torn by a crash) is ignored with everything after it in that segment. The key column lets the
compaction merge the journal into a new snapshot by splitting lines, without parsing the items.

Every whole file (format, snapshot) is written to a temporary name, fsync'd, then renamed over
the old one, so an interrupted write leaves the previous file in place. The compaction reads
only files (never the live tables), so it can run while the stack serves requests.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import logging
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

try:  # POSIX: one stack per folder; elsewhere the lock is skipped.
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

logger = logging.getLogger(__name__)

FORMAT_NAME = "twenty-serverless-crm local DynamoDB data"
FORMAT_VERSION = 1
FORMAT_FILE = "format.json"
SNAPSHOT_FILE = "snapshot.jsonl.gz"
LOCK_FILE = ".lock"
_JOURNAL = re.compile(r"^journal-(\d{6,})\.jsonl$")
_TEMP_SUFFIX = ".tmp"
_COMPACT = (",", ":")
# Lines handed to gzip per write call while writing a snapshot.
_WRITE_BLOCK = 4096


class DataDirError(Exception):
    """The folder cannot be used (another format, another stack holds it); nothing was changed."""


# An item's identity in the files: the table and the item's key attributes as DynamoDB JSON.
KeyId = str
# A change: (table, key as JSON, item as DynamoDB JSON or None for a deleted item).
Change = tuple[str, str, dict[str, Any] | None]


def key_json(hash_key: dict[str, Any], range_key: dict[str, Any] | None) -> str:
    """The key column: `[{"S": "h"}]` or `[{"S": "h"}, {"S": "r"}]`, always spelled alike."""
    parts = [hash_key] if range_key is None else [hash_key, range_key]
    return json.dumps(parts, separators=_COMPACT)


def _item_json(item: dict[str, Any]) -> str:
    return json.dumps(item, separators=_COMPACT)


@dataclass
class Contents:
    """What the folder holds once the journal is applied to the snapshot."""

    tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    # key id (`<table> TAB <key JSON>`) -> the item's DynamoDB JSON text, in file order.
    items: dict[KeyId, str] = field(default_factory=dict)
    segment: int = 0  # the last journal segment applied
    torn_records: int = 0

    def apply(self, record: dict[str, Any]) -> None:
        if record.get("reset"):
            self.tables.clear()
            self.items.clear()
        if "tables" in record:
            self.tables = record["tables"]
            # Items of a table that no longer exists are gone with it.
            for key_id in [k for k in self.items if k.split("\t", 1)[0] not in self.tables]:
                del self.items[key_id]
        for table, key, item in record.get("items", ()):
            key_id = f"{table}\t{key}"
            if item is None:
                self.items.pop(key_id, None)
            else:
                self.items[key_id] = _item_json(item)

    def parsed_items(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """(table, item) for every stored item; parsed here, one at a time."""
        for key_id, text in self.items.items():
            yield key_id.split("\t", 1)[0], json.loads(text)


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform can open a directory
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_atomically(path: Path, chunks: Iterator[bytes] | list[bytes], *, gzipped: bool) -> None:
    """Write a whole file under a temporary name, fsync it, then rename it over `path`."""
    temp = path.with_name(path.name + _TEMP_SUFFIX)
    with temp.open("wb") as raw:
        sink: BinaryIO = gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=1) if gzipped else raw
        try:
            for chunk in chunks:
                sink.write(chunk)
        finally:
            if gzipped:
                sink.close()
        raw.flush()
        os.fsync(raw.fileno())
    os.replace(temp, path)
    _fsync_dir(path.parent)


def read_journal(path: Path) -> tuple[list[dict[str, Any]], int]:
    """The complete records of a journal segment, and how many torn records ended it (0 or 1)."""
    data = path.read_bytes()
    lines = data.split(b"\n")
    # The part after the last newline is a record whose write never finished.
    records, torn = [], int(lines[-1].strip() != b"")
    for line in lines[:-1]:
        try:
            record = json.loads(line)
        except ValueError:
            record = None
        if not isinstance(record, dict):
            # A torn write, then whatever followed it: the rest of this segment is not trusted.
            return records, 1
        records.append(record)
    return records, torn


class DataDir:
    """One data folder: checks its format, loads it, appends saves, compacts, resets."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock_file: BinaryIO | None = None
        self._journal: BinaryIO | None = None
        self._segment = 0  # the segment this run appends to
        self._append_lock = threading.Lock()
        self._compact_lock = threading.Lock()
        self.journal_bytes = 0  # bytes of journal not yet in the snapshot

    # --- opening -------------------------------------------------------------------------------

    def open(self) -> None:
        """Create the folder if needed, take its lock and check its format."""
        self.path.mkdir(parents=True, exist_ok=True)
        self._take_lock()
        self._check_format()

    def _take_lock(self) -> None:
        if fcntl is None:  # pragma: no cover
            return
        handle = (self.path / LOCK_FILE).open("ab")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            raise DataDirError(
                f"{self.path} is in use by another local stack; stop it first, or set "
                "CRM_DATA_DIR to another folder."
            ) from None
        self._lock_file = handle

    def _data_files(self) -> list[Path]:
        return [p for p in self.path.iterdir() if p.name == SNAPSHOT_FILE or _JOURNAL.match(p.name)]

    def _check_format(self) -> None:
        marker = self.path / FORMAT_FILE
        if not marker.exists():
            if self._data_files():
                self._refuse("has data files but no format.json")
            self._write_format()
            return
        try:
            found = json.loads(marker.read_text())
        except ValueError:
            found = None
        if not isinstance(found, dict) or found.get("format") != FORMAT_NAME:
            self._refuse("has a format.json this local stack does not recognise")
        if found.get("version") != FORMAT_VERSION:
            self._refuse(
                f"was written in format version {found.get('version')}; this version of the "
                f"local stack reads version {FORMAT_VERSION}"
            )

    def _refuse(self, why: str) -> None:
        self.close()
        raise DataDirError(
            f"The local data folder {self.path} {why}. Nothing was changed. Start empty with "
            "`make run FRESH=1` (this deletes the data in that folder), or set CRM_DATA_DIR to "
            "another folder."
        )

    def _write_format(self) -> None:
        text = json.dumps({"format": FORMAT_NAME, "version": FORMAT_VERSION}) + "\n"
        write_atomically(self.path / FORMAT_FILE, [text.encode()], gzipped=False)

    def reset(self) -> None:
        """Delete this format's files (FRESH=1): the folder then holds an empty data set."""
        self._close_journal()
        for path in self.path.iterdir():
            if (
                path.name in (SNAPSHOT_FILE, FORMAT_FILE)
                or _JOURNAL.match(path.name)
                or (path.name.endswith(_TEMP_SUFFIX))
            ):
                path.unlink()
        _fsync_dir(self.path)
        self._write_format()

    def close(self) -> None:
        self._close_journal()
        if self._lock_file is not None:
            self._lock_file.close()  # releases the flock
            self._lock_file = None

    # --- reading -------------------------------------------------------------------------------

    def _segments(self) -> list[int]:
        numbers = [_JOURNAL.match(p.name) for p in self.path.iterdir()]
        return sorted(int(m.group(1)) for m in numbers if m)

    def _journal_path(self, segment: int) -> Path:
        return self.path / f"journal-{segment:06d}.jsonl"

    def read(self) -> Contents:
        """The snapshot with every later journal segment applied; leftovers of a crash are
        removed (temporary files, segments a newer snapshot already includes)."""
        for temp in self.path.glob("*" + _TEMP_SUFFIX):
            temp.unlink()
        contents = self._read_snapshot()
        self.journal_bytes = 0
        for segment in self._segments():
            path = self._journal_path(segment)
            if segment <= contents.segment:
                path.unlink()  # merged by a compaction that stopped before deleting it
                continue
            records, torn = read_journal(path)
            if torn:
                logger.warning("%s ends with an unfinished save; it was ignored", path.name)
            contents.torn_records += torn
            for record in records:
                contents.apply(record)
            contents.segment = segment
            self.journal_bytes += path.stat().st_size
        self._segment = contents.segment + 1
        return contents

    def _read_snapshot(self) -> Contents:
        path = self.path / SNAPSHOT_FILE
        if not path.exists():
            return Contents()
        text = gzip.decompress(path.read_bytes()).decode()
        lines = text.split("\n")
        header = json.loads(lines[0])
        contents = Contents(tables=header["tables"], segment=header["segment"])
        items = contents.items
        for line in lines[1:]:
            if line:
                second_tab = line.index("\t", line.index("\t") + 1)
                items[line[:second_tab]] = line[second_tab + 1 :]
        return contents

    # --- saving --------------------------------------------------------------------------------

    def append(self, record: dict[str, Any]) -> int:
        """One save as one journal line, fsync'd before returning; returns its size in bytes."""
        line = (json.dumps(record, separators=_COMPACT) + "\n").encode()
        with self._append_lock:
            if self._journal is None:
                path = self._journal_path(self._segment)
                self._journal = path.open("ab")
                _fsync_dir(self.path)
            try:
                self._journal.write(line)
                self._journal.flush()
                os.fsync(self._journal.fileno())
            except BaseException:
                # Whatever reached the file is a torn record: later saves go to a new segment.
                self._close_journal_locked()
                raise
            self.journal_bytes += len(line)
        return len(line)

    def _close_journal(self) -> None:
        with self._append_lock:
            self._close_journal_locked()

    def _close_journal_locked(self) -> None:
        if self._journal is not None:
            with contextlib.suppress(OSError):
                self._journal.close()
            self._journal = None
            self._segment += 1

    # --- compaction ----------------------------------------------------------------------------

    def compact(self) -> int:
        """Merge the snapshot and the finished journal segments into a new snapshot, from the
        files alone; saves go on meanwhile into a new segment. Returns the items written."""
        with self._compact_lock:
            with self._append_lock:
                self._close_journal_locked()  # later saves start the next segment
                last = self._segment - 1
                pending_bytes = self.journal_bytes
            contents = self._read_snapshot()
            for segment in self._segments():
                if contents.segment < segment <= last:
                    records, _torn = read_journal(self._journal_path(segment))
                    for record in records:
                        contents.apply(record)
                    contents.segment = segment
            contents.segment = max(contents.segment, last)
            self._write_snapshot(contents)
            for segment in self._segments():
                if segment <= last:
                    self._journal_path(segment).unlink()
            with self._append_lock:
                self.journal_bytes = max(0, self.journal_bytes - pending_bytes)
            return len(contents.items)

    def _write_snapshot(self, contents: Contents) -> None:
        header = {"format": FORMAT_VERSION, "segment": contents.segment, "tables": contents.tables}

        def chunks() -> Iterator[bytes]:
            yield (json.dumps(header, separators=_COMPACT) + "\n").encode()
            block: list[str] = []
            for key_id, text in contents.items.items():
                block.append(f"{key_id}\t{text}\n")
                if len(block) >= _WRITE_BLOCK:
                    yield "".join(block).encode()
                    block = []
            if block:
                yield "".join(block).encode()

        write_atomically(self.path / SNAPSHOT_FILE, chunks(), gzipped=True)

    def write_snapshot(self, contents: Contents) -> None:
        """Replace everything with `contents` (the bench builds a data folder this way)."""
        with self._compact_lock, self._append_lock:
            self._close_journal_locked()
            contents.segment = self._segment - 1
            self._write_snapshot(contents)
            for segment in self._segments():
                if segment <= contents.segment:
                    self._journal_path(segment).unlink()
            self.journal_bytes = 0
