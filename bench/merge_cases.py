"""Merge cases (issue #12): `PATCH /rest/companies/merge` of two companies with five people
each, written and as a dry run. API only: the minimal raw equivalent is the same reads and one
TransactWriteItems, which the request counts show directly.

Each iteration creates its own two companies and their people outside the timed call (a merge
soft-deletes one of them, so a pair cannot be merged twice).
"""

from __future__ import annotations

import itertools
from typing import Any

from bench.cases import Call, Case, http
from bench.world import World

PEOPLE_PER_COMPANY = 5
_serial = itertools.count()


def _pair(world: World) -> list[str]:
    """Two new companies (the second with a domain, the first without) and their people."""
    n = next(_serial)
    created = world.call("POST", "/rest/batch/companies", [
        {"name": f"Merge {n}", "employees": 5},
        {"name": "", "domainName": {"primaryLinkUrl": f"https://merge-{n}.example.com"}},
    ])["data"]["createCompanies"]  # fmt: skip
    ids = [company["id"] for company in created]
    people: list[dict[str, Any]] = [
        {"companyId": company_id, "city": f"City {i}"}
        for company_id in ids
        for i in range(PEOPLE_PER_COMPANY)
    ]
    world.call("POST", "/rest/batch/people", people)
    return ids


def build_merge_cases(world: World, iterations: int) -> list[Case]:
    def merge(dry_run: bool) -> Any:
        def prepare(i: int) -> Call:
            body = {"ids": _pair(world), "conflictPriorityIndex": 0, "dryRun": dry_run}
            return http(world, "PATCH", "/rest/companies/merge", body)

        return prepare

    # Each iteration seeds 12 records; a third of the iterations gives a stable median.
    count = max(3, iterations // 3)
    return [
        Case("merge 2 (10 related)", count, merge(False), expect_status=200,
             expect_text=("mergeCompanies",)),
        Case("merge 2 dry run", count, merge(True), expect_status=200,
             expect_text=("mergeCompanies",)),
    ]  # fmt: skip
