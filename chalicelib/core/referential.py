"""What destroying a record does to the records that point at it: each relation's `onDelete`.

For every MANY_TO_ONE field (of any active object) whose target is the destroyed record's object:

* ``SET_NULL`` (the default; ``NO_ACTION`` is treated alike, there being no database constraint
  to defer to): the referring records' join column becomes null;
* ``CASCADE``: the referring records are destroyed too, with their own relations applied in turn;
* ``RESTRICT``: the destroy is refused while any record refers to the target.

The writes join the destroy's own plan, so they commit in the same transactions (or are undone
with it). Referring records are found through the join column's index (keys only, then one
BatchGetItem round), or by reading the object's records up to the scan cap when the column has no
ready index; past the cap the destroy is refused rather than left half-applied.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from chalicelib.core import plan as ops
from chalicelib.core.indexing import resolved_indexes
from chalicelib.core.ports import RecordStore, StoredRecord
from chalicelib.core.record_migration import rewrite
from chalicelib.errors import QueryNeedsIndexError, RelationRestrictedError
from chalicelib.metadata.model import FieldDef, ObjectDef, WorkspaceModel
from chalicelib.storage import keys

DestroyUnit = Callable[[ObjectDef, StoredRecord], ops.Unit]
_INDEX_PAGE = 1000


@dataclass
class _Effects:
    destroyed: dict[tuple[str, str], ops.Unit] = field(default_factory=dict)
    # (object id, record id) -> (object, record, join columns to clear)
    nulled: dict[tuple[str, str], tuple[ObjectDef, StoredRecord, set[str]]] = field(
        default_factory=dict
    )


def referring_fields(model: WorkspaceModel, obj: ObjectDef) -> list[tuple[ObjectDef, FieldDef]]:
    """Active MANY_TO_ONE fields of active objects whose target is `obj`."""
    return [
        (source, relation_field)
        for source in model.objects
        if source.is_active
        for relation_field in source.many_to_one_fields()
        if relation_field.relation and relation_field.relation.target_object_id == obj.id
    ]


class ReferentialActions:
    """Plans the onDelete consequences of destroying records of one workspace."""

    def __init__(
        self,
        store: RecordStore,
        workspace_id: str,
        model: WorkspaceModel,
        *,
        destroy_unit: DestroyUnit,
        cap: int,
    ) -> None:
        self._store = store
        self._workspace_id = workspace_id
        self._model = model
        self._destroy_unit = destroy_unit
        self._cap = cap

    def units_for_destroy(self, obj: ObjectDef, record_ids: list[str]) -> list[ops.Unit]:
        """Units to add to the plan destroying `record_ids` of `obj` (their own units excluded)."""
        effects = _Effects()
        targets = {(obj.id, record_id) for record_id in record_ids}
        effects.destroyed.update((key, ops.Unit(())) for key in targets)
        for record_id in record_ids:
            self._visit(obj, record_id, effects)
        units = [unit for key, unit in effects.destroyed.items() if key not in targets]
        units += [
            _nulled_unit(source, record, columns)
            for key, (source, record, columns) in effects.nulled.items()
            if key not in effects.destroyed
        ]
        return units

    def _visit(self, obj: ObjectDef, record_id: str, effects: _Effects) -> None:
        for source, relation_field in referring_fields(self._model, obj):
            action = relation_field.relation.on_delete if relation_field.relation else "SET_NULL"
            column = relation_field.join_column or ""
            referring = self._referring(source, column, record_id)
            referring = [r for r in referring if (source.id, r.id) not in effects.destroyed]
            if not referring:
                continue
            if action == "RESTRICT":
                raise RelationRestrictedError(
                    f"{len(referring)} {source.name_plural} record(s) refer to this record "
                    f"through '{relation_field.name}' (onDelete RESTRICT)"
                )
            for record in referring:
                key = (source.id, record.id)
                if action == "CASCADE":
                    effects.destroyed[key] = self._destroy_unit(source, record)
                    self._visit(source, record.id, effects)
                else:
                    entry = effects.nulled.setdefault(key, (source, record, set()))
                    entry[2].add(column)

    def _referring(self, source: ObjectDef, column: str, target_id: str) -> list[StoredRecord]:
        return find_referring(
            self._store, self._workspace_id, source, column, [target_id],
            cap=self._cap, too_many=self._too_many(source),
        )  # fmt: skip

    def _too_many(self, source: ObjectDef) -> str:
        return (
            f"Destroying this record would have to update more than {self._cap} "
            f"{source.name_plural} records; remove or reassign them first"
        )


def find_referring(
    store: RecordStore,
    workspace_id: str,
    source: ObjectDef,
    column: str,
    target_ids: list[str],
    *,
    cap: int,
    too_many: str,
) -> list[StoredRecord]:
    """Records of `source` whose join column `column` holds one of `target_ids` (destroys and
    merges): through the column's ready index (live records: soft-deleted ones carry no index
    keys), else by reading the object (soft-deleted records included); more than `cap` records
    to read is a QueryNeedsIndexError saying `too_many`."""
    index = resolved_indexes(source, ready_only=True).get(column)
    if index is None:
        records, complete = store.scan(workspace_id, source.id, include_deleted=True, max_items=cap)
        if not complete:
            raise QueryNeedsIndexError(too_many)
        return [record for record in records if record.body.get(column) in target_ids]
    slot, _ = index
    ids: list[str] = []
    for target_id in target_ids:
        key_range = keys.index_key_range(
            nulls=False, lower=(target_id, True), upper=(target_id, True)
        )
        start = None
        while True:
            entries, start = store.index_page(
                workspace_id, source.id, slot, key_range,
                forward=True, start_after=start, limit=_INDEX_PAGE,
            )  # fmt: skip
            ids += [record_id for _, record_id in entries]
            if len(ids) > cap:
                raise QueryNeedsIndexError(too_many)
            if start is None:
                break
    found = store.get_many(workspace_id, source.id, ids) if ids else {}
    # The index is eventually consistent: keep only records that still point at a target.
    return [found[rid] for rid in sorted(found) if found[rid].body.get(column) in target_ids]


def _nulled_unit(source: ObjectDef, record: StoredRecord, columns: set[str]) -> ops.Unit:
    return ops.Unit((rewrite(source.id, record, {**record.body, **dict.fromkeys(columns)}),))
