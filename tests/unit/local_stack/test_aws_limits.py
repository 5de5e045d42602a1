"""What AWS refuses, the emulator refuses: 400 KB items, 4 MB transactions, 26-request batches."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from local_stack import limits
from tests.unit.local_stack.emulated import MAIN, everything, record, s

# pk + sk + the name "d": the bytes of an item besides its body's value.
_KEY_BYTES = len("pk") + len("WS#w#REC#o") + len("sk") + len("r1") + len("d")


def _item(body_bytes: int, rid: str = "r1") -> dict[str, Any]:
    return {"pk": s("WS#w#REC#o"), "sk": s(rid), "d": s("x" * body_bytes)}


def _refusal(error: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    return error.value.response["Error"]["Code"], error.value.response["Error"]["Message"]


def test_an_item_of_exactly_400_kb_is_stored_and_one_byte_more_is_refused(dynamodb):
    dynamodb.put_item(TableName=MAIN, Item=_item(409_600 - _KEY_BYTES))
    with pytest.raises(ClientError) as refused:
        dynamodb.put_item(TableName=MAIN, Item=_item(409_601 - _KEY_BYTES, "r2"))
    assert _refusal(refused) == ("ValidationException", limits.ITEM_TOO_LARGE)
    assert [item["sk"]["S"] for item in everything(dynamodb)] == ["r1"]


def test_multibyte_text_counts_its_utf8_bytes():
    assert limits.attributes_size({"é": s("é" * 1000)}) == 2 + 2000


def test_sizes_follow_dynamodbs_rules_for_numbers_lists_and_maps():
    assert limits.value_size({"N": "12345"}) == 4  # 5 significant digits: 3 bytes + 1
    assert limits.value_size({"N": "-0.00100"}) == 2
    assert limits.value_size({"BOOL": True}) == limits.value_size({"NULL": True}) == 1
    assert limits.value_size({"L": [s("ab"), {"N": "1"}]}) == 3 + (1 + 2) + (1 + 2)
    assert limits.value_size({"M": {"k": s("ab")}}) == 3 + 1 + 1 + 2
    assert limits.value_size({"SS": ["a", "bc"]}) == 3


def test_an_item_over_400_kb_in_a_batch_write_or_a_transaction_is_refused(dynamodb):
    big = _item(409_601 - _KEY_BYTES)
    with pytest.raises(ClientError) as in_batch:
        dynamodb.batch_write_item(RequestItems={MAIN: [{"PutRequest": {"Item": big}}]})
    with pytest.raises(ClientError) as in_transaction:
        dynamodb.transact_write_items(TransactItems=[{"Put": {"TableName": MAIN, "Item": big}}])
    assert _refusal(in_batch)[0] == _refusal(in_transaction)[0] == "ValidationException"
    assert everything(dynamodb) == []


def test_a_transaction_over_4_mb_is_refused_before_any_condition_and_writes_nothing(dynamodb):
    # Eleven items of 390 KB: each fits, together they pass 4 MB (the 4.3 MB batch).
    puts = [
        {
            "Put": {
                "TableName": MAIN,
                "Item": _item(390_000, f"r{n:02d}"),
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }
        for n in range(11)
    ]
    with pytest.raises(ClientError) as refused:
        dynamodb.transact_write_items(TransactItems=puts)
    assert _refusal(refused) == ("ValidationException", limits.TRANSACTION_TOO_LARGE)
    assert everything(dynamodb) == []
    dynamodb.transact_write_items(TransactItems=puts[:10])  # 3.9 MB: accepted
    assert len(everything(dynamodb)) == 10


def test_a_batch_write_of_26_requests_is_refused_and_25_are_accepted(dynamodb):
    requests = [{"PutRequest": {"Item": _item(10, f"r{n:02d}")}} for n in range(26)]
    with pytest.raises(ClientError) as refused:
        dynamodb.batch_write_item(RequestItems={MAIN: requests})
    assert _refusal(refused) == ("ValidationException", limits.BATCH_TOO_LONG)
    assert everything(dynamodb) == []
    dynamodb.batch_write_item(RequestItems={MAIN: requests[:25]})
    assert len(everything(dynamodb)) == 25


def test_a_keys_only_index_page_is_cut_at_1_mb_of_index_entries_not_of_the_records(dynamodb):
    # 30 records of 100 KB each: 3 MB of records, a few KB of index entries (keys only).
    for n in range(30):
        item = record(n)
        item["d"] = s("x" * 100_000)
        dynamodb.put_item(TableName=MAIN, Item=item)
    index = dynamodb.query(
        TableName=MAIN,
        IndexName="ix1",
        KeyConditionExpression="ix1pk = :pk",
        ExpressionAttributeValues={":pk": s("WS#w#IX#o#1")},
    )
    assert index["Count"] == 30 and "LastEvaluatedKey" not in index
    assert all("d" not in entry for entry in index["Items"])
    # The table's own Query reads the records themselves: 1 MB holds 10 of them.
    table = dynamodb.query(
        TableName=MAIN,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": s("WS#w#REC#o")},
    )
    assert table["Count"] < 11 and "LastEvaluatedKey" in table
