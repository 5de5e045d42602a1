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


def test_the_data_loader_reads_every_file_a_dynamodb_client_loads_as_botocore_does():
    from botocore.loaders import JSONFileLoader, Loader

    ours, botocores = connection._DynamoDBDataLoader().file_loader, JSONFileLoader()
    data_dir = Loader.BUILTIN_DATA_PATH
    files = [
        os.path.join(data_dir, name)
        for name in ("endpoints", "partitions", "sdk-default-configuration", "_retry")
    ] + [
        # DynamoDB's own model and endpoint rules ship compressed.
        os.path.join(data_dir, "dynamodb", "2012-08-10", name)
        for name in ("service-2", "endpoint-rule-set-1", "paginators-1")
    ]
    for path in files:
        expected = botocores.load_file(path)
        assert expected is not None, path
        loaded = ours.load_file(path)
        assert loaded == expected, path
        # Member order is meaningful to botocore (shapes, endpoint rules) and kept.
        assert list(loaded) == list(expected)
    assert ours.load_file(os.path.join(data_dir, "no-such-file")) is None
    # And it is the one the container's client loads its data with.
    session_loader = connection._botocore_session().get_component("data_loader")
    assert isinstance(session_loader.file_loader, connection._FastJSONFileLoader)
