"""The reference loop's figure is microseconds per run, from the fastest of its timings."""

from __future__ import annotations

import itertools

from bench import machine_speed


def test_the_figure_is_the_fastest_timing_divided_by_the_runs_in_microseconds() -> None:
    # timeit reads the clock before and after each timing: 0.2 s, then 0.1 s, 0.3 s, ...
    readings = itertools.accumulate([0.0, 0.2, 0.0, 0.1, 0.0, 0.3, 0.0, 0.4, 0.0, 0.5])
    clock = iter(list(readings))
    figure = machine_speed.reference_loop_us(timer=lambda: next(clock))
    assert figure == round(0.1 / machine_speed._LOOPS * 1e6, 2) == 50.0


def test_the_loop_itself_runs_on_this_machine_in_well_under_a_millisecond() -> None:
    assert 0 < machine_speed.reference_loop_us() < 1000
