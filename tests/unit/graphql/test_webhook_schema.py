"""The webhook part of the metadata schema: Twenty's names, inputs equal to what the service
accepts, and the secret nullable (it is shown by createWebhook only)."""

from __future__ import annotations

from graphql import GraphQLEnumType, GraphQLNonNull, get_nullable_type

from chalicelib.graphql import webhook_schema
from chalicelib.graphql.metadata_schema import metadata_schema
from chalicelib.webhooks import management
from chalicelib.webhooks.delivery_log import delivery_view
from chalicelib.webhooks.model import Delivery


def _fields(name: str) -> dict:
    return metadata_schema().type_map[name].fields


def test_inputs_accept_exactly_what_the_management_service_accepts():
    assert set(_fields("CreateWebhookInput")) == set(management.CREATE_KEYS)
    assert set(_fields("UpdateWebhookInputUpdates")) == set(management.UPDATE_KEYS)
    assert set(_fields("UpdateWebhookInput")) == {"id", "update"}


def test_only_the_target_url_is_required_at_creation():
    required = {
        name
        for name, field in _fields("CreateWebhookInput").items()
        if isinstance(field.type, GraphQLNonNull)
    }
    assert required == {"targetUrl"}


def test_the_webhook_type_shows_the_management_view_and_a_nullable_secret():
    fields = _fields("Webhook")
    view_keys = {
        "id",
        "targetUrl",
        "operations",
        "description",
        "status",
        "disabledReason",
        "createdAt",
        "updatedAt",
    }
    assert set(fields) == view_keys | {"secret"}
    assert not isinstance(fields["secret"].type, GraphQLNonNull)
    assert not isinstance(fields["disabledReason"].type, GraphQLNonNull)
    status = get_nullable_type(fields["status"].type)
    assert isinstance(status, GraphQLEnumType) and set(status.values) == {"ACTIVE", "DISABLED"}


def test_the_delivery_type_shows_every_key_of_the_delivery_log_view():
    delivery = Delivery(
        id="d",
        workspace_id="w",
        webhook_id="h",
        event_id="e",
        event_name="person.created",
        record_id="r",
        body="{}",
        status="PENDING",
        attempts=0,
        last_status_code=None,
        last_error=None,
        next_attempt_at=None,
        created_at="t",
        updated_at="t",
    )
    fields = _fields("WebhookDelivery")
    assert set(fields) == set(delivery_view(delivery))
    status = get_nullable_type(fields["status"].type)
    assert set(status.values) == {"PENDING", "DELIVERED", "FAILED"}


def test_webhook_lookups_take_a_bare_id_as_in_twenty():
    query, mutation = metadata_schema().query_type.fields, metadata_schema().mutation_type.fields
    assert set(query["webhook"].args) == {"id"}
    assert set(mutation["deleteWebhook"].args) == {"id"}
    assert set(mutation["replayWebhookDelivery"].args) == {"id"}
    assert set(query["webhookDeliveries"].args) == {"webhookId", "limit"}
    assert not isinstance(query["webhook"].type, GraphQLNonNull)  # null when unknown
    assert set(webhook_schema.QUERIES) <= set(query)
    assert set(webhook_schema.MUTATIONS) <= set(mutation)
