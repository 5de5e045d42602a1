"""The `dynamodb` fixture: a boto3 client on the emulator with both tables."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.unit.local_stack.emulated import emulated_tables


@pytest.fixture
def dynamodb() -> Iterator[Any]:
    with emulated_tables() as client:
        yield client
