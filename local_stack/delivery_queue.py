"""The local stack's stand-in for the SQS delivery queue: an in-process delay queue.

`chalicelib.webhooks.queue.enqueue` hands delivery references here (installed with
`queue.install_local(delivery_queue.put)`) with a delay in seconds, a float so tests can run
the retry schedule in fractions of a second; a few worker threads call the attempt function
(`chalicelib.webhooks.delivery.attempt`) on each when it is due, in due order. So a failed
delivery is retried on the same schedule and with the same settings as on AWS.

What SQS would add is imitated where it matters: an attempt that raises (DynamoDB away, a bug)
is tried again after `REDELIVERY_SECONDS`, like a message whose visibility timeout ran out, and
given up after `MAX_RECEIVES` (the deployed queue moves it to its dead-letter queue). Entries
live in memory only: a restart of `make run` forgets those still waiting, whose deliveries stay
PENDING in the delivery log, from where a replay sends them.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

LOG = logging.getLogger("crm.local.delivery_queue")

WORKERS = 4
# An attempt that raised is offered again after this long, at most MAX_RECEIVES times in all
# (the deployed queue's maxReceiveCount).
REDELIVERY_SECONDS = 5.0
MAX_RECEIVES = 5

Attempt = Callable[[Any], Any]


class DeliveryQueue:
    """A heap of (due, order, ref, receives) served by worker threads; `start()`, `stop()`."""

    def __init__(
        self,
        attempt: Attempt,
        *,
        workers: int = WORKERS,
        redelivery_seconds: float = REDELIVERY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._attempt = attempt
        self._worker_count = workers
        self._redelivery_seconds = redelivery_seconds
        self._clock = clock
        self._heap: list[tuple[float, int, Any, int]] = []
        self._order = itertools.count()  # equal due times keep their enqueue order
        self._ready = threading.Condition()
        self._stopping = False
        self._busy = 0
        self._workers: list[threading.Thread] = []

    # -- the sink `queue.install_local` is given ---------------------------------------------

    def put(self, refs: Iterable[Any], delay_seconds: float = 0.0) -> None:
        due = self._clock() + max(0.0, float(delay_seconds))
        with self._ready:
            for ref in refs:
                heapq.heappush(self._heap, (due, next(self._order), ref, 0))
            self._ready.notify_all()

    def waiting(self) -> int:
        """Entries not yet taken by a worker, plus those being attempted now."""
        with self._ready:
            return len(self._heap) + self._busy

    # -- life cycle ---------------------------------------------------------------------------

    def start(self) -> None:
        for number in range(self._worker_count):
            worker = threading.Thread(
                target=self._work, name=f"webhook-delivery-{number}", daemon=True
            )
            worker.start()
            self._workers.append(worker)

    def stop(self, timeout: float) -> bool:
        """Stop taking entries; wait up to `timeout` for attempts under way. False if one was
        still running (it is a daemon thread: the process may end regardless)."""
        with self._ready:
            self._stopping = True
            self._ready.notify_all()
        deadline = self._clock() + timeout
        for worker in self._workers:
            worker.join(max(0.0, deadline - self._clock()))
        return not any(worker.is_alive() for worker in self._workers)

    # -- workers ------------------------------------------------------------------------------

    def _next_due(self) -> tuple[Any, int] | None:
        """Block until an entry is due (ref, receives so far), or None once stopping."""
        with self._ready:
            while not self._stopping:
                if self._heap:
                    wait = self._heap[0][0] - self._clock()
                    if wait <= 0:
                        _, _, ref, receives = heapq.heappop(self._heap)
                        self._busy += 1
                        return ref, receives
                    self._ready.wait(wait)
                else:
                    self._ready.wait()
            return None

    def _work(self) -> None:
        while (entry := self._next_due()) is not None:
            ref, receives = entry
            try:
                self._attempt(ref)
            except Exception:  # noqa: BLE001 - a worker outlives any attempt
                self._redeliver(ref, receives + 1)
            finally:
                with self._ready:
                    self._busy -= 1

    def _redeliver(self, ref: Any, receives: int) -> None:
        if receives >= MAX_RECEIVES:
            LOG.exception(
                "webhook delivery %s failed %d times; dropped (its log entry stays PENDING and "
                "can be replayed)",
                ref,
                receives,
            )
            return
        LOG.exception(
            "webhook delivery %s failed; offered again in %g s", ref, self._redelivery_seconds
        )
        due = self._clock() + self._redelivery_seconds
        with self._ready:
            heapq.heappush(self._heap, (due, next(self._order), ref, receives))
            self._ready.notify_all()
