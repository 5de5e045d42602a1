"""The module-scoped `stack` fixture: run_local.py started once per test module."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest

from tests.http.local_stack import Stack, free_port, kill_group, start_stack


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    log = tmp_path_factory.mktemp("local-stack") / "run_local.log"
    running = start_stack(log, free_port(), "crm_dev_" + secrets.token_hex(12))
    try:
        yield running
    finally:
        kill_group(running.process)
