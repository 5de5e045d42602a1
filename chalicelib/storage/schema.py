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
    """Create whichever table is missing; returns the names created. Safe to call repeatedly."""
    client = _client()
    created = []
    for name, table in table_definitions().items():
        try:
            client.create_table(**create_table_request(table, name))
            created.append(name)
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ResourceInUseException":
                raise
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
