"""Rate-limit cases (issue #14): what the limiter adds to a request, measured as the same REST
read with both limits off and with both on (one conditional UpdateItem of the workspace's
window item per request: one more DynamoDB request, one write unit, one round trip).

The limits are set around each timed call and restored after it (a module attribute swapped,
nanoseconds against milliseconds), so these cases leave every other case as the environment
configured it. "On" limits are far above what a bench run sends, so nothing is refused.
"""

from __future__ import annotations

from dataclasses import replace

from bench.cases import LIST_LIMIT, Call, Case, http
from bench.world import World
from chalicelib.auth import rate_limits

NEVER_REACHED = 1_000_000  # requests a minute


def _with_limits(on: bool, call: Call) -> Call:
    limit = NEVER_REACHED if on else 0
    settings = replace(
        rate_limits.SETTINGS, rate_limit_per_minute=limit, workspace_rate_limit_per_minute=limit
    )

    def run() -> object:
        saved = rate_limits.SETTINGS
        rate_limits.SETTINGS = settings
        try:
            return call()
        finally:
            rate_limits.SETTINGS = saved

    return run


def build_rate_limit_cases(world: World, iterations: int) -> list[Case]:
    read_id = world.company_ids[0]
    requests = {
        "get one": f"/rest/companies/{read_id}",
        f"list {LIST_LIMIT}": f"/rest/companies?limit={LIST_LIMIT}",
    }
    cases = []
    for name, path in requests.items():
        for on in (False, True):

            def prepare(i: int, path: str = path, on: bool = on) -> Call:
                return _with_limits(on, http(world, "GET", path))

            label = "rate limits on" if on else "rate limits off"
            cases.append(Case(f"{name} ({label})", iterations, prepare, expect_status=200))
    return cases
