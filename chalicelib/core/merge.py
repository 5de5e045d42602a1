"""Merge records of one object into one: Twenty's `merge<Plural>` (REST `PATCH /{plural}/merge`).

The record at `conflictPriorityIndex` survives. For every field that is not a system field its
value wins when it has one; otherwise the first record (in the order of `ids`) that has one
gives it. List-like values are combined instead, as Twenty combines them: ARRAY and
MULTI_SELECT take every distinct item of every record; EMAILS, LINKS and PHONES keep the
winning primary value and gather every other record's primary and additional values as
additional ones. A composite counts as empty only when all of its sub-fields are, and then it
is filled as a whole (Twenty's rule, not sub-field by sub-field). Join columns merge like any
value.

Every record that points at a merged record through a MANY_TO_ONE relation (standard or
custom, of any object) is moved to the survivor; the survivor's own join columns that pointed at
a merged record point at the survivor; the others are soft-deleted.

All of it is written through the update path (`RecordService._update_unit` and
`_remove_unit`): versions, uniqueness guards, counters and index entries as for any update. One
plan: the moved records first, then one unit holding the survivor's update and every other
record's soft delete, so that a unique value the survivor takes from a merged record changes
hands in one action (`ReserveUnique.taken_from`) inside one transaction, and the records whose
values went to the survivor never stay live beside it.

Cost and atomicity: a plan of at most 100 actions (most merges: a few records and their related
records) is one TransactWriteItems, atomic. A larger one is split between records by the
executor, the moved records first and the survivor's unit last; a refused transaction undoes the
earlier ones (nothing changed). A crash between two transactions leaves some related records
already on the survivor and every merged record still live: consistent (every pointer names a
live record, every guard its holder), and sending the same merge again finishes it, since each
step is computed from what is stored. Records to move are bounded (`max_moved`), so a merge is
never an unbounded number of transactions.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

from chalicelib.context import RequestContext
from chalicelib.core import composites, deadline
from chalicelib.core import plan as ops
from chalicelib.core.coercion import merge_update
from chalicelib.core.many_commands import MergeRecords
from chalicelib.core.ports import RecordStore, StoredRecord
from chalicelib.core.presentation import present_record
from chalicelib.core.referential import find_referring, referring_fields
from chalicelib.core.uniqueness import unique_claims
from chalicelib.core.writing import write_plan
from chalicelib.errors import BadRequestError, RecordNotFoundError, TooManyRecordsError
from chalicelib.metadata.model import SYSTEM_FIELD_NAMES, FieldDef, FieldType, ObjectDef

# Twenty's MUTATION_MAX_MERGE_RECORDS.
MAX_MERGE_RECORDS = 9
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

# (object, record, changes) -> the record's update unit and the record after it.
UpdateUnit = Callable[[ObjectDef, StoredRecord, dict[str, Any]], tuple[ops.Unit, StoredRecord]]
# record -> the unit soft-deleting it.
SoftDeleteUnit = Callable[[StoredRecord], ops.Unit]
Valued = list[tuple[str, Any]]  # (record id, value) of the records that have a value, in order


def check_merge(command: MergeRecords) -> None:
    """Twenty's checks, before anything is read: 2 to 9 distinct ids, a valid priority index."""
    ids = command.ids
    not_ids = [repr(i[:40]) for i in ids if not _UUID.fullmatch(i)]
    if not_ids:
        raise BadRequestError(f"'ids' must be record ids (UUIDs); got {', '.join(not_ids[:3])}")
    if len(ids) < 2:
        raise BadRequestError("At least 2 record IDs are required for merge")
    if len(ids) > MAX_MERGE_RECORDS:
        raise TooManyRecordsError(
            f"Maximum {MAX_MERGE_RECORDS} records can be merged at once (got {len(ids)})"
        )
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise BadRequestError(f"Each id may be given once; repeated: {', '.join(repeated)}")
    index = command.conflict_priority_index
    if not 0 <= index < len(ids):
        raise BadRequestError(
            f"Invalid conflict priority '{index}'. Valid options for {len(ids)} records: "
            f"0-{len(ids) - 1}"
        )


# -- values ---------------------------------------------------------------------------------


def has_value(value: Any) -> bool:
    """Twenty's hasRecordFieldValue: blank text, empty lists and all-empty objects are empty."""
    if value is None:
        return False
    if isinstance(value, bool):
        return True
    if isinstance(value, str):
        return value.strip() != ""
    if isinstance(value, float):
        return not math.isnan(value)
    if isinstance(value, list):
        return len(value) > 0
    if isinstance(value, dict):
        return any(has_value(item) for item in value.values())
    return True


def _first(valued: Valued, survivor_id: str, has: Callable[[Any], bool] = has_value) -> Any:
    """The survivor's value when it has one (per `has`), else the first that has one."""
    for record_id, value in valued:
        if record_id == survivor_id and has(value):
            return value
    return next((value for _, value in valued if has(value)), None)


def _distinct(items: Iterable[Any], key: Callable[[Any], Any] = lambda item: item) -> list[Any]:
    seen: set[str] = set()
    kept = []
    for item in items:
        marker = json.dumps(key(item), sort_keys=True, default=str)
        if marker not in seen:
            seen.add(marker)
            kept.append(item)
    return kept


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _merge_lists(valued: Valued, _survivor_id: str) -> list[Any]:
    return _distinct(item for _, value in valued for item in _items(value) if has_value(item))


def _merge_emails(valued: Valued, survivor_id: str) -> dict[str, Any]:
    primary = _first([(r, v.get("primaryEmail")) for r, v in valued], survivor_id) or ""
    others = []
    for _, value in valued:
        others += [value.get("primaryEmail"), *_items(value.get("additionalEmails"))]
    additional = [e for e in _distinct(e for e in others if has_value(e)) if e != primary]
    return {"primaryEmail": primary, "additionalEmails": additional}


def _merge_links(valued: Valued, survivor_id: str) -> dict[str, Any]:
    winner = _first(valued, survivor_id, lambda v: has_value(v.get("primaryLinkUrl"))) or {}
    url, label = winner.get("primaryLinkUrl") or "", winner.get("primaryLinkLabel") or ""
    links = []
    for _, value in valued:
        if has_value(value.get("primaryLinkUrl")):
            links.append({"url": value["primaryLinkUrl"], "label": value.get("primaryLinkLabel")})
        links += [link for link in _items(value.get("secondaryLinks")) if _has(link, "url")]
    secondary = [link for link in _distinct(links, _key("url")) if link["url"] != url]
    return {"primaryLinkUrl": url, "primaryLinkLabel": label, "secondaryLinks": secondary}


def _merge_phones(valued: Valued, survivor_id: str) -> dict[str, Any]:
    winner = _first(valued, survivor_id, lambda v: has_value(v.get("primaryPhoneNumber"))) or {}
    number = winner.get("primaryPhoneNumber") or ""
    phones = []
    for _, value in valued:
        if has_value(value.get("primaryPhoneNumber")):
            phones.append({
                "number": value["primaryPhoneNumber"],
                "countryCode": value.get("primaryPhoneCountryCode"),
                "callingCode": value.get("primaryPhoneCallingCode"),
            })  # fmt: skip
        phones += [
            phone for phone in _items(value.get("additionalPhones")) if _has(phone, "number")
        ]
    additional = [p for p in _distinct(phones, _key("number")) if p["number"] != number]
    return {
        "primaryPhoneNumber": number,
        "primaryPhoneCountryCode": winner.get("primaryPhoneCountryCode") or "",
        "primaryPhoneCallingCode": winner.get("primaryPhoneCallingCode") or "",
        "additionalPhones": additional,
    }


def _has(item: Any, key: str) -> bool:
    return isinstance(item, dict) and has_value(item.get(key))


def _key(name: str) -> Callable[[Any], Any]:
    return lambda item: item.get(name)


_MERGERS: dict[FieldType, Callable[[Valued, str], Any]] = {
    FieldType.ARRAY: _merge_lists,
    FieldType.MULTI_SELECT: _merge_lists,
    FieldType.EMAILS: _merge_emails,
    FieldType.LINKS: _merge_links,
    FieldType.PHONES: _merge_phones,
}


def _mergeable(obj: ObjectDef) -> list[tuple[str, FieldDef]]:
    """(stored key, field) of every field a merge combines: not the system fields, which stay
    the survivor's (id, createdAt, createdBy, position...); a relation by its join column."""
    keys = []
    for field in obj.by_name.values():
        if field.name in SYSTEM_FIELD_NAMES or field.is_system:
            continue
        if field.type is FieldType.RELATION:
            if field.join_column:
                keys.append((field.join_column, field))
        else:
            keys.append((field.name, field))
    return keys


def merged_values(obj: ObjectDef, records: list[StoredRecord], survivor_id: str) -> dict[str, Any]:
    """Each mergeable field that some record has a value for -> its merged value."""
    merged = {}
    for key, field in _mergeable(obj):
        values = [(r.id, r.body.get(key)) for r in records]
        if composites.is_composite(field.type):
            values = [(rid, composites.fill_composite(field.type, v)) for rid, v in values]
        valued = [(rid, value) for rid, value in values if has_value(value)]
        if len(valued) == 1:
            merged[key] = valued[0][1]
        elif valued:
            merged[key] = _MERGERS.get(field.type, _first)(valued, survivor_id)
    return merged


def survivor_changes(
    obj: ObjectDef, records: list[StoredRecord], survivor: StoredRecord
) -> dict[str, Any]:
    """What the survivor's update changes: merged values that differ from its own, and its
    join columns that named a merged record now name itself."""
    merged_ids = {record.id for record in records}
    changes = {
        key: value
        for key, value in merged_values(obj, records, survivor.id).items()
        if survivor.body.get(key) != value
    }
    for column in obj.by_join_column:
        if changes.get(column, survivor.body.get(column)) in merged_ids - {survivor.id}:
            changes[column] = survivor.id
    return changes


# -- the command ----------------------------------------------------------------------------


class RecordMerge:
    """One merge: read the records, then preview the survivor or plan and write the merge."""

    def __init__(
        self,
        store: RecordStore,
        ctx: RequestContext,
        command: MergeRecords,
        *,
        update_unit: UpdateUnit,
        soft_delete_unit: SoftDeleteUnit,
        cap: int,
        max_moved: int,
    ) -> None:
        self._store = store
        self._ctx = ctx
        self._command = command
        self._update_unit = update_unit
        self._soft_delete_unit = soft_delete_unit
        self._cap = cap
        self._max_moved = max_moved

    def read(self) -> list[StoredRecord]:
        """The records in the order of `ids` (one BatchGetItem); any unknown or soft-deleted
        (or of another workspace, whose keys this one cannot address) is a 404."""
        ids = list(self._command.ids)
        found = self._store.get_many(self._ctx.workspace_id, self._command.object.id, ids)
        missing = [i for i in ids if i not in found or found[i].deleted_at is not None]
        if missing:
            name = self._command.object.name_singular
            raise RecordNotFoundError(
                f"One or more records were not found: no {name} record with id {', '.join(missing)}"
            )
        return [found[i] for i in ids]

    def preview(self, records: list[StoredRecord], preview_id: str) -> dict[str, Any]:
        """The survivor as the merge would leave it, under a new id and marked deleted, as
        Twenty's dry run answers (so a client cache never mistakes it for the real record)."""
        obj, survivor = self._command.object, records[self._command.conflict_priority_index]
        body = merge_update(obj, survivor.body, survivor_changes(obj, records, survivor))
        return present_record(obj, {**body, "id": preview_id, "deletedAt": self._ctx.now})

    def write(self, records: list[StoredRecord]) -> dict[str, Any]:
        """Plan the whole merge, write it, and return the survivor as clients see it."""
        obj, model = self._command.object, self._command.model
        survivor = records[self._command.conflict_priority_index]
        others = [record for record in records if record.id != survivor.id]
        moved = self._moved_units(survivor.id, [r.id for r in others], {r.id for r in records})
        unit, after = self._update_unit(obj, survivor, survivor_changes(obj, records, survivor))
        merge_unit = _hand_over(obj, unit, others, [self._soft_delete_unit(r) for r in others])
        write_plan(self._store, self._ctx.workspace_id, obj, ops.Plan((*moved, merge_unit)), model)
        return present_record(obj, after.shaped())

    def _moved_units(
        self, survivor_id: str, other_ids: list[str], merged_ids: set[str]
    ) -> list[ops.Unit]:
        """An update per record pointing at a merged record (other than the merged ones), its
        join columns naming the survivor instead."""
        model, obj = self._command.model, self._command.object
        referring = [(src, field.join_column or "") for src, field in referring_fields(model, obj)]
        too_many = (
            f"Merging these {obj.name_plural} would move more than {self._cap} records of one "
            "relation; reassign some of them first"
        )

        def find(pair: tuple[ObjectDef, str]) -> list[StoredRecord]:
            source, column = pair
            return find_referring(
                self._store, self._ctx.workspace_id, source, column, other_ids,
                cap=self._cap, too_many=too_many,
            )  # fmt: skip

        # One read per relation, all at once (each keeps the request's deadline).
        with ThreadPoolExecutor(max_workers=max(1, min(8, len(referring)))) as pool:
            found = list(pool.map(deadline.carried(find), referring))
        moves: dict[tuple[str, str], tuple[ObjectDef, StoredRecord, dict[str, Any]]] = {}
        for (source, column), records in zip(referring, found, strict=True):
            for record in records:
                if source.id == obj.id and record.id in merged_ids:
                    continue  # the merged records themselves are rewritten by the merge unit
                entry = moves.setdefault((source.id, record.id), (source, record, {}))
                entry[2][column] = survivor_id
        if len(moves) > self._max_moved:
            raise TooManyRecordsError(
                f"Merging these {obj.name_plural} would move {len(moves)} related records to "
                f"the survivor; the maximum is {self._max_moved} per merge (reassign some first)"
            )
        return [
            self._update_unit(source, record, changes)[0]
            for source, record, changes in moves.values()
        ]


def _hand_over(
    obj: ObjectDef, survivor: ops.Unit, others: list[StoredRecord], removals: list[ops.Unit]
) -> ops.Unit:
    """The survivor's update and the others' soft deletes as one unit (one transaction).

    A unique value the survivor takes from another merged record is handed over in one action
    (that record's release of it is dropped), since two actions on one guard item in one
    transaction are refused.
    """
    held_by = {claim: other.id for other in others for claim in unique_claims(obj, other.body)}
    handed: set[tuple[str, str]] = set()
    operations: list[ops.Operation] = []
    for op in survivor.operations:
        if isinstance(op, ops.ReserveUnique) and (op.field_path, op.value) in held_by:
            handed.add((op.field_path, op.value))
            op = replace(op, taken_from=held_by[(op.field_path, op.value)])
        operations.append(op)
    for unit in removals:
        operations += [
            op
            for op in unit.operations
            if not (isinstance(op, ops.ReleaseUnique) and (op.field_path, op.value) in handed)
        ]
    return ops.Unit(tuple(operations))
