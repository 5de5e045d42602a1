"""The project's DynamoDB access patterns as one deterministic script of wire-level calls.

`run()` creates both tables (storage/tables.py) in the active moto mock, writes records, index
keys, guards and counters the way storage/executor.py does (conditional puts, updates,
transactions, cancelled ones among them, batch writes), reads them back every way
storage/records.py does (Query on the table and on the index slots with each key condition,
both directions, Limit + ExclusiveStartKey paging, filters, counts, BatchGetItem), and returns
every answer. The parity test runs it once on plain moto (`python -m
tests.unit.local_stack.access_patterns`, printing JSON) and once with the emulator installed.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

MAIN = "parity-main"
KEYS = "parity-keys"
WORKSPACE = "0b7e1c7a-0000-4000-8000-000000000001"
OBJECTS = ("5a1d0000-0000-4000-8000-00000000000a", "5a1d0000-0000-4000-8000-00000000000b")
RECORDS = 140  # per object: a few pages of 60 in both directions


def _s(text: str) -> dict[str, str]:
    return {"S": text}


def _n(number: int) -> dict[str, str]:
    return {"N": str(number)}


def record_id(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012x}"


def _record(object_id: str, n: int) -> dict[str, Any]:
    from chalicelib.storage import keys

    rid = record_id(n)
    name = f"Company {n % 37:02d}" if n % 5 else "Shared"
    item = {
        "pk": _s(keys.record_pk(WORKSPACE, object_id)),
        "sk": _s(rid),
        "d": _s(json.dumps({"name": name, "employees": n % 11})),
        "v": _n(1),
    }
    if n % 4:  # a quarter of the records are not in index slot 1 (a null-less sparse index)
        item["ix1pk"] = _s(keys.index_pk(WORKSPACE, object_id, 1))
        item["ix1sk"] = _s(keys.index_sk((name.casefold(), name), rid))
    item["ix2pk"] = _s(keys.index_pk(WORKSPACE, object_id, 2))
    item["ix2sk"] = _s(keys.index_sk(n % 11 if n % 7 else None, rid))
    if n % 9 == 0:
        item["deletedAt"] = _s("2026-01-01T00:00:00.000Z")
    if n % 23 == 0:
        item["tomb"] = {"BOOL": True}
    return item


class Recorder:
    def __init__(self, client: Any) -> None:
        self.client = client
        self.answers: list[Any] = []

    def __call__(self, operation: str, **request: Any) -> dict[str, Any] | None:
        from botocore.exceptions import ClientError

        try:
            answer = getattr(self.client, operation)(**request)
        except ClientError as error:
            response = error.response
            self.answers.append(
                [operation, "error", response["Error"], response.get("CancellationReasons")]
            )
            return None
        answer.pop("ResponseMetadata", None)
        self.answers.append([operation, "ok", answer])
        return answer


def _create_tables(call: Recorder) -> None:
    from chalicelib.storage.tables import KEYS_TABLE, MAIN_TABLE, create_table_request

    call.client.create_table(**create_table_request(MAIN_TABLE, MAIN))
    call.client.create_table(**create_table_request(KEYS_TABLE, KEYS))


def _write(call: Recorder) -> None:
    from chalicelib.storage import keys

    new_id = "attribute_not_exists(pk) OR attribute_exists(tomb)"
    for object_id in OBJECTS:
        for n in range(RECORDS):
            call("put_item", TableName=MAIN, Item=_record(object_id, n), ConditionExpression=new_id)
    # A create over an existing id fails; an update at the read version lands, a stale one fails.
    call("put_item", TableName=MAIN, Item=_record(OBJECTS[0], 3), ConditionExpression=new_id)
    at_version = {"ConditionExpression": "v = :v", "ExpressionAttributeValues": {":v": _n(1)}}
    updated = {**_record(OBJECTS[0], 4), "v": _n(2)}
    call("put_item", TableName=MAIN, Item=updated, **at_version)
    call("put_item", TableName=MAIN, Item=updated, **at_version)
    counter = {"pk": _s(f"WS#{WORKSPACE}"), "sk": _s(f"COUNT#{OBJECTS[0]}")}
    for delta in (5, -2, 7):
        call(
            "update_item",
            TableName=MAIN,
            Key=counter,
            UpdateExpression="ADD live :n",
            ExpressionAttributeValues={":n": _n(delta)},
            ReturnValues="UPDATED_NEW",
        )
    key = {"pk": _s(keys.record_pk(WORKSPACE, OBJECTS[0])), "sk": _s(record_id(8))}
    for version in (1, 1):  # moves the record in index slot 2, then fails on the version
        call(
            "update_item",
            TableName=MAIN,
            Key=key,
            UpdateExpression="SET #s = :s, v = v + :one",
            ConditionExpression="v = :v",
            ExpressionAttributeNames={"#s": "ix2sk"},
            ExpressionAttributeValues={
                ":s": _s(keys.index_sk(99, record_id(8))),
                ":v": _n(version),
                ":one": _n(1),
            },
            ReturnValues="ALL_OLD",
        )
    call(
        "delete_item",
        TableName=MAIN,
        Key=key,
        ConditionExpression="v = :v",
        ExpressionAttributeValues={":v": _n(1)},
    )


def _guard(value: str, rid: str) -> dict[str, Any]:
    from chalicelib.storage import keys

    guard = keys.unique_guard_key(WORKSPACE, OBJECTS[1], "emails.primaryEmail", value)
    return {"pk": _s(guard.pk), "sk": _s(guard.sk), "recordId": _s(rid)}


def _transactions(call: Recorder) -> None:
    from chalicelib.storage import keys

    is_new = "attribute_not_exists(pk)"
    live = "attribute_exists(pk) AND attribute_not_exists(deletedAt)"
    record_pk = keys.record_pk(WORKSPACE, OBJECTS[1])
    counter = {"pk": _s(f"WS#{WORKSPACE}"), "sk": _s(f"COUNT#{OBJECTS[1]}")}

    def batch(first: int, *, guard_value: str, target: int) -> list[dict[str, Any]]:
        actions: list[dict[str, Any]] = [
            {
                "ConditionCheck": {
                    "TableName": MAIN,
                    "ConditionExpression": live,
                    "Key": {"pk": _s(record_pk), "sk": _s(record_id(target))},
                }
            }
        ]
        for n in range(first, first + 5):
            actions.append(
                {
                    "Put": {
                        "TableName": MAIN,
                        "Item": _record(OBJECTS[1], n),
                        "ConditionExpression": is_new,
                    }
                }
            )
        actions.append(
            {
                "Put": {
                    "TableName": MAIN,
                    "Item": _guard(guard_value, record_id(first)),
                    "ConditionExpression": is_new,
                }
            }
        )
        actions.append(
            {
                "Update": {
                    "TableName": MAIN,
                    "Key": counter,
                    "UpdateExpression": "ADD live :n",
                    "ExpressionAttributeValues": {":n": _n(5)},
                }
            }
        )
        return actions

    call("transact_write_items", TransactItems=batch(1000, guard_value="a@x.io", target=1))
    # Cancelled by its last Put (the guard is taken) after five records were applied.
    call("transact_write_items", TransactItems=batch(1010, guard_value="a@x.io", target=1))
    # Cancelled by its first check (target 9 is soft-deleted), and by a stale version.
    call("transact_write_items", TransactItems=batch(1020, guard_value="b@x.io", target=9))
    stale = {
        "Put": {
            "TableName": MAIN,
            "Item": _record(OBJECTS[1], 5),
            "ConditionExpression": "v = :v",
            "ExpressionAttributeValues": {":v": _n(7)},
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
    }
    call(
        "transact_write_items", TransactItems=[*batch(1030, guard_value="c@x.io", target=1), stale]
    )
    # Two actions on one item: refused before anything is applied.
    twice = batch(1040, guard_value="d@x.io", target=1)
    call("transact_write_items", TransactItems=[*twice, twice[1]])
    call("get_item", TableName=MAIN, Key=counter, ConsistentRead=True)
    call("get_item", TableName=MAIN, Key={"pk": _s(record_pk), "sk": _s(record_id(1011))})


def _query_pages(call: Recorder, request: dict[str, Any], limit: int) -> None:
    """Every page of a Query, following LastEvaluatedKey."""
    request = {**request, "Limit": limit}
    while True:
        answer = call("query", **request)
        if not answer or "LastEvaluatedKey" not in answer:
            return
        request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]


def _table_queries(call: Recorder) -> None:
    from chalicelib.storage import keys

    pk = keys.record_pk(WORKSPACE, OBJECTS[0])
    live = "attribute_not_exists(deletedAt) AND attribute_not_exists(tomb)"
    base = {"TableName": MAIN, "ConsistentRead": True, "ExpressionAttributeValues": {":pk": _s(pk)}}
    conditions = [
        ("pk = :pk", {}),
        ("pk = :pk AND sk > :c", {":c": _s(record_id(17))}),
        ("pk = :pk AND sk < :c", {":c": _s(record_id(101))}),
        ("pk = :pk AND sk >= :c", {":c": _s(record_id(60))}),
        ("pk = :pk AND sk <= :c", {":c": _s(record_id(60))}),
        ("pk = :pk AND sk = :c", {":c": _s(record_id(33))}),
        ("pk = :pk AND sk BETWEEN :a AND :b", {":a": _s(record_id(20)), ":b": _s(record_id(90))}),
        ("pk = :pk AND begins_with(sk, :p)", {":p": _s(record_id(0)[:-2])}),
    ]
    for condition, values in conditions:
        for forward in (True, False):
            request = {
                **base,
                "KeyConditionExpression": condition,
                "ScanIndexForward": forward,
                "ExpressionAttributeValues": {":pk": _s(pk), **values},
            }
            call("query", **request)
            _query_pages(call, {**request, "FilterExpression": live}, 61)
            _query_pages(call, request, 29)
    call("query", **base, KeyConditionExpression="pk = :pk", Select="COUNT")
    call("query", **base, KeyConditionExpression="pk = :pk", Select="COUNT", FilterExpression=live)
    meta = {
        "TableName": MAIN,
        "KeyConditionExpression": "pk = :pk",
        "ExpressionAttributeValues": {":pk": _s(f"WS#{WORKSPACE}")},
    }
    call("query", **meta)


def _index_queries(call: Recorder) -> None:
    from chalicelib.storage import keys

    for slot in (1, 2):
        name = f"ix{slot}"
        pk = keys.index_pk(WORKSPACE, OBJECTS[0], slot)
        low, high = keys.index_key_range(nulls=False, lower=(3, True), upper=(8, False))[1]
        ranges = [
            ("", {}),
            (f" AND begins_with({name}sk, :a)", {":a": _s("1shared")}),
            (f" AND begins_with({name}sk, :a)", {":a": _s(keys.NULL_MARK)}),
            (f" AND {name}sk BETWEEN :a AND :b", {":a": _s(low), ":b": _s(high)}),
            (f" AND {name}sk BETWEEN :a AND :b", {":a": _s("1"), ":b": _s("2")}),
            (f" AND {name}sk > :a", {":a": _s("1company 20")}),
            (f" AND {name}sk <= :a", {":a": _s("1company 20")}),
        ]
        for condition, values in ranges:
            for forward in (True, False):
                request = {
                    "TableName": MAIN,
                    "IndexName": name,
                    "ScanIndexForward": forward,
                    "KeyConditionExpression": f"{name}pk = :pk{condition}",
                    "ExpressionAttributeValues": {":pk": _s(pk), **values},
                }
                _query_pages(call, request, 60)
                _query_pages(call, request, 23)
                call("query", **request, Select="COUNT")


def _keys_table(call: Recorder) -> None:
    for n in range(6):
        item = {
            "keyHash": _s(f"hash-{n}"),
            "keyId": _s(f"key-{n % 4}"),
            "workspaceId": _s(f"ws-{n % 2}"),
            "name": _s(f"Key {n}"),
        }
        call(
            "put_item",
            TableName=KEYS,
            Item=item,
            ConditionExpression="attribute_not_exists(keyHash)",
        )
    call(
        "put_item",
        TableName=KEYS,
        Item={
            "keyHash": _s("hash-1"),
            "keyId": _s("x"),
            "workspaceId": _s("ws-9"),
            "name": _s("dup"),
        },
        ConditionExpression="attribute_not_exists(keyHash)",
    )
    call("delete_item", TableName=KEYS, Key={"keyHash": _s("hash-5")})
    for key_id in ("key-0", "key-1", "key-3"):
        call(
            "query",
            TableName=KEYS,
            IndexName="byId",
            KeyConditionExpression="keyId = :k",
            ExpressionAttributeValues={":k": _s(key_id)},
            Limit=1,
        )
    _query_pages(
        call,
        {
            "TableName": KEYS,
            "IndexName": "byWorkspace",
            "KeyConditionExpression": "workspaceId = :w",
            "ExpressionAttributeValues": {":w": _s("ws-0")},
        },
        1,
    )
    call(
        "query",
        TableName=KEYS,
        KeyConditionExpression="keyHash = :h",
        ExpressionAttributeValues={":h": _s("hash-2")},
    )


def _batches(call: Recorder) -> None:
    from chalicelib.storage import keys

    pk = keys.record_pk(WORKSPACE, OBJECTS[0])
    wanted = [{"pk": _s(pk), "sk": _s(record_id(n))} for n in range(0, 200, 3)]
    call("batch_get_item", RequestItems={MAIN: {"Keys": wanted, "ConsistentRead": True}})
    puts = [{"PutRequest": {"Item": _record(OBJECTS[0], n)}} for n in range(500, 520)]
    deletes = [
        {"DeleteRequest": {"Key": {"pk": _s(pk), "sk": _s(record_id(n))}}} for n in range(30, 35)
    ]
    call("batch_write_item", RequestItems={MAIN: puts + deletes})
    call(
        "batch_get_item",
        RequestItems={
            MAIN: {
                "Keys": wanted[:20] + [{"pk": _s(pk), "sk": _s(record_id(n))} for n in (31, 505)]
            }
        },
    )


def _everything(call: Recorder) -> None:
    """The whole final state, every item of both tables, in a stable order."""
    for table in (MAIN, KEYS):
        items: list[Any] = []
        request: dict[str, Any] = {"TableName": table}
        while True:
            answer = call.client.scan(**request)
            items.extend(answer["Items"])
            if "LastEvaluatedKey" not in answer:
                break
            request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]
        items.sort(key=lambda item: json.dumps(item, sort_keys=True))
        call.answers.append(["final state", table, items])


def run() -> list[Any]:
    """Every answer of the script, in the active moto mock."""
    import boto3

    call = Recorder(boto3.client("dynamodb", region_name="us-east-1"))
    _create_tables(call)
    _write(call)
    _transactions(call)
    _table_queries(call)
    _index_queries(call)
    _keys_table(call)
    _batches(call)
    _table_queries(call)  # again, after the batch writes moved the partition
    _everything(call)
    return call.answers


def fake_credentials() -> dict[str, str]:
    return {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }


def main() -> None:
    from moto import mock_aws

    os.environ.update(fake_credentials())
    with mock_aws():
        answers = run()
    json.dump(answers, sys.stdout, default=str)


if __name__ == "__main__":
    main()
