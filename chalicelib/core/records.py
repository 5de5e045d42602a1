"""The record service: every record command and query of REST and GraphQL goes through here."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from chalicelib.context import RequestContext
from chalicelib.core import budget
from chalicelib.core import plan as ops
from chalicelib.core.commands import (
    CreateRecords,
    GetRecord,
    ListRecords,
    Page,
    RecordOutcome,
    RemoveRecord,
    RestoreRecord,
    UpdateRecord,
)
from chalicelib.core.conflicts import is_version_conflict, retry_conflicts
from chalicelib.core.ports import RecordStore, StoredRecord
from chalicelib.core.prefetched import PrefetchedRecord, record_by_id

if TYPE_CHECKING:
    from chalicelib.core.aggregates import AggregateRecords
    from chalicelib.core.group_by import Group, GroupRecords
    from chalicelib.core.listing import ListSpec, Window
    from chalicelib.core.many_commands import (
        AggregateChildren,
        FindDuplicates,
        ListChildren,
        MergeRecords,
        RemoveRecords,
        RestoreRecords,
        Selection,
        UpdateRecords,
    )
    from chalicelib.core.partial_batch import PartialResult
    from chalicelib.core.presentation import Columns
    from chalicelib.core.selection import Scope
from chalicelib.core.presentation import present_record, present_records, present_stored, restricted
from chalicelib.core.uniqueness import Claim, unique_claims
from chalicelib.core.writing import write_plan
from chalicelib.errors import (
    BadRequestError,
    CrmError,
    InvalidQueryParamError,
    InvalidRequestBodyError,
    QueryNeedsIndexError,
    RecordNotFoundError,
    TooManyRecordsError,
    UniqueViolationError,
    UpsertConflictError,
)
from chalicelib.metadata.model import ObjectDef, WorkspaceModel

_T = TypeVar("_T")


def _present(obj: ObjectDef, record: StoredRecord) -> dict[str, Any]:
    return present_record(obj, record.shaped())


def _relation_checks(obj: ObjectDef, values: dict[str, Any]) -> list[ops.Operation]:
    """A RequireRecord for every join column given a non-null value."""
    checks: list[ops.Operation] = []
    for column, field in obj.by_join_column.items():
        target = values.get(column)
        if target is not None and field.relation is not None:
            checks.append(ops.RequireRecord(field.relation.target_object_id, target, column))
    return checks


def _claim_changes(
    obj: ObjectDef, record_id: str, before: list[Claim], after: list[Claim]
) -> list[ops.Operation]:
    released = [
        ops.ReleaseUnique(obj.id, p, v, record_id) for p, v in before if (p, v) not in after
    ]
    reserved = [
        ops.ReserveUnique(obj.id, p, v, record_id) for p, v in after if (p, v) not in before
    ]
    return [*released, *reserved]


class RecordService:
    def __init__(
        self,
        store: RecordStore,
        *,
        batch_max: int,
        scan_cap: int = 10_000,
        index_key_cap: int = 100_000,
        new_id: Callable[[], str] | None = None,
        conflict_seconds: float = 10.0,
        merge_max_moved: int = 1_000,
    ):
        self._store = store
        self._batch_max = batch_max
        # Records a list may read without an index / index keys (keys only) it may read.
        self._scan_cap = scan_cap
        self._key_cap = index_key_cap
        self._new_id = new_id or (lambda: str(uuid.uuid4()))
        # How long a command re-reads and re-applies after losing a race (core/conflicts.py).
        self._conflict_seconds = conflict_seconds
        # Records pointing at merged records a merge may move to the survivor (core/merge.py).
        self._merge_max_moved = merge_max_moved

    # -- queries ---------------------------------------------------------------------------

    def get(
        self, ctx: RequestContext, query: GetRecord, prefetched: PrefetchedRecord | None = None
    ) -> RecordOutcome:
        """One record by id; `prefetched`: read with the request's admission (core/prefetched)."""
        record = record_by_id(
            self._store, ctx.workspace_id, query.object.id, query.record_id, prefetched
        )
        if record is None or record.deleted_at is not None:
            raise RecordNotFoundError()
        presented = _present(query.object, record)
        self._embed(ctx, query.object, [presented], query.depth, query.model)
        budget.charge([presented], "leave out depth=1 (read the related records as lists)")
        return RecordOutcome(presented)

    def list(self, ctx: RequestContext, query: ListRecords) -> Page:
        """A page as a client asked for it, cut to what the response can carry."""
        from chalicelib.core.listing import within_budget

        window = within_budget(self._window(ctx, query), backward=query.before is not None)
        return Page.of(window.records, window.total, window.has_next, window.has_previous)

    def _window(self, ctx: RequestContext, query: ListRecords) -> Window:
        """A page with its relations embedded and its records cut to `query.columns`, whatever
        its size (commands select with it)."""
        # The query engine is imported on first use: `import app` is the Lambda cold start, and
        # a container that only writes never needs it.
        from chalicelib.core import listing
        from chalicelib.core.index_listing import list_by_index
        from chalicelib.core.index_planner import plan_index
        from chalicelib.core.offsets import skip, widened_limit

        obj = query.object
        limit = widened_limit(query.limit, query.offset, self._scan_cap)
        spec = listing.prepare(obj, limit, query.after, query.before, query.filter, query.order_by)
        plan = None if listing.is_plain(spec) else plan_index(obj, spec.filter, spec.sort)
        # A plain page with nothing embedded reads no column but those shown: it is presented
        # with them only.
        shown = query.columns if listing.is_plain(spec) and query.depth == 0 else None
        if listing.is_plain(spec):
            window = self._plain_window(ctx, spec, shown, count=query.count)
        elif plan is not None:
            window = list_by_index(
                self._store,
                ctx.workspace_id,
                spec,
                plan,
                self._scan_cap,
                lambda: self._store.count_live(ctx.workspace_id, obj.id),
                self._key_cap,
            )
        else:
            window = listing.list_in_memory(self._store, ctx.workspace_id, spec, self._scan_cap)
        window = skip(window, query.offset, backward=query.before is not None)
        self._embed(ctx, obj, window.records, query.depth, query.model)
        if query.columns is not None and shown is None:
            # Cut after filtering, sorting and embedding, which read any column; before the
            # budget, which sizes what is sent.
            records = restricted(window.records, query.columns)
            window = listing.Window(records, window.total, window.has_next, window.has_previous)
        return window

    def list_children(self, ctx: RequestContext, query: ListChildren) -> dict[str, Page]:
        """One ONE_TO_MANY field of many parents: a page per parent id, from one read."""
        from chalicelib.core.children import list_children

        return list_children(self._store, ctx.workspace_id, query, self._scan_cap, self._key_cap)

    def aggregate_children(
        self, ctx: RequestContext, query: AggregateChildren
    ) -> dict[str, dict[str, Any]]:
        """Aggregate fields of one ONE_TO_MANY field of many parents, from one read."""
        from chalicelib.core.nested_aggregates import aggregate_children

        return aggregate_children(self._store, ctx.workspace_id, query, self._scan_cap)

    def get_targets(
        self, ctx: RequestContext, model: WorkspaceModel, refs: list[tuple[str, str]]
    ) -> dict[tuple[str, str], dict[str, Any]]:
        """Live records by (object id, record id) in one BatchGetItem round (MANY_TO_ONE)."""
        known = [ref for ref in refs if ref[0] in model.by_id]
        found = self._store.get_across(ctx.workspace_id, known)
        return {
            ref: _present(model.by_id[ref[0]], record)
            for ref, record in found.items()
            if record.deleted_at is None
        }

    def find_duplicates(self, ctx: RequestContext, query: FindDuplicates) -> list[Page]:
        """For each given id, then each input record: the existing records that look like it."""
        from dataclasses import replace

        from chalicelib.core.duplicates import duplicate_filter
        from chalicelib.core.listing import Window, list_in_memory, prepare, within_budget
        from chalicelib.core.nested_aggregates import duplicate_aggregates
        from chalicelib.core.preloaded import PreloadedRecords
        from chalicelib.core.selection import Scope

        obj, ws = query.object, ctx.workspace_id
        self._refuse_oversized(obj, len(query.ids) + len(query.inputs))
        given = [_present(obj, r) for r in self._select_ids(ctx, obj, query.ids, Scope.LIVE)]
        given += present_records(obj, self._coerce_all(obj, query.inputs))
        stored, complete = self._store.scan(
            ws, obj.id, include_deleted=False, max_items=self._scan_cap
        )
        if not complete:
            raise QueryNeedsIndexError(
                f"Finding duplicates would read more than {self._scan_cap} "
                f"{obj.name_plural} records"
            )
        windows, filters = [], []
        for record in given:
            found = duplicate_filter(obj, record)
            if found is None:
                windows.append(Window([], 0, False, False))
                filters.append(None)
                continue
            spec = prepare(obj, self._batch_max, None, None, found, ())
            view = PreloadedRecords(self._store, stored)
            windows.append(list_in_memory(view, ws, spec, self._scan_cap))
            filters.append(spec.filter)
        # Aggregates over every entry's matches, from the records already read (GraphQL).
        sums = duplicate_aggregates(obj, stored, filters, query.aggregates)
        # Relations of every page at once: one embedding read, whatever the number of inputs.
        every = [record for window in windows for record in window.records]
        self._embed(ctx, obj, every, query.depth, query.model)
        pages = []
        for window, aggregates in zip(windows, sums, strict=True):
            window = within_budget(window, backward=False)
            page = Page.of(window.records, window.total, window.has_next, False)
            pages.append(replace(page, aggregates=aggregates))
        return pages

    def aggregate(self, ctx: RequestContext, query: AggregateRecords) -> dict[str, Any]:
        """Aggregate fields of the records a filter selects, in one read (core/aggregates.py)."""
        from chalicelib.core.aggregates import compute_aggregates

        return compute_aggregates(
            self._store, ctx.workspace_id, query, scan_cap=self._scan_cap, key_cap=self._key_cap
        )

    def group_by(self, ctx: RequestContext, query: GroupRecords) -> list[Group]:
        """groupBy: groups with their aggregates, from one read (core/group_by.py)."""
        from chalicelib.core.group_by import group_records

        return group_records(self._store, ctx.workspace_id, query, scan_cap=self._scan_cap)

    def _plain_window(
        self,
        ctx: RequestContext,
        spec: ListSpec,
        columns: Columns | None = None,
        *,
        count: bool = True,
    ) -> Window:
        """Default order, no filter: one Query of the partition and the O(1) counter, together
        (the counter only when the total is shown).

        A cursor adds one Query in the same round, which both checks that the cursor names a
        record of this workspace and object (else 400, never another tenant's position) and
        gives the exact flag for the far side of the cursor.
        """
        from chalicelib.core.child_pages import together
        from chalicelib.core.listing import Window

        ws, obj = ctx.workspace_id, spec.obj
        cursor = spec.before if spec.before is not None else spec.after
        store = self._store
        reads: dict[str, Callable[[], Any]] = {
            "page": lambda: store.page(
                ws, obj.id, after=spec.after, before=spec.before, limit=spec.limit
            )
        }
        if count:
            reads["total"] = lambda: store.count_live(ws, obj.id)
        if cursor is not None:
            forward = spec.before is not None
            reads["neighbourhood"] = lambda: store.cursor_neighbourhood(
                ws, obj.id, cursor, forward=forward
            )
        # One round: none of the reads needs another's answer (the cursor's check only decides
        # whether the page is answered).
        answers = dict(zip(reads, together(list(reads.values())), strict=True))
        page, total = answers["page"], answers.get("total", 0)
        exists, beyond = answers.get("neighbourhood", (True, False))
        if not exists:
            name = "ending_before" if spec.before is not None else "starting_after"
            raise InvalidQueryParamError(
                f"'{name}' cursor '{cursor}' is not a record of this object"
            )
        records = present_stored(obj, page.records, columns)
        if spec.before is not None:
            return Window(records, total, beyond, page.has_more)
        return Window(records, total, page.has_more, beyond)

    def _embed(
        self,
        ctx: RequestContext,
        obj: ObjectDef,
        records: list[dict[str, Any]],
        depth: int,
        model: WorkspaceModel | None,
    ) -> None:
        if depth >= 1 and model is not None:
            from chalicelib.core.relations import embed_relations  # first use, as for list()

            embed_relations(self._store, ctx.workspace_id, model, obj, records, self._scan_cap)

    # -- creates and upserts ---------------------------------------------------------------

    def create(self, ctx: RequestContext, command: CreateRecords) -> list[RecordOutcome]:
        obj = command.object
        self._refuse_bad_batch_size(command)
        values = self._coerce_all(obj, command.inputs)
        ids = [v.get("id") or self._new_id() for v in values]
        _refuse_repeats("id", ids)
        if not command.upsert:
            return self._create_or_update(ctx, obj, values, ids, {})
        lost: set[tuple[str, str]] = set()

        def attempt() -> list[RecordOutcome]:
            existing = self._upsert_matches(ctx, obj, values, ids)
            return self._create_or_update(ctx, obj, values, ids, existing)

        def lost_a_race(error: CrmError) -> bool:
            # A key this upsert matches on (a unique value, a given id) was taken by a request
            # that committed after our read: read again, and update the record it created. The
            # same key refused twice is a real conflict (the value is held by a record an
            # upsert cannot match), answered 409.
            if isinstance(error, UniqueViolationError) and error.claim is not None:
                first_time = error.claim not in lost
                lost.add(error.claim)
                return first_time
            return is_version_conflict(error)

        return self._retry(attempt, lost_a_race)

    def create_partial(self, ctx: RequestContext, command: CreateRecords) -> PartialResult:
        """A batch create with per-item results (`?partial=true`): every valid input written,
        each refused one reported by its index (core/partial_batch.py)."""
        from chalicelib.core.partial_batch import PartialBatch

        obj = command.object
        self._refuse_bad_batch_size(command)
        batch = PartialBatch(
            self._store,
            ctx.workspace_id,
            command,
            new_id=self._new_id,
            plan_create=lambda values, rid, index: self._create_unit(ctx, obj, values, rid, index),
            plan_update=lambda record, changes, index: self._update_unit(
                ctx, obj, record, changes, index
            ),
            write=lambda plan: write_plan(self._store, ctx.workspace_id, obj, plan),
        )
        # A record an upsert matched was changed after the read: everything again, fresh.
        return self._retry(batch.run)

    def _refuse_bad_batch_size(self, command: CreateRecords) -> None:
        if not command.inputs:
            raise InvalidRequestBodyError("Input must not be empty")
        if len(command.inputs) > self._batch_max:
            raise TooManyRecordsError(f"Maximum number of records to upsert is {self._batch_max}.")

    def _create_or_update(
        self,
        ctx: RequestContext,
        obj: ObjectDef,
        values: list[dict[str, Any]],
        ids: list[str],
        existing: dict[int, StoredRecord],
    ) -> list[RecordOutcome]:
        """Write every input: an update of the record it matched, else a create."""
        units: list[ops.Unit] = []
        written: list[StoredRecord] = []
        for index, (given, record_id) in enumerate(zip(values, ids, strict=True)):
            match = existing.get(index)
            if match is None:
                unit, record = self._create_unit(ctx, obj, given, record_id, index)
            else:
                given = {k: v for k, v in given.items() if k != "id"}
                unit, record = self._update_unit(ctx, obj, match, given, index)
            units.append(unit)
            written.append(record)
        _refuse_repeated_claims(obj, units)
        shown = present_stored(obj, written)
        # Refused before writing when the echo could not be sent: a 413 after the write would
        # tell the client it failed (core/budget.py).
        budget.require_room(shown, "send fewer records per request")
        write_plan(self._store, ctx.workspace_id, obj, ops.Plan(tuple(units)))
        return [
            RecordOutcome(record, created=index not in existing)
            for index, record in enumerate(shown)
        ]

    def _coerce_all(self, obj: ObjectDef, inputs: tuple[Any, ...]) -> list[dict[str, Any]]:
        """Validate every input before anything is written; report every bad record at once."""
        # Input coercion loads with the first write: reads never need it (cold start).
        from chalicelib.core.coercion import coerce_input

        values, problems = [], []
        for index, raw in enumerate(inputs):
            try:
                values.append(coerce_input(obj, raw, for_update=False))
            except CrmError as exc:
                prefix = f"Record {index}: " if len(inputs) > 1 else ""
                problems += [prefix + message for message in exc.messages]
        if problems:
            raise BadRequestError(messages=problems)
        return values

    def _upsert_matches(
        self, ctx: RequestContext, obj: ObjectDef, values: list[dict[str, Any]], ids: list[str]
    ) -> dict[int, StoredRecord]:
        """The existing record each input matches on id or a unique field (at most one)."""
        from chalicelib.core.coercion import apply_create_defaults

        ws = ctx.workspace_id
        claims_per_input = [unique_claims(obj, apply_create_defaults(obj, v)) for v in values]
        owners = self._store.unique_owners(ws, obj.id, [c for cs in claims_per_input for c in cs])
        given_ids = [v["id"] for v in values if v.get("id")]
        candidates = self._store.get_many(ws, obj.id, given_ids + list(owners.values()))
        matches: dict[int, StoredRecord] = {}
        for index, claims in enumerate(claims_per_input):
            found = {owners[c] for c in claims if c in owners}
            if values[index].get("id") in candidates:
                found.add(values[index]["id"])
            found &= set(candidates)
            if len(found) > 1:
                raise UpsertConflictError(
                    f"Record {index} matches several existing records ({', '.join(sorted(found))}) "
                    "on id or unique fields"
                )
            if found:
                matches[index] = candidates[found.pop()]
        _refuse_shared_matches(matches)
        return matches

    def _create_unit(
        self, ctx: RequestContext, obj: ObjectDef, given: dict[str, Any], record_id: str, index: int
    ) -> tuple[ops.Unit, StoredRecord]:
        from chalicelib.core.coercion import apply_create_defaults

        body = apply_create_defaults(obj, {k: v for k, v in given.items() if k != "id"})
        actor = ctx.actor()
        body.update(
            createdAt=ctx.now,
            updatedAt=ctx.now,
            createdBy=actor,
            updatedBy=actor,
            # Creation order with sub-millisecond spacing inside a batch; clients may override.
            position=given.get("position", _default_position(index)),
        )
        operations: list[ops.Operation] = [ops.PutRecord(obj.id, record_id, body, version=1)]
        operations += [
            ops.ReserveUnique(obj.id, p, v, record_id) for p, v in unique_claims(obj, body)
        ]
        operations += _relation_checks(obj, body)
        operations.append(ops.AdjustCount(obj.id, 1))
        return ops.Unit(tuple(operations), index), StoredRecord(record_id, body, 1)

    def _update_unit(
        self,
        ctx: RequestContext,
        obj: ObjectDef,
        current: StoredRecord,
        changes: dict[str, Any],
        index: int = 0,
    ) -> tuple[ops.Unit, StoredRecord]:
        from chalicelib.core.coercion import merge_update

        body = merge_update(obj, current.body, changes)
        body.update(updatedAt=ctx.now, updatedBy=ctx.actor())
        live = current.deleted_at is None
        operations: list[ops.Operation] = [ops.replacement(obj.id, current, body)]
        if live:
            # Soft-deleted records hold no uniqueness guards (restore takes them back).
            before, after = unique_claims(obj, current.body), unique_claims(obj, body)
            operations += _claim_changes(obj, current.id, before, after)
        changed_relations = {k: v for k, v in changes.items() if k in obj.by_join_column}
        operations += _relation_checks(obj, changed_relations)
        record = StoredRecord(current.id, body, current.version + 1, current.deleted_at)
        return ops.Unit(tuple(operations), index), record

    # -- updates, deletes, restores --------------------------------------------------------

    def update(self, ctx: RequestContext, command: UpdateRecord) -> RecordOutcome:
        from chalicelib.core.coercion import coerce_input

        obj = command.object
        changes = coerce_input(obj, command.changes, for_update=True)

        def attempt() -> RecordOutcome:
            current = self._live_record(ctx, obj, command.record_id)
            unit, record = self._update_unit(ctx, obj, current, changes)
            write_plan(self._store, ctx.workspace_id, obj, ops.Plan((unit,)))
            return RecordOutcome(_present(obj, record), created=False)

        return self._retry(attempt)

    def remove(self, ctx: RequestContext, command: RemoveRecord) -> RecordOutcome:
        obj = command.object

        def attempt() -> RecordOutcome:
            current = self._store.get(ctx.workspace_id, obj.id, command.record_id)
            if current is None or (command.soft and current.deleted_at is not None):
                raise RecordNotFoundError()
            unit, _ = self._remove_unit(ctx, obj, current, command.soft)
            units = [unit]
            if not command.soft:
                units += self._on_destroy(ctx, obj, [current.id], command.model)
            write_plan(self._store, ctx.workspace_id, obj, ops.Plan(tuple(units)), command.model)
            return RecordOutcome({"id": current.id}, created=False)

        return self._retry(attempt)

    def restore(self, ctx: RequestContext, command: RestoreRecord) -> RecordOutcome:
        obj = command.object

        def attempt() -> RecordOutcome:
            current = self._store.get(ctx.workspace_id, obj.id, command.record_id)
            if current is None:
                raise RecordNotFoundError()
            if current.deleted_at is None:
                return RecordOutcome(_present(obj, current), created=False)
            unit, restored = self._restore_unit(obj, current)
            write_plan(self._store, ctx.workspace_id, obj, ops.Plan((unit,)))
            return RecordOutcome(_present(obj, restored), created=False)

        return self._retry(attempt)

    def _remove_unit(
        self, ctx: RequestContext, obj: ObjectDef, current: StoredRecord, soft: bool, index: int = 0
    ) -> tuple[ops.Unit, StoredRecord]:
        """Soft delete (sets deletedAt) or destroy; the record as the client sees it after."""
        operations: list[ops.Operation] = []
        after = current
        if soft:
            operations.append(ops.replacement(obj.id, current, current.body, deleted_at=ctx.now))
            after = StoredRecord(current.id, current.body, current.version + 1, ctx.now)
        else:
            operations.append(
                ops.DeleteRecord(
                    obj.id,
                    current.id,
                    current.version,
                    previous_body=current.body,
                    previous_deleted_at=current.deleted_at,
                )
            )
        if current.deleted_at is None:
            operations += _claim_changes(obj, current.id, unique_claims(obj, current.body), [])
            operations.append(ops.AdjustCount(obj.id, -1))
        return ops.Unit(tuple(operations), index), after

    def _restore_unit(
        self, obj: ObjectDef, current: StoredRecord, index: int = 0
    ) -> tuple[ops.Unit, StoredRecord]:
        operations: list[ops.Operation] = [
            ops.replacement(obj.id, current, current.body, deleted_at=None)
        ]
        operations += _claim_changes(obj, current.id, [], unique_claims(obj, current.body))
        operations.append(ops.AdjustCount(obj.id, 1))
        restored = StoredRecord(current.id, current.body, current.version + 1, None)
        return ops.Unit(tuple(operations), index), restored

    # -- many-record commands: select (≤ batch max), plan every record, one atomic plan --------

    def update_many(self, ctx: RequestContext, command: UpdateRecords) -> list[RecordOutcome]:
        """Apply the same changes to every selected record (soft-deleted only if targeted)."""
        from chalicelib.core.coercion import coerce_input
        from chalicelib.core.selection import Scope

        obj = command.object
        changes = coerce_input(obj, command.changes, for_update=True)

        def attempt() -> list[RecordOutcome]:
            current = self._select(ctx, obj, command.selection, Scope.VISIBLE)
            planned = [self._update_unit(ctx, obj, r, changes, i) for i, r in enumerate(current)]
            return self._apply(ctx, obj, planned)

        return self._retry(attempt)

    def remove_many(self, ctx: RequestContext, command: RemoveRecords) -> list[RecordOutcome]:
        """Soft-delete the selected live records, or destroy the selected records."""
        from chalicelib.core.selection import Scope

        obj, soft = command.object, command.soft

        def attempt() -> list[RecordOutcome]:
            current = self._select(ctx, obj, command.selection, Scope.LIVE if soft else Scope.ANY)
            planned = [self._remove_unit(ctx, obj, r, soft, i) for i, r in enumerate(current)]
            extra = (
                [] if soft else self._on_destroy(ctx, obj, [r.id for r in current], command.model)
            )
            return self._apply(ctx, obj, planned, extra, command.model)

        return self._retry(attempt)

    def restore_many(self, ctx: RequestContext, command: RestoreRecords) -> list[RecordOutcome]:
        """Clear deletedAt on the selected soft-deleted records."""
        from chalicelib.core.selection import Scope

        obj = command.object

        def attempt() -> list[RecordOutcome]:
            current = self._select(ctx, obj, command.selection, Scope.DELETED)
            return self._apply(
                ctx, obj, [self._restore_unit(obj, r, i) for i, r in enumerate(current)]
            )

        return self._retry(attempt)

    def _select(
        self, ctx: RequestContext, obj: ObjectDef, selection: Selection, scope: Scope
    ) -> list[StoredRecord]:
        """The records a many-record command acts on; more than the batch max → 400."""
        from chalicelib.core.selection import scoped_filter

        if selection.ids is not None:
            return self._select_ids(ctx, obj, selection.ids, scope)
        query = ListRecords(obj, self._batch_max, filter=scoped_filter(selection.filter, scope))
        window = self._window(ctx, query)  # all of the selection: no response budget here
        self._refuse_oversized(obj, window.total)
        found = self._store.get_many(ctx.workspace_id, obj.id, [r["id"] for r in window.records])
        return [found[r["id"]] for r in window.records if r["id"] in found]

    def _select_ids(
        self, ctx: RequestContext, obj: ObjectDef, ids: tuple[str, ...], scope: Scope
    ) -> list[StoredRecord]:
        from chalicelib.core.selection import in_scope

        wanted = list(dict.fromkeys(ids))
        self._refuse_oversized(obj, len(wanted))
        found = self._store.get_many(ctx.workspace_id, obj.id, wanted) if wanted else {}
        missing = [i for i in wanted if i not in found or not in_scope(found[i], scope)]
        if missing:
            raise RecordNotFoundError(f"No {obj.name_singular} record with id {', '.join(missing)}")
        return [found[i] for i in wanted]

    def _refuse_oversized(self, obj: ObjectDef, count: int) -> None:
        if count > self._batch_max:
            raise TooManyRecordsError(
                f"The request would act on {count} {obj.name_plural} records; the maximum "
                f"is {self._batch_max} per request (narrow the filter)"
            )

    def _apply(
        self,
        ctx: RequestContext,
        obj: ObjectDef,
        planned: list[tuple[ops.Unit, StoredRecord]],
        consequences: list[ops.Unit] = (),  # type: ignore[assignment]
        model: WorkspaceModel | None = None,
    ) -> list[RecordOutcome]:
        units = [unit for unit, _ in planned]
        _refuse_repeated_claims(obj, units)
        if units:
            write_plan(self._store, ctx.workspace_id, obj, ops.Plan((*units, *consequences)), model)
        shown = present_stored(obj, (record for _, record in planned))
        return [RecordOutcome(record, created=False) for record in shown]

    def merge(self, ctx: RequestContext, command: MergeRecords) -> RecordOutcome:
        """Merge records into one (core/merge.py), or answer what that one would be."""
        from chalicelib.core.merge import RecordMerge, check_merge

        check_merge(command)
        obj = command.object
        merge = RecordMerge(
            self._store,
            ctx,
            command,
            update_unit=lambda source, record, changes: self._update_unit(
                ctx, source, record, changes
            ),
            soft_delete_unit=lambda record: self._remove_unit(ctx, obj, record, True)[0],
            cap=self._scan_cap,
            max_moved=self._merge_max_moved,
        )

        def attempt() -> RecordOutcome:
            records = merge.read()
            if command.dry_run:
                return RecordOutcome(merge.preview(records, self._new_id()), created=False)
            return RecordOutcome(merge.write(records), created=False)

        outcome = self._retry(attempt)
        self._embed(ctx, obj, [outcome.record], command.depth, command.model)
        return outcome

    def _on_destroy(
        self,
        ctx: RequestContext,
        obj: ObjectDef,
        record_ids: list[str],
        model: WorkspaceModel | None,
    ) -> list[ops.Unit]:
        """The writes each relation's onDelete adds to destroying these records."""
        if model is None or not record_ids:
            return []
        from chalicelib.core.referential import ReferentialActions

        actions = ReferentialActions(
            self._store,
            ctx.workspace_id,
            model,
            destroy_unit=lambda source, record: self._remove_unit(ctx, source, record, False)[0],
            cap=self._scan_cap,
        )
        return actions.units_for_destroy(obj, record_ids)

    def _retry(
        self, attempt: Callable[[], _T], retryable: Callable[[CrmError], bool] | None = None
    ) -> _T:
        """Run `attempt` again on fresh reads while a concurrent write invalidates it."""
        return retry_conflicts(
            attempt, seconds=self._conflict_seconds, retryable=retryable or is_version_conflict
        )

    def _live_record(self, ctx: RequestContext, obj: ObjectDef, record_id: str) -> StoredRecord:
        record = self._store.get(ctx.workspace_id, obj.id, record_id)
        if record is None or record.deleted_at is not None:
            raise RecordNotFoundError()
        return record


def _default_position(index: int) -> float:
    return round(time.time() * 1000 + index / 1000, 3)


def _refuse_shared_matches(matches: dict[int, StoredRecord]) -> None:
    """Two inputs of one upsert may not both update the same existing record."""
    first: dict[str, int] = {}
    for index, record in matches.items():
        earlier = first.setdefault(record.id, index)
        if earlier != index:
            raise UpsertConflictError(
                f"Records {earlier} and {index} both match the existing record {record.id} "
                "on id or unique fields"
            )


def _refuse_repeats(name: str, values: list[str]) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise BadRequestError(f"Duplicate value for '{name}' in the batch: '{value}'")
        seen.add(value)


def _refuse_repeated_claims(obj: ObjectDef, units: list[ops.Unit]) -> None:
    claimed: dict[tuple[str, str], str] = {}
    for unit in units:
        for op in unit.operations:
            if isinstance(op, ops.ReserveUnique):
                holder = claimed.setdefault((op.field_path, op.value), op.record_id)
                if holder != op.record_id:
                    raise BadRequestError(
                        f"Duplicate value for unique field '{op.field_path}' in the batch: "
                        f"'{op.value}'"
                    )
