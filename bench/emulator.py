"""The bench's embedded DynamoDB, and a clock of the time spent inside it.

The emulator is the local stack's own (local_stack/emulator.py): transactions journaled instead
of copying every table, Queries narrowed to the key range they can return, moto's hottest
conversions short-cut, and a real rollback, so a cancelled transaction needs no special
handling here any more.

The clock sums the time spent in moto's request handler (the emulated network and server), so
the runner can also report the client-side time of each call, which is what runs in-process on
a real Lambda while DynamoDB does its part elsewhere.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from moto.core.botocore_stubber import BotocoreStubber

from local_stack import emulator


@dataclass
class EmulatorClock:
    """Wall time during which at least one thread was inside moto.

    Concurrent calls (a request's fan-out over a thread pool) overlap inside moto; summing each
    call's time would count the overlap once per thread and could exceed the request's own wall
    time. Only the time from the first thread entering to the last one leaving counts.
    """

    seconds: float = 0.0
    # Called on entering and leaving moto; the profiler uses them to leave moto out.
    on_enter: Callable[[], None] | None = None
    on_exit: Callable[[], None] | None = None
    _inside: int = 0
    _since: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def enter(self) -> None:
        with self._lock:
            if self._inside == 0:
                self._since = time.perf_counter()
            self._inside += 1

    def leave(self) -> None:
        with self._lock:
            self._inside -= 1
            if self._inside == 0:
                self.seconds += time.perf_counter() - self._since


CLOCK = EmulatorClock()
_installed = False


def _timed_stubber(original: Any) -> Any:
    @functools.wraps(original)
    def call(self: BotocoreStubber, *args: Any, **kwargs: Any) -> Any:
        if CLOCK.on_enter:
            CLOCK.on_enter()
        CLOCK.enter()
        try:
            return original(self, *args, **kwargs)
        finally:
            CLOCK.leave()
            if CLOCK.on_exit:
                CLOCK.on_exit()

    return call


def install() -> EmulatorClock:
    """The local stack's emulator and the clock, once per process (before any request)."""
    global _installed
    if not _installed:
        emulator.install()
        BotocoreStubber.__call__ = _timed_stubber(BotocoreStubber.__call__)
        _installed = True
    return CLOCK
