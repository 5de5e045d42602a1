"""Webhook items of the main table: one partition per workspace (`keys.webhooks_pk`), one item
per webhook (sort key = its id), written and read as wire dicts.

Management (create, replace, delete) and the sender (reset_failures, count_failure) both write
these items; every write is conditioned so that neither resurrects a webhook the other deleted.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError
from pynamodb.exceptions import PynamoDBException

from chalicelib.errors import ConflictError, WebhookNotFoundError
from chalicelib.settings import SETTINGS
from chalicelib.storage import keys
from chalicelib.storage.connection import call
from chalicelib.storage.retry import error_code
from chalicelib.storage.tables import MAIN_TABLE
from chalicelib.webhooks.model import ACTIVE, DISABLED, Webhook

_PK, _SK = MAIN_TABLE.hash_key, MAIN_TABLE.range_key or "sk"
# Stored attribute names (Twenty's field names).
TARGET_URL = "targetUrl"
OPERATIONS = "operations"
DESCRIPTION = "description"
SECRET = "secret"
STATUS = "status"
DISABLED_REASON = "disabledReason"
FAILURES = "consecutiveFailures"
CREATED_AT = "createdAt"
UPDATED_AT = "updatedAt"

_EXISTS = f"attribute_exists({_PK})"
_IS_NEW = f"attribute_not_exists({_PK})"


def _key(workspace_id: str, webhook_id: str) -> dict[str, dict[str, str]]:
    key = keys.webhook_key(workspace_id, webhook_id)
    return {_PK: {"S": key.pk}, _SK: {"S": key.sk}}


def _item(webhook: Webhook) -> dict[str, Any]:
    item: dict[str, Any] = {
        **_key(webhook.workspace_id, webhook.id),
        TARGET_URL: {"S": webhook.target_url},
        OPERATIONS: {"L": [{"S": operation} for operation in webhook.operations]},
        SECRET: {"S": webhook.secret},
        STATUS: {"S": webhook.status},
        FAILURES: {"N": str(webhook.consecutive_failures)},
        CREATED_AT: {"S": webhook.created_at},
        UPDATED_AT: {"S": webhook.updated_at},
    }
    # Absent rather than NULL: a missing attribute reads back as None either way.
    if webhook.description is not None:
        item[DESCRIPTION] = {"S": webhook.description}
    if webhook.disabled_reason is not None:
        item[DISABLED_REASON] = {"S": webhook.disabled_reason}
    return item


def _optional_text(item: dict[str, Any], name: str) -> str | None:
    value = item.get(name)
    return None if value is None or "S" not in value else str(value["S"])


def _webhook(workspace_id: str, item: dict[str, Any]) -> Webhook:
    return Webhook(
        id=item[_SK]["S"],
        workspace_id=workspace_id,
        target_url=item[TARGET_URL]["S"],
        operations=tuple(entry["S"] for entry in item[OPERATIONS]["L"]),
        description=_optional_text(item, DESCRIPTION),
        secret=item[SECRET]["S"],
        status=item[STATUS]["S"],
        disabled_reason=_optional_text(item, DISABLED_REASON),
        consecutive_failures=int(item[FAILURES]["N"]),
        created_at=item[CREATED_AT]["S"],
        updated_at=item[UPDATED_AT]["S"],
    )


def _condition_failed(exc: BaseException) -> bool:
    return error_code(exc) == "ConditionalCheckFailedException"


def list_webhooks(workspace_id: str) -> list[Webhook]:
    """Every webhook of the workspace, in id order: one consistent Query (more pages only past
    1 MB, which the per-workspace limit keeps far away)."""
    request: dict[str, Any] = {
        "TableName": SETTINGS.main_table,
        "KeyConditionExpression": f"{_PK} = :pk",
        "ExpressionAttributeValues": {":pk": {"S": keys.webhooks_pk(workspace_id)}},
        "ConsistentRead": True,
    }
    found: list[Webhook] = []
    while True:
        response = call("Query", request)
        found.extend(_webhook(workspace_id, item) for item in response.get("Items", []))
        last = response.get("LastEvaluatedKey")
        if not last:
            return found
        request["ExclusiveStartKey"] = last


def get_webhook(workspace_id: str, webhook_id: str) -> Webhook | None:
    response = call(
        "GetItem",
        {
            "TableName": SETTINGS.main_table,
            "Key": _key(workspace_id, webhook_id),
            "ConsistentRead": True,
        },
    )
    item = response.get("Item")
    return _webhook(workspace_id, item) if item else None


def create_webhook(webhook: Webhook) -> None:
    """Store a new webhook; ConflictError when its id is taken (a client-chosen id)."""
    try:
        call(
            "PutItem",
            {
                "TableName": SETTINGS.main_table,
                "Item": _item(webhook),
                "ConditionExpression": _IS_NEW,
            },
        )
    except (ClientError, PynamoDBException) as exc:
        if _condition_failed(exc):
            raise ConflictError(f"A webhook with id '{webhook.id}' already exists") from exc
        raise


def replace_webhook(webhook: Webhook) -> None:
    """Overwrite a webhook with its updated values; WebhookNotFoundError when it was deleted
    (the condition keeps an update racing a delete from bringing the webhook back)."""
    try:
        call(
            "PutItem",
            {
                "TableName": SETTINGS.main_table,
                "Item": _item(webhook),
                "ConditionExpression": _EXISTS,
            },
        )
    except (ClientError, PynamoDBException) as exc:
        if _condition_failed(exc):
            raise WebhookNotFoundError(f"Webhook '{webhook.id}' not found") from exc
        raise


def delete_webhook(workspace_id: str, webhook_id: str) -> bool:
    """Delete a webhook item; whether there was one. Its delivery log expires by TTL."""
    response = call(
        "DeleteItem",
        {
            "TableName": SETTINGS.main_table,
            "Key": _key(workspace_id, webhook_id),
            "ReturnValues": "ALL_OLD",
        },
    )
    return bool(response.get("Attributes"))


def reset_failures(workspace_id: str, webhook_id: str) -> None:
    """A delivery succeeded: the count of consecutive failed deliveries starts again at 0."""
    try:
        call(
            "UpdateItem",
            {
                "TableName": SETTINGS.main_table,
                "Key": _key(workspace_id, webhook_id),
                "UpdateExpression": f"SET {FAILURES} = :zero",
                # An UpdateItem on a missing key would create a bare item: never for a webhook
                # deleted meanwhile.
                "ConditionExpression": _EXISTS,
                "ExpressionAttributeValues": {":zero": {"N": "0"}},
            },
        )
    except (ClientError, PynamoDBException) as exc:
        if not _condition_failed(exc):
            raise


def count_failure(
    workspace_id: str, webhook_id: str, *, disable_after: int, reason: str
) -> Webhook | None:
    """One more delivery ended FAILED: count it, and disable an ACTIVE webhook once
    `disable_after` deliveries in a row failed. The webhook after the update, None if it was
    deleted meanwhile. One UpdateItem, two on the failure that disables."""
    try:
        response = call(
            "UpdateItem",
            {
                "TableName": SETTINGS.main_table,
                "Key": _key(workspace_id, webhook_id),
                "UpdateExpression": f"ADD {FAILURES} :one",
                "ConditionExpression": _EXISTS,  # as in reset_failures
                "ExpressionAttributeValues": {":one": {"N": "1"}},
                "ReturnValues": "ALL_NEW",
            },
        )
    except (ClientError, PynamoDBException) as exc:
        if _condition_failed(exc):
            return None
        raise
    webhook = _webhook(workspace_id, response["Attributes"])
    if webhook.status != ACTIVE or webhook.consecutive_failures < disable_after:
        return webhook
    return _disable(webhook, disable_after=disable_after, reason=reason)


def _disable(webhook: Webhook, *, disable_after: int, reason: str) -> Webhook | None:
    try:
        response = call(
            "UpdateItem",
            {
                "TableName": SETTINGS.main_table,
                "Key": _key(webhook.workspace_id, webhook.id),
                "UpdateExpression": f"SET #status = :disabled, {DISABLED_REASON} = :reason",
                # Still ACTIVE and still failing: an update that re-enabled the webhook (and
                # reset its count) between our two calls wins over this older failure.
                "ConditionExpression": (
                    f"{_EXISTS} AND #status = :active AND {FAILURES} >= :limit"
                ),
                # `status` is one of DynamoDB's reserved words.
                "ExpressionAttributeNames": {"#status": STATUS},
                "ExpressionAttributeValues": {
                    ":disabled": {"S": DISABLED},
                    ":reason": {"S": reason},
                    ":active": {"S": ACTIVE},
                    ":limit": {"N": str(disable_after)},
                },
                "ReturnValues": "ALL_NEW",
            },
        )
    except (ClientError, PynamoDBException) as exc:
        if _condition_failed(exc):
            return get_webhook(webhook.workspace_id, webhook.id)
        raise
    return _webhook(webhook.workspace_id, response["Attributes"])
