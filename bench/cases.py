"""The five quick operations, each as an API call and its raw-boto3 counterpart.

The query-engine cases over 10,000 records are in bench/bigcases.py.

A case prepares each iteration's request outside the timed region (building bodies is the
client's work, not the server's) and hands back a zero-argument call that the runner times.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chalice.local import LambdaEventConverter, RouteMatcher

from bench.baseline import RawDynamo
from bench.world import World

LIST_LIMIT = 60
BATCH_SIZE = 60
PERSON_UNIQUE = "emails.primaryEmail"

Call = Callable[[], Any]

# Every created person needs an email that no earlier call (API or baseline) has used.
_serial = itertools.count()


@dataclass(frozen=True)
class Case:
    """`api(i)` and `baseline(i)` prepare iteration i and return the call to time.

    A case without a baseline measures the API alone (its ratios are null). `expect_status`
    None accepts any 2xx; otherwise every API answer must have that status and contain each of
    `expect_text`. `before` runs once, before the warm-up (e.g. to change the dataset).
    """

    name: str
    iterations: int
    api: Callable[[int], Call]
    baseline: Callable[[int], Call] | None = None
    expect_status: int | None = None
    expect_text: tuple[str, ...] = ()
    before: Callable[[], None] | None = None


def _person(tag: str) -> dict[str, Any]:
    n = next(_serial)
    return {
        "name": {"firstName": f"Bench{n}", "lastName": tag},
        "emails": {"primaryEmail": f"bench-{tag}-{n}@example.com"},
    }


def _people(tag: str) -> list[dict[str, Any]]:
    return [_person(tag) for _ in range(BATCH_SIZE)]


@dataclass(frozen=True)
class _Answer:
    """A Lambda proxy response with the two attributes the runner reads."""

    raw: dict[str, Any]

    @property
    def status_code(self) -> int:
        return int(self.raw["statusCode"])

    @property
    def body(self) -> bytes:
        return str(self.raw["body"]).encode()


def http(world: World, method: str, path: str, body: Any = None) -> Call:
    """Invoke the Lambda handler with the API Gateway event of this request, as Lambda does.

    The event is built once, outside the timed call: turning an HTTP request into an event is
    API Gateway's work, not the Lambda's, so it must not count as the API layer's overhead.
    """
    payload = b"" if body is None else json.dumps(body).encode()
    app = world.client._app  # noqa: SLF001 - the same app object the test client wraps
    converter = LambdaEventConverter(RouteMatcher(list(app.routes)), app.api.binary_types)
    event = converter.create_lambda_event(method, path, world.headers, payload)
    return lambda: _Answer(app(event, None))


def build_cases(world: World, raw: RawDynamo, iterations: int) -> list[Case]:
    companies, people = world.object_ids["companies"], world.object_ids["people"]
    read_id, update_id = world.company_ids[0], world.company_ids[1]
    # A person the API stored is the template of the baseline's documents (same size).
    seeded = world.call("POST", "/rest/people", _person("template"))["data"]["createPerson"]
    template = raw.stored_body(people, seeded["id"])

    def raw_create(i: int) -> Call:
        request = json.dumps(_person("raw"))
        return lambda: raw.create(people, request, template, PERSON_UNIQUE)

    def raw_batch(i: int) -> Call:
        request = json.dumps(_people("raw"))
        return lambda: raw.create_many(people, request, template, PERSON_UNIQUE)

    def raw_update(i: int) -> Call:
        request = json.dumps({"name": f"Raw {i}"})
        return lambda: raw.update(companies, update_id, request)

    return [
        Case(
            "get one",
            iterations,
            lambda i: http(world, "GET", f"/rest/companies/{read_id}"),
            lambda i: lambda: raw.get_one(companies, read_id, "company"),
        ),
        Case(
            "list 60",
            iterations,
            lambda i: http(world, "GET", f"/rest/companies?limit={LIST_LIMIT}"),
            lambda i: lambda: raw.list_page(companies, "companies", LIST_LIMIT),
        ),
        Case(
            "create one",
            iterations,
            lambda i: http(world, "POST", "/rest/people", _person("api")),
            raw_create,
        ),
        Case(
            "batch create 60",
            # Each iteration writes 240 items per side; a few give a stable enough median.
            max(3, iterations // 4),
            lambda i: http(world, "POST", "/rest/batch/people", _people("api")),
            raw_batch,
        ),
        Case(
            "update one",
            iterations,
            lambda i: http(world, "PATCH", f"/rest/companies/{update_id}", {"name": f"Api {i}"}),
            raw_update,
        ),
    ]
