"""One botocore client per container: every item class sends through the shared connection, and
creating its client does not walk botocore's data directory (first-request cost, cold start)."""

from __future__ import annotations

import os

from chalicelib.storage import connection
from chalicelib.storage.models import MAIN_TABLE_ITEMS, ApiKeyItem


def test_every_item_class_sends_through_the_one_shared_connection():
    shared = connection.shared_connection()
    for item in (*MAIN_TABLE_ITEMS, ApiKeyItem):
        assert item._get_connection().connection is shared
    # Each table's key schema is known to it, whichever class asked first.
    for item in (MAIN_TABLE_ITEMS[0], ApiKeyItem):
        assert shared.get_meta_table(item.Meta.table_name).table_name == item.Meta.table_name


def test_loading_dynamodb_s_model_lists_its_own_directory_not_every_service(monkeypatch):
    listed: list[str] = []
    real_listdir = os.listdir

    def listdir(path: str) -> list[str]:
        listed.append(path)
        return real_listdir(path)

    monkeypatch.setattr(os, "listdir", listdir)
    loader = connection._DynamoDBDataLoader()
    model = loader.load_service_model("dynamodb", "service-2")
    assert model["metadata"]["serviceId"] == "DynamoDB"
    # botocore's own loader lists each of ~450 service directories first.
    assert 0 < len(listed) <= 3
    assert all("dynamodb" in path for path in listed)
