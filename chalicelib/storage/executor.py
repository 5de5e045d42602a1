"""Run a write plan as TransactWriteItems calls of at most 100 actions, all or nothing.

A plan that fits one transaction is atomic by DynamoDB's guarantee. A larger plan (a 60-record
batch with uniqueness guards and relation checks can reach ~200 actions) is split between units,
never inside one; if a later transaction is refused, the earlier ones are undone by a
compensating transaction, so the table ends as if the batch had never been sent.
"""

from __future__ import annotations

import json
import logging
import time
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
    RelationTargetNotFoundError,
    UniqueViolationError,
    VersionConflictError,
)
from chalicelib.settings import SETTINGS
from chalicelib.storage import keys
from chalicelib.storage.connection import shared_connection
from chalicelib.storage.models import (
    COUNTER_LIVE,
    EXPIRES_AT,
    GUARD_RECORD_ID,
    RECORD_DATA,
    RECORD_DELETED_AT,
    RECORD_TOMBSTONE,
    RECORD_VERSION,
    TOMBSTONE_SECONDS,
)
from chalicelib.storage.retry import (
    RETRYABLE_CANCELLATION_CODES,
    RETRYABLE_CODES,
    RetryableError,
    with_retries,
)
from chalicelib.storage.tables import MAIN_TABLE, index_name

logger = logging.getLogger(__name__)

MAX_TRANSACTION_ACTIONS = 100


@dataclass(slots=True)
class _Transaction:
    """One TransactWriteItems call being assembled, with its actions in the wire order."""

    checks: list[Operation] = field(default_factory=list)
    deletes: list[Operation] = field(default_factory=list)
    puts: list[Operation] = field(default_factory=list)
    updates: list[Operation] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    checked: set[tuple[str, str]] = field(default_factory=set)

    def size(self) -> int:
        return len(self.checks) + len(self.deletes) + len(self.puts) + len(self.updates)

    def ordered(self) -> list[Operation]:
        # pynamodb sends condition checks, deletes, puts, then updates; cancellation reasons
        # come back in that same order.
        return self.checks + self.deletes + self.puts + self.updates


def execute_plan(
    workspace_id: str,
    plan: Plan,
    *,
    attempts: int | None = None,
    sleep: Callable[[float], None] | None = None,
) -> None:
    """Apply every operation of the plan or none of them."""
    written_here = {
        (op.object_id, op.record_id)
        for unit in plan.units
        for op in unit.operations
        if isinstance(op, PutRecord)
    }
    transactions = _pack(plan.units, written_here)
    committed: list[_Transaction] = []
    retry_kwargs = {"attempts": attempts or SETTINGS.write_retry_attempts}
    if sleep is not None:
        retry_kwargs["sleep"] = sleep
    for transaction in transactions:
        # The same token on every retry makes DynamoDB apply the transaction at most once, even
        # when an earlier attempt committed but its answer was lost.
        token = str(uuid.uuid4())
        try:
            with_retries(lambda t=transaction, k=token: _commit(workspace_id, t, k), **retry_kwargs)
        except CrmError:
            if committed:
                _undo(workspace_id, committed, retry_kwargs)
            raise
        committed.append(transaction)


def _pack(units: Iterable[Unit], written_here: set[tuple[str, str]]) -> list[_Transaction]:
    transactions = [_Transaction()]
    for unit in units:
        needed = _unit_size(unit, transactions[-1], written_here)
        # One slot per counter stays free for the AdjustCount update of the transaction.
        if (
            transactions[-1].size() + needed + len(transactions[-1].counts) + 1
            > MAX_TRANSACTION_ACTIONS
        ):
            transactions.append(_Transaction())
        _add_unit(transactions[-1], unit, written_here)
    return [t for t in transactions if t.size() or t.counts]


def _unit_size(unit: Unit, transaction: _Transaction, written_here: set[tuple[str, str]]) -> int:
    size = 0
    for op in unit.operations:
        if isinstance(op, AdjustCount):
            continue
        if isinstance(op, RequireRecord):
            target = (op.object_id, op.record_id)
            if target in written_here or target in transaction.checked:
                continue
        size += 1
    return size


def _add_unit(transaction: _Transaction, unit: Unit, written_here: set[tuple[str, str]]) -> None:
    for op in unit.operations:
        if isinstance(op, AdjustCount):
            transaction.counts[op.object_id] = transaction.counts.get(op.object_id, 0) + op.delta
        elif isinstance(op, RequireRecord):
            target = (op.object_id, op.record_id)
            # A record created by this same plan exists once the plan commits; checking it
            # would put two actions on one item, which DynamoDB refuses.
            if target not in written_here and target not in transaction.checked:
                transaction.checked.add(target)
                transaction.checks.append(op)
        elif isinstance(op, ReleaseUnique):
            transaction.deletes.append(op)
        elif isinstance(op, SetIndexKeys):
            transaction.updates.append(op)
        else:
            transaction.puts.append(op)


def _commit(workspace_id: str, transaction: _Transaction, token: str | None = None) -> None:
    counter_ops = [
        AdjustCount(object_id, delta) for object_id, delta in transaction.counts.items() if delta
    ]
    ordered = transaction.ordered() + counter_ops
    table = SETTINGS.main_table
    # Actions are built as wire dicts directly: pynamodb's model layer costs more than the rest
    # of a 60-record batch together (measured by bench/, see docs/performance.md).
    try:
        shared_connection().transact_write_items(
            condition_check_items=[
                _check_action(table, workspace_id, op) for op in transaction.checks
            ],
            delete_items=[_delete_action(table, workspace_id, op) for op in transaction.deletes],
            put_items=[_put_action(table, workspace_id, op) for op in transaction.puts],
            update_items=[_index_keys_action(table, workspace_id, op) for op in transaction.updates]
            + [_counter_action(table, workspace_id, op) for op in counter_ops],
            client_request_token=token,
        )
    except TransactWriteError as exc:
        raise _translate(exc, ordered) from exc


_PK, _SK = MAIN_TABLE.hash_key, MAIN_TABLE.range_key or "sk"
# Condition fragments, named once (attribute names come from storage/models.py).
_IS_NEW = f"attribute_not_exists({_PK})"
# A record id is free if no item holds it or only the tombstone of a destroyed record does.
_ID_IS_FREE = f"attribute_not_exists({_PK}) OR attribute_exists({RECORD_TOMBSTONE})"
_IS_LIVE_RECORD = f"attribute_exists({_PK}) AND attribute_not_exists({RECORD_DELETED_AT})"
_AT_READ_VERSION = f"{RECORD_VERSION} = :v"
_ABSENT_OR_MINE = f"attribute_not_exists({_PK}) OR {GUARD_RECORD_ID} = :me"


def _key(key: keys.Key) -> dict[str, dict[str, str]]:
    return {_PK: {"S": key.pk}, _SK: {"S": key.sk}}


def _check_action(table: str, workspace_id: str, op: Operation) -> dict[str, Any]:
    assert isinstance(op, RequireRecord)
    return {
        "TableName": table,
        "Key": _key(keys.record_key(workspace_id, op.object_id, op.record_id)),
        # The relation target must exist and must not be soft-deleted at commit time.
        "ConditionExpression": _IS_LIVE_RECORD,
    }


def _tombstone_action(table: str, workspace_id: str, op: DeleteRecord) -> dict[str, Any]:
    """Destroy = replace the record by a tombstone that expires (DynamoDB TTL).

    The tombstone keeps the last body for a few days so that a REST cursor naming the destroyed
    record can still be placed in its sort order; every read skips it, and no index holds it.
    """
    item = {
        **_key(keys.record_key(workspace_id, op.object_id, op.record_id)),
        RECORD_DATA: {"S": json.dumps(op.previous_body, separators=(",", ":"))},
        RECORD_VERSION: {"N": str(op.expected_version + 1)},
        RECORD_TOMBSTONE: {"BOOL": True},
        EXPIRES_AT: {"N": str(int(time.time()) + TOMBSTONE_SECONDS)},
    }
    return {
        "TableName": table,
        "Item": item,
        # Optimistic lock: only the version this command read may be destroyed.
        "ConditionExpression": _AT_READ_VERSION,
        "ExpressionAttributeValues": {":v": {"N": str(op.expected_version)}},
    }


def _delete_action(table: str, workspace_id: str, op: Operation) -> dict[str, Any]:
    assert isinstance(op, ReleaseUnique)
    return {
        "TableName": table,
        "Key": _key(keys.unique_guard_key(workspace_id, op.object_id, op.field_path, op.value)),
        # Release only a value this record still holds; an already-missing guard is fine.
        "ConditionExpression": _ABSENT_OR_MINE,
        "ExpressionAttributeValues": {":me": {"S": op.record_id}},
    }


def _put_action(table: str, workspace_id: str, op: Operation) -> dict[str, Any]:
    if isinstance(op, DeleteRecord):
        return _tombstone_action(table, workspace_id, op)
    if isinstance(op, PutRecord):
        item: dict[str, Any] = {
            **_key(keys.record_key(workspace_id, op.object_id, op.record_id)),
            RECORD_DATA: {"S": json.dumps(op.body, separators=(",", ":"))},
            RECORD_VERSION: {"N": str(op.version)},
        }
        if op.deleted_at is not None:
            item[RECORD_DELETED_AT] = {"S": op.deleted_at}
        for entry in op.index_entries:
            name = index_name(entry.slot)
            item[f"{name}pk"] = {"S": keys.index_pk(workspace_id, op.object_id, entry.slot)}
            item[f"{name}sk"] = {"S": keys.index_sk(entry.form, op.record_id)}
        if op.expected_version is None:
            # Create: the id must be new (a client-chosen id may already exist).
            return {"TableName": table, "Item": item, "ConditionExpression": _ID_IS_FREE}
        return {
            "TableName": table,
            "Item": item,
            # Optimistic lock: the record is still at the version this command read.
            "ConditionExpression": _AT_READ_VERSION,
            "ExpressionAttributeValues": {":v": {"N": str(op.expected_version)}},
        }
    assert isinstance(op, ReserveUnique)
    return {
        "TableName": table,
        "Item": {
            **_key(keys.unique_guard_key(workspace_id, op.object_id, op.field_path, op.value)),
            GUARD_RECORD_ID: {"S": op.record_id},
        },
        # Only a free value can be claimed: plans reserve just the values a record newly takes,
        # and a retried transaction is deduplicated by its ClientRequestToken, not by this test.
        "ConditionExpression": _IS_NEW,
    }


def _index_keys_action(table: str, workspace_id: str, op: Operation) -> dict[str, Any]:
    assert isinstance(op, SetIndexKeys)
    names: dict[str, str] = {}
    values: dict[str, Any] = {":v": {"N": str(op.expected_version)}}
    assignments = []
    for entry in op.index_entries:
        name = index_name(entry.slot)
        names[f"#{name}pk"], names[f"#{name}sk"] = f"{name}pk", f"{name}sk"
        values[f":{name}pk"] = {"S": keys.index_pk(workspace_id, op.object_id, entry.slot)}
        values[f":{name}sk"] = {"S": keys.index_sk(entry.form, op.record_id)}
        assignments += [f"#{name}pk = :{name}pk", f"#{name}sk = :{name}sk"]
    return {
        "TableName": table,
        "Key": _key(keys.record_key(workspace_id, op.object_id, op.record_id)),
        "UpdateExpression": "SET " + ", ".join(assignments),
        # Only the version that was read: a record written since then already carries the
        # keys of the new model (the write used it), and a stale value must not replace them.
        "ConditionExpression": _AT_READ_VERSION,
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": values,
    }


def _counter_action(table: str, workspace_id: str, op: AdjustCount) -> dict[str, Any]:
    return {
        "TableName": table,
        "Key": _key(keys.counter_key(workspace_id, op.object_id)),
        "UpdateExpression": f"ADD {COUNTER_LIVE} :n",
        "ExpressionAttributeValues": {":n": {"N": str(op.delta)}},
    }


def _translate(exc: TransactWriteError, ordered: list[Operation]) -> Exception:
    code = exc.cause_response_code
    if code in RETRYABLE_CODES:
        return RetryableError(code)
    reasons = exc.cancellation_reasons or []
    failed = [
        (ordered[i], reason.code)
        for i, reason in enumerate(reasons)
        if reason is not None and reason.code not in (None, "None") and i < len(ordered)
    ]
    if not failed or any(reason in RETRYABLE_CANCELLATION_CODES for _, reason in failed):
        if code == "TransactionCanceledException" or code in RETRYABLE_CODES:
            return RetryableError(code or "TransactionCanceled")
        return exc
    return _condition_error(failed[0][0])


def _condition_error(op: Operation) -> CrmError:
    if isinstance(op, ReserveUnique):
        return UniqueViolationError(
            f"Duplicate value for unique field '{op.field_path}': '{op.value}' is already used "
            "by another record"
        )
    if isinstance(op, RequireRecord):
        return RelationTargetNotFoundError(
            f"Invalid value for field '{op.field_name}': no record with id '{op.record_id}'"
        )
    if isinstance(op, PutRecord) and op.expected_version is None:
        return UniqueViolationError(f"A record with id '{op.record_id}' already exists")
    return VersionConflictError()


def _undo(workspace_id: str, committed: list[_Transaction], retry_kwargs: dict) -> None:
    """Write the inverse of already-committed transactions, newest first, unconditionally."""
    for transaction in reversed(committed):
        inverse = _Transaction()
        for op in transaction.ordered():
            _add_inverse(inverse, op)
        for object_id, delta in transaction.counts.items():
            inverse.counts[object_id] = -delta
        token = str(uuid.uuid4())
        try:
            with_retries(lambda t=inverse, k=token: _commit(workspace_id, t, k), **retry_kwargs)
        except CrmError:
            logger.error("could not undo a partially applied plan in %s", workspace_id)
            raise


def _add_inverse(inverse: _Transaction, op: Operation) -> None:
    if isinstance(op, PutRecord):
        if op.expected_version is None:
            inverse.puts.append(DeleteRecord(op.object_id, op.record_id, op.version))
        else:
            inverse.puts.append(
                PutRecord(
                    op.object_id,
                    op.record_id,
                    op.previous_body or {},
                    op.expected_version,
                    deleted_at=op.previous_deleted_at,
                    expected_version=op.version,
                    index_entries=op.previous_index_entries,
                )
            )
    elif isinstance(op, DeleteRecord):
        inverse.puts.append(
            PutRecord(
                op.object_id,
                op.record_id,
                op.previous_body,
                op.expected_version,
                deleted_at=op.previous_deleted_at,
                index_entries=op.previous_index_entries,
            )
        )
    elif isinstance(op, ReserveUnique):
        inverse.deletes.append(ReleaseUnique(op.object_id, op.field_path, op.value, op.record_id))
    elif isinstance(op, ReleaseUnique):
        inverse.puts.append(ReserveUnique(op.object_id, op.field_path, op.value, op.record_id))
