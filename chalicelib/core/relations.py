"""`depth=1`: embed each record's relations, never with one sequential call per record.

MANY_TO_ONE targets of the whole page (every relation field at once) come from one BatchGetItem
round (≤ 100 keys per call). Each ONE_TO_MANY field embeds each parent's first 60 children, read
whichever way costs fewer read units (core/read_choice.py): the live-record counters of the
parent and target objects go out with the MANY_TO_ONE round, then in one round a field is either
read whole (one bounded read of the target object, ≤ the scan cap, grouped by join column) or
walked through its join-column index (core/child_pages.py: a keys-only Query per parent, all in
flight together, then one BatchGetItem round for the children of every walked field). A field
whose join column has no ready index is read whole; one whose target has no live record is not
read. The sequential round trips do not grow with the page or the number of fields.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from chalicelib.core.indexing import resolved_indexes
from chalicelib.core.ports import RecordStore, StoredRecord
from chalicelib.core.presentation import present_records
from chalicelib.errors import QueryNeedsIndexError
from chalicelib.metadata.model import FieldDef, ObjectDef, RelationType, WorkspaceModel

if TYPE_CHECKING:
    from chalicelib.core.child_pages import JoinIndex

# Twenty's QUERY_MAX_RECORDS_FROM_RELATION: related records embedded per parent and field.
MAX_RELATED_PER_PARENT = 60

Record = dict[str, Any]


def embed_relations(
    store: RecordStore,
    workspace_id: str,
    model: WorkspaceModel,
    obj: ObjectDef,
    records: list[Record],
    cap: int,
) -> None:
    """Add every relation field of `obj` to each presented record, in place."""
    if not records:
        return
    # The MANY_TO_ONE round goes out with the first ONE_TO_MANY round: one wait for both.
    many_to_one = partial(_embed_many_to_one, store, workspace_id, model, obj, records)
    _embed_one_to_many(store, workspace_id, model, obj, records, cap, alongside=many_to_one)


def _embed_many_to_one(
    store: RecordStore,
    workspace_id: str,
    model: WorkspaceModel,
    obj: ObjectDef,
    records: list[Record],
) -> None:
    fields = [
        f
        for f in obj.many_to_one_fields()
        if f.relation and f.relation.target_object_id in model.by_id
    ]
    refs = [
        (f.relation.target_object_id, record[f.join_column])  # type: ignore[union-attr]
        for record in records
        for f in fields
        if record.get(f.join_column or "")
    ]
    found = store.get_across(workspace_id, refs)
    presented = {
        ref: present_records(model.by_id[ref[0]], [target.shaped()])[0]
        for ref, target in found.items()
        if target.deleted_at is None
    }
    for record in records:
        for f in fields:
            target_id = record.get(f.join_column or "")
            ref = (f.relation.target_object_id, target_id)  # type: ignore[union-attr]
            record[f.name] = presented.get(ref) if target_id else None


def inverse_of(model: WorkspaceModel, field: FieldDef) -> tuple[ObjectDef, str] | None:
    """The target object and its join column for a ONE_TO_MANY field (None if inactive)."""
    assert field.relation is not None
    target = model.by_id.get(field.relation.target_object_id)
    if target is None or not target.is_active:
        return None
    for candidate in target.by_join_column.values():
        if candidate.id == field.relation.target_field_id:
            return target, candidate.join_column or ""
    return None


def _embed_one_to_many(
    store: RecordStore,
    workspace_id: str,
    model: WorkspaceModel,
    obj: ObjectDef,
    records: list[Record],
    cap: int,
    *,
    alongside: Callable[[], Any],
) -> None:
    from chalicelib.core.child_pages import PageAsk, child_pages, join_index
    from chalicelib.core.read_choice import live_counts

    fields = [
        (f, inverse)
        for f in obj.by_name.values()
        if f.relation is not None and f.relation.type is RelationType.ONE_TO_MANY
        for inverse in [inverse_of(model, f)]
        if inverse is not None
    ]
    reads = [_FieldRead(f.name, *inverse, join_index(*inverse)) for f, inverse in fields]
    indexed = [read.index.target.id for read in reads if read.index is not None]
    counts: dict[str, int] | None = None
    if indexed:
        # The counters go out with the MANY_TO_ONE round: one wait for both.
        counts = live_counts(store, workspace_id, [*indexed, obj.id], alongside=[alongside])
        for read in reads:
            read.choose(len(records), counts, obj.id, cap)
        alongside = _nothing
    # Every field's children at once, the whole reads alongside the index walks' first round:
    # the page size and the number of fields change the requests, not the round trips.
    scans = [partial(read.scan, store, workspace_id, cap) for read in reads if read.scanning]
    walks = [read for read in reads if read.walking]
    wanted = [(read.index, record["id"]) for read in walks for record in records]
    ask = PageAsk(MAX_RELATED_PER_PARENT, look_ahead=False)
    windows = iter(
        child_pages(store, workspace_id, wanted, ask, 0, alongside=[alongside, *scans], live=counts)
    )
    for read in walks:
        read.embed(records, [next(windows).records for _ in records])
    # A counter that fell behind a concurrent write: the index walk after all (rare).
    late = [r for r in reads if r.scanning and r.stored is None and r.index is not None]
    wanted = [(read.index, record["id"]) for read in late for record in records]
    windows = iter(child_pages(store, workspace_id, wanted, ask, 0))
    for read in late:
        read.embed(records, [next(windows).records for _ in records])
    for read in reads:
        if read.scanning and read.stored is not None:
            read.embed(records, read.grouped([record["id"] for record in records]))


def _nothing() -> None:
    return None


class _FieldRead:
    """How one ONE_TO_MANY field's children are read: the index walk, one read of the whole
    target (by the counters, core/read_choice.py), or nothing when the target has no record."""

    def __init__(self, name: str, target: ObjectDef, column: str, index: JoinIndex | None):
        self.name, self.target, self.column, self.index = name, target, column, index
        # No ready index: the bounded read, whatever it costs.
        self.scanning, self.walking = index is None, False
        self.stored: list[StoredRecord] | None = None

    def choose(self, parents: int, counts: dict[str, int], parent_id: str, cap: int) -> None:
        from chalicelib.core.read_choice import read_whole

        if self.index is None:
            return
        child_live = counts[self.target.id]
        if child_live == 0:  # the counter is exact: no child to read at all
            self.stored = []
            self.scanning = True
            return
        self.scanning = read_whole(
            parents, MAX_RELATED_PER_PARENT, child_live, counts[parent_id], cap
        )
        self.walking = not self.scanning

    def scan(self, store: RecordStore, workspace_id: str, cap: int) -> None:
        if self.stored is not None:
            return
        if self.index is None:
            self.stored = bounded_children(store, workspace_id, self.target, self.column, cap)
            return
        stored, complete = store.scan(
            workspace_id, self.target.id, include_deleted=False, max_items=cap
        )
        self.stored = stored if complete else None

    def grouped(self, parents: list[str]) -> list[list[Record]]:
        groups: dict[str, list[Record]] = defaultdict(list)
        for child in present_records(self.target, (item.shaped() for item in self.stored or ())):
            parent = child.get(self.column)
            if parent and len(groups[parent]) < MAX_RELATED_PER_PARENT:
                groups[parent].append(child)
        return [groups.get(parent, []) for parent in parents]

    def embed(self, records: list[Record], children: list[list[Record]]) -> None:
        for record, embedded in zip(records, children, strict=True):
            record[self.name] = embedded


def bounded_children(
    store: RecordStore,
    workspace_id: str,
    target: ObjectDef,
    column: str,
    cap: int,
    *,
    include_deleted: bool = False,
) -> list[StoredRecord]:
    """Every record of `target` (soft-deleted ones too if asked), for a relation the join
    column's index cannot serve: one read of the object, at most `cap` items, else 400."""
    stored, complete = store.scan(
        workspace_id, target.id, include_deleted=include_deleted, max_items=cap
    )
    if complete:
        return stored
    indexed = column in resolved_indexes(target, ready_only=True)
    advice = "leave deletedAt out of the nested filter" if indexed else f"index '{column}'"
    raise QueryNeedsIndexError(
        f"Related {target.name_plural} would read more than {cap} records; {advice}"
    )
