"""Cost of a million requests of one kind, at on-demand list prices.

Prices: us-east-1 list prices as published on the AWS pricing pages of Amazon DynamoDB (on-demand
capacity, Standard table class, after the on-demand price cut of 1 November 2024), AWS Lambda
(Arm / Graviton, the architecture infra/ deploys, first pricing tier) and Amazon API Gateway (REST
APIs, first 333 million requests a month). Taken as known on 2026-12-07, not re-read online;
free tiers left out.

Lambda is billed for its duration: the API's own CPU time measured in-process (`api_client_ms`,
moto's time excluded) scaled to the CPU share of the configured memory (Lambda gives a whole vCPU
at 1,769 MB, so 1,024 MB gets 58 % of one), plus one DynamoDB network round trip per sequential
call at an assumed in-region latency, rounded up to the billed millisecond.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

PRICE_DATE = "2026-12-07"
DYNAMODB_READ_PER_MILLION_UNITS = 0.125  # $ per million read request units
DYNAMODB_WRITE_PER_MILLION_UNITS = 0.625  # $ per million write request units
LAMBDA_PER_MILLION_REQUESTS = 0.20
LAMBDA_ARM_PER_GB_SECOND = 0.0000133334
API_GATEWAY_REST_PER_MILLION = 3.50

LAMBDA_MEMORY_MB = 1024  # infra/settings.py StageSettings.memory_mb
FULL_VCPU_MB = 1769
DYNAMODB_ROUND_TRIP_MS = 5.0  # assumed: in-region request latency seen from a warm Lambda


@dataclass(frozen=True)
class CostPerMillion:
    """Dollars per million requests, by service, and the Lambda duration they assume."""

    dynamodb_read: float
    dynamodb_write: float
    lambda_: float
    api_gateway: float
    lambda_ms: int

    @property
    def total(self) -> float:
        return self.dynamodb_read + self.dynamodb_write + self.lambda_ + self.api_gateway

    def to_json(self) -> dict[str, Any]:
        return {
            "dynamodb_read": round(self.dynamodb_read, 4),
            "dynamodb_write": round(self.dynamodb_write, 4),
            "lambda": round(self.lambda_, 4),
            "api_gateway": round(self.api_gateway, 4),
            "total": round(self.total, 4),
            "lambda_billed_ms": self.lambda_ms,
        }


def lambda_billed_ms(cpu_ms: float, round_trips: int) -> int:
    cpu_share = min(1.0, LAMBDA_MEMORY_MB / FULL_VCPU_MB)
    return max(1, math.ceil(cpu_ms / cpu_share + round_trips * DYNAMODB_ROUND_TRIP_MS))


def cost_per_million(
    read_units: float, write_units: float, cpu_ms: float, round_trips: int
) -> CostPerMillion:
    """`write_units` counts the table's and its indexes' writes together."""
    billed_ms = lambda_billed_ms(cpu_ms, round_trips)
    gb_seconds = LAMBDA_MEMORY_MB / 1024 * billed_ms / 1000
    return CostPerMillion(
        dynamodb_read=read_units * DYNAMODB_READ_PER_MILLION_UNITS,
        dynamodb_write=write_units * DYNAMODB_WRITE_PER_MILLION_UNITS,
        lambda_=LAMBDA_PER_MILLION_REQUESTS + gb_seconds * 1_000_000 * LAMBDA_ARM_PER_GB_SECOND,
        api_gateway=API_GATEWAY_REST_PER_MILLION,
        lambda_ms=billed_ms,
    )


PRICE_TABLE = {
    "date": PRICE_DATE,
    "region": "us-east-1",
    "dynamodb_on_demand_per_million_read_units": DYNAMODB_READ_PER_MILLION_UNITS,
    "dynamodb_on_demand_per_million_write_units": DYNAMODB_WRITE_PER_MILLION_UNITS,
    "lambda_per_million_requests": LAMBDA_PER_MILLION_REQUESTS,
    "lambda_arm_per_gb_second": LAMBDA_ARM_PER_GB_SECOND,
    "lambda_memory_mb": LAMBDA_MEMORY_MB,
    "api_gateway_rest_per_million_requests": API_GATEWAY_REST_PER_MILLION,
    "assumed_dynamodb_round_trip_ms": DYNAMODB_ROUND_TRIP_MS,
}
