"""The local stream poller feeds the emulator's stream to a handler as Lambda's mapping would."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest

from local_stack import stream_poller
from local_stack.stream_poller import StreamPoller, first_failed_sequence, lambda_shaped
from tests.unit.local_stack.emulated import MAIN, record

WAIT_SECONDS = 5.0


class Handler:
    """Records each batch's sort keys; answers what `reply(batch)` says (default: all handled)."""

    def __init__(self, reply: Callable[[list[dict[str, Any]]], Any] | None = None) -> None:
        self.batches: list[list[dict[str, Any]]] = []
        self.reply = reply
        self.changed = threading.Condition()

    def __call__(self, event: Any) -> Any:
        batch = [r._event_dict for r in event]  # chalice DynamoDBRecord objects
        with self.changed:
            self.batches.append(batch)
            self.changed.notify_all()
        return self.reply(batch) if self.reply else {"batchItemFailures": []}

    def keys(self) -> list[str]:
        return [r["dynamodb"]["Keys"]["sk"]["S"] for batch in self.batches for r in batch]

    def wait_for(self, count: int) -> list[str]:
        with self.changed:
            self.changed.wait_for(lambda: len(self.keys()) >= count, WAIT_SECONDS)
        return self.keys()


@pytest.fixture
def poll(dynamodb) -> Iterator[Callable[..., StreamPoller]]:
    started: list[StreamPoller] = []

    def start(handler: Handler, **options: Any) -> StreamPoller:
        options.setdefault("batch_size", 100)
        poller = StreamPoller(
            MAIN,
            handler,
            streams=boto3.client("dynamodbstreams", region_name="us-east-1"),
            poll_seconds=0.02,
            retry_pause_seconds=0.02,
            **options,
        )
        poller.start()
        started.append(poller)
        return poller

    yield start
    for poller in started:
        assert poller.stop(2.0)


def put(dynamodb, *numbers: int) -> None:
    for n in numbers:
        dynamodb.put_item(TableName=MAIN, Item=record(n))


def test_a_write_after_the_start_reaches_the_handler_in_the_lambda_event_shape(dynamodb, poll):
    put(dynamodb, 0)  # before the start: LATEST, like the deployed mapping, never replays it
    handler = Handler()
    poll(handler)
    item = {**record(1), "blob": {"B": b"\x00\xff"}}
    started = time.monotonic()
    dynamodb.put_item(TableName=MAIN, Item=item)

    assert handler.wait_for(1) == ["r00001"]
    assert time.monotonic() - started < 1.0
    (event,) = handler.batches[0]
    assert event["eventName"] == "INSERT"
    assert event["eventSourceARN"].startswith(
        f"arn:aws:dynamodb:us-east-1:123456789012:table/{MAIN}"
    )
    assert isinstance(event["dynamodb"]["ApproximateCreationDateTime"], float)
    assert event["dynamodb"]["NewImage"]["blob"] == {"B": "AP8="}  # base64 text, as Lambda sends


def test_updates_and_removes_arrive_with_their_images_in_write_order(dynamodb, poll):
    handler = Handler()
    poll(handler)
    put(dynamodb, 1)
    dynamodb.put_item(TableName=MAIN, Item=record(1, name="renamed"))
    dynamodb.delete_item(TableName=MAIN, Key={"pk": {"S": "WS#w#REC#o"}, "sk": {"S": "r00001"}})

    handler.wait_for(3)
    events = [event for batch in handler.batches for event in batch]
    assert [e["eventName"] for e in events] == ["INSERT", "MODIFY", "REMOVE"]
    assert events[1]["dynamodb"]["OldImage"]["d"] == {"S": '{"name": "name 1"}'}
    assert events[1]["dynamodb"]["NewImage"]["d"] == {"S": '{"name": "renamed"}'}
    assert "NewImage" not in events[2]["dynamodb"]


def test_a_backlog_is_handed_over_in_batches_of_at_most_the_batch_size(dynamodb, poll):
    handler = Handler()
    poller = poll(handler, batch_size=7)
    assert poller.stop(2.0)  # write the backlog while nothing reads
    put(dynamodb, *range(30))
    poller = poll(handler, batch_size=7)  # a new poller starts at LATEST: nothing of it

    put(dynamodb, *range(30, 60))
    assert handler.wait_for(30) == [f"r{n:05d}" for n in range(30, 60)]
    assert max(len(batch) for batch in handler.batches) == 7


def test_a_reported_item_failure_is_read_again_from_that_record_only(dynamodb, poll):
    failed_once: set[str] = set()

    def reply(batch: list[dict[str, Any]]) -> dict[str, Any]:
        for event in batch:
            number = event["dynamodb"]["SequenceNumber"]
            if event["dynamodb"]["Keys"]["sk"]["S"] == "r00003" and number not in failed_once:
                failed_once.add(number)
                return {"batchItemFailures": [{"itemIdentifier": number}]}
        return {"batchItemFailures": []}

    handler = Handler(reply)
    poll(handler)
    put(dynamodb, *range(6))

    keys = handler.wait_for(9)
    # r00000..r00002 then the retry from r00003 (a second batch may split the first reads).
    assert keys[-3:] == ["r00003", "r00004", "r00005"]
    assert keys.count("r00003") == 2 and keys.count("r00002") == 1


def test_a_batch_that_keeps_failing_is_skipped_after_the_retries_and_later_writes_flow(
    dynamodb, poll, monkeypatch, caplog
):
    monkeypatch.setattr(stream_poller, "MAX_RETRIES", 2)

    def reply(batch: list[dict[str, Any]]) -> Any:
        if any(e["dynamodb"]["Keys"]["sk"]["S"] == "r00001" for e in batch):
            raise RuntimeError("poison")
        return None  # a handler answering nothing handled everything

    handler = Handler(reply)
    poll(handler)
    put(dynamodb, 1)
    handler.wait_for(3)  # the first try and two retries
    put(dynamodb, 2)

    keys = handler.wait_for(4)
    assert keys == ["r00001"] * 3 + ["r00002"]
    assert "skipped" in caplog.text


def test_the_poller_survives_a_failing_read_and_delivers_afterwards(dynamodb, poll):
    handler = Handler()
    poller = poll(handler)
    failures = iter([True, True])

    def fail_twice(**_: Any) -> None:
        if next(failures, False):
            raise ConnectionError("endpoint away")

    poller._streams.meta.events.register("before-call.dynamodbstreams.GetRecords", fail_twice)
    put(dynamodb, 1)

    assert handler.wait_for(1) == ["r00001"]


def test_stop_ends_the_thread_promptly(dynamodb, poll):
    poller = poll(Handler())
    started = time.monotonic()
    assert poller.stop(2.0)
    assert time.monotonic() - started < 0.5


def test_lambda_shaped_turns_binary_into_base64_and_times_into_epoch_seconds():
    import datetime

    moment = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    shaped = lambda_shaped({"a": [{"BS": [b"\x01"]}], "t": moment, "n": {"N": "1"}})
    assert shaped == {"a": [{"BS": ["AQ=="]}], "t": moment.timestamp(), "n": {"N": "1"}}


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (None, None),
        ({"batchItemFailures": []}, None),
        ({"batchItemFailures": [{"itemIdentifier": "12"}, {"itemIdentifier": "11"}]}, "11"),
        ({"batchItemFailures": [{"itemIdentifier": "nope"}]}, "10"),  # unknown: whole batch
    ],
)
def test_the_first_failed_sequence_number_is_the_lowest_reported(answer, expected):
    records = [{"dynamodb": {"SequenceNumber": str(n)}} for n in (10, 11, 12)]
    assert first_failed_sequence(answer, records) == expected
