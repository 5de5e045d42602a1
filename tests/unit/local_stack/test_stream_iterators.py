"""Shard iterators expire (age and count), so a reader polling for hours keeps memory flat."""

from __future__ import annotations

import boto3
from moto.dynamodbstreams.models import dynamodbstreams_backends

from local_stack import stream_iterators
from local_stack.stream_iterators import ExpiringIterators
from tests.unit.local_stack.emulated import MAIN


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_iterators_older_than_fifteen_minutes_are_forgotten_when_a_new_one_is_issued():
    clock = Clock()
    iterators = ExpiringIterators(clock)
    iterators["old"] = 1
    clock.now = 10 * 60
    iterators["recent"] = 2
    clock.now = 15 * 60 + 1
    iterators["new"] = 3
    assert list(iterators) == ["recent", "new"]


def test_only_the_newest_iterators_are_kept_beyond_the_count_limit(monkeypatch):
    monkeypatch.setattr(stream_iterators, "MAX_ITERATORS", 3)
    iterators = ExpiringIterators(Clock())
    for n in range(5):
        iterators[f"i{n}"] = n
    assert list(iterators) == ["i2", "i3", "i4"]


def test_a_reader_polling_the_emulator_leaves_a_bounded_registry(dynamodb, monkeypatch):
    monkeypatch.setattr(stream_iterators, "MAX_ITERATORS", 10)
    streams = boto3.client("dynamodbstreams", region_name="us-east-1")
    arn = dynamodb.describe_table(TableName=MAIN)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="LATEST")[
        "ShardIterator"
    ]
    for _ in range(50):
        iterator = streams.get_records(ShardIterator=iterator)["NextShardIterator"]

    assert len(dynamodbstreams_backends["123456789012"]["us-east-1"].shard_iterators) == 10
