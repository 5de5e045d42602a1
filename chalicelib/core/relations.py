"""`depth=1`: embed each record's relations, never with one sequential call per record.

MANY_TO_ONE targets of the whole page (every relation field at once) come from one BatchGetItem
round (≤ 100 keys per call). Each ONE_TO_MANY field is served by one read of the target object's
records (bounded by the scan cap), grouped by join column; the fields are read concurrently, so
the number of requests does not grow with the page size. A target object whose live-record
counter exceeds the cap is asked through its join column's index instead: concurrent Queries,
one per parent.
"""

from __future__ import annotations

from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from chalicelib.core import deadline
from chalicelib.core.indexing import resolved_indexes
from chalicelib.core.ports import RecordStore, StoredRecord
from chalicelib.core.presentation import present_records
from chalicelib.errors import QueryNeedsIndexError
from chalicelib.metadata.model import FieldDef, ObjectDef, RelationType, WorkspaceModel
from chalicelib.storage import keys

# Twenty's QUERY_MAX_RECORDS_FROM_RELATION: related records embedded per parent and field.
MAX_RELATED_PER_PARENT = 60
_READ_CHUNK = 100  # BatchGetItem's limit; the deadline is checked between chunks

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
    _embed_many_to_one(store, workspace_id, model, obj, records)
    _embed_one_to_many(store, workspace_id, model, obj, records, cap)


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
) -> None:
    fields = [
        (f, inverse)
        for f in obj.by_name.values()
        if f.relation is not None and f.relation.type is RelationType.ONE_TO_MANY
        for inverse in [inverse_of(model, f)]
        if inverse is not None
    ]
    if not fields:
        return

    parent_ids = [record["id"] for record in records]

    def load(target: ObjectDef, column: str) -> dict[str, list[Record]]:
        stored = read_children(store, workspace_id, target, column, parent_ids, cap)
        groups: dict[str, list[Record]] = defaultdict(list)
        for record in present_records(target, (item.shaped() for item in stored)):
            parent = record.get(column)
            if parent and len(groups[parent]) < MAX_RELATED_PER_PARENT:
                groups[parent].append(record)
        return groups

    # One read per relation field, all at once: the latency is that of the slowest read. The
    # threads keep the request's deadline (context variables are not inherited).
    with ThreadPoolExecutor(max_workers=min(8, len(fields))) as pool:
        loaded = list(pool.map(deadline.carried(lambda pair: load(*pair[1])), fields))
    for (field, _), groups in zip(fields, loaded, strict=True):
        for record in records:
            record[field.name] = groups.get(record["id"], [])


def read_children(
    store: RecordStore,
    workspace_id: str,
    target: ObjectDef,
    column: str,
    parent_ids: list[str],
    cap: int,
    *,
    include_deleted: bool = False,
) -> list[StoredRecord]:
    """Records of `target` that may point at the parents: the whole object in one bounded read
    when its live-record counter says it fits the cap (the request count then does not depend
    on the number of parents), else the join column's index, one concurrent Query per parent.
    The counter (one GetItem) spares reading the cap's worth of records only to give up."""
    if store.count_live(workspace_id, target.id) <= cap:
        stored, complete = store.scan(
            workspace_id, target.id, include_deleted=include_deleted, max_items=cap
        )
        if complete:
            return stored
    return children_by_index(store, workspace_id, target, column, parent_ids)


def children_by_index(
    store: RecordStore, workspace_id: str, target: ObjectDef, column: str, parent_ids: list[str]
) -> list[StoredRecord]:
    """Up to 60 records of `target` per parent, through the join column's index: the Queries run
    concurrently (one per parent), then one BatchGetItem round reads the records."""
    index = resolved_indexes(target, ready_only=True).get(column)
    if index is None:
        raise QueryNeedsIndexError(
            f"depth=1 would read too many {target.name_plural} records; index '{column}'"
        )
    slot, _ = index

    def child_ids(parent_id: str) -> list[str]:
        deadline.check()
        key_range = keys.index_key_range(
            nulls=False, lower=(parent_id, True), upper=(parent_id, True)
        )
        entries, _ = store.index_page(
            workspace_id,
            target.id,
            slot,
            key_range,
            forward=True,
            start_after=None,
            limit=MAX_RELATED_PER_PARENT,
        )
        return [record_id for _, record_id in entries]

    with ThreadPoolExecutor(max_workers=min(16, max(1, len(parent_ids)))) as pool:
        ids = [rid for batch in pool.map(deadline.carried(child_ids), parent_ids) for rid in batch]
    found: dict[str, StoredRecord] = {}
    for start in range(0, len(ids), _READ_CHUNK):
        deadline.check()
        found.update(store.get_many(workspace_id, target.id, ids[start : start + _READ_CHUNK]))
    return [found[rid] for rid in sorted(found) if found[rid].deleted_at is None]
