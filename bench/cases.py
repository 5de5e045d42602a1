"""The five measured operations, each as an API call and its raw-boto3 counterpart."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench.baseline import RawDynamo
from bench.world import World

LIST_LIMIT = 60
BATCH_SIZE = 60
PERSON_UNIQUE = "emails.primaryEmail"

# Every created person needs an email no earlier iteration (API or baseline) has used.
_serial = itertools.count()


@dataclass(frozen=True)
class Case:
    """`api(i)` returns the test client's response; `baseline(i)` the raw handler's JSON."""

    name: str
    iterations: int
    api: Callable[[int], Any]
    baseline: Callable[[int], str]


def _person(tag: str) -> dict[str, Any]:
    n = next(_serial)
    return {
        "name": {"firstName": f"Bench{n}", "lastName": tag},
        "emails": {"primaryEmail": f"bench-{tag}-{n}@example.com"},
    }


def _request(world: World, method: str, path: str, body: Any = None) -> Any:
    payload = b"" if body is None else json.dumps(body).encode()
    return world.client.http.request(method, path, headers=world.headers, body=payload)


def build_cases(world: World, raw: RawDynamo, iterations: int) -> list[Case]:
    companies, people = world.object_ids["companies"], world.object_ids["people"]
    read_id, update_id = world.company_ids[0], world.company_ids[1]
    # A person the API stored is the template of the baseline's documents (same size).
    seeded = world.call("POST", "/rest/people", _person("template"))["data"]["createPerson"]
    person_template = raw.stored_body(people, seeded["id"])

    def batch_request(tag: str) -> list[dict[str, Any]]:
        return [_person(tag) for _ in range(BATCH_SIZE)]

    return [
        Case(
            "get one",
            iterations,
            lambda i: _request(world, "GET", f"/rest/companies/{read_id}"),
            lambda i: raw.get_one(companies, read_id, "company"),
        ),
        Case(
            "list 60",
            iterations,
            lambda i: _request(world, "GET", f"/rest/companies?limit={LIST_LIMIT}"),
            lambda i: raw.list_page(companies, "companies", LIST_LIMIT),
        ),
        Case(
            "create one",
            iterations,
            lambda i: _request(world, "POST", "/rest/people", _person("api")),
            lambda i: raw.create(
                people, json.dumps(_person("raw")), person_template, PERSON_UNIQUE
            ),
        ),
        Case(
            "batch create 60",
            # Each iteration writes 120 records; a few are enough for a stable median.
            max(3, iterations // 4),
            lambda i: _request(world, "POST", "/rest/batch/people", batch_request("api")),
            lambda i: raw.create_many(
                people, json.dumps(batch_request("raw")), person_template, PERSON_UNIQUE
            ),
        ),
        Case(
            "update one",
            iterations,
            lambda i: _request(world, "PATCH", f"/rest/companies/{update_id}", {"name": f"N{i}"}),
            lambda i: raw.update(companies, update_id, json.dumps({"name": f"R{i}"})),
        ),
    ]
