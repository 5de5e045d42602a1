"""Shared by the REST and GraphQL webhook-management tests: a DNS that knows a few names, keys
of each scope, and delivery-log entries stored as the stream side stores them."""

from __future__ import annotations

import socket
import uuid
from dataclasses import replace

from chalicelib.webhooks import ssrf
from chalicelib.webhooks.events import delivery_id
from chalicelib.webhooks.model import FAILED, Delivery
from tests.functional.graphql_support import MetadataClient
from tests.support import Tenant

__all__ = ["MetadataClient"]

PUBLIC_ADDRESS = "93.184.216.34"
# Names the substituted DNS resolves (the SSRF guard looks every target up).
NAMES = {
    "hooks.example.com": [PUBLIC_ADDRESS],
    "other.example.com": [PUBLIC_ADDRESS],
    "intranet.example.com": ["10.1.2.3"],
    "split.example.com": [PUBLIC_ADDRESS, "192.168.1.20"],
}
TARGET = "https://hooks.example.com/twenty"


def substitute_dns(monkeypatch) -> None:
    def resolve(host: str, port: int) -> list[str]:
        if host not in NAMES:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return NAMES[host]

    monkeypatch.setattr(ssrf, "resolve_addresses", resolve)


def scoped_tenant(tenant: Tenant, scope: str) -> Tenant:
    """Another key of the tenant's workspace, with `scope`."""
    from chalicelib.auth.api_keys import issue_key

    key = issue_key(tenant.workspace_id, f"{scope} key", scope=scope)
    return replace(tenant, token=key.token, key_id=key.row.key_id)


def store_deliveries(workspace_id: str, webhook_id: str, count: int) -> list[Delivery]:
    """`count` FAILED deliveries of one webhook, one second apart; returned oldest first."""
    from chalicelib.storage import webhook_deliveries

    deliveries = []
    for n in range(count):
        event_id = str(uuid.uuid4())
        created = f"2025-06-01T12:00:{n:02d}.000Z"
        deliveries.append(
            Delivery(
                id=delivery_id(event_id, webhook_id, 1_748_779_200_000 + n * 1000),
                workspace_id=workspace_id,
                webhook_id=webhook_id,
                event_id=event_id,
                event_name="person.created",
                record_id=str(uuid.uuid4()),
                body='{"eventName":"person.created"}',
                status=FAILED,
                attempts=7,
                last_status_code=500,
                last_error="HTTP 500",
                next_attempt_at=None,
                created_at=created,
                updated_at=created,
            )
        )
    assert webhook_deliveries.put_new_deliveries(deliveries) == deliveries
    return deliveries
