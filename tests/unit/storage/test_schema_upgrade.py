"""A local data folder saved before an index existed gets it when the stack starts again."""

from __future__ import annotations

import botocore.session

from chalicelib.settings import SETTINGS
from chalicelib.storage import schema
from chalicelib.storage.tables import MAIN_TABLE, create_table_request


def _index_names(client, name: str) -> set[str]:  # type: ignore[no-untyped-def]
    table = client.describe_table(TableName=name)["Table"]
    return {index["IndexName"] for index in table.get("GlobalSecondaryIndexes") or ()}


def test_an_existing_table_gains_the_indexes_its_definition_added(aws):
    client = botocore.session.get_session().create_client("dynamodb", region_name=SETTINGS.region)
    client.delete_table(TableName=SETTINGS.main_table)
    older = create_table_request(MAIN_TABLE, SETTINGS.main_table)
    older["GlobalSecondaryIndexes"] = [
        index for index in older["GlobalSecondaryIndexes"] if index["IndexName"] != "changes"
    ]
    older["AttributeDefinitions"] = [
        attribute
        for attribute in older["AttributeDefinitions"]
        if attribute["AttributeName"] not in ("chpk", "chsk")
    ]
    client.create_table(**older)
    assert "changes" not in _index_names(client, SETTINGS.main_table)

    assert schema.ensure_tables() == []

    assert _index_names(client, SETTINGS.main_table) == {index.name for index in MAIN_TABLE.gsis}
    schema.ensure_tables()  # and again: nothing left to add, nothing refused
    assert _index_names(client, SETTINGS.main_table) == {index.name for index in MAIN_TABLE.gsis}
