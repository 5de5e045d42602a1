"""Batch create with per-item results (REST `?partial=true`, GraphQL `partial: true`).

The default batch is all or nothing (RecordService.create). Here each input stands on its own:
every valid record is written and each refused one is reported by its index, in three steps.

1. Checks that need no read, per input: the values (coercion), the defaults a create fills in,
   and ids or unique values repeated inside the batch (the first input naming one keeps it).
2. With upsert, the existing record each input matches (one read for all, as the default
   batch does); an input matching several records, or a record an earlier input matched, is
   refused on its own.
3. The write: the planned records as one plan, the very plan the default batch writes, so a
   batch whose records are all valid costs exactly what the default batch costs. When DynamoDB
   refuses it on a condition (a unique value or id held by another record, a relation target
   missing or soft-deleted), the executor has already undone whatever part of the plan had
   committed (storage/executor.py), so nothing is half-written. One read then finds every
   record of the plan that would be refused the same way (the guards of its unique values,
   its id, its relation targets); those are dropped with their errors and the rest is written
   again. Every round drops a record, or (upsert) learns of a value taken by a concurrent
   request, which the next round's fresh match turns into an update; a refusal the read cannot
   explain (a race that has already passed) is retried a few times before it fails the request.

Anything that is not about one record (storage unavailable, throttling, an answer too large to
send) still fails the whole request, with nothing written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chalicelib.core import budget
from chalicelib.core import plan as ops
from chalicelib.core.commands import CreateRecords, RecordOutcome
from chalicelib.core.ports import RecordStore, StoredRecord
from chalicelib.core.presentation import present_stored
from chalicelib.core.uniqueness import Claim, unique_claims
from chalicelib.errors import (
    CrmError,
    PayloadTooLargeError,
    RelationTargetNotFoundError,
    UniqueViolationError,
    UpsertConflictError,
)
from chalicelib.metadata.model import ObjectDef

# Rounds in a row whose refusal the follow-up read could not explain (a concurrent write came
# and went) before the request gives up with that refusal.
MAX_UNEXPLAINED_ROUNDS = 3

# Every field error of core/coercion.py and of the write names its field as `field 'path'`.
_FIELD_NAMED = re.compile(r"\b[Ff]ield '([^']+)'")
# Size refusals of a plan of several records start with the record's input index
# (storage/item_limits.py, storage/executor.py).
_RECORD_PREFIX = re.compile(r"^Record (\d+): ")

PlanCreate = Callable[[dict[str, Any], str, int], tuple[ops.Unit, StoredRecord]]
PlanUpdate = Callable[[StoredRecord, dict[str, Any], int], tuple[ops.Unit, StoredRecord]]
WritePlan = Callable[[ops.Plan], None]


@dataclass(frozen=True, slots=True)
class ItemError:
    """Why the input at `index` was not written; `field` when the error names one."""

    index: int
    error: CrmError
    field: str | None = None


@dataclass(frozen=True, slots=True)
class PartialResult:
    """One outcome per input, in input order (None where refused), and the refusals by index."""

    outcomes: tuple[RecordOutcome | None, ...]
    errors: tuple[ItemError, ...]


@dataclass(frozen=True, slots=True)
class _Planned:
    unit: ops.Unit
    record: StoredRecord
    created: bool


def field_named(error: CrmError) -> str | None:
    """The field path the error's first message names, if any."""
    found = _FIELD_NAMED.search(error.message)
    return found.group(1) if found else None


class PartialBatch:
    """One partial batch create; `run` may be called again after a version conflict."""

    def __init__(
        self,
        store: RecordStore,
        workspace_id: str,
        command: CreateRecords,
        *,
        new_id: Callable[[], str],
        plan_create: PlanCreate,
        plan_update: PlanUpdate,
        write: WritePlan,
    ) -> None:
        self._store = store
        self._ws = workspace_id
        self._obj: ObjectDef = command.object
        self._count = len(command.inputs)
        self._upsert = command.upsert
        self._plan_create = plan_create
        self._plan_update = plan_update
        self._write = write
        # Step 1 needs no read: done once, kept across runs (ids stay those first chosen).
        self._values: dict[int, dict[str, Any]] = {}
        self._ids: dict[int, str] = {}
        self._invalid: dict[int, ItemError] = {}
        self._validate(command.inputs, new_id)

    # -- step 1: each input alone -------------------------------------------------------------

    def _validate(self, inputs: tuple[Any, ...], new_id: Callable[[], str]) -> None:
        # Input coercion loads with the first write, as in core/records.py (cold start).
        from chalicelib.core.coercion import apply_create_defaults, coerce_input

        first_with_id: dict[str, int] = {}
        for index, raw in enumerate(inputs):
            try:
                values = coerce_input(self._obj, raw, for_update=False)
                # A required field without a default is refused here, not in the middle of
                # planning (the defaults are applied again when the record is planned).
                apply_create_defaults(self._obj, values)
            except CrmError as exc:
                self._invalid[index] = ItemError(index, exc, field_named(exc))
                continue
            record_id = values.get("id") or new_id()
            earlier = first_with_id.setdefault(record_id, index)
            if earlier != index:
                message = f"Duplicate value for 'id': '{record_id}' is given to record {earlier}"
                error = UniqueViolationError(message, claim=("id", record_id))
                self._invalid[index] = ItemError(index, error, "id")
                continue
            self._values[index], self._ids[index] = values, record_id

    # -- the rounds ---------------------------------------------------------------------------

    def run(self) -> PartialResult:
        refused = dict(self._invalid)
        lost: set[Claim] = set()
        unexplained = 0
        while True:
            pending = [i for i in self._values if i not in refused]
            matches = self._matches(pending, refused) if self._upsert and pending else {}
            planned = self._plan([i for i in pending if i not in refused], matches, refused)
            if not planned:
                return self._result({}, refused)
            shown = present_stored(self._obj, (p.record for p in planned.values()))
            echoed = dict(zip(planned, shown, strict=True))
            # Refused before writing when the echo could not be sent (core/budget.py).
            budget.require_room(shown, "send fewer records per request")
            try:
                self._write(ops.Plan(tuple(p.unit for p in planned.values())))
            except (UniqueViolationError, RelationTargetNotFoundError) as refusal:
                explained = self._explain(planned, refusal, lost, refused)
                unexplained = 0 if explained else unexplained + 1
                if unexplained >= MAX_UNEXPLAINED_ROUNDS:
                    raise
                continue
            except PayloadTooLargeError as refusal:
                too_large = _too_large(refusal, list(planned))
                if not too_large:
                    raise  # the transaction as a whole, not one record: the request fails
                refused.update(too_large)
                continue
            outcomes = {i: RecordOutcome(echoed[i], created=planned[i].created) for i in planned}
            return self._result(outcomes, refused)

    def _result(
        self, outcomes: dict[int, RecordOutcome], refused: dict[int, ItemError]
    ) -> PartialResult:
        return PartialResult(
            tuple(outcomes.get(i) for i in range(self._count)),
            tuple(refused[i] for i in sorted(refused)),
        )

    # -- step 2: upsert matches ---------------------------------------------------------------

    def _matches(
        self, pending: list[int], refused: dict[int, ItemError]
    ) -> dict[int, StoredRecord]:
        """The existing record each pending input matches on id or a unique value; inputs that
        match several, or a record an earlier input matched, are refused."""
        from chalicelib.core.coercion import apply_create_defaults

        obj, ws = self._obj, self._ws
        values = self._values
        claims = {i: unique_claims(obj, apply_create_defaults(obj, values[i])) for i in pending}
        owners = self._store.unique_owners(ws, obj.id, [c for cs in claims.values() for c in cs])
        given = [self._values[i]["id"] for i in pending if self._values[i].get("id")]
        candidates = self._store.get_many(ws, obj.id, given + list(owners.values()))
        matches: dict[int, StoredRecord] = {}
        matched_by: dict[str, int] = {}
        for index in pending:
            found = {owners[c] for c in claims[index] if c in owners}
            if self._values[index].get("id") in candidates:
                found.add(self._values[index]["id"])
            found &= set(candidates)
            if len(found) > 1:
                message = (
                    f"Record {index} matches several existing records "
                    f"({', '.join(sorted(found))}) on id or unique fields"
                )
                refused[index] = ItemError(index, UpsertConflictError(message))
                continue
            if not found:
                continue
            record_id = found.pop()
            earlier = matched_by.setdefault(record_id, index)
            if earlier != index:
                message = (
                    f"Records {earlier} and {index} both match the existing record {record_id} "
                    "on id or unique fields"
                )
                refused[index] = ItemError(index, UpsertConflictError(message))
                continue
            matches[index] = candidates[record_id]
        return matches

    # -- planning -----------------------------------------------------------------------------

    def _plan(
        self, pending: list[int], matches: dict[int, StoredRecord], refused: dict[int, ItemError]
    ) -> dict[int, _Planned]:
        """Each pending input's unit; a unique value an earlier input of the batch reserves is
        refused (the first input keeps it)."""
        planned: dict[int, _Planned] = {}
        first_claim: dict[Claim, int] = {}
        for index in pending:
            values, match = self._values[index], matches.get(index)
            try:
                if match is None:
                    unit, record = self._plan_create(values, self._ids[index], index)
                else:
                    changes = {k: v for k, v in values.items() if k != "id"}
                    unit, record = self._plan_update(match, changes, index)
            except CrmError as exc:
                refused[index] = ItemError(index, exc, field_named(exc))
                continue
            repeated = self._repeated_claim(unit, index, first_claim)
            if repeated is not None:
                refused[index] = repeated
                continue
            planned[index] = _Planned(unit, record, created=match is None)
        return planned

    @staticmethod
    def _repeated_claim(
        unit: ops.Unit, index: int, first_claim: dict[Claim, int]
    ) -> ItemError | None:
        reserves = [op for op in unit.operations if isinstance(op, ops.ReserveUnique)]
        for op in reserves:
            earlier = first_claim.get((op.field_path, op.value))
            if earlier is not None:
                message = (
                    f"Duplicate value for unique field '{op.field_path}': '{op.value}' is "
                    f"already used by record {earlier} of this batch"
                )
                error = UniqueViolationError(message, claim=(op.field_path, op.value))
                return ItemError(index, error, op.field_path)
        for op in reserves:
            first_claim[(op.field_path, op.value)] = index
        return None

    # -- step 3: a refused write --------------------------------------------------------------

    def _explain(
        self,
        planned: dict[int, _Planned],
        refusal: UniqueViolationError | RelationTargetNotFoundError,
        lost: set[Claim],
        refused: dict[int, ItemError],
    ) -> bool:
        """Refuse every planned record the table now refuses; whether anything changed."""
        failed = self._refused_by_table(planned)
        if not failed and isinstance(refusal, UniqueViolationError) and refusal.claim:
            # The read no longer sees the holder (it let the value go since): the record that
            # asked for the value is still the one DynamoDB refused.
            failed = _claimed_by(planned, refusal)
        changed = False
        for index, item in failed.items():
            claim = getattr(item.error, "claim", None)
            if self._upsert and claim is not None and claim not in lost:
                # A concurrent request took a value this upsert matches on after our read: the
                # next round reads again and updates that record (a second refusal is real).
                lost.add(claim)
            else:
                refused[index] = item
            changed = True
        return changed

    def _refused_by_table(self, planned: dict[int, _Planned]) -> dict[int, ItemError]:
        """The planned records whose conditions the table fails now: one read of their unique
        guards, one of their ids and relation targets."""
        obj, ws = self._obj, self._ws
        operations = [(i, op) for i, p in planned.items() for op in p.unit.operations]
        reserves = [(i, op) for i, op in operations if isinstance(op, ops.ReserveUnique)]
        creates = {
            (op.object_id, op.record_id): i
            for i, op in operations
            if isinstance(op, ops.PutRecord) and op.expected_version is None
        }
        requires = [(i, op) for i, op in operations if isinstance(op, ops.RequireRecord)]
        claims = [(op.field_path, op.value) for _, op in reserves]
        owners = self._store.unique_owners(ws, obj.id, claims) if claims else {}
        refs = list(creates) + [(op.object_id, op.record_id) for _, op in requires]
        stored = self._store.get_across(ws, refs) if refs else {}

        failed: dict[int, ItemError] = {}
        for index, op in reserves:
            owner = owners.get((op.field_path, op.value))
            if owner is not None and owner != op.record_id and index not in failed:
                message = (
                    f"Duplicate value for unique field '{op.field_path}': '{op.value}' is "
                    "already used by another record"
                )
                error = UniqueViolationError(message, claim=(op.field_path, op.value))
                failed[index] = ItemError(index, error, op.field_path)
        for ref, index in creates.items():
            if ref in stored and index not in failed:
                error = UniqueViolationError(
                    f"A record with id '{ref[1]}' already exists", claim=("id", ref[1])
                )
                failed[index] = ItemError(index, error, "id")
        # A target is there when the table holds it live, or a record of this plan that is
        # still written creates it; dropping a record can strand those that point at it.
        changed = True
        while changed:
            changed = False
            for index, op in requires:
                target = (op.object_id, op.record_id)
                if index in failed or _is_live(stored.get(target)):
                    continue
                creator = creates.get(target)
                if creator is not None and creator not in failed:
                    continue
                message = (
                    f"Invalid value for field '{op.field_name}': no record with id '{op.record_id}'"
                )
                error = RelationTargetNotFoundError(message)
                failed[index] = ItemError(index, error, op.field_name)
                changed = True
        return failed


def _is_live(record: StoredRecord | None) -> bool:
    return record is not None and record.deleted_at is None


def _claimed_by(
    planned: dict[int, _Planned], refusal: UniqueViolationError
) -> dict[int, ItemError]:
    """The planned record that asked for the value (or id) DynamoDB refused."""
    path, value = refusal.claim or ("", "")
    for index, p in planned.items():
        for op in p.unit.operations:
            reserves = isinstance(op, ops.ReserveUnique) and (op.field_path, op.value) == (
                path,
                value,
            )
            creates = (
                path == "id"
                and isinstance(op, ops.PutRecord)
                and op.expected_version is None
                and op.record_id == value
            )
            if reserves or creates:
                return {index: ItemError(index, refusal, path)}
    return {}


def _too_large(refusal: PayloadTooLargeError, planned: list[int]) -> dict[int, ItemError]:
    """The records a size refusal names, each with its own messages; {} when it names none."""
    if len(planned) == 1:
        return {planned[0]: ItemError(planned[0], refusal)}
    messages: dict[int, list[str]] = {}
    for message in refusal.messages:
        found = _RECORD_PREFIX.match(message)
        if found and int(found.group(1)) in planned:
            messages.setdefault(int(found.group(1)), []).append(message[found.end() :])
    return {
        index: ItemError(index, type(refusal)(messages=texts)) for index, texts in messages.items()
    }
