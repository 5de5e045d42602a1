"""How fast this machine runs Python at the moment: the same fixed loop, timed.

These machines drift: the same code measured 1.5× slower in some quarter-hours than in others
(the loop below took 21.7–28.8 µs on one day). The bench times the loop before and after its
cases and reports both, so that two runs are compared only when their machines were alike; the
bars are judged on the figures as measured.
"""

from __future__ import annotations

import time
import timeit
from collections.abc import Callable

_LOOPS = 2000  # runs of the loop per timing
_REPEATS = 5  # timings; the fastest is kept (the others met interruptions)


def _loop() -> int:
    total = 0
    for number in range(1000):
        total += number
    return total


def reference_loop_us(timer: Callable[[], float] = time.perf_counter) -> float:
    """Microseconds one run of the reference loop takes now (fastest of five timings)."""
    timings = timeit.repeat(_loop, number=_LOOPS, repeat=_REPEATS, timer=timer)
    return round(min(timings) / _LOOPS * 1e6, 2)
