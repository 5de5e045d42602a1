"""The webhook delivery log: one item per (event, webhook) in the webhook's own partition.

Item (pk/sk from storage/keys.delivery_key; sort key = the time-ordered delivery id):
`webhookId`, `eventId`, `eventName`, `recordId`, `body` (the exact JSON text sent, zlib-compressed
into a binary attribute: record JSON shrinks several-fold, and DynamoDB bills by the byte),
`status`, `attempts`, `lastStatusCode`, `lastError`, `nextAttemptAt` (absent when null),
`createdAt`, `updatedAt`, and `expiresAt` (TTL: CRM_WEBHOOK_LOG_DAYS after the entry is stored).

Every call goes through storage/connection.call, so throttling and lost answers are retried
with the storage retry policy (storage/retry.py).
"""

from __future__ import annotations

import logging
import time
import uuid
import zlib
from collections.abc import Iterator
from typing import Any

from chalicelib.settings import SETTINGS
from chalicelib.storage import keys
from chalicelib.storage.batch_reads import batch_get_items
from chalicelib.storage.connection import call
from chalicelib.storage.executor import MAX_TRANSACTION_ACTIONS, MAX_TRANSACTION_BYTES
from chalicelib.storage.item_limits import MAX_ITEM_BYTES, item_bytes
from chalicelib.storage.models import EXPIRES_AT
from chalicelib.storage.retry import cancellation_codes, error_code
from chalicelib.storage.tables import MAIN_TABLE
from chalicelib.webhooks.model import Delivery, DeliveryRef

LOG = logging.getLogger("crm.webhooks.deliveries")

_PK, _SK = MAIN_TABLE.hash_key, MAIN_TABLE.range_key or "sk"
_DAY_SECONDS = 24 * 3600
# Condition fragments, named once.
_IS_NEW = f"attribute_not_exists({_PK})"
_EXISTS = f"attribute_exists({_PK})"

WireItem = dict[str, dict[str, Any]]


def _key(workspace_id: str, webhook_id: str, delivery_id: str) -> WireItem:
    key = keys.delivery_key(workspace_id, webhook_id, delivery_id)
    return {_PK: {"S": key.pk}, _SK: {"S": key.sk}}


def _optional(item: WireItem, name: str, kind: str) -> Any:
    value = item.get(name)
    return None if value is None else value[kind]


def _item(delivery: Delivery) -> WireItem:
    item: WireItem = {
        **_key(delivery.workspace_id, delivery.webhook_id, delivery.id),
        "webhookId": {"S": delivery.webhook_id},
        "eventId": {"S": delivery.event_id},
        "eventName": {"S": delivery.event_name},
        "recordId": {"S": delivery.record_id},
        "body": {"B": zlib.compress(delivery.body.encode("utf-8"))},
        "status": {"S": delivery.status},
        "attempts": {"N": str(delivery.attempts)},
        "createdAt": {"S": delivery.created_at},
        "updatedAt": {"S": delivery.updated_at},
        EXPIRES_AT: {"N": str(int(time.time()) + SETTINGS.webhook_log_days * _DAY_SECONDS)},
    }
    if delivery.last_status_code is not None:
        item["lastStatusCode"] = {"N": str(delivery.last_status_code)}
    if delivery.last_error is not None:
        item["lastError"] = {"S": delivery.last_error}
    if delivery.next_attempt_at is not None:
        item["nextAttemptAt"] = {"S": delivery.next_attempt_at}
    return item


def _delivery(workspace_id: str, item: WireItem) -> Delivery:
    status_code = _optional(item, "lastStatusCode", "N")
    return Delivery(
        id=item[_SK]["S"],
        workspace_id=workspace_id,
        webhook_id=item["webhookId"]["S"],
        event_id=item["eventId"]["S"],
        event_name=item["eventName"]["S"],
        record_id=item["recordId"]["S"],
        body=zlib.decompress(item["body"]["B"]).decode("utf-8"),
        status=item["status"]["S"],
        attempts=int(item["attempts"]["N"]),
        last_status_code=int(status_code) if status_code is not None else None,
        last_error=_optional(item, "lastError", "S"),
        next_attempt_at=_optional(item, "nextAttemptAt", "S"),
        created_at=item["createdAt"]["S"],
        updated_at=item["updatedAt"]["S"],
    )


# -- creating: conditional puts, in transactions ------------------------------------------------


def put_new_deliveries(deliveries: list[Delivery]) -> list[Delivery]:
    """Store the deliveries whose id is not stored yet; returns those this call created.

    Delivery ids are deterministic per (event, webhook), so a stream batch processed twice
    finds its deliveries and creates none of them again. Up to 100 puts go in one
    TransactWriteItems (one call for a 60-record batch instead of 60); one whose id exists
    cancels the transaction with its reason, and the others are sent again without it.
    """
    created: list[Delivery] = []
    pending = [(delivery, _item(delivery)) for delivery in deliveries]
    for chunk in _chunks([(d, item) for d, item in pending if _fits(d, item)]):
        created += _put_chunk(chunk)
    return created


def _fits(delivery: Delivery, item: WireItem) -> bool:
    """A delivery whose compressed body still passes DynamoDB's item limit cannot be stored."""
    size = item_bytes(item)
    if size <= MAX_ITEM_BYTES:
        return True
    # Only an incompressible record near the 400 KB limit gets here; retrying cannot help.
    LOG.error(
        "webhook delivery %s (%s) dropped: %d bytes compressed, over the item limit",
        delivery.id,
        delivery.event_name,
        size,
    )
    return False


_Pending = list[tuple[Delivery, WireItem]]


def _chunks(pending: _Pending) -> Iterator[_Pending]:
    """At most 100 puts and 3.5 MB of items per transaction (DynamoDB's limits: 100, 4 MB)."""
    chunk: _Pending = []
    size = 0
    for delivery, item in pending:
        item_size = item_bytes(item)
        if chunk and (
            len(chunk) == MAX_TRANSACTION_ACTIONS or size + item_size > MAX_TRANSACTION_BYTES
        ):
            yield chunk
            chunk, size = [], 0
        chunk.append((delivery, item))
        size += item_size
    if chunk:
        yield chunk


def _put_chunk(pending: _Pending) -> list[Delivery]:
    while pending:
        request = {
            "TransactItems": [
                # Only a delivery id not stored yet: the same event for the same webhook is
                # stored (and queued) once, however often its stream batch is processed.
                {
                    "Put": {
                        "TableName": SETTINGS.main_table,
                        "Item": item,
                        "ConditionExpression": _IS_NEW,
                    }
                }
                for _, item in pending
            ],
            # Kept across the retries of this one call: an attempt that committed but whose
            # answer was lost is not applied again (and then not reported as refused).
            "ClientRequestToken": str(uuid.uuid4()),
        }
        try:
            call("TransactWriteItems", request)
            return [delivery for delivery, _ in pending]
        except Exception as exc:
            codes = cancellation_codes(exc)
            if error_code(exc) != "TransactionCanceledException" or len(codes) != len(pending):
                raise
            if "ConditionalCheckFailed" not in codes:
                raise
            # The stored ones are left out; the rest were not applied and are sent again.
            pending = [p for p, code in zip(pending, codes, strict=True) if code is None]
    return []


# -- reading ------------------------------------------------------------------------------------


def get_delivery(ref: DeliveryRef) -> Delivery | None:
    request = {
        "TableName": SETTINGS.main_table,
        "Key": _key(ref.workspace_id, ref.webhook_id, ref.delivery_id),
        # Strongly consistent: the consumer reads right after the stream side stored it.
        "ConsistentRead": True,
    }
    item = call("GetItem", request).get("Item")
    return _delivery(ref.workspace_id, item) if item else None


def get_deliveries(refs: list[DeliveryRef]) -> list[Delivery]:
    """The stored deliveries among `refs` (BatchGetItem, ≤ 100 keys a call), in no set order."""
    found: list[Delivery] = []
    by_workspace: dict[str, list[WireItem]] = {}
    for ref in refs:
        by_workspace.setdefault(ref.workspace_id, []).append(
            _key(ref.workspace_id, ref.webhook_id, ref.delivery_id)
        )
    for workspace_id, item_keys in by_workspace.items():
        found += [_delivery(workspace_id, item) for item in _batch_get(item_keys)]
    return found


def find_delivery(workspace_id: str, delivery_id: str, webhook_ids: list[str]) -> Delivery | None:
    """A delivery of this workspace by its id alone: one BatchGetItem over its webhooks'
    partitions (a delivery id names its webhook only through the hash it holds)."""
    item_keys = [_key(workspace_id, webhook_id, delivery_id) for webhook_id in webhook_ids]
    items = _batch_get(item_keys) if item_keys else []
    return _delivery(workspace_id, items[0]) if items else None


def _batch_get(item_keys: list[WireItem]) -> list[WireItem]:
    return batch_get_items(SETTINGS.main_table, item_keys)


def list_deliveries(workspace_id: str, webhook_id: str, limit: int) -> list[Delivery]:
    """The webhook's latest `limit` deliveries, newest first (ids are time-ordered)."""
    if limit <= 0:
        return []
    request = {
        "TableName": SETTINGS.main_table,
        "KeyConditionExpression": f"{_PK} = :pk",
        "ExpressionAttributeValues": {":pk": {"S": keys.deliveries_pk(workspace_id, webhook_id)}},
        "ScanIndexForward": False,
        "ConsistentRead": True,
        "Limit": limit,
    }
    items = call("Query", request).get("Items", [])
    return [_delivery(workspace_id, item) for item in items]


# -- attempts -----------------------------------------------------------------------------------


def save_delivery(delivery: Delivery) -> bool:
    """Overwrite a delivery's attempt state (the body and event never change); False, and
    nothing written, when the entry is gone (its log entry expired)."""
    names = {"#status": "status"}
    values: dict[str, Any] = {
        ":status": {"S": delivery.status},
        ":attempts": {"N": str(delivery.attempts)},
        ":updatedAt": {"S": delivery.updated_at},
    }
    sets = ["#status = :status", "attempts = :attempts", "updatedAt = :updatedAt"]
    removes = []
    for name, value in (
        ("lastStatusCode", _number(delivery.last_status_code)),
        ("lastError", _text(delivery.last_error)),
        ("nextAttemptAt", _text(delivery.next_attempt_at)),
    ):
        if value is None:
            removes.append(name)
        else:
            sets.append(f"{name} = :{name}")
            values[f":{name}"] = value
    expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
    request = {
        "TableName": SETTINGS.main_table,
        "Key": _key(delivery.workspace_id, delivery.webhook_id, delivery.id),
        "UpdateExpression": expression,
        # Only an entry that exists: an update must not leave a body-less item behind.
        "ConditionExpression": _EXISTS,
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": values,
    }
    try:
        call("UpdateItem", request)
    except Exception as exc:
        if error_code(exc) == "ConditionalCheckFailedException":
            return False
        raise
    return True


def _number(value: int | None) -> dict[str, str] | None:
    return None if value is None else {"N": str(value)}


def _text(value: str | None) -> dict[str, str] | None:
    return None if value is None else {"S": value}
