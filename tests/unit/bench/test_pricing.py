"""Cost per million requests: units at the on-demand prices, Lambda from CPU and round trips."""

from __future__ import annotations

import pytest

from bench import pricing


def test_the_lambda_duration_scales_cpu_to_the_memory_share_and_adds_one_wait_per_round_trip():
    # 1,024 MB is 1024/1769 of a vCPU: 5.78 ms of CPU take 10 ms; 3 round trips add 15 ms.
    assert pricing.lambda_billed_ms(5.78, 3) == 25


def test_a_million_requests_cost_their_units_lambda_and_api_gateway():
    cost = pricing.cost_per_million(read_units=4, write_units=10, cpu_ms=5.78, round_trips=0)
    assert cost.dynamodb_read == pytest.approx(0.5)
    assert cost.dynamodb_write == pytest.approx(6.25)
    assert cost.lambda_ == pytest.approx(0.20 + 0.010 * 1_000_000 * 0.0000133334)
    assert cost.total == pytest.approx(0.5 + 6.25 + cost.lambda_ + 3.50)
