"""Both tables on the emulator (in-process moto, `install()`ed), and helpers to read them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
from moto import mock_aws

from chalicelib.storage.tables import KEYS_TABLE, MAIN_TABLE, create_table_request
from local_stack import emulator

MAIN = "emulator-main"
KEYS = "emulator-keys"


@contextmanager
def emulated_tables() -> Iterator[Any]:
    """A boto3 DynamoDB client on a fresh emulated DynamoDB holding both tables."""
    emulator.install()
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(**create_table_request(MAIN_TABLE, MAIN))
        client.create_table(**create_table_request(KEYS_TABLE, KEYS))
        yield client


def s(text: str) -> dict[str, str]:
    return {"S": text}


def record(n: int, *, pk: str = "WS#w#REC#o", name: str | None = None) -> dict[str, Any]:
    """A record item in index slot 1 (by name) like storage/executor.py writes it."""
    rid = f"r{n:05d}"
    label = name if name is not None else f"name {n % 10}"
    return {
        "pk": s(pk),
        "sk": s(rid),
        "d": s(json.dumps({"name": label})),
        "v": {"N": "1"},
        "ix1pk": s("WS#w#IX#o#1"),
        "ix1sk": s(f"1{label}\x01{rid}"),
    }


def everything(client: Any, table: str = MAIN) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    request: dict[str, Any] = {"TableName": table}
    while True:
        answer = client.scan(**request)
        items.extend(answer["Items"])
        if "LastEvaluatedKey" not in answer:
            return sorted(items, key=lambda item: (item["pk"]["S"], item["sk"]["S"]))
        request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]


def index_keys(client: Any, **condition: Any) -> list[str]:
    """Every record id of index slot 1, in index order, page by page."""
    request: dict[str, Any] = {
        "TableName": MAIN,
        "IndexName": "ix1",
        "KeyConditionExpression": "ix1pk = :p",
        "ExpressionAttributeValues": {":p": s("WS#w#IX#o#1")},
        "Limit": 7,
        **condition,
    }
    found: list[str] = []
    while True:
        answer = client.query(**request)
        found += [item["sk"]["S"] for item in answer["Items"]]
        if "LastEvaluatedKey" not in answer:
            return found
        request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]
