"""Stopping the local stack: a signal handler that only raises a flag, and bounded steps.

A signal handler runs between two bytecodes of the main thread, whatever that thread holds:
one that calls `threading.Event.set()` deadlocks when the main thread is inside `Event.wait()`
holding the same Event's lock (about one SIGTERM in ten did). Here the handler only stores the
signal number, and Python's C-level handler writes it to a pipe (`signal.set_wakeup_fd`), which
the main thread waits on with `select`: a signal delivered to any thread wakes it at once.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import threading
from collections.abc import Callable
from typing import Any

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class StopRequest:
    """SIGINT or SIGTERM asks to stop."""

    def __init__(self) -> None:
        self.signal: int | None = None
        self._read, self._write = os.pipe()
        for end in (self._read, self._write):
            os.set_blocking(end, False)
        signal.set_wakeup_fd(self._write, warn_on_full_buffer=False)
        for signum in STOP_SIGNALS:
            signal.signal(signum, self._note)

    def _note(self, signum: int, _frame: Any) -> None:
        self.signal = signum  # nothing else: no lock, no I/O, no allocation worth mentioning

    def wait(self) -> int:
        """Block until a stop signal arrives; returns its number."""
        while self.signal is None:
            ready, _, _ = select.select([self._read], [], [], 1.0)
            if ready:
                with contextlib.suppress(BlockingIOError):
                    received = os.read(self._read, 64)
                    for signum in STOP_SIGNALS:
                        if signum in received:
                            self.signal = signum
        # Later signals change nothing: senders often signal a whole process group (`timeout`,
        # a terminal's Ctrl-C reaches make and python), and every step of the stop is bounded.
        return self.signal


def run_bounded(step: Callable[[], Any], seconds: float, name: str) -> bool:
    """Run `step` on a daemon thread; False if it had not finished after `seconds`."""
    thread = threading.Thread(target=step, name=name, daemon=True)
    thread.start()
    thread.join(seconds)
    return not thread.is_alive()
