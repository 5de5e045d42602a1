"""The emulator clock counts time inside moto once, however many threads are in it together."""

from __future__ import annotations

import time

from bench.emulator import EmulatorClock


def test_overlapping_calls_count_their_union_not_their_sum():
    clock = EmulatorClock()
    clock.enter()
    time.sleep(0.02)
    clock.enter()  # a second thread's call while the first is still inside
    time.sleep(0.02)
    clock.leave()
    clock.leave()
    assert 0.04 <= clock.seconds < 0.06  # the sum of the two calls would be 0.06


def test_calls_one_after_another_add_up():
    clock = EmulatorClock()
    for _ in range(2):
        clock.enter()
        time.sleep(0.01)
        clock.leave()
    assert 0.02 <= clock.seconds < 0.04
