"""Write imported records of one object in batches through the API's create path.

Per batch of up to 60 records (the API's batch maximum):
1. every record is validated by the core (core/importing.prepare_record: the API's coercion);
2. one BatchGetItem reads the batch's own ids and the relation targets it names that this run
   has not written or read yet: a record whose id already exists is skipped (a resumed import
   never duplicates), and each join column is sorted into "target live" (the write carries
   the API's ConditionCheck), "target soft-deleted" (kept as exported, export files only) and
   "target not there yet" (the column is left out and set by the link pass once the whole
   input is in: the target may come later);
3. one BatchGetItem of the uniqueness guards the batch would take names a clash by its line;
4. the plan of create units (record put on a free id, guards, checks, live counter) is written
   by `write_plan`, TransactWriteItems of ≤ 100 actions, as a REST batch create.

An export file stops at the first bad record (the records before it stay written, and the same
command resumes once the file is fixed); a CSV import skips bad rows and lists them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from chalicelib.core import plan as ops
from chalicelib.core.importing import ImportedRecord, create_unit, link_unit, prepare_record
from chalicelib.core.ports import RecordStore, StoredRecord
from chalicelib.core.writing import write_plan
from chalicelib.errors import CrmError
from chalicelib.metadata.model import ObjectDef, WorkspaceModel
from chalicelib.transfer.fileformat import TransferError

Ref = tuple[str, str]  # (object id, record id)


@dataclass(frozen=True, slots=True)
class Pending:
    """A record line of the input: where it is, and its values as given."""

    line: int
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Link:
    """A join column to set once its target is in (the link pass)."""

    line: int
    object_id: str
    record_id: str
    column: str
    target_object_id: str
    target_id: str


@dataclass
class Rejected:
    line: int
    messages: list[str]

    def to_json(self) -> dict[str, Any]:
        return {"line": self.line, "messages": self.messages}


@dataclass
class Tally:
    written: int = 0
    skipped: int = 0
    linked: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)


class RecordWriter:
    """Batches of one object at a time; `lenient` = skip and list bad rows (CSV)."""

    def __init__(
        self,
        store: RecordStore,
        workspace_id: str,
        model: WorkspaceModel,
        *,
        now: str,
        actor: dict[str, Any],
        lenient: bool,
    ) -> None:
        self._store = store
        self._ws = workspace_id
        self._model = model
        self._now = now
        self._actor = actor
        self._lenient = lenient
        self.tally = Tally()
        # Records this run wrote or found, and whether they are live: a join column naming one
        # needs no read (people after their companies: one BatchGetItem a batch less). Ids
        # only, about 100 bytes a record; the commit's ConditionCheck still guards a live one.
        self._known: dict[Ref, bool] = {}

    # -- one batch -------------------------------------------------------------------------

    def write_batch(self, obj: ObjectDef, batch: list[Pending]) -> int:
        """Write what can be written of `batch`; returns the records handled (written,
        skipped or rejected). Strict mode raises TransferError at the first bad record, after
        writing the good records before it."""
        prepared: list[tuple[Pending, ImportedRecord]] = []
        failure: TransferError | None = None
        for pending in batch:
            try:
                record = prepare_record(obj, pending.data, now=self._now, actor=self._actor)
            except CrmError as exc:
                failure = self._bad(pending.line, exc.messages)
                if failure is not None:
                    break
                continue
            prepared.append((pending, record))
        prepared, failure = self._unrepeated(prepared, failure)
        found = self._read_ids_and_targets(obj, [record for _, record in prepared])
        fresh: list[tuple[Pending, ImportedRecord]] = []
        for pending, record in prepared:
            existing = found.get((obj.id, record.id))
            if existing is not None:
                self.tally.skipped += 1
                self._relink_existing(obj, pending, record, existing)
            else:
                fresh.append((pending, record))
        units, failure = self._units(obj, fresh, failure)
        if units:
            try:
                write_plan(self._store, self._ws, obj, ops.Plan(tuple(units)))
            except CrmError as exc:
                first, last = batch[0].line, batch[-1].line
                raise TransferError(
                    f"the batch of lines {first}-{last} was refused: {'; '.join(exc.messages)}",
                    line=first,
                ) from None
            self.tally.written += len(units)
            for unit in units:
                put = unit.operations[0]
                assert isinstance(put, ops.PutRecord)
                self._known[(obj.id, put.record_id)] = put.deleted_at is None
        if failure is not None:
            raise failure
        return len(batch)

    def _bad(self, line: int, messages: list[str]) -> TransferError | None:
        """Lenient: list the row and go on (None). Strict: the error to raise."""
        if self._lenient:
            self.tally.rejected.append(Rejected(line, list(messages)))
            return None
        return TransferError("the record is invalid: " + "; ".join(messages), line=line)

    def _unrepeated(
        self, prepared: list[tuple[Pending, ImportedRecord]], failure: TransferError | None
    ) -> tuple[list[tuple[Pending, ImportedRecord]], TransferError | None]:
        """The records whose id is not repeated in the batch (strict: up to the first repeat)."""
        seen: set[str] = set()
        kept = []
        for pending, record in prepared:
            if record.id in seen:
                bad = self._bad(pending.line, [f"id {record.id} is repeated in the input"])
                if bad is not None:
                    return kept, bad
                continue
            seen.add(record.id)
            kept.append((pending, record))
        return kept, failure

    def _read_ids_and_targets(
        self, obj: ObjectDef, records: list[ImportedRecord]
    ) -> dict[Ref, StoredRecord]:
        """One BatchGetItem round: the batch's ids and the targets of its join columns."""
        refs: list[Ref] = [(obj.id, record.id) for record in records]
        for record in records:
            for column, relation in obj.by_join_column.items():
                target = record.body.get(column)
                if target is not None and relation.relation is not None:
                    ref = (relation.relation.target_object_id, target)
                    if ref not in self._known:
                        refs.append(ref)
        found = self._store.get_across(self._ws, refs) if refs else {}
        self._known.update((ref, record.deleted_at is None) for ref, record in found.items())
        return found

    def _units(
        self,
        obj: ObjectDef,
        fresh: list[tuple[Pending, ImportedRecord]],
        failure: TransferError | None,
    ) -> tuple[list[ops.Unit], TransferError | None]:
        in_batch = {(obj.id, record.id) for _, record in fresh}
        owners = self._store.unique_owners(
            self._ws, obj.id, [claim for _, record in fresh for claim in record.claims(obj)]
        )
        claimed: dict[tuple[str, str], str] = {}
        units: list[ops.Unit] = []
        for pending, record in fresh:
            problems, required, later = self._relations(obj, record, in_batch)
            for claim in record.claims(obj):
                holder = claimed.get(claim) or owners.get(claim)
                if holder is not None and holder != record.id:
                    problems.append(
                        f"'{claim[0]}' value '{claim[1]}' is already taken by record {holder}"
                    )
            if problems:
                bad = self._bad(pending.line, problems)
                if bad is not None:
                    return units, bad
                continue
            for claim in record.claims(obj):
                claimed[claim] = record.id
            body = {**record.body, **{link.column: None for link in later}}
            written = ImportedRecord(record.id, body, record.deleted_at)
            units.append(create_unit(obj, written, required, len(units)))
            self.tally.links += [
                Link(
                    pending.line,
                    obj.id,
                    record.id,
                    link.column,
                    link.target_object_id,
                    link.target_id,
                )
                for link in later
            ]
        return units, failure

    def _relations(
        self,
        obj: ObjectDef,
        record: ImportedRecord,
        in_batch: set[Ref],
    ) -> tuple[list[str], list[tuple[str, str, str]], list[Link]]:
        """(problems, targets to check at commit, columns to set in the link pass)."""
        problems: list[str] = []
        required: list[tuple[str, str, str]] = []
        later: list[Link] = []
        for column, relation in obj.by_join_column.items():
            target_id = record.body.get(column)
            if target_id is None or relation.relation is None:
                continue
            target_object = relation.relation.target_object_id
            ref = (target_object, target_id)
            live = self._known.get(ref) if ref not in in_batch else None
            if live is None:
                if self._lenient and ref not in in_batch:
                    problems.append(f"'{column}': no record with id {target_id}")
                else:
                    later.append(Link(0, obj.id, record.id, column, target_object, target_id))
            elif live:
                required.append((column, target_object, target_id))
            elif self._lenient:
                problems.append(f"'{column}': the record {target_id} is deleted")
        return problems, required, later

    def _relink_existing(
        self, obj: ObjectDef, pending: Pending, record: ImportedRecord, existing: StoredRecord
    ) -> None:
        """A record already there (a resumed import): its left-out join columns still need
        their link if the run that wrote it stopped before the link pass."""
        for column, relation in obj.by_join_column.items():
            target_id = record.body.get(column)
            if target_id is None or relation.relation is None:
                continue
            if existing.body.get(column) is None:
                target_object = relation.relation.target_object_id
                self.tally.links.append(
                    Link(pending.line, obj.id, record.id, column, target_object, target_id)
                )

    # -- the link pass -----------------------------------------------------------------------

    def link_all(self, batch_max: int, after_batch: Callable[[], None] | None = None) -> None:
        """Set every left-out join column, now that every record of the input is in."""
        by_record: dict[Ref, list[Link]] = {}
        for link in self.tally.links:
            by_record.setdefault((link.object_id, link.record_id), []).append(link)
        refs = list(by_record)
        for start in range(0, len(refs), batch_max):
            chunk = refs[start : start + batch_max]
            targets = [(lk.target_object_id, lk.target_id) for r in chunk for lk in by_record[r]]
            found = self._store.get_across(self._ws, [*chunk, *targets])
            per_object: dict[str, list[ops.Unit]] = {}
            for ref in chunk:
                unit = self._link_unit(ref, by_record[ref], found, len(per_object.get(ref[0], [])))
                if unit is not None:
                    per_object.setdefault(ref[0], []).append(unit)
            for object_id, units in per_object.items():
                obj = self._model.by_id[object_id]
                try:
                    write_plan(self._store, self._ws, obj, ops.Plan(tuple(units)))
                except CrmError as exc:
                    line = by_record[chunk[0]][0].line
                    raise TransferError(
                        f"linking records failed: {'; '.join(exc.messages)}", line=line
                    ) from None
                self.tally.linked += len(units)
            if after_batch is not None:
                after_batch()
        self.tally.links = []

    def _link_unit(
        self, ref: Ref, links: list[Link], found: dict[Ref, StoredRecord], index: int
    ) -> ops.Unit | None:
        current = found.get(ref)
        if current is None:
            return None  # destroyed meanwhile: nothing to link
        obj = self._model.by_id[ref[0]]
        values: dict[str, str] = {}
        required: list[tuple[str, str, str]] = []
        for link in links:
            target = found.get((link.target_object_id, link.target_id))
            if target is None:
                raise TransferError(
                    f"'{link.column}' of record {link.record_id} names record {link.target_id}, "
                    "which is neither in the file nor in the target workspace",
                    line=link.line,
                )
            if current.body.get(link.column) == link.target_id:
                continue
            values[link.column] = link.target_id
            if target.deleted_at is None:
                required.append((link.column, link.target_object_id, link.target_id))
        if not values:
            return None
        return link_unit(obj, current, values, required, index)
