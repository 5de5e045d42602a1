"""Create both tables from storage/tables.py (local stack, tests); infra/ deploys the same."""

from __future__ import annotations

import logging

import botocore.session
from botocore.exceptions import ClientError

from chalicelib.settings import SETTINGS
from chalicelib.storage.tables import KEYS_TABLE, MAIN_TABLE, TableDef, create_table_request

logger = logging.getLogger(__name__)


def _client():  # type: ignore[no-untyped-def]
    return botocore.session.get_session().create_client("dynamodb", region_name=SETTINGS.region)


def table_definitions() -> dict[str, TableDef]:
    return {SETTINGS.main_table: MAIN_TABLE, SETTINGS.keys_table: KEYS_TABLE}


def ensure_tables() -> list[str]:
    """Create whichever table is missing, and add to an existing one the indexes its definition
    gained since (a local data folder saved by an older version); returns the names created.
    Safe to call repeatedly."""
    client = _client()
    created = []
    for name, table in table_definitions().items():
        try:
            client.create_table(**create_table_request(table, name))
            created.append(name)
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ResourceInUseException":
                raise
            _add_missing_indexes(client, name, table)
    definitions = table_definitions()
    for name in created:
        client.get_waiter("table_exists").wait(TableName=name)
        if definitions[name].ttl_attribute:
            client.update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={
                    "Enabled": True,
                    "AttributeName": definitions[name].ttl_attribute,
                },
            )
        logger.info("created table %s", name)
    return created


def _add_missing_indexes(client, name: str, table: TableDef) -> None:  # type: ignore[no-untyped-def]
    """UpdateTable for each GSI of the definition the existing table lacks (one per call, as
    DynamoDB allows). Items written before carry none of its keys, so it starts empty."""
    existing = client.describe_table(TableName=name)["Table"]
    have = {index["IndexName"] for index in existing.get("GlobalSecondaryIndexes") or ()}
    wanted = create_table_request(table, name)
    for index in wanted.get("GlobalSecondaryIndexes") or ():
        if index["IndexName"] in have:
            continue
        client.update_table(
            TableName=name,
            AttributeDefinitions=wanted["AttributeDefinitions"],
            GlobalSecondaryIndexUpdates=[{"Create": index}],
        )
        logger.info("added index %s to table %s", index["IndexName"], name)
