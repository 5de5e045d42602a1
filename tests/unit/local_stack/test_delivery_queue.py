"""The local delivery queue attempts each entry when due, like SQS with delays would."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from local_stack import delivery_queue
from local_stack.delivery_queue import DeliveryQueue

WAIT_SECONDS = 5.0


class Attempts:
    """The attempt function: notes (ref, monotonic time); `fail(ref)` says when to raise."""

    def __init__(self, fail: Callable[[Any], bool] = lambda _ref: False) -> None:
        self.seen: list[tuple[Any, float]] = []
        self.fail = fail
        self.changed = threading.Condition()

    def __call__(self, ref: Any) -> None:
        with self.changed:
            self.seen.append((ref, time.monotonic()))
            self.changed.notify_all()
        if self.fail(ref):
            raise RuntimeError(f"attempt of {ref} failed")

    def wait_for(self, count: int) -> list[Any]:
        with self.changed:
            self.changed.wait_for(lambda: len(self.seen) >= count, WAIT_SECONDS)
        return [ref for ref, _ in self.seen]


@pytest.fixture
def queues() -> Iterator[Callable[..., DeliveryQueue]]:
    started: list[DeliveryQueue] = []

    def start(attempts: Attempts, **options: Any) -> DeliveryQueue:
        queue = DeliveryQueue(attempts, **options)
        queue.start()
        started.append(queue)
        return queue

    yield start
    for queue in started:
        assert queue.stop(2.0)


def test_an_entry_without_delay_is_attempted_at_once(queues):
    attempts = Attempts()
    queue = queues(attempts)
    put_at = time.monotonic()
    queue.put(["a", "b"])

    assert sorted(attempts.wait_for(2)) == ["a", "b"]
    assert all(at - put_at < 0.2 for _, at in attempts.seen)


def test_entries_are_attempted_when_due_in_due_order_with_fractional_delays(queues):
    attempts = Attempts()
    queue = queues(attempts, workers=1)
    put_at = time.monotonic()
    queue.put(["late"], 0.4)
    queue.put(["early"], 0.2)

    assert attempts.wait_for(2) == ["early", "late"]
    (_, early), (_, late) = attempts.seen
    assert 0.2 <= early - put_at < 0.35
    assert 0.4 <= late - put_at < 0.55


def test_an_attempt_that_raises_is_offered_again_then_dropped_after_the_receive_limit(
    queues, monkeypatch, caplog
):
    monkeypatch.setattr(delivery_queue, "MAX_RECEIVES", 3)
    attempts = Attempts(fail=lambda ref: ref == "broken")
    queue = queues(attempts, redelivery_seconds=0.05)
    queue.put(["broken", "fine"])

    attempts.wait_for(4)
    time.sleep(0.2)  # no fourth try of "broken" comes
    refs = [ref for ref, _ in attempts.seen]
    assert refs.count("broken") == 3 and refs.count("fine") == 1
    assert queue.waiting() == 0
    assert "dropped" in caplog.text


def test_stop_leaves_entries_not_yet_due_and_ends_the_workers(queues):
    attempts = Attempts()
    queue = queues(attempts)
    queue.put(["tomorrow"], 86_400)

    started = time.monotonic()
    assert queue.stop(2.0)
    assert time.monotonic() - started < 0.5
    assert attempts.seen == []
    assert queue.waiting() == 1


def test_several_workers_attempt_entries_concurrently(queues):
    release = threading.Event()
    running = threading.Semaphore(0)

    def slow(ref: Any) -> None:
        running.release()
        release.wait(WAIT_SECONDS)

    queue = queues(slow, workers=3)
    queue.put(["a", "b", "c"])
    assert all(running.acquire(timeout=WAIT_SECONDS) for _ in range(3))
    release.set()
