"""REST webhook management under /rest/metadata (registered with that prefix in app.py):
/webhooks[/{id}], a webhook's delivery log and the replay of one delivery.

Envelopes follow the other metadata routes, named after the GraphQL fields: `webhooks`,
`webhook`, `createWebhook`, `updateWebhook`, `deleteWebhook` (the deleted webhook, as the
GraphQL mutation answers; Twenty's controller answers a bare `true`), `webhookDeliveries`,
`replayWebhookDelivery`.

The webhook service (and the delivery machinery behind it) is imported inside each view: most
containers never serve these routes, and `import app` is their cold start.
"""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.errors import InvalidPathError
from chalicelib.rest import parsing
from chalicelib.rest.endpoint import RestCall, authenticated, json_response

webhook_routes = Blueprint(__name__)
endpoint = authenticated(lambda: webhook_routes.current_request, api="metadata")


def _id(raw: str, what: str) -> str:
    from chalicelib.webhooks import management

    found = management.canonical_uuid(raw)
    if found is None:
        raise InvalidPathError(f"'{raw[:100]}' is not a valid {what} id (UUID)")
    return found


@webhook_routes.route("/webhooks", methods=["GET", "POST"])
@endpoint
def webhooks(call: RestCall) -> Response:
    from chalicelib.webhooks import management

    if call.request.method == "POST":
        created = management.create_webhook(call.ctx, call.model, call.body())
        view = management.webhook_view(created, with_secret=True)
        return json_response({"data": {"createWebhook": view}}, 201)
    found = management.list_webhooks(call.ctx.workspace_id)
    views = [management.webhook_view(webhook, with_secret=False) for webhook in found]
    return json_response({"data": {"webhooks": views}})


@webhook_routes.route("/webhooks/{webhook_id}", methods=["GET", "PATCH", "DELETE"])
@endpoint
def one_webhook(call: RestCall, webhook_id: str) -> Response:
    from chalicelib.webhooks import management

    webhook_id = _id(webhook_id, "webhook")
    workspace_id, method = call.ctx.workspace_id, call.request.method
    if method == "GET":
        found = management.get_webhook(workspace_id, webhook_id)
        return json_response(
            {"data": {"webhook": management.webhook_view(found, with_secret=False)}}
        )
    if method == "DELETE":
        deleted = management.delete_webhook(workspace_id, webhook_id)
        view = management.webhook_view(deleted, with_secret=False)
        return json_response({"data": {"deleteWebhook": view}})
    updated = management.update_webhook(call.ctx, call.model, webhook_id, call.body())
    view = management.webhook_view(updated, with_secret=False)
    return json_response({"data": {"updateWebhook": view}})


@webhook_routes.route("/webhooks/{webhook_id}/deliveries", methods=["GET"])
@endpoint
def deliveries(call: RestCall, webhook_id: str) -> Response:
    from chalicelib.webhooks import management

    webhook_id = _id(webhook_id, "webhook")
    limit = parsing.limit_param(
        call.params,
        default=management.DELIVERIES_DEFAULT_LIMIT,
        maximum=management.DELIVERIES_MAX_LIMIT,
    )
    views = management.delivery_views(call.ctx.workspace_id, webhook_id, limit)
    return json_response({"data": {"webhookDeliveries": views}})


@webhook_routes.route("/webhooks/{webhook_id}/deliveries/{delivery_id}/replay", methods=["POST"])
@endpoint
def replay(call: RestCall, webhook_id: str, delivery_id: str) -> Response:
    from chalicelib.webhooks import management

    webhook_id = _id(webhook_id, "webhook")
    delivery_id = _id(delivery_id, "delivery")
    view = management.replay_delivery(call.ctx.workspace_id, delivery_id, webhook_id)
    return json_response({"data": {"replayWebhookDelivery": view}})
