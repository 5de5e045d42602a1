"""Rate-limit windows in the main table, against the embedded DynamoDB: one conditional
UpdateItem charges both counts or neither, and tells them either way."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from chalicelib.errors import StorageUnavailableError
from chalicelib.settings import SETTINGS
from chalicelib.storage import keys
from chalicelib.storage.connection import shared_connection
from chalicelib.storage.rate_limits import (
    EXPIRY_MARGIN_SECONDS,
    WindowCharge,
    charge_window,
    key_count_attribute,
)
from chalicelib.storage.tables import KEYS_TABLE

WORKSPACE = "11111111-1111-4111-8111-111111111111"
KEY = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
OTHER_KEY = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"
WINDOW = 1_800_000_000


def charge(key_id: str = KEY, *, key_limit: int = 3, workspace_limit: int = 5, window=WINDOW):
    return charge_window(
        WORKSPACE,
        key_id,
        window_start=window,
        window_seconds=60,
        workspace_limit=workspace_limit,
        key_limit=key_limit,
    )


def stored_window(window: int = WINDOW) -> dict[str, Any]:
    client = boto3.client("dynamodb", region_name=SETTINGS.region)
    found = client.get_item(
        TableName=SETTINGS.keys_table,
        Key={"keyHash": {"S": keys.rate_window_hash(WORKSPACE, window)}},
        ConsistentRead=True,
    )
    return found.get("Item", {})


def test_each_charge_counts_the_key_and_the_workspace_and_returns_both_counts(aws):
    assert charge() == WindowCharge(admitted=True, workspace_count=1, key_count=1)
    assert charge() == WindowCharge(admitted=True, workspace_count=2, key_count=2)
    assert charge(OTHER_KEY) == WindowCharge(admitted=True, workspace_count=3, key_count=1)


def test_a_key_at_its_limit_is_refused_and_nothing_is_counted(aws):
    for _ in range(3):
        assert charge().admitted
    before = stored_window()
    refused = charge()
    assert refused == WindowCharge(admitted=False, workspace_count=3, key_count=3)
    assert stored_window() == before


def test_a_refusal_by_the_key_limit_does_not_use_up_the_workspace_limit(aws):
    for _ in range(3):
        charge()
    for _ in range(5):
        assert not charge().admitted
    # Had the refused requests counted, the workspace would be at 8 of 5.
    assert charge(OTHER_KEY) == WindowCharge(admitted=True, workspace_count=4, key_count=1)


def test_two_keys_share_the_workspace_limit(aws):
    for _ in range(3):
        assert charge().admitted
    assert charge(OTHER_KEY).admitted
    assert charge(OTHER_KEY).admitted
    assert charge(OTHER_KEY) == WindowCharge(admitted=False, workspace_count=5, key_count=2)


def test_a_limit_that_is_off_keeps_no_count(aws):
    assert charge(key_limit=0) == WindowCharge(admitted=True, workspace_count=1, key_count=None)
    assert charge(workspace_limit=0) == WindowCharge(
        admitted=True, workspace_count=None, key_count=1
    )
    item = stored_window()
    assert item["ws"] == {"N": "1"} and item[key_count_attribute(KEY)] == {"N": "1"}


def test_each_minute_is_its_own_window(aws):
    for _ in range(3):
        charge()
    assert not charge().admitted
    assert charge(window=WINDOW + 60) == WindowCharge(admitted=True, workspace_count=1, key_count=1)


def test_a_window_expires_by_ttl_shortly_after_it_ends(aws):
    charge()
    assert stored_window()["expiresAt"] == {"N": str(WINDOW + 60 + EXPIRY_MARGIN_SECONDS)}


def test_a_charge_is_one_update_item_whether_admitted_or_refused(aws, meter):
    for expected_admitted in (True, True, True, False):
        meter.reset()
        assert charge().admitted is expected_admitted
        assert meter.operations == {"UpdateItem": 1}


@pytest.fixture
def throttled_updates(aws: None) -> Iterator[list[str]]:
    """Every UpdateItem of the shared client is throttled before it reaches the table."""
    sent: list[str] = []

    def throttle(request: Any, **_: Any) -> None:
        sent.append("UpdateItem")
        error = {"Code": "ThrottlingException", "Message": "injected"}
        raise ClientError(
            {"Error": error, "ResponseMetadata": {"HTTPStatusCode": 400}}, "UpdateItem"
        )

    events = shared_connection().client.meta.events
    events.register_first("before-send.dynamodb.UpdateItem", throttle)
    yield sent
    events.unregister("before-send.dynamodb.UpdateItem", throttle)


def test_a_throttled_charge_is_retried_once_then_reported_unavailable(throttled_updates):
    with pytest.raises(StorageUnavailableError):
        charge()
    assert throttled_updates == ["UpdateItem", "UpdateItem"]


def test_windows_live_in_the_keys_table_which_has_no_stream_to_wake(aws):
    charge()
    assert stored_window()["ws"] == {"N": "1"}
    assert KEYS_TABLE.stream_view_type is None and KEYS_TABLE.ttl_attribute == "expiresAt"
    # A window's hash can never be taken for a token's SHA-256 (64 hex digits).
    window_hash = keys.rate_window_hash(WORKSPACE, WINDOW)
    assert window_hash.startswith("RATE#") and len(window_hash) != 64
