"""AWS limits moto does not enforce (or enforces differently), so a bug fails locally first.

- An item may hold 400 KB = 409,600 bytes, measured by DynamoDB's size rule (attribute names
  and values in UTF-8, numbers by significant digits, lists and maps with their overhead).
  moto measures differently and refuses at 405,000 of its bytes, and only in UpdateItem; here
  every Put (PutItem, BatchWriteItem, a transaction's Put) and every update's result is checked.
- A TransactWriteItems may not exceed 4 MB: the items it puts plus the keys (and, for an
  update, the values) of its other actions, checked before any condition, as AWS does.
- A BatchWriteItem holds at most 25 requests.
"""

from __future__ import annotations

import base64
import binascii
from decimal import Decimal, InvalidOperation
from typing import Any

from moto.dynamodb.exceptions import MockValidationException
from moto.dynamodb.models.dynamo_type import DynamoType, Item

ITEM_BYTES = 400 * 1024
TRANSACTION_BYTES = 4 * 1024 * 1024
BATCH_WRITE_REQUESTS = 25

ITEM_TOO_LARGE = "Item size has exceeded the maximum allowed size"
UPDATE_TOO_LARGE = "Item size to update has exceeded the maximum allowed size"
TRANSACTION_TOO_LARGE = "Transaction request cannot be larger than 4 MB"
BATCH_TOO_LONG = (
    "1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Map "
    "value must satisfy constraint: [Member must have length less than or equal to 25, Member "
    "must have length greater than or equal to 1]"
)


def _utf8(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def _number_size(text: str) -> int:
    try:
        digits = Decimal(text).normalize().as_tuple().digits
    except (InvalidOperation, ValueError, TypeError):
        return _utf8(str(text))
    significant = len(digits) - next((i for i, d in enumerate(digits) if d), len(digits) - 1)
    return (significant + 1) // 2 + 1


def _binary_size(value: Any) -> int:
    if isinstance(value, bytes | bytearray):
        return len(value)
    try:
        return len(base64.b64decode(value))
    except (binascii.Error, ValueError, TypeError):
        return _utf8(str(value))


def _unwrap(value: Any) -> tuple[str, Any]:
    if isinstance(value, DynamoType):
        return value.type, value.value
    return next(iter(value.items()))


def value_size(value: Any) -> int:
    """DynamoDB's size of one attribute value, a wire dict ({"S": ...}) or a DynamoType."""
    kind, inner = _unwrap(value)
    if kind == "S":
        return _utf8(inner)
    if kind == "N":
        return _number_size(inner)
    if kind == "B":
        return _binary_size(inner)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(_utf8(element) for element in inner)
    if kind == "NS":
        return sum(_number_size(element) for element in inner)
    if kind == "BS":
        return sum(_binary_size(element) for element in inner)
    if kind == "L":
        return 3 + sum(1 + value_size(element) for element in inner)
    if kind == "M":
        return 3 + sum(1 + _utf8(name) + value_size(element) for name, element in inner.items())
    return _utf8(str(inner))


def attributes_size(attributes: dict[str, Any]) -> int:
    """DynamoDB's size of an item given as {name: value} (wire dicts or DynamoTypes)."""
    return sum(_utf8(name) + value_size(value) for name, value in attributes.items())


def check_put(attributes: dict[str, Any]) -> None:
    if attributes_size(attributes) > ITEM_BYTES:
        raise MockValidationException(ITEM_TOO_LARGE)


def check_updated(item: Item | None) -> None:
    if item is not None and attributes_size(item.attrs) > ITEM_BYTES:
        raise MockValidationException(UPDATE_TOO_LARGE)


def _action_size(action: dict[str, Any]) -> int:
    (kind, body), *_ = action.items()
    if kind == "Put":
        return attributes_size(body.get("Item") or {})
    size = attributes_size(body.get("Key") or {})
    if kind == "Update":
        size += sum(value_size(v) for v in (body.get("ExpressionAttributeValues") or {}).values())
    return size


def check_transaction(transact_items: list[dict[str, Any]]) -> None:
    if sum(_action_size(action) for action in transact_items if action) > TRANSACTION_BYTES:
        raise MockValidationException(TRANSACTION_TOO_LARGE)


def check_batch_write(request_items: dict[str, list[Any]]) -> None:
    if sum(len(requests) for requests in request_items.values()) > BATCH_WRITE_REQUESTS:
        raise MockValidationException(BATCH_TOO_LONG)
