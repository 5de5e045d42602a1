"""Idempotency-Key cases (issue 14 item 2): `POST /rest/people` without and with the header, and
a retry with the same key and body (the stored answer replayed). API only: the key's cost is
the difference between the first two (the claim's PutItem and the answer's UpdateItem; the
WRITTEN mark rides in the write's own transaction), and a replay costs admission plus the
refused claim, with no write.

Each iteration of the keyed create uses a new key and person; the replay case stores one
answer per iteration outside the timed call and then times its retry.
"""

from __future__ import annotations

import itertools
import json
import uuid
from typing import Any

from chalice.local import LambdaEventConverter, RouteMatcher

from bench.cases import Call, Case
from bench.world import World

_serial = itertools.count()


def _person() -> dict[str, Any]:
    n = next(_serial)
    return {
        "name": {"firstName": f"Idem{n}", "lastName": "Bench"},
        "emails": {"primaryEmail": f"bench-idem-{n}-{uuid.uuid4().hex[:8]}@example.com"},
    }


def _keyed_http(world: World, method: str, path: str, body: Any, key: str | None) -> Call:
    """bench.cases.http with an Idempotency-Key: the API Gateway event is built once, outside
    the timed call, and the Lambda handler is invoked with it."""
    headers = dict(world.headers)
    if key is not None:
        headers["Idempotency-Key"] = key
    app = world.client._app  # noqa: SLF001 - the same app object the test client wraps
    converter = LambdaEventConverter(RouteMatcher(list(app.routes)), app.api.binary_types)
    event = converter.create_lambda_event(method, path, headers, json.dumps(body).encode())
    return lambda: _Answer(app(event, None))


class _Answer:
    """A Lambda proxy response with the two attributes the runner reads."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.status_code = int(raw["statusCode"])
        self.body = str(raw["body"]).encode()


def build_idempotency_cases(world: World, iterations: int) -> list[Case]:
    def create(keyed: bool) -> Any:
        def prepare(i: int) -> Call:
            key = str(uuid.uuid4()) if keyed else None
            return _keyed_http(world, "POST", "/rest/people", _person(), key)

        return prepare

    def replay(i: int) -> Call:
        key, person = str(uuid.uuid4()), _person()
        first = _keyed_http(world, "POST", "/rest/people", person, key)()
        if first.status_code != 201:
            raise RuntimeError(f"the first keyed create answered {first.status_code}")
        return _keyed_http(world, "POST", "/rest/people", person, key)

    return [
        Case("create one, no Idempotency-Key", iterations, create(False), expect_status=201,
             expect_text=("createPerson",)),
        Case("create one with Idempotency-Key", iterations, create(True), expect_status=201,
             expect_text=("createPerson",)),
        Case("create one, replayed", iterations, replay, expect_status=201,
             expect_text=("createPerson",)),
    ]  # fmt: skip
