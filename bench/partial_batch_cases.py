"""Partial batch cases (issue #14 item 3): `POST /rest/batch/people?partial=true` with 60
people, all valid (the same DynamoDB calls as the default batch), with 5 refused by their
values (no extra call) and with 5 whose email an existing person holds (one more write round
and two reads). API only: the raw equivalent is the default batch's, in `batch create 60`.
"""

from __future__ import annotations

import itertools
from typing import Any

from bench.cases import Call, Case, http
from bench.world import World

BATCH = 60
REFUSED = 5
_serial = itertools.count()
# Emails held by people created once, before the cases run: every iteration collides on them.
_TAKEN = [f"bench-partial-taken-{i}@example.com" for i in range(REFUSED)]


def _people(tag: str, count: int) -> list[dict[str, Any]]:
    return [
        {"emails": {"primaryEmail": f"bench-partial-{tag}-{next(_serial)}@example.com"}}
        for _ in range(count)
    ]


def build_partial_batch_cases(world: World, iterations: int) -> list[Case]:
    def hold_the_taken_emails() -> None:
        world.call("POST", "/rest/batch/people?upsert=true", [
            {"emails": {"primaryEmail": email}} for email in _TAKEN
        ])  # fmt: skip

    def send(records: list[dict[str, Any]]) -> Call:
        return http(world, "POST", "/rest/batch/people?partial=true", records)

    def all_valid(i: int) -> Call:
        return send(_people("ok", BATCH))

    def refused_by_values(i: int) -> Call:
        return send(_people("v", BATCH - REFUSED) + [{"shoeSize": 44}] * REFUSED)

    def refused_by_the_table(i: int) -> Call:
        taken = [{"emails": {"primaryEmail": email}} for email in _TAKEN]
        return send(_people("t", BATCH - REFUSED) + taken)

    expect = ("createPeople",)
    return [
        Case("partial batch 60, all valid", iterations, all_valid, expect_status=207,
             expect_text=expect),
        Case("partial batch 60, 5 invalid", iterations, refused_by_values, expect_status=207,
             expect_text=("UNKNOWN_FIELD",)),
        Case("partial batch 60, 5 taken", iterations, refused_by_the_table, expect_status=207,
             expect_text=("DUPLICATE_ENTRY",), before=hold_the_taken_emails),
    ]  # fmt: skip
