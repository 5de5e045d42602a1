"""Sequential round trips: overlapping calls wait together, a call after another waits again."""

from __future__ import annotations

from bench.round_trips import sequential_round_trips


def test_calls_one_after_another_are_each_a_round_trip():
    assert sequential_round_trips([(0, 1), (1, 2), (3, 4)]) == 3


def test_calls_in_flight_together_are_one_round_trip():
    assert sequential_round_trips([(0, 5), (0.1, 5.2), (0.2, 4.9)]) == 1


def test_a_fan_out_between_two_calls_adds_one_round_trip():
    key, fan_out, page = [(0, 1)], [(1.1, 2 + i / 10) for i in range(16)], [(3.6, 4)]
    assert sequential_round_trips(key + fan_out + page) == 3


def test_a_fan_out_larger_than_its_pool_takes_one_round_trip_per_wave():
    waves = [(w * 1.0 + 0.01 * i, w * 1.0 + 0.9) for w in range(4) for i in range(16)]
    assert sequential_round_trips(waves) == 4


def test_no_calls_no_round_trips():
    assert sequential_round_trips([]) == 0
