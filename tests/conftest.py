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

import pytest  # noqa: E402
from moto import mock_aws  # noqa: E402

from chalicelib.storage.metering import install as install_meter  # noqa: E402
from tests import round_trips  # noqa: E402
from tests.support import RestClient, Tenant, make_tenant  # noqa: E402

METER = install_meter()
ROUND_TRIPS = round_trips.install()


@pytest.fixture(autouse=True)
def _restore_environment() -> Iterator[None]:
    """chalice.test.Client swaps os.environ per request, which is not thread-safe: tests that
    call it from several threads could otherwise leak its values into later tests."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture
def aws() -> Iterator[None]:
    """A fresh in-process DynamoDB with both tables and empty caches."""
    from chalicelib.metadata import registry
    from chalicelib.storage.schema import ensure_tables
    from local_stack import emulator

    emulator.install()  # once per process: the same embedded DynamoDB as `make run`
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


@pytest.fixture
def limiter_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rate limits off, for tests counting the DynamoDB calls of the workspace's data: the
    limiter's one UpdateItem per request is asserted by tests/functional/test_rate_limits.py."""
    from tests.rate_limit_support import set_limits

    set_limits(monkeypatch, key=0, workspace=0)


@pytest.fixture
def round_trip_clock() -> round_trips.RoundTrips:
    """Sequential DynamoDB round trips (tests/round_trips.py): `with clock.counting() as n:`."""
    return ROUND_TRIPS


@pytest.fixture
def tenant(aws: None) -> Tenant:
    return make_tenant()


@pytest.fixture
def client(aws: None) -> Iterator[object]:
    from chalice.test import Client

    from app import app

    with Client(app) as test_client:
        yield test_client


@pytest.fixture
def rest(client: object, tenant: Tenant) -> RestClient:
    return RestClient(client.http, tenant)  # type: ignore[attr-defined]
