"""The retry schedule of failed webhook deliveries: base * 2^(n-1), jittered down by up to half."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.webhooks import delivery


def test_without_jitter_the_nth_retry_waits_base_times_two_to_the_n_minus_one():
    delays = [delivery.retry_delay(n, base=60, rng=lambda: 1.0) for n in range(1, 7)]
    assert delays == [60, 120, 240, 480, 960, 1920]
    assert sum(delays) == 3780  # six retries: about an hour


def test_the_largest_jitter_halves_a_delay():
    assert delivery.retry_delay(3, base=60, rng=lambda: 0.0) == 120


@given(
    retry=st.integers(min_value=1, max_value=12),
    base=st.floats(min_value=0.01, max_value=600),
    draw=st.floats(min_value=0.0, max_value=1.0, exclude_max=True),
)
def test_every_delay_lies_between_half_and_all_of_its_nominal_value(retry, base, draw):
    nominal = base * 2 ** (retry - 1)
    assert nominal * 0.5 <= delivery.retry_delay(retry, base=base, rng=lambda: draw) <= nominal


def test_jitter_spreads_the_retries_of_deliveries_that_failed_together():
    delays = {delivery.retry_delay(1, base=60) for _ in range(50)}
    assert len(delays) > 40
    assert all(30 <= delay <= 60 for delay in delays)


def test_the_base_comes_from_the_retry_base_setting(monkeypatch):
    settings = replace(delivery.SETTINGS, webhook_retry_base_seconds=2.5)
    monkeypatch.setattr(delivery, "SETTINGS", settings)
    assert delivery.retry_delay(4, rng=lambda: 1.0) == 20


def test_retries_are_numbered_from_one():
    with pytest.raises(ValueError):
        delivery.retry_delay(0, base=60)
