"""Run a write plan as TransactWriteItems calls of at most 100 actions and 3.5 MB, all or nothing.

A plan that fits one transaction is atomic by DynamoDB's guarantee. A larger plan (a 60-record
batch with uniqueness guards and relation checks can reach ~200 actions; eleven records of
390 KB pass DynamoDB's 4 MB per transaction) is split between units, never inside one; if a
later transaction is refused, the earlier ones are undone by a compensating transaction, so the
table ends as if the batch had never been sent.

Every action is built once, as the wire dict sent (storage/actions.py), and measured as sent
(JSON), which bounds the item bytes DynamoDB counts from above. A transient failure (throttling,
a conflicting transaction, a timeout or a lost connection) resends the same transaction with the
same ClientRequestToken, so an attempt that committed but whose answer was lost is not applied
twice; when the retries run out the API answers 503, after undoing whatever may have landed.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from pynamodb.exceptions import TransactWriteError

from chalicelib.core.plan import (
    AdjustCount,
    DeleteRecord,
    Operation,
    Plan,
    PutRecord,
    ReleaseUnique,
    RequireRecord,
    ReserveUnique,
    SetIndexKeys,
    Unit,
)
from chalicelib.errors import (
    CrmError,
    IdempotencyKeyInUseError,
    PayloadTooLargeError,
    RelationTargetNotFoundError,
    StorageUnavailableError,
    UniqueViolationError,
    VersionConflictError,
)
from chalicelib.settings import SETTINGS
from chalicelib.storage.actions import build_action, counter_action
from chalicelib.storage.changes import restamp
from chalicelib.storage.connection import shared_connection
from chalicelib.storage.idempotency import Claim, active_claim, written_mark_action
from chalicelib.storage.retry import (
    RetryPolicy,
    error_code,
    error_message,
    is_transient,
    is_transport_failure,
    with_retries,
)

logger = logging.getLogger(__name__)

MAX_TRANSACTION_ACTIONS = 100
# DynamoDB refuses a TransactWriteItems whose items pass 4 MB. Actions are measured as sent,
# escapes and expressions included (more than the item bytes DynamoDB counts), and half a
# megabyte is left for the counters and the request around the actions.
MAX_TRANSACTION_BYTES = 3_500_000
# What a counter update takes at most as sent (its key, expression and a delta).
_COUNTER_BYTES = 512


@dataclass(frozen=True, slots=True)
class _Action:
    """An operation with its wire action, built once, and that action's size as sent."""

    op: Operation
    wire: dict[str, Any]
    size: int


Build = Callable[[Operation], _Action]


def action_builder(table: str, workspace_id: str) -> Build:
    """Builds the action of an operation of this workspace, measured as JSON."""

    def build(op: Operation) -> _Action:
        wire = build_action(table, workspace_id, op)
        return _Action(op, wire, len(json.dumps(wire, separators=(",", ":"))))

    return build


@dataclass(slots=True)
class _Transaction:
    """One TransactWriteItems call being assembled, with its actions in the wire order."""

    checks: list[_Action] = field(default_factory=list)
    deletes: list[_Action] = field(default_factory=list)
    puts: list[_Action] = field(default_factory=list)
    updates: list[_Action] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    checked: set[tuple[str, str]] = field(default_factory=set)
    sent_bytes: int = 0
    # Set when an attempt got no answer (timeout, lost connection): it may have committed.
    unanswered: bool = False
    # Actions kept free for the Idempotency-Key's WRITTEN mark (1 while a claim is bound).
    reserved: int = 0

    def size(self) -> int:
        return len(self.checks) + len(self.deletes) + len(self.puts) + len(self.updates)

    def ordered(self) -> list[Operation]:
        # pynamodb sends condition checks, deletes, puts, then updates; cancellation reasons
        # come back in that same order.
        return [a.op for a in self.checks + self.deletes + self.puts + self.updates]

    def add(self, action: _Action) -> None:
        op = action.op
        if isinstance(op, RequireRecord):
            self.checked.add((op.object_id, op.record_id))
            self.checks.append(action)
        elif isinstance(op, ReleaseUnique):
            self.deletes.append(action)
        elif isinstance(op, SetIndexKeys):
            self.updates.append(action)
        else:
            self.puts.append(action)
        self.sent_bytes += action.size

    def room_for(self, actions: list[_Action]) -> bool:
        """Whether a unit of these actions fits, one more counter included."""
        counters = len(self.counts) + 1 + self.reserved
        return (
            self.size() + len(actions) + counters <= MAX_TRANSACTION_ACTIONS
            and self.sent_bytes + sum(a.size for a in actions) + counters * _COUNTER_BYTES
            <= MAX_TRANSACTION_BYTES
        )


def execute_plan(workspace_id: str, plan: Plan, *, policy: RetryPolicy | None = None) -> None:
    """Apply every operation of the plan or none of them.

    While the request holds an Idempotency-Key claim (storage/idempotency.py), the plan's first
    transaction also marks it WRITTEN: the key is recorded with the write, so a retry after a
    crash between the commit and the stored answer never writes again. A plan split into
    several transactions carries the mark in its first one (if a later one fails, the earlier
    are undone and the claim's count of committed plans says so).
    """
    table = SETTINGS.main_table
    written_here = {
        (op.object_id, op.record_id)
        for unit in plan.units
        for op in unit.operations
        if isinstance(op, PutRecord)
    }
    claim = active_claim()
    # Packed (and refused when a record cannot fit) before anything is written.
    transactions = _pack(
        plan.units, written_here, action_builder(table, workspace_id), reserved=int(bool(claim))
    )
    committed: list[_Transaction] = []
    for position, transaction in enumerate(transactions):
        mark = claim if position == 0 else None
        # Delta sync: stamp the records now, not when the plan was packed (earlier transactions
        # may have taken seconds); retries below resend this stamp with the token.
        restamp([a.wire for a in transaction.puts])
        # The same token on every retry makes DynamoDB apply the transaction at most once, even
        # when an earlier attempt committed but its answer was lost.
        token = str(uuid.uuid4())
        try:
            with_retries(
                lambda t=transaction, k=token, m=mark: _commit(table, workspace_id, t, k, m),
                policy=policy,
            )
        except Exception as exc:
            # Retries ran out after an attempt that got no answer: it may have landed.
            unknown = isinstance(exc, StorageUnavailableError) and transaction.unanswered
            if committed or unknown:
                _undo(table, workspace_id, committed, transaction if unknown else None, policy)
                if claim is not None and committed:
                    claim.plans_committed -= 1  # its first transaction, the marked one, undone
            raise
        committed.append(transaction)
        if mark is not None:
            mark.plans_committed += 1


def _pack(
    units: Iterable[Unit], written_here: set[tuple[str, str]], build: Build, *, reserved: int = 0
) -> list[_Transaction]:
    # Every transaction keeps the mark's room, not only the first: whichever ends up first
    # (an empty one is dropped) can carry it.
    transactions = [_Transaction(reserved=reserved)]
    for unit in units:
        actions = _unit_actions(unit, written_here, build)
        _ensure_fits_alone(unit, actions)
        if not transactions[-1].room_for(_not_yet_checked(actions, transactions[-1])):
            transactions.append(_Transaction(reserved=reserved))
        _add_unit(transactions[-1], unit, _not_yet_checked(actions, transactions[-1]))
    return [t for t in transactions if t.size() or t.counts]


def _unit_actions(unit: Unit, written_here: set[tuple[str, str]], build: Build) -> list[_Action]:
    actions = []
    for op in unit.operations:
        if isinstance(op, AdjustCount):
            continue
        # A record created by this same plan exists once the plan commits; checking it would
        # put two actions on one item, which DynamoDB refuses.
        if isinstance(op, RequireRecord) and (op.object_id, op.record_id) in written_here:
            continue
        actions.append(build(op))
    return actions


def _not_yet_checked(actions: list[_Action], transaction: _Transaction) -> list[_Action]:
    """The actions left once relation checks the transaction already holds are dropped."""
    kept, seen = [], set(transaction.checked)
    for action in actions:
        op = action.op
        if isinstance(op, RequireRecord):
            target = (op.object_id, op.record_id)
            if target in seen:
                continue
            seen.add(target)
        kept.append(action)
    return kept


def _ensure_fits_alone(unit: Unit, actions: list[_Action]) -> None:
    """A record's writes are never split: one that fills a transaction on its own is refused."""
    if _Transaction().room_for(_not_yet_checked(actions, _Transaction())):
        return
    size = sum(a.size for a in actions)
    raise PayloadTooLargeError(
        f"Record {unit.index}: its writes ({len(actions)} actions, {size:,} bytes as sent) do "
        f"not fit in one DynamoDB transaction ({MAX_TRANSACTION_ACTIONS} actions, "
        f"{MAX_TRANSACTION_BYTES:,} bytes here)"
    )


def _add_unit(transaction: _Transaction, unit: Unit, actions: list[_Action]) -> None:
    for op in unit.operations:
        if isinstance(op, AdjustCount):
            transaction.counts[op.object_id] = transaction.counts.get(op.object_id, 0) + op.delta
    for action in actions:
        transaction.add(action)


def _commit(
    table: str,
    workspace_id: str,
    transaction: _Transaction,
    token: str,
    mark: Claim | None = None,
) -> None:
    counter_ops = [
        AdjustCount(object_id, delta) for object_id, delta in transaction.counts.items() if delta
    ]
    marks = [written_mark_action(table, mark)] if mark is not None else []
    try:
        shared_connection().transact_write_items(
            condition_check_items=[a.wire for a in transaction.checks],
            delete_items=[a.wire for a in transaction.deletes],
            put_items=[a.wire for a in transaction.puts],
            # The mark goes last: its cancellation reason is then the last one.
            update_items=[a.wire for a in transaction.updates]
            + [counter_action(table, workspace_id, op) for op in counter_ops]
            + marks,
            client_request_token=token,
        )
    except TransactWriteError as exc:
        if is_transport_failure(exc):
            transaction.unanswered = True
        if is_transient(exc):
            raise  # with_retries sends it again, with the same token
        ordered = transaction.ordered() + counter_ops
        if marks and _mark_refused(exc, len(ordered)):
            raise IdempotencyKeyInUseError(
                "Another request with this Idempotency-Key took it over; nothing was written"
            ) from exc
        raise _translate(exc, ordered) from exc


def _mark_refused(exc: TransactWriteError, position: int) -> bool:
    """Whether the WRITTEN mark's condition failed: the claim is no longer this request's."""
    reasons = list(exc.cancellation_reasons)
    reason = reasons[position] if position < len(reasons) else None
    return reason is not None and reason.code == "ConditionalCheckFailed"


def _translate(exc: TransactWriteError, ordered: list[Operation]) -> Exception:
    """The domain error of a refused transaction; the original when it is a fault of ours."""
    reasons = [
        (ordered[i], reason)
        for i, reason in enumerate(exc.cancellation_reasons)
        if reason is not None and i < len(ordered)
    ]
    conditions = [op for op, reason in reasons if reason.code == "ConditionalCheckFailed"]
    if conditions:
        return _condition_error(conditions)
    messages = [error_message(exc)] + [reason.message or "" for _, reason in reasons]
    if any(_names_a_size_limit(message) for message in messages):
        return PayloadTooLargeError(
            "The records of this request are larger than DynamoDB accepts in one write: "
            + "; ".join(m for m in messages if _names_a_size_limit(m))
        )
    logger.error("DynamoDB refused a transaction: %s %s", error_code(exc), messages)
    return exc


def _names_a_size_limit(message: str) -> bool:
    # "Item size has exceeded the maximum allowed size", "Transaction request cannot be larger
    # than 4 MB", "Item size to update has exceeded ..."
    lowered = message.lower()
    return ("size" in lowered and "exceed" in lowered) or "larger than" in lowered


def _condition_error(failed: list[Operation]) -> CrmError:
    """The failed conditions of one transaction, most telling first.

    A record written since this command read it makes every other failure suspect (the plan was
    computed on a stale read), so a version conflict comes first: the command re-reads and
    computes again. Then a missing relation target, then a value another record holds.
    """
    for op in failed:
        if _is_versioned(op):
            return VersionConflictError()
    for op in failed:
        if isinstance(op, RequireRecord):
            return RelationTargetNotFoundError(
                f"Invalid value for field '{op.field_name}': no record with id '{op.record_id}'"
            )
    for op in failed:
        if isinstance(op, ReserveUnique):
            return UniqueViolationError(
                f"Duplicate value for unique field '{op.field_path}': '{op.value}' is already "
                "used by another record",
                claim=(op.field_path, op.value),
            )
        if isinstance(op, PutRecord):
            return UniqueViolationError(
                f"A record with id '{op.record_id}' already exists", claim=("id", op.record_id)
            )
    return VersionConflictError()


def _is_versioned(op: Operation) -> bool:
    """A write conditioned on the record (or guard) being as this command read it."""
    if isinstance(op, PutRecord):
        return op.expected_version is not None
    return isinstance(op, DeleteRecord | SetIndexKeys | ReleaseUnique)


def _undo(
    table: str,
    workspace_id: str,
    committed: list[_Transaction],
    unknown: _Transaction | None,
    policy: RetryPolicy | None,
) -> None:
    """Write the inverse of already-committed transactions, newest first.

    A transaction whose outcome is unknown (its answer never came back) is undone first, on its
    own: every inverse is conditioned on the write it reverts (a created record at version 1,
    an updated one at its new version), so if that transaction never landed its inverse is
    refused as a whole and changes nothing.
    """
    build = action_builder(table, workspace_id)
    if unknown is not None:
        try:
            _commit_inverse(table, workspace_id, unknown, build, policy)
        except CrmError:
            logger.info("a transaction of unknown outcome had not landed in %s", workspace_id)
    for transaction in reversed(committed):
        try:
            _commit_inverse(table, workspace_id, transaction, build, policy)
        except CrmError:
            logger.error("could not undo a partially applied plan in %s", workspace_id)
            raise


def _commit_inverse(
    table: str,
    workspace_id: str,
    transaction: _Transaction,
    build: Build,
    policy: RetryPolicy | None,
) -> None:
    inverse = _Transaction()
    for op in transaction.ordered():
        reverted = _inverse(op)
        if reverted is not None:
            inverse.add(build(reverted))
    for object_id, delta in transaction.counts.items():
        inverse.counts[object_id] = -delta
    if not inverse.size() and not any(inverse.counts.values()):
        return  # index-key backfills have nothing to revert
    token = str(uuid.uuid4())
    with_retries(lambda: _commit(table, workspace_id, inverse, token), policy=policy)


def _inverse(op: Operation) -> Operation | None:
    if isinstance(op, PutRecord):
        if op.expected_version is None:
            return DeleteRecord(op.object_id, op.record_id, op.version)
        return PutRecord(
            op.object_id,
            op.record_id,
            op.previous_body or {},
            op.expected_version,
            deleted_at=op.previous_deleted_at,
            expected_version=op.version,
            index_entries=op.previous_index_entries,
        )
    if isinstance(op, DeleteRecord):
        return PutRecord(
            op.object_id,
            op.record_id,
            op.previous_body,
            op.expected_version,
            deleted_at=op.previous_deleted_at,
            index_entries=op.previous_index_entries,
        )
    if isinstance(op, ReserveUnique):
        if op.taken_from is not None:  # a handover goes back to the record that gave it
            return ReserveUnique(
                op.object_id, op.field_path, op.value, op.taken_from, taken_from=op.record_id
            )
        return ReleaseUnique(op.object_id, op.field_path, op.value, op.record_id)
    if isinstance(op, ReleaseUnique):
        return ReserveUnique(op.object_id, op.field_path, op.value, op.record_id)
    return None
