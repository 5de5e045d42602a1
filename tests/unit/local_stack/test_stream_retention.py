"""Stream records stay bounded: the newest are kept, in order, and still read from the shard."""

from __future__ import annotations

import datetime
from typing import Any

import boto3
from moto.dynamodb.models import dynamodb_backends

from local_stack import stream_retention
from tests.unit.local_stack.emulated import MAIN, record


def _shard() -> Any:
    return dynamodb_backends["123456789012"]["us-east-1"].get_table(MAIN).stream_shard


def _read_all(stream_arn: str) -> list[dict[str, Any]]:
    streams = boto3.client("dynamodbstreams", region_name="us-east-1")
    shard_id = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"][0]
    iterator = streams.get_shard_iterator(
        StreamArn=stream_arn, ShardId=shard_id["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    return streams.get_records(ShardIterator=iterator, Limit=1000)["Records"]


def test_only_the_newest_records_are_kept_and_read_in_order(dynamodb, monkeypatch):
    monkeypatch.setattr(stream_retention, "MAX_RECORDS", 50)
    monkeypatch.setattr(stream_retention, "_SLACK", 10)
    for n in range(200):
        dynamodb.put_item(TableName=MAIN, Item=record(n))

    assert 50 <= len(_shard().items) <= 60
    arn = dynamodb.describe_table(TableName=MAIN)["Table"]["LatestStreamArn"]
    records = _read_all(arn)
    keys = [r["dynamodb"]["Keys"]["sk"]["S"] for r in records]
    assert keys == [f"r{n:05d}" for n in range(200 - len(keys), 200)]
    numbers = [int(r["dynamodb"]["SequenceNumber"]) for r in records]
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))


def test_records_older_than_a_day_are_dropped(dynamodb):
    for n in range(5):
        dynamodb.put_item(TableName=MAIN, Item=record(n))
    long_ago = datetime.datetime(2000, 1, 1)
    for old in _shard().items[:3]:
        old.record["dynamodb"]["ApproximateCreationDateTime"] = long_ago

    dynamodb.put_item(TableName=MAIN, Item=record(5))

    kept = [r.record["dynamodb"]["Keys"]["sk"]["S"] for r in _shard().items]
    assert kept == ["r00003", "r00004", "r00005"]
