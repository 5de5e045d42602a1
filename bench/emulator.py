"""Bench-only adjustments to moto, and a clock of the time spent inside it.

moto's TransactWriteItems deep-copies the whole table (stream records included) once per
*action* as its rollback snapshot, so a 121-action batch costs seconds and every write slows
down as the table grows; that emulator artefact would swamp what the bench measures. Here the
snapshot is skipped. Rollback is then impossible, so any cancelled transaction is recorded and
the runner aborts the bench: a successful run never needed the snapshot.

The clock sums the time spent in moto's request handler (the emulated network and server), so
the runner can also report the client-side time of each call, which is what runs in-process on
a real Lambda while DynamoDB does its part elsewhere.
"""

from __future__ import annotations

import copy
import functools
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from moto.core.botocore_stubber import BotocoreStubber
from moto.dynamodb import models as dynamodb_models
from moto.dynamodb.models.table import Table


@dataclass
class EmulatorClock:
    seconds: float = 0.0
    cancelled_transactions: int = 0
    # Called on entering and leaving moto; the profiler uses them to leave moto out.
    on_enter: Callable[[], None] | None = None
    on_exit: Callable[[], None] | None = None


CLOCK = EmulatorClock()
_installed = False


class _CopyWithoutTableSnapshots:
    """Stands in for the `copy` module inside moto's DynamoDB backend."""

    @staticmethod
    def deepcopy(obj: Any, memo: dict[int, Any] | None = None) -> Any:
        # Tables are only deep-copied as transaction snapshots; items still get real copies.
        return obj if isinstance(obj, Table) else copy.deepcopy(obj, memo)

    copy = staticmethod(copy.copy)


def _timed_stubber(original: Any) -> Any:
    @functools.wraps(original)
    def call(self: BotocoreStubber, *args: Any, **kwargs: Any) -> Any:
        if CLOCK.on_enter:
            CLOCK.on_enter()
        start = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            CLOCK.seconds += time.perf_counter() - start
            if CLOCK.on_exit:
                CLOCK.on_exit()

    return call


def _recording_failures(original: Any) -> Any:
    @functools.wraps(original)
    def transact_write_items(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return original(self, *args, **kwargs)
        except Exception:
            CLOCK.cancelled_transactions += 1
            raise

    return transact_write_items


def install() -> EmulatorClock:
    """Patch moto once per process (before any request) and return the clock."""
    global _installed
    if not _installed:
        BotocoreStubber.__call__ = _timed_stubber(BotocoreStubber.__call__)
        dynamodb_models.copy = _CopyWithoutTableSnapshots  # type: ignore[assignment]
        backend = dynamodb_models.DynamoDBBackend
        backend.transact_write_items = _recording_failures(backend.transact_write_items)
        _installed = True
    return CLOCK
