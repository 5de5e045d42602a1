"""A write that fails changes nothing: items, index answers and stream records stay as they were."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from botocore.exceptions import ClientError
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.table import Table

from tests.unit.local_stack.emulated import MAIN, everything, index_keys, record, s

IS_NEW = "attribute_not_exists(pk)"


def _seed(client: Any, count: int = 40) -> None:
    for n in range(count):
        client.put_item(TableName=MAIN, Item=record(n))


def _stream_records() -> int:
    table = dynamodb_backends["123456789012"]["us-east-1"].get_table(MAIN)
    return table.stream_shard.starting_sequence_number + len(table.stream_shard.items)


def _put(item: dict[str, Any], condition: str = IS_NEW, **extra: Any) -> dict[str, Any]:
    return {"Put": {"TableName": MAIN, "Item": item, "ConditionExpression": condition, **extra}}


def test_a_transaction_cancelled_by_its_last_condition_leaves_every_item_and_index_as_it_was(
    dynamodb,
):
    _seed(dynamodb)
    before, index_before, stream_before = (
        everything(dynamodb),
        index_keys(dynamodb),
        _stream_records(),
    )
    renamed = {**record(3, name="aaa first"), "v": {"N": "2"}}
    actions = [
        # Applied one after the other before the last one fails: new records, a rename that
        # moves a record to the head of the index, a delete and a counter update.
        *[_put(record(n)) for n in range(100, 105)],
        _put(renamed, "v = :v", ExpressionAttributeValues={":v": {"N": "1"}}),
        {"Delete": {"TableName": MAIN, "Key": {"pk": s("WS#w#REC#o"), "sk": s("r00007")}}},
        {
            "Update": {
                "TableName": MAIN,
                "Key": {"pk": s("WS#w"), "sk": s("COUNT#o")},
                "UpdateExpression": "ADD live :n",
                "ExpressionAttributeValues": {":n": {"N": "6"}},
            }
        },
        _put(record(5)),  # exists already: the condition fails last
    ]

    with pytest.raises(ClientError) as refused:
        dynamodb.transact_write_items(TransactItems=actions)

    assert refused.value.response["Error"]["Code"] == "TransactionCanceledException"
    reasons = [reason["Code"] for reason in refused.value.response["CancellationReasons"]]
    assert reasons == ["None"] * 8 + ["ConditionalCheckFailed"]
    assert everything(dynamodb) == before
    assert index_keys(dynamodb) == index_before
    assert index_keys(dynamodb, ScanIndexForward=False) == index_before[::-1]
    assert _stream_records() == stream_before


def test_two_actions_on_one_item_are_refused_before_either_is_applied(dynamodb):
    _seed(dynamodb, 3)
    guard = {"pk": s("WS#w#UQ#o"), "sk": s("email#=a@x.io"), "recordId": s("r00001")}
    dynamodb.put_item(TableName=MAIN, Item=guard)
    # Releasing the guard and re-taking it in one transaction: refused whole, as DynamoDB does.
    with pytest.raises(ClientError) as refused:
        dynamodb.transact_write_items(
            TransactItems=[
                {"Delete": {"TableName": MAIN, "Key": {"pk": guard["pk"], "sk": guard["sk"]}}},
                _put({**guard, "recordId": s("r00002")}),
            ]
        )
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert (
        dynamodb.get_item(TableName=MAIN, Key={"pk": guard["pk"], "sk": guard["sk"]})["Item"]
        == guard
    )


def test_a_committed_transaction_is_visible_in_the_table_and_its_index(dynamodb):
    _seed(dynamodb, 5)
    dynamodb.transact_write_items(
        TransactItems=[_put(record(200, name="aaa")), _put(record(201, name="zzz"))]
    )
    keys = index_keys(dynamodb)
    assert keys[0] == "r00200" and keys[-1] == "r00201" and len(keys) == 7


def test_an_update_refused_for_size_leaves_the_item_as_it_was(dynamodb):
    _seed(dynamodb, 2)
    key = {"pk": s("WS#w#REC#o"), "sk": s("r00001")}
    before = dynamodb.get_item(TableName=MAIN, Key=key)["Item"]
    with pytest.raises(ClientError) as refused:
        dynamodb.update_item(
            TableName=MAIN,
            Key=key,
            # The first assignment fits; the second takes the item past 400 KB.
            UpdateExpression="SET ix1sk = :moved, big = :big",
            ExpressionAttributeValues={":moved": s("1aaa\x01r00001"), ":big": s("x" * 409_600)},
        )
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert dynamodb.get_item(TableName=MAIN, Key=key)["Item"] == before
    assert index_keys(dynamodb) == ["r00000", "r00001"]


def test_a_transaction_copies_no_table(dynamodb, monkeypatch):
    _seed(dynamodb, 10)
    copies: list[Table] = []

    def counting_copy(self: Table, memo: dict) -> Table:
        copies.append(self)
        clone = Table.__new__(Table)
        clone.__dict__.update(copy.deepcopy(self.__dict__, memo))
        return clone

    monkeypatch.setattr(Table, "__deepcopy__", counting_copy, raising=False)
    dynamodb.transact_write_items(TransactItems=[_put(record(300))])
    with pytest.raises(ClientError):
        dynamodb.transact_write_items(TransactItems=[_put(record(301)), _put(record(1))])
    assert copies == []
    assert len(everything(dynamodb)) == 11


def test_a_transaction_retried_with_its_token_is_applied_once(dynamodb):
    counter = {"pk": s("WS#w"), "sk": s("COUNT#o")}
    actions = [
        _put(record(1)),
        {
            "Update": {
                "TableName": MAIN,
                "Key": counter,
                "UpdateExpression": "ADD live :n",
                "ExpressionAttributeValues": {":n": {"N": "1"}},
            }
        },
    ]
    dynamodb.transact_write_items(TransactItems=actions, ClientRequestToken="token-1")
    # The retry of a committed transaction succeeds without being applied again.
    dynamodb.transact_write_items(TransactItems=actions, ClientRequestToken="token-1")
    assert dynamodb.get_item(TableName=MAIN, Key=counter)["Item"]["live"] == {"N": "1"}
    with pytest.raises(ClientError) as reused:
        dynamodb.transact_write_items(TransactItems=actions[1:], ClientRequestToken="token-1")
    assert reused.value.response["Error"]["Code"] == "IdempotentParameterMismatchException"
    # Without a token, the same request is a new transaction (its Put now fails).
    with pytest.raises(ClientError) as again:
        dynamodb.transact_write_items(TransactItems=actions)
    assert again.value.response["Error"]["Code"] == "TransactionCanceledException"
