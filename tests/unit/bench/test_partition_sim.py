"""The partition simulation: split for heat helps random keys, not growing keys or one item."""

from __future__ import annotations

from bench.partition_sim import Family, growing_key, one_item, random_key, sustained


def test_random_keys_split_until_every_write_is_accepted():
    assert sustained(Family("ids", random_key, 1, 1), rate=2500, seconds=30) == 2500


def test_keys_that_grow_with_time_stay_on_one_partition_at_its_limit():
    assert sustained(Family("createdAt", growing_key, 1, 1), rate=2500, seconds=30) == 1000


def test_one_item_never_takes_more_than_one_partition_allows():
    assert sustained(Family("counter", one_item, 2, 1), rate=2500, seconds=30) == 500
