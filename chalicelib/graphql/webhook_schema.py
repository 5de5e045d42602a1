"""Webhook fields of the metadata schema (POST /metadata), merged into its Query and Mutation.

Names follow Twenty's current metadata SDL: `webhooks`, `webhook(id)` (null when unknown, as
in Twenty), `createWebhook(input)`, `updateWebhook(input: {id, update})`, `deleteWebhook(id)`
(the deleted webhook). Beyond Twenty: `status`/`disabledReason` on `Webhook`, the delivery log
`webhookDeliveries(webhookId, limit)` and `replayWebhookDelivery(id)`. Resolvers only translate
arguments: webhooks/management.py is the same service REST uses.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLString,
)

from chalicelib.errors import InvalidQueryParamError
from chalicelib.graphql.metadata_resolvers import MetadataCall, reported
from chalicelib.graphql.scalars import DATE_TIME, UUID
from chalicelib.webhooks import management
from chalicelib.webhooks.model import ACTIVE, DELIVERED, DISABLED, FAILED, PENDING


def _req(of: Any) -> Any:
    return GraphQLNonNull(of)


def _list_of(of: Any) -> Any:
    return _req(GraphQLList(_req(of)))


WEBHOOK_STATUS = GraphQLEnumType("WebhookStatus", {name: name for name in (ACTIVE, DISABLED)})
WEBHOOK_DELIVERY_STATUS = GraphQLEnumType(
    "WebhookDeliveryStatus", {name: name for name in (PENDING, DELIVERED, FAILED)}
)

# Values are the views of webhooks/management.py and webhooks/delivery_log.py: graphql-core's
# default resolver reads a dict's keys, named like the fields.
WEBHOOK = GraphQLObjectType(
    "Webhook",
    {
        "id": GraphQLField(_req(UUID)),
        "targetUrl": GraphQLField(_req(GraphQLString)),
        "operations": GraphQLField(_list_of(GraphQLString)),
        "description": GraphQLField(GraphQLString),
        "secret": GraphQLField(
            GraphQLString, description="Only in the answer of createWebhook; null afterwards."
        ),
        "status": GraphQLField(_req(WEBHOOK_STATUS)),
        "disabledReason": GraphQLField(GraphQLString),
        "createdAt": GraphQLField(_req(DATE_TIME)),
        "updatedAt": GraphQLField(_req(DATE_TIME)),
    },
)
WEBHOOK_DELIVERY = GraphQLObjectType(
    "WebhookDelivery",
    {
        "id": GraphQLField(_req(UUID)),
        "webhookId": GraphQLField(_req(UUID)),
        "eventId": GraphQLField(
            _req(GraphQLString), description="The Webhook-Id header: the same on every attempt."
        ),
        "eventName": GraphQLField(_req(GraphQLString)),
        "recordId": GraphQLField(_req(UUID)),
        "attempts": GraphQLField(_req(GraphQLInt)),
        "lastStatusCode": GraphQLField(GraphQLInt),
        "lastError": GraphQLField(GraphQLString),
        "nextAttemptAt": GraphQLField(DATE_TIME),
        "status": GraphQLField(_req(WEBHOOK_DELIVERY_STATUS)),
        "createdAt": GraphQLField(_req(DATE_TIME)),
        "updatedAt": GraphQLField(_req(DATE_TIME)),
    },
)

_OPERATIONS_DOC = "Patterns <object>.<action> (`*` for any), e.g. company.created, *.*"
CREATE_WEBHOOK_INPUT = GraphQLInputObjectType(
    "CreateWebhookInput",
    {
        "id": GraphQLInputField(UUID),
        "targetUrl": GraphQLInputField(_req(GraphQLString)),
        "operations": GraphQLInputField(
            GraphQLList(_req(GraphQLString)), description=f"{_OPERATIONS_DOC}; default ['*.*']"
        ),
        "description": GraphQLInputField(GraphQLString),
        "secret": GraphQLInputField(
            GraphQLString, description="Generated when omitted; '' sends deliveries unsigned."
        ),
    },
)
UPDATE_WEBHOOK_INPUT_UPDATES = GraphQLInputObjectType(
    "UpdateWebhookInputUpdates",
    {
        "targetUrl": GraphQLInputField(GraphQLString),
        "operations": GraphQLInputField(
            GraphQLList(_req(GraphQLString)), description=_OPERATIONS_DOC
        ),
        "description": GraphQLInputField(GraphQLString),
        "secret": GraphQLInputField(GraphQLString),
    },
)
UPDATE_WEBHOOK_INPUT = GraphQLInputObjectType(
    "UpdateWebhookInput",
    {
        "id": GraphQLInputField(_req(UUID), description="The id of the webhook to update"),
        "update": GraphQLInputField(
            _req(UPDATE_WEBHOOK_INPUT_UPDATES),
            description="The webhook fields to update; any update also re-enables the webhook",
        ),
    },
)


def _call(info: GraphQLResolveInfo) -> MetadataCall:
    return info.context


def _uuid(value: str) -> str:
    found = management.canonical_uuid(value)
    if found is None:
        raise InvalidQueryParamError(f"'{str(value)[:100]}' is not a valid UUID")
    return found


# -- resolvers -----------------------------------------------------------------------------------


@reported
def webhooks(_root: Any, info: GraphQLResolveInfo) -> list[dict[str, Any]]:
    found = management.list_webhooks(_call(info).ctx.workspace_id)
    return [management.webhook_view(webhook, with_secret=False) for webhook in found]


@reported
def webhook(_root: Any, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any] | None:
    """`webhook(id)`: null for an unknown id or another workspace's, as in Twenty."""
    found = management.find_webhook(_call(info).ctx.workspace_id, _uuid(args["id"]))
    return None if found is None else management.webhook_view(found, with_secret=False)


@reported
def webhook_deliveries(_root: Any, info: GraphQLResolveInfo, **args: Any) -> list[dict[str, Any]]:
    workspace_id = _call(info).ctx.workspace_id
    return management.delivery_views(workspace_id, _uuid(args["webhookId"]), args.get("limit"))


@reported
def create_webhook(_root: Any, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    """The new webhook, with its secret (the only answer that shows it)."""
    call = _call(info)
    created = management.create_webhook(call.ctx, call.model, args["input"])
    return management.webhook_view(created, with_secret=True)


@reported
def update_webhook(_root: Any, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    call = _call(info)
    webhook_id = _uuid(args["input"]["id"])
    updated = management.update_webhook(call.ctx, call.model, webhook_id, args["input"]["update"])
    return management.webhook_view(updated, with_secret=False)


@reported
def delete_webhook(_root: Any, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    """The webhook as it was before its deletion."""
    deleted = management.delete_webhook(_call(info).ctx.workspace_id, _uuid(args["id"]))
    return management.webhook_view(deleted, with_secret=False)


@reported
def replay_webhook_delivery(_root: Any, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    """A delivery found by its id among the workspace's webhooks, queued again now."""
    return management.replay_delivery(_call(info).ctx.workspace_id, _uuid(args["id"]))


def _id_arg() -> dict[str, GraphQLArgument]:
    return {"id": GraphQLArgument(_req(UUID))}


QUERIES: dict[str, GraphQLField] = {
    "webhooks": GraphQLField(_list_of(WEBHOOK), resolve=webhooks),
    "webhook": GraphQLField(WEBHOOK, _id_arg(), resolve=webhook),
    "webhookDeliveries": GraphQLField(
        _list_of(WEBHOOK_DELIVERY),
        {
            "webhookId": GraphQLArgument(_req(UUID)),
            "limit": GraphQLArgument(
                GraphQLInt,
                description=f"Newest first; default {management.DELIVERIES_DEFAULT_LIMIT}, "
                f"at most {management.DELIVERIES_MAX_LIMIT}",
            ),
        },
        resolve=webhook_deliveries,
    ),
}
MUTATIONS: dict[str, GraphQLField] = {
    "createWebhook": GraphQLField(
        _req(WEBHOOK),
        {"input": GraphQLArgument(_req(CREATE_WEBHOOK_INPUT))},
        resolve=create_webhook,
    ),
    "updateWebhook": GraphQLField(
        _req(WEBHOOK),
        {"input": GraphQLArgument(_req(UPDATE_WEBHOOK_INPUT))},
        resolve=update_webhook,
    ),
    "deleteWebhook": GraphQLField(_req(WEBHOOK), _id_arg(), resolve=delete_webhook),
    "replayWebhookDelivery": GraphQLField(
        _req(WEBHOOK_DELIVERY), _id_arg(), resolve=replay_webhook_delivery
    ),
}
