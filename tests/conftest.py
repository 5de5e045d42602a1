"""Shared fixtures: fake AWS settings before any import, moto, tables, a workspace and its key."""

from __future__ import annotations

import os

# Set before chalicelib is imported: table names and region are read once at import time.
os.environ.update(
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_SESSION_TOKEN="testing",
    AWS_DEFAULT_REGION="us-east-1",
    AWS_REGION="us-east-1",
    # botocore would route stream calls to an account endpoint moto does not know.
    AWS_ACCOUNT_ID_ENDPOINT_MODE="disabled",
    CRM_MAIN_TABLE="test-crm-main",
    CRM_KEYS_TABLE="test-crm-api-keys",
)
os.environ.pop("AWS_ENDPOINT_URL_DYNAMODB", None)
os.environ.pop("AWS_ENDPOINT_URL", None)

from collections.abc import Iterator  # noqa: E402
from dataclasses import dataclass  # noqa: E402

import pytest  # noqa: E402
from moto import mock_aws  # noqa: E402

from chalicelib.storage.metering import install as install_meter  # noqa: E402

METER = install_meter()


@pytest.fixture
def aws() -> Iterator[None]:
    """A fresh in-process DynamoDB with both tables and empty caches."""
    from chalicelib.metadata import registry
    from chalicelib.storage.schema import ensure_tables

    with mock_aws():
        ensure_tables()
        registry.clear_cache()
        METER.interceptors.clear()
        METER.reset()
        yield
        METER.interceptors.clear()


@pytest.fixture
def meter() -> object:
    return METER


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


@pytest.fixture
def tenant(aws: None) -> Tenant:
    return make_tenant()


@pytest.fixture
def client(aws: None) -> Iterator[object]:
    from chalice.test import Client

    from app import app

    with Client(app) as test_client:
        yield test_client


class RestClient:
    """Chalice test client bound to one tenant; returns (status, parsed JSON body)."""

    def __init__(self, http: object, tenant: Tenant) -> None:
        self._http = http
        self.tenant = tenant

    def call(self, method: str, path: str, body: object = None, headers: dict | None = None):
        import json

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


@pytest.fixture
def rest(client: object, tenant: Tenant) -> RestClient:
    return RestClient(client.http, tenant)  # type: ignore[attr-defined]
