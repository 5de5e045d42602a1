"""The probe on the embedded DynamoDB: units from the items a call touched, round trips from
overlapping calls."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import botocore.session
import pytest

from bench.capacity import Units, item_size, read_units
from bench.probe import CallRecorder
from chalicelib.settings import SETTINGS

TABLE = SETTINGS.main_table


def _record(record_id: str, body: str, **extra: dict[str, str]) -> dict[str, dict[str, str]]:
    return {"pk": {"S": "WS#w#REC#o"}, "sk": {"S": record_id}, "d": {"S": body}, **extra}


@pytest.fixture
def watched(aws):
    """A client whose calls the recorder watches, and the recorder (short emulated latency)."""
    recorder = CallRecorder(latency=0.02)
    client = botocore.session.get_session().create_client("dynamodb", region_name=SETTINGS.region)
    recorder.attach(client.meta.events)
    return client, recorder


def test_a_transactional_create_costs_twice_its_items_plus_one_write_per_index_entry(watched):
    client, recorder = watched
    record = _record("r1", "x" * 1500, ix1pk={"S": "WS#w#IX#o#1"}, ix1sk={"S": "1v\x01r1"})
    counter = {"pk": {"S": "WS#w"}, "sk": {"S": "COUNT#o"}}
    actions = [
        {"Put": {"TableName": TABLE, "Item": record}},
        {
            "Update": {
                "TableName": TABLE,
                "Key": counter,
                "UpdateExpression": "ADD live :one",
                "ExpressionAttributeValues": {":one": {"N": "1"}},
            }
        },
    ]
    _, found = recorder.probe(lambda: client.transact_write_items(TransactItems=actions))
    # The record is 2 KB (2 units, doubled); the counter 1 unit, doubled; one GSI entry added.
    assert found.units == Units(write=4 + 2, index_write=1)
    assert (found.requests, found.round_trips) == (1, 1)


def test_a_query_is_billed_for_the_items_its_filter_dropped(watched):
    client, recorder = watched
    items = [_record(f"r{i}", "y" * 1800) for i in range(3)]
    items.append(_record("r9", "z" * 3000, tomb={"BOOL": True}))
    for item in items:
        client.put_item(TableName=TABLE, Item=item)
    query = {
        "TableName": TABLE,
        "KeyConditionExpression": "pk = :pk",
        "FilterExpression": "attribute_not_exists(tomb)",
        "ExpressionAttributeValues": {":pk": {"S": "WS#w#REC#o"}},
        "ConsistentRead": True,
    }
    answer, found = recorder.probe(lambda: client.query(**query))
    assert answer["Count"] == 3
    everything = sum(item_size(item) for item in items)
    assert found.units.read == read_units(everything, consistent=True) == 3


def test_calls_in_flight_together_count_as_one_round_trip_and_calls_in_turn_as_several(watched):
    client, recorder = watched
    keys = [{"pk": {"S": "WS#w"}, "sk": {"S": f"k{i}"}} for i in range(4)]

    def get(key: dict[str, dict[str, str]]) -> object:
        return client.get_item(TableName=TABLE, Key=key, ConsistentRead=True)

    def together() -> list[object]:
        # All four leave together (a busy machine may start the pool's threads far apart).
        start = threading.Barrier(len(keys))

        def in_step(key: dict[str, dict[str, str]]) -> object:
            start.wait(timeout=10)
            return get(key)

        with ThreadPoolExecutor(max_workers=4) as pool:
            return list(pool.map(in_step, keys))

    _, concurrent = recorder.probe(together)
    _, sequential = recorder.probe(lambda: [get(key) for key in keys])
    assert (concurrent.requests, concurrent.round_trips) == (4, 1)
    assert (sequential.requests, sequential.round_trips) == (4, 4)
    assert concurrent.units.read == 4  # an absent item still costs one consistent read unit


def test_the_probes_own_reads_are_neither_metered_nor_recorded(watched, meter):
    client, recorder = watched
    client.put_item(TableName=TABLE, Item=_record("r1", json.dumps({"a": 1})))
    key = {"pk": {"S": "WS#w#REC#o"}, "sk": {"S": "r1"}}
    meter.reset()
    _, found = recorder.probe(lambda: client.delete_item(TableName=TABLE, Key=key))
    # The item read before the delete (for its size) went through the probe's own client.
    assert found.requests == meter.requests == 1
    assert found.units.write == 1
