"""Fake AWS settings for an in-process moto DynamoDB, applied before chalicelib is imported."""

from __future__ import annotations

import os

# Own table names so a bench never touches the tables of tests or of the local stack.
BENCH_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    # botocore would route stream calls to an account endpoint moto does not know.
    "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
    "CRM_MAIN_TABLE": "bench-crm-main",
    "CRM_KEYS_TABLE": "bench-crm-api-keys",
    # The limiter is on (every case pays its one UpdateItem, as on a deployed stage) but never
    # refuses a bench call; bench/rate_limit_cases.py shows its cost on and off.
    "CRM_RATE_LIMIT_PER_MINUTE": "1000000",
    "CRM_WORKSPACE_RATE_LIMIT_PER_MINUTE": "1000000",
}

# An endpoint override would send the calls to a real server instead of moto.
_REMOVED = ("AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL", "AWS_PROFILE")


def configure() -> dict[str, str]:
    """Apply the bench settings to this process; returns the environment for subprocesses."""
    os.environ.update(BENCH_ENV)
    for name in _REMOVED:
        os.environ.pop(name, None)
    return dict(os.environ)
