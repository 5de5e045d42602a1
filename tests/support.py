"""Test helpers shared by several test modules: tenants and a JSON REST client."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass


@dataclass(frozen=True)
class Tenant:
    workspace_id: str
    token: str
    key_id: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}


def make_tenant(name: str = "Acme") -> Tenant:
    from chalicelib.auth.api_keys import issue_key
    from chalicelib.metadata.provisioning import create_workspace

    workspace = create_workspace(name)
    key = issue_key(workspace.id, f"{name} key")
    return Tenant(workspace.id, key.token, key.row.key_id)


class RestClient:
    """Chalice test client bound to one tenant; returns (status, parsed JSON body)."""

    def __init__(self, http: object, tenant: Tenant) -> None:
        self._http = http
        self.tenant = tenant

    def call(self, method: str, path: str, body: object = None, headers: dict | None = None):
        send_headers = dict(self.tenant.headers if headers is None else headers)
        kwargs = {"headers": send_headers}
        if body is not None:
            kwargs["body"] = body if isinstance(body, str | bytes) else json.dumps(body)
        response = getattr(self._http, method.lower())(path, **kwargs)
        parsed = json.loads(response.body) if response.body else None
        return response.status_code, parsed

    def get(self, path: str, **kw):
        return self.call("GET", path, **kw)

    def post(self, path: str, body: object = None, **kw):
        return self.call("POST", path, body, **kw)

    def patch(self, path: str, body: object = None, **kw):
        return self.call("PATCH", path, body, **kw)

    def put(self, path: str, body: object = None, **kw):
        return self.call("PUT", path, body, **kw)

    def delete(self, path: str, **kw):
        return self.call("DELETE", path, **kw)


def cursor_record(cursor: str | None) -> str | None:
    """The record id inside an opaque GraphQL cursor (REST cursors are the record ids)."""
    if cursor is None:
        return None
    padded = cursor + "=" * (-len(cursor) % 4)
    record_id, _binding = json.loads(base64.urlsafe_b64decode(padded.encode()))
    return record_id


class FakeTime:
    """A clock and a sleep that only move when told: retry loops bounded by time, run at once."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
