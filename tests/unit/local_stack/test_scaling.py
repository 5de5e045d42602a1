"""Queries hand moto a page's worth of items, however large the partition (counts, not times)."""

from __future__ import annotations

from typing import Any

from local_stack import narrow_query
from tests.unit.local_stack.emulated import MAIN, record, s

PARTITION = 3_000
PAGE = 60


def _fill(client: Any) -> None:
    # BatchWriteItem, 25 at a time: the quickest way in, and a write path the index must follow.
    items = [record(n) for n in range(PARTITION)]
    for start in range(0, PARTITION, 25):
        requests = [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]
        client.batch_write_item(RequestItems={MAIN: requests})


def _handed_to_moto(query: Any) -> tuple[Any, int]:
    before = narrow_query.Counters.candidates
    answer = query()
    return answer, narrow_query.Counters.candidates - before


def test_a_page_of_the_table_or_an_index_costs_a_page_of_items_at_any_depth(dynamodb):
    _fill(dynamodb)
    table = {
        "TableName": MAIN,
        "KeyConditionExpression": "pk = :p",
        "ExpressionAttributeValues": {":p": s("WS#w#REC#o")},
        "Limit": PAGE,
    }
    index = {
        "TableName": MAIN,
        "IndexName": "ix1",
        "Limit": PAGE,
        "KeyConditionExpression": "ix1pk = :p AND ix1sk BETWEEN :a AND :b",
        "ExpressionAttributeValues": {
            ":p": s("WS#w#IX#o#1"),
            ":a": s("1name 3"),
            ":b": s("1name 7"),
        },
    }
    for request in (table, index):
        for forward in (True, False):
            first, handed = _handed_to_moto(
                lambda r=request, f=forward: dynamodb.query(**r, ScanIndexForward=f)
            )
            assert len(first["Items"]) == PAGE and handed == PAGE + 1
            # Deep in the partition, from the previous page's LastEvaluatedKey.
            middle, handed = _handed_to_moto(
                lambda r=request, f=forward, k=first["LastEvaluatedKey"]: dynamodb.query(
                    **r, ScanIndexForward=f, ExclusiveStartKey=k
                )
            )
            assert len(middle["Items"]) == PAGE and handed == PAGE + 1
            assert middle["Items"][0] != first["Items"][-1]


def test_a_key_range_query_costs_what_it_returns(dynamodb):
    _fill(dynamodb)
    answer, handed = _handed_to_moto(
        lambda: dynamodb.query(
            TableName=MAIN,
            KeyConditionExpression="pk = :p AND sk BETWEEN :a AND :b",
            ExpressionAttributeValues={":p": s("WS#w#REC#o"), ":a": s("r01000"), ":b": s("r01009")},
        )
    )
    assert answer["Count"] == 10 and handed == 11
