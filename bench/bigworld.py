"""The query-engine tenant: 10,000 companies and 600 people, seeded through the REST API.

A second workspace in the same moto tables, so the five quick cases keep their small tenant
and this one holds exactly `COMPANIES` companies (the scan cap's edge, see bench/bigcases.py).
Seeded with `POST /rest/batch/...` in batches of 60, so every item, index key, guard and
counter is exactly what the app writes.

Layout of the companies (index i in creation order):
- i < 60: the *linked* companies, each with `PEOPLE_PER_LINKED` people. Their ids are chosen
  to sort before every random UUID, so the first page of `/rest/companies` (id order) is them;
- 60 <= i < 120: the *shared-name* group, all named `SHARED_NAME` (an indexed `eq` with 60
  matches);
- the rest: `Company <i:05d>`.
`employees` = i % 500, so `employees[gt]:100` matches about 80% of them.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from typing import Any

from bench.world import SEED_BATCH, World, new_tenant

COMPANIES = 10_000
LINKED = 60
PEOPLE_PER_LINKED = 10
SHARED_NAME = "Shared"
SHARED_COUNT = 60


@dataclass
class BigWorld:
    world: World
    linked_ids: list[str]
    seconds_to_seed: float
    extra_companies: int = 0  # added later by the past-the-cap case


def linked_id(index: int) -> str:
    # A valid version-4 UUID that sorts before any uuid4() the app generates (those start with
    # a random hex digit; eight leading zeros would be a 1-in-4-billion chance).
    return f"00000000-0000-4000-8000-{index:012x}"


def _company(index: int) -> dict[str, Any]:
    if index < LINKED:
        name = f"Linked {index:02d}"
    elif index < LINKED + SHARED_COUNT:
        name = SHARED_NAME
    else:
        name = f"Company {index:05d}"
    body: dict[str, Any] = {
        "name": name,
        "domainName": {"primaryLinkUrl": f"https://big-{index}.example.com"},
        "employees": index % 500,
    }
    if index < LINKED:
        body["id"] = linked_id(index)
    return body


def _person(company_index: int, n: int) -> dict[str, Any]:
    return {
        "name": {"firstName": f"P{company_index:02d}x{n}", "lastName": "Big"},
        "emails": {"primaryEmail": f"big-{company_index}-{n}@example.com"},
        "companyId": linked_id(company_index),
    }


def _seed(world: World, plural: str, bodies: list[dict[str, Any]]) -> None:
    for start in range(0, len(bodies), SEED_BATCH):
        world.call("POST", f"/rest/batch/{plural}", bodies[start : start + SEED_BATCH])


def build_big_world(app: Any) -> BigWorld:
    """A second workspace with the companies and people above, all created through the API."""
    started = time.perf_counter()
    world = new_tenant(app, "Bench 10k")
    companies = [_company(i) for i in range(COMPANIES)]
    for start in range(0, COMPANIES, 2_000):
        _seed(world, "companies", companies[start : start + 2_000])
        done = min(start + 2_000, COMPANIES)
        print(f"  seeded {done} companies", file=sys.stderr, flush=True)
    people = [_person(c, n) for c in range(LINKED) for n in range(PEOPLE_PER_LINKED)]
    _seed(world, "people", people)
    seconds = time.perf_counter() - started
    print(f"  seeded {len(people)} people; {seconds:.0f} s in all", file=sys.stderr, flush=True)
    world.company_ids = [linked_id(i) for i in range(LINKED)]
    return BigWorld(world, world.company_ids, seconds)


def add_company(big: BigWorld) -> None:
    """One more company, taking the object past the scan cap."""
    index = COMPANIES + big.extra_companies
    big.world.call("POST", "/rest/companies", _company(index))
    big.extra_companies += 1
