"""Progress of an export or import on stderr: a bar on a terminal, plain lines otherwise.

Hand-rolled (the CLI runs from requirements.txt alone, which has no progress library). The
bar is redrawn at most 10 times a second; plain lines (logs, CI) come every 10 % of the total
or every 10 seconds, whichever is first, so a log of a long import stays short.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import IO

_BAR_WIDTH = 30
_REDRAW_SECONDS = 0.1
_LINE_SECONDS = 10.0


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


class Progress:
    """Records done out of `total` (an estimate may grow), with rate and ETA."""

    def __init__(
        self,
        label: str,
        total: int,
        *,
        stream: IO[str] | None = None,
        tty: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label = label
        self.total = max(total, 0)
        self.done = 0
        self._stream = stream if stream is not None else sys.stderr
        self._tty = self._stream.isatty() if tty is None else tty
        self._clock = clock
        self._started = clock()
        self._last_draw = self._started
        self._last_line_step = 0

    def advance(self, count: int) -> None:
        self.done += count
        self.total = max(self.total, self.done)
        self._maybe_draw()

    def finish(self) -> None:
        self.total = max(self.total, self.done)
        self._draw(final=True)

    def line(self) -> str:
        """`label  done/total  pct  rate/s  ETA`: what both forms show."""
        elapsed = max(self._clock() - self._started, 1e-9)
        rate = self.done / elapsed
        left = (self.total - self.done) / rate if rate > 0 else 0.0
        percent = 100.0 * self.done / self.total if self.total else 100.0
        return (
            f"{self.label}: {self.done:,}/{self.total:,} records ({percent:5.1f} %), "
            f"{rate:,.0f}/s, elapsed {_duration(elapsed)}, ETA {_duration(left)}"
        )

    def _maybe_draw(self) -> None:
        now = self._clock()
        if self._tty:
            if now - self._last_draw >= _REDRAW_SECONDS:
                self._draw()
            return
        step = int(10 * self.done / self.total) if self.total else 0
        if step > self._last_line_step or now - self._last_draw >= _LINE_SECONDS:
            self._last_line_step = step
            self._draw()

    def _draw(self, *, final: bool = False) -> None:
        self._last_draw = self._clock()
        if self._tty:
            filled = int(_BAR_WIDTH * self.done / self.total) if self.total else _BAR_WIDTH
            bar = "#" * filled + "-" * (_BAR_WIDTH - filled)
            end = "\n" if final else ""
            self._stream.write(f"\r[{bar}] {self.line()}\x1b[K{end}")
        else:
            self._stream.write(self.line() + ("  done" if final else "") + "\n")
        self._stream.flush()
