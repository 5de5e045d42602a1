"""The fuzz suite's worlds: one seeded workspace per test module, in-process or over HTTP.

Fuzzing needs many requests against one workspace, so the world is module-scoped: one embedded
DynamoDB (moto), two tenants (the second one only supplies foreign ids and cursors), a few
records of the standard objects, and cursors of several lists. Every example of every test of a
module runs against the same world, and the state its writes leave behind is part of what the
next examples meet.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
from moto import mock_aws

from tests.fuzz.world import FuzzWorld, HttpWorld, seed_world
from tests.http.local_stack import free_port, kill_group, start_stack


@pytest.fixture(scope="module")
def world() -> Iterator[FuzzWorld]:
    from chalice.test import Client

    from app import app
    from chalicelib.graphql import schema_cache
    from chalicelib.metadata import registry
    from chalicelib.storage.schema import ensure_tables

    with mock_aws():
        ensure_tables()
        registry.clear_cache()
        schema_cache.clear_cache()
        with Client(app) as client:
            yield seed_world(client.http)


@pytest.fixture(scope="module")
def http_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HttpWorld]:
    """run_local.py started once for the module: real sockets, the server's threads."""
    log = tmp_path_factory.mktemp("fuzz-stack") / "run_local.log"
    stack = start_stack(log, free_port(), "crm_dev_" + secrets.token_hex(12))
    try:
        yield HttpWorld.seeded(stack)
    finally:
        kill_group(stack.process)
