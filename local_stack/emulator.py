"""`install()`: moto's DynamoDB made fast, atomic and as strict as AWS, in this process.

What changes (each piece in its own module, each a wrapper around what moto, or a patch
installed earlier, has at install time, so later patches such as persistence can wrap these):

- transactions: moto's copy of every table before each TransactWriteItems is skipped; an undo
  journal of the touched items restores a cancelled or failed write (journal.py). Every
  single write is journaled too, so no failing write leaves half of itself behind;
- queries: a sorted key index per table and index partition narrows each Query to the items
  its answer can hold (key_index.py, narrow_query.py);
- atomicity: one re-entrant LOCK around every request and backend operation (locking.py);
- AWS limits: 400 KB items, 4 MB transactions, 25-request batch writes (limits.py);
- a transaction retried with its ClientRequestToken is applied once (idempotency.py);
- stream records: 24 h and 10,000 records kept per table (stream_retention.py);
- shard iterators expire after 15 minutes, as AWS's do (stream_iterators.py);
- cost: moto's hottest conversions short-cut with identical results (fast_paths.py).

Answers are moto's own (tests/local_stack compares them over this project's access patterns).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

from moto.core import responses as core_responses
from moto.core.serialize import BaseJSONSerializer
from moto.dynamodb import models as dynamodb_models
from moto.dynamodb import responses as dynamodb_responses
from moto.dynamodb.comparisons import ConditionExpressionParser
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models import table as table_model
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import SecondaryIndex, StreamShard, Table
from moto.dynamodb.responses import DynamoHandler
from moto.dynamodbstreams.models import DynamoDBStreamsBackend

from local_stack import (
    fast_paths,
    idempotency,
    journal,
    key_index,
    limits,
    narrow_query,
    stream_iterators,
    stream_retention,
)
from local_stack.locking import LOCK, lock_public_methods, locked

__all__ = ["LOCK", "install", "installed"]

_INSTALL_LOCK = threading.Lock()
_installed = False

ItemKey = tuple[DynamoType, DynamoType | None]


def installed() -> bool:
    return _installed


def _key_of(table: Table, attributes: dict[str, Any]) -> ItemKey | None:
    """The (hash, range) key named by an item or key dict; None if it names none."""
    try:
        hash_key = DynamoType(attributes[table.hash_key_attr])
        if table.range_key_attr is None:
            return hash_key, None
        return hash_key, DynamoType(attributes[table.range_key_attr])
    except (KeyError, IndexError, TypeError, AttributeError):
        return None


def _journaled(table: Table, key: ItemKey | None, write: Callable[[], Any]) -> Any:
    """Run one write of `key` so that it is undone if it fails and re-indexed after."""
    with journal.write_scope():
        if key is not None:
            journal.note(table, *key)
        try:
            return write()
        finally:
            if key is not None:
                key_index.refresh(table, *key)


def _table_put(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def put_item(self: Table, item_attrs: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        limits.check_put(item_attrs)
        return _journaled(
            self, _key_of(self, item_attrs), lambda: original(self, item_attrs, *args, **kwargs)
        )

    return put_item


def _table_delete(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def delete_item(self: Table, hash_key: DynamoType, range_key: DynamoType | None) -> Any:
        key = (hash_key, range_key) if hash_key is not None else None
        return _journaled(self, key, lambda: original(self, hash_key, range_key))

    return delete_item


def _backend_update(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def update_item(self: DynamoDBBackend, table_name: str, key: Any, *args: Any, **kw: Any) -> Any:
        table = self.get_table(table_name)

        def write() -> Any:
            item = original(self, table_name, key, *args, **kw)
            limits.check_updated(item)
            return item

        item_key = _key_of(table, key) if isinstance(key, dict) else None
        return _journaled(table, item_key, write)

    return update_item


def _backend_transaction(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> Any:
        limits.check_transaction(transact_items)
        with journal.write_scope():
            return original(self, transact_items)

    return transact_write_items


def _bounded_batch_write(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def batch_write_item(self: DynamoHandler) -> Any:
        limits.check_batch_write(self.body.get("RequestItems") or {})
        return original(self)

    return batch_write_item


class _CopyWithoutTableSnapshots:
    """Stands in for the `copy` module inside moto's DynamoDB backend (wrapping whatever stood
    there): a table is never copied. moto only deep-copies tables as transaction snapshots;
    the journal replaces them."""

    def __init__(self, previous: Any) -> None:
        self._previous = previous
        self.copy = previous.copy

    def deepcopy(self, obj: Any, memo: dict[int, Any] | None = None) -> Any:
        return obj if isinstance(obj, Table) else self._previous.deepcopy(obj, memo)


def _patch_tables() -> None:
    Table.put_item = _table_put(Table.put_item)  # type: ignore[method-assign]
    Table.delete_item = _table_delete(Table.delete_item)  # type: ignore[method-assign]
    Table.query = narrow_query.narrowed_query(Table.query)  # type: ignore[method-assign]
    Table.all_items = narrow_query.scoped_all_items(Table.all_items)  # type: ignore[method-assign]
    table_model.copy = narrow_query.CopyOutsideQueries(table_model.copy)  # type: ignore[assignment]
    SecondaryIndex.project = fast_paths.projected_keys(  # type: ignore[method-assign]
        SecondaryIndex.project
    )
    StreamShard.add = stream_retention.trimmed_add(StreamShard.add)  # type: ignore[method-assign]
    StreamShard.get = stream_retention.clamped_get(StreamShard.get)  # type: ignore[method-assign]


def _patch_backend() -> None:
    dynamodb_models.copy = _CopyWithoutTableSnapshots(dynamodb_models.copy)  # type: ignore[assignment]
    backend = DynamoDBBackend
    backend.update_item = _backend_update(backend.update_item)  # type: ignore[method-assign]
    backend.transact_write_items = _backend_transaction(  # type: ignore[method-assign]
        backend.transact_write_items
    )
    DynamoHandler.batch_write_item = _bounded_batch_write(  # type: ignore[method-assign]
        DynamoHandler.batch_write_item
    )
    DynamoHandler.transact_write_items = idempotency.idempotent(  # type: ignore[method-assign]
        DynamoHandler.transact_write_items
    )
    journal.on_restore(key_index.refresh)
    DynamoDBStreamsBackend.__init__ = stream_iterators.expiring(  # type: ignore[method-assign]
        DynamoDBStreamsBackend.__init__
    )


def _patch_lock() -> None:
    # Outermost, after every other wrapper: the whole operation runs under the lock.
    lock_public_methods(DynamoDBBackend)
    lock_public_methods(DynamoDBStreamsBackend)
    DynamoHandler.call_action = locked(DynamoHandler.call_action)  # type: ignore[method-assign]


def _patch_costs() -> None:
    fast_paths.install_cast_value()
    fast_paths.install_unmeasured_attributes()
    DynamoType.size = fast_paths.measured_strings(DynamoType.size)  # type: ignore[method-assign]
    Item.size = fast_paths.measured_items(Item.size)  # type: ignore[method-assign]
    Item.project = fast_paths.projected_names(Item.project)  # type: ignore[method-assign]
    ConditionExpressionParser.parse = fast_paths.remembered_conditions(  # type: ignore[method-assign]
        ConditionExpressionParser.parse
    )
    dynamodb_responses.dynamo_to_dict = fast_paths.plain_scalars(dynamodb_responses.dynamo_to_dict)
    core_responses.method_names_from_class = fast_paths.remembered_method_names(
        core_responses.method_names_from_class
    )
    serializer = BaseJSONSerializer
    serializer._serialize_type_structure = fast_paths.plain_attribute_values(  # type: ignore[method-assign]
        serializer._serialize_type_structure
    )
    serializer._serialize_type_map = fast_paths.plain_attribute_maps(  # type: ignore[method-assign]
        serializer._serialize_type_map
    )
    serializer._serialize_type_list = fast_paths.plain_item_lists(  # type: ignore[method-assign]
        serializer._serialize_type_list
    )


def install() -> None:
    """Patch moto's DynamoDB in this process, once (later calls do nothing)."""
    global _installed
    with _INSTALL_LOCK:
        if _installed:
            return
        _patch_tables()
        _patch_backend()
        _patch_costs()
        _patch_lock()
        _installed = True
