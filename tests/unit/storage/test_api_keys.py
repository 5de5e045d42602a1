"""The keys table: scopes on old and new items, listing by workspace, lookups through the
eventually consistent GSIs, and the one-transaction token replacement."""

from __future__ import annotations

import uuid
from dataclasses import replace

import boto3
import pytest
from botocore.awsrequest import AWSResponse

from chalicelib.auth.api_keys import authenticate, issue_key, with_current_key
from chalicelib.errors import AuthenticationError, NotFoundError, VersionConflictError
from chalicelib.settings import SETTINGS
from chalicelib.storage import api_keys as key_store
from chalicelib.storage import keys
from chalicelib.storage.api_keys import StoredKey

URL = "https://dynamodb.us-east-1.amazonaws.com/"
WORKSPACE = "11111111-1111-4111-8111-111111111111"
NOW = "2026-01-01T00:00:00.000Z"


def raw_table():
    return boto3.client("dynamodb", region_name=SETTINGS.region)


def key_items() -> list[dict]:
    return raw_table().scan(TableName=SETTINGS.keys_table, ConsistentRead=True)["Items"]


def test_an_item_written_before_scopes_existed_reads_as_a_full_key_never_updated(aws):
    raw_table().put_item(
        TableName=SETTINGS.keys_table,
        Item={
            "keyHash": {"S": keys.api_key_hash("crm_old")},
            "keyId": {"S": "k-old"},
            "workspaceId": {"S": WORKSPACE},
            "name": {"S": "Old"},
            "createdAt": {"S": "2024-01-01T00:00:00.000Z"},
        },
    )
    row = key_store.find_by_token("crm_old")
    assert (row.scope, row.updated_at) == ("full", "2024-01-01T00:00:00.000Z")
    assert authenticate("Bearer crm_old", now=NOW).scope == "full"


def test_a_new_item_stores_its_scope_and_update_time(aws):
    issued = issue_key(WORKSPACE, "Reader", scope="read")
    [item] = key_items()
    assert item["scope"] == {"S": "read"}
    assert item["updatedAt"] == item["createdAt"]
    assert authenticate(f"Bearer {issued.token}", now=NOW).scope == "read"


def test_listing_reads_one_workspace_through_its_index_oldest_first(aws, meter):
    first = issue_key(WORKSPACE, "First")
    second = issue_key(WORKSPACE, "Second")
    issue_key(str(uuid.uuid4()), "Elsewhere")
    meter.reset()
    rows = key_store.list_workspace_keys(WORKSPACE)
    assert [row.key_id for row in rows] == [first.row.key_id, second.row.key_id]
    assert meter.operations == {"Query": 1}


def test_replacing_a_token_is_one_transaction_and_the_old_token_fails_at_once(aws, meter):
    issued = issue_key(WORKSPACE, "Zapier")
    stored = key_store.find_by_id(issued.row.key_id)
    meter.reset()
    row = replace(stored.row, updated_at=NOW)
    key_store.replace_token(stored, "crm_new", row)
    assert meter.operations == {"TransactWriteItems": 1}
    assert key_store.find_by_token(issued.token) is None
    assert key_store.find_by_token("crm_new") == row
    assert [item["keyHash"]["S"] for item in key_items()] == [keys.api_key_hash("crm_new")]


def test_a_token_replacement_after_a_revocation_changes_nothing(aws):
    issued = issue_key(WORKSPACE, "Zapier")
    stored = key_store.find_by_id(issued.row.key_id)
    key_store.mark_revoked(stored.key_hash, NOW)  # between the read and the transaction
    with pytest.raises(VersionConflictError):
        key_store.replace_token(stored, "crm_new", stored.row)
    assert key_store.find_by_token("crm_new") is None
    with pytest.raises(AuthenticationError, match="revoked"):
        authenticate(f"Bearer {issued.token}", now=NOW)


def test_an_update_of_an_item_replaced_meanwhile_is_a_conflict_and_writes_nothing(aws):
    issued = issue_key(WORKSPACE, "Before")
    stale = key_store.find_by_id(issued.row.key_id)
    key_store.replace_token(stale, "crm_new", stale.row)
    with pytest.raises(VersionConflictError):
        key_store.update_key(stale, name="After", expires_at=None, updated_at=NOW)
    assert [item["name"]["S"] for item in key_items()] == ["Before"]
    assert key_store.find_by_token(issued.token) is None


def test_a_change_that_lost_a_race_is_redone_on_a_fresh_read(aws):
    issued = issue_key(WORKSPACE, "Before")
    attempts: list[str] = []

    def rename(stored: StoredKey) -> str:
        attempts.append(stored.key_hash)
        if len(attempts) == 1:  # another request gives the key a new token meanwhile
            key_store.replace_token(stored, "crm_new", stored.row)
        key_store.update_key(stored, name="After", expires_at=None, updated_at=NOW)
        return stored.key_hash

    assert with_current_key(issued.row.key_id, rename) == keys.api_key_hash("crm_new")
    assert len(attempts) == 2
    assert key_store.find_by_token("crm_new").name == "After"


def test_a_key_that_keeps_changing_is_reported_as_a_conflict(aws):
    issued = issue_key(WORKSPACE, "Busy")

    def always_stale(stored: StoredKey) -> None:
        raise VersionConflictError()

    with pytest.raises(VersionConflictError):
        with_current_key(issued.row.key_id, always_stale)
    with pytest.raises(NotFoundError):
        with_current_key(str(uuid.uuid4()), always_stale)


def _stale_index(hashes: list[str], *, times: int):
    """An interceptor answering the byId Query `times` times with `hashes`, as a lagging GSI
    would (an entry of an item deleted since, or none yet for its successor)."""
    left = [times]

    def answer(operation: str, params: dict) -> object:
        if operation != "Query" or params.get("IndexName") != "byId" or left[0] == 0:
            return None
        left[0] -= 1
        items = [{"keyHash": {"S": h}, "keyId": params["ExpressionAttributeValues"][":0"]}
                 for h in hashes]  # fmt: skip
        return AWSResponse(URL, 200, {}, None), {
            "Items": items,
            "Count": len(items),
            "ScannedCount": len(items),
        }

    return answer


def test_a_lookup_by_id_skips_an_index_entry_whose_item_is_gone(aws, meter):
    issued = issue_key(WORKSPACE, "Zapier")
    current = keys.api_key_hash(issued.token)
    meter.interceptors.append(_stale_index([keys.api_key_hash("crm_gone"), current], times=1))
    found = key_store.find_by_id(issued.row.key_id)
    assert found == StoredKey(current, issued.row)


def test_a_lookup_by_id_asks_the_index_again_while_it_names_only_a_deleted_item(aws, meter):
    issued = issue_key(WORKSPACE, "Zapier")
    meter.interceptors.append(_stale_index([keys.api_key_hash("crm_gone")], times=2))
    assert key_store.find_by_id(issued.row.key_id).row == issued.row
    meter.interceptors.clear()
    meter.interceptors.append(_stale_index([keys.api_key_hash("crm_gone")], times=5))
    assert key_store.find_by_id(issued.row.key_id) is None


def test_the_listing_shows_a_key_once_while_the_index_holds_its_old_and_new_items(aws, meter):
    issued = issue_key(WORKSPACE, "Zapier")
    old = raw_table().get_item(
        TableName=SETTINGS.keys_table, Key={"keyHash": {"S": keys.api_key_hash(issued.token)}}
    )["Item"]
    stored = key_store.find_by_id(issued.row.key_id)
    later = "2099-01-01T00:00:00.000Z"
    renewed = replace(stored.row, name="New", updated_at=later)
    key_store.replace_token(stored, "crm_new", renewed)
    new = raw_table().get_item(
        TableName=SETTINGS.keys_table, Key={"keyHash": {"S": keys.api_key_hash("crm_new")}}
    )["Item"]

    def lagging(operation: str, params: dict) -> object:
        if operation == "Query" and params.get("IndexName") == "byWorkspace":
            page = {"Items": [new, old], "Count": 2, "ScannedCount": 2}
            return AWSResponse(URL, 200, {}, None), page
        return None

    meter.interceptors.append(lagging)
    assert [row.name for row in key_store.list_workspace_keys(WORKSPACE)] == ["New"]
