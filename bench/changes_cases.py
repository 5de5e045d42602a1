"""Delta sync case (issue 14): `GET /rest/changes/companies?since=…&limit=60` answering 60
changes. API only: the minimal raw equivalent is the same index Query and one BatchGetItem of
the 60 records, which the request and item counts show directly.

Each iteration writes its own 60 companies outside the timed call, after advancing the token to
the present (also untimed), so the timed call returns exactly those 60 changes. The settle time
is set to 0 for the run: in-process writes are visible at once, and the bench measures the read,
not the wait.
"""

from __future__ import annotations

import itertools
from typing import Any
from urllib.parse import quote

from bench.cases import Call, Case, http
from bench.world import World

CHANGES = 60
_serial = itertools.count()


def build_changes_cases(world: World, iterations: int) -> list[Case]:
    state: dict[str, Any] = {"token": None}

    def path(token: str | None, limit: int) -> str:
        since = f"since={quote(token)}&" if token is not None else ""
        return f"/rest/changes/companies?{since}limit={limit}"

    def catch_up() -> None:
        while True:
            answer = world.call("GET", path(state["token"], 200))
            state["token"] = answer["nextSyncToken"]
            if not answer["hasMore"]:
                return

    def before() -> None:
        from chalicelib import wiring

        wiring.change_feed().settle_seconds = 0
        catch_up()  # the world's seeded companies: one full first sync, untimed

    def delta(i: int) -> Call:
        catch_up()
        n = next(_serial)
        world.call(
            "POST",
            "/rest/batch/companies",
            [{"name": f"Delta {n}-{k}", "employees": k} for k in range(CHANGES)],
        )
        return http(world, "GET", path(state["token"], CHANGES))

    # Each iteration writes 60 records; a third of the iterations gives a stable median.
    return [
        Case(
            "delta sync of 60 changes",
            max(3, iterations // 3),
            delta,
            expect_status=200,
            expect_text=('"hasMore":false', '"operation":"created"'),
            before=before,
        )
    ]
