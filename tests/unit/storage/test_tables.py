"""The pynamodb models and the CreateTable requests follow the one table definition."""

from __future__ import annotations

from chalicelib.storage.models import MAIN_TABLE_ITEMS, ApiKeyItem
from chalicelib.storage.tables import KEYS_TABLE, MAIN_TABLE, create_table_request


def key_names(schema):
    return {entry["KeyType"]: entry["AttributeName"] for entry in schema}


def test_every_main_table_item_uses_the_main_table_keys():
    for item in MAIN_TABLE_ITEMS:
        schema = item._get_schema()
        assert key_names(schema["key_schema"]) == {
            "HASH": MAIN_TABLE.hash_key,
            "RANGE": MAIN_TABLE.range_key,
        }
        assert item.Meta.stream_view_type == MAIN_TABLE.stream_view_type


def test_api_key_item_uses_the_keys_table_definition_and_its_indexes():
    schema = ApiKeyItem._get_schema()
    assert key_names(schema["key_schema"]) == {"HASH": KEYS_TABLE.hash_key}
    indexes = {
        index["index_name"]: key_names(index["key_schema"])
        for index in schema["global_secondary_indexes"]
    }
    expected = {
        gsi.name: {"HASH": gsi.hash_key, **({"RANGE": gsi.range_key} if gsi.range_key else {})}
        for gsi in KEYS_TABLE.gsis
    }
    assert indexes == expected


def test_create_table_request_declares_every_key_attribute_and_the_stream():
    request = create_table_request(MAIN_TABLE, "t")
    assert request["BillingMode"] == "PAY_PER_REQUEST"
    declared = {a["AttributeName"] for a in request["AttributeDefinitions"]}
    assert declared == set(MAIN_TABLE.key_attributes())
    assert {"pk", "sk", "ix1pk", "ix8sk"} <= declared
    projections = {i["IndexName"]: i["Projection"] for i in request["GlobalSecondaryIndexes"]}
    assert set(projections) == {f"ix{n}" for n in range(1, 9)} | {"changes"}
    assert {projections[f"ix{n}"]["ProjectionType"] for n in range(1, 9)} == {"KEYS_ONLY"}
    # Delta sync tells a destroyed record from the index alone.
    assert projections["changes"] == {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["chop"]}
    assert request["StreamSpecification"] == {
        "StreamEnabled": True,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    keys_request = create_table_request(KEYS_TABLE, "k")
    assert {i["IndexName"] for i in keys_request["GlobalSecondaryIndexes"]} == {
        "byId",
        "byWorkspace",
    }
    assert "StreamSpecification" not in keys_request
