"""The API's CPU per request as a Lambda spends it: the app alone in its process, DynamoDB in
another, reached over HTTP.

`python -m bench` times the API in the process that also runs moto and subtracts moto's CPU
(bench/runner.py's MotoCpu). Two things differ from a Lambda there, in opposite directions:

- the app reaches moto through botocore's `before-send` hook, so no HTTP request is written and
  no answer is read off a socket: CPU a Lambda spends and the bench does not count;
- moto's allocations share the app's garbage collector: a pass that one of them triggers inside
  the app's code is charged to the app, and the reverse.

Here the three cases with a CPU bar (bench/report.py's CPU_TARGETS_MS) run in child
interpreters that hold the app alone and call it as Lambda does, against moto's server (the
local stack's emulator) in this process, over loopback. A child's figure is its whole CPU (its
threads included) per request: the app and the HTTP client, nothing of DynamoDB. Each child is
a fresh process, so the spread between children shows how much this machine moves.

`python -m bench.lambda_like [calls per case] [children]`: ~2 minutes (the 10,000-company
tenant is seeded over HTTP); prints each case's median over the children's medians, their
range, and the bar, and writes `bench/lambda_like_results.json`.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.coldstart import REPO_ROOT, compile_app
from bench.dynamodb_server import child_environment, dynamodb_server, lambda_event, seeding

RESULTS = Path(__file__).resolve().parent / "lambda_like_results.json"
WARM_UP_CALLS = 5

# Each case's calls interleaved with the others', so that a slow stretch of the machine falls on
# all of them alike. process_time counts every thread of the child: the read fan-out's too.
_CHILD = """
import json, statistics, sys, time
events, calls, warm_up = json.loads(sys.stdin.read()), int(sys.argv[1]), int(sys.argv[2])
import app
for name, event in events.items():
    for _ in range(warm_up):
        assert app.app(event, None)["statusCode"] == 200, name
spent = {name: [] for name in events}
for _ in range(calls):
    for name, event in events.items():
        start = time.process_time()
        response = app.app(event, None)
        spent[name].append((time.process_time() - start) * 1000)
        assert response["statusCode"] == 200, (name, response)
print(json.dumps({name: statistics.median(values) for name, values in spent.items()}))
"""


def _events(app: Any) -> dict[str, dict[str, Any]]:
    """The Lambda events of the three cases, on tenants seeded through the app."""
    from bench import bigworld
    from bench.bigcases import NESTED_PEOPLE, NESTED_QUERY
    from bench.cases import LIST_LIMIT
    from bench.cpu_cases import COMPANIES_QUERY, GRAPHQL_COMPANIES
    from bench.world import build_world

    quick = build_world(app, 120)
    big = bigworld.build_big_world(app).world

    def graphql(query: str, headers: dict[str, str]) -> dict[str, Any]:
        return lambda_event(app, "POST", "/graphql", headers, json.dumps({"query": query}))

    return {
        "list 60": lambda_event(app, "GET", f"/rest/companies?limit={LIST_LIMIT}", quick.headers),
        GRAPHQL_COMPANIES: graphql(COMPANIES_QUERY, quick.headers),
        NESTED_PEOPLE: graphql(NESTED_QUERY, big.headers),
    }


def summarise(per_child: list[dict[str, float]], targets: dict[str, float]) -> dict[str, Any]:
    """Per case: the median of the children's medians, their range, the bar and whether the
    median meets it."""
    summary: dict[str, Any] = {}
    for name in per_child[0]:
        medians = [child[name] for child in per_child]
        middle = statistics.median(medians)
        target = targets.get(name)
        summary[name] = {
            "api_cpu_ms_median": round(middle, 2),
            "children_medians_ms": [round(value, 2) for value in medians],
            "target_ms": target,
            "holds": None if target is None else middle <= target,
        }
    return summary


def measure(env: dict[str, str], calls: int, children: int) -> list[dict[str, float]]:
    """Each child's median CPU ms per case."""
    compile_app()
    with dynamodb_server() as endpoint:
        with seeding(endpoint):
            from app import app

            events = json.dumps(_events(app))
        child_env = child_environment(env, endpoint)
        return [_child(events, child_env, calls) for _ in range(children)]


def _child(events: str, env: dict[str, str], calls: int) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(calls), str(WARM_UP_CALLS)],
        cwd=REPO_ROOT,
        env=env,
        input=events,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the timed child failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.splitlines()[-1])  # after the requests' own log lines


def main(argv: list[str]) -> int:
    from bench.environment import configure

    env = configure()  # before anything imports chalicelib, which reads table names at import
    from bench.machine_speed import reference_loop_us
    from bench.report import CPU_TARGETS_MS

    calls = int(argv[0]) if argv else 40
    children = int(argv[1]) if len(argv) > 1 else 4
    speed_before = reference_loop_us()
    summary = summarise(measure(env, calls, children), CPU_TARGETS_MS)
    speed = {"start": speed_before, "end": reference_loop_us()}
    for name, found in summary.items():
        verdict = "" if found["holds"] is None else (" OK" if found["holds"] else " OVER")
        print(
            f"{name:<26} {found['api_cpu_ms_median']:>6.2f} ms (children: "
            f"{', '.join(f'{v:.2f}' for v in found['children_medians_ms'])}; "
            f"bar {found['target_ms']:g}){verdict}"
        )
    print(
        f"machine speed (µs per reference loop): {speed['start']} at the start, "
        f"{speed['end']} at the end"
    )
    found = {"calls_per_case": calls, "children": children, "cases": summary}
    RESULTS.write_text(json.dumps({**found, "machine_reference_loop_us": speed}, indent=2) + "\n")
    print(f"written to {RESULTS.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
