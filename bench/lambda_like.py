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
local stack's emulator) in this process, over loopback. A child measures its whole CPU (its
threads included) per request, and apart from it the HTTP exchange (botocore's session writing
the signed request and reading the answer, on the thread that makes it); the difference is the
app's own CPU, the bars' measure, free of moto. Each child is a fresh process, so the spread
between children shows how much this machine moves.

`python -m bench.lambda_like [calls per case] [children]` (~1 minute: the tenants are seeded
over HTTP) prints, per case, the medians over the children's medians and each child's app
figure against the bar, and writes `bench/lambda_like_results.json`. `python -m bench` runs it
too (unless --skip-lambda-like, --only, --skip-big or --profile) and holds its app figures
against the same bars.
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
# all of them alike. process_time counts every thread of the child: the read fan-out's too. The
# HTTP exchange (botocore's session sending a signed request and reading the answer) is timed
# apart, on the thread that makes it: the rest is the app's own CPU, the bars' measure.
_CHILD = """
import json, statistics, sys, threading, time
from botocore.httpsession import URLLib3Session
events, calls, warm_up = json.loads(sys.stdin.read()), int(sys.argv[1]), int(sys.argv[2])
exchange, lock, send = [0.0], threading.Lock(), URLLib3Session.send

def timed_send(self, request):
    start = time.thread_time()
    try:
        return send(self, request)
    finally:
        spent = time.thread_time() - start
        with lock:
            exchange[0] += spent

URLLib3Session.send = timed_send
import app
for name, event in events.items():
    for _ in range(warm_up):
        assert app.app(event, None)["statusCode"] == 200, name
whole = {name: [] for name in events}
http = {name: [] for name in events}
for _ in range(calls):
    for name, event in events.items():
        start, sent = time.process_time(), exchange[0]
        response = app.app(event, None)
        whole[name].append((time.process_time() - start) * 1000)
        http[name].append((exchange[0] - sent) * 1000)
        assert response["statusCode"] == 200, (name, response)
print(json.dumps({
    name: {
        "whole": statistics.median(whole[name]),
        "http_exchange": statistics.median(http[name]),
        "app": statistics.median(w - h for w, h in zip(whole[name], http[name])),
    }
    for name in events
}))
"""

# What a child reports per case: its median CPU ms per request, whole, in the HTTP exchange,
# and the difference (the app's own).
MEASURES = ("whole", "http_exchange", "app")


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


def summarise(
    per_child: list[dict[str, dict[str, float]]], targets: dict[str, float]
) -> dict[str, Any]:
    """Per case and measure: the median of the children's medians, and each child's. The bar
    is held against the app's own CPU (the bench's measure, without the HTTP exchange) and,
    for information, against the whole."""
    summary: dict[str, Any] = {}
    for name in per_child[0]:
        found: dict[str, Any] = {}
        for measure in MEASURES:
            medians = [child[name][measure] for child in per_child]
            found[f"{measure}_ms"] = round(statistics.median(medians), 2)
            found[f"{measure}_children_ms"] = [round(value, 2) for value in medians]
        target = targets.get(name)
        found["target_ms"] = target
        found["app_holds"] = None if target is None else found["app_ms"] <= target
        found["whole_holds"] = None if target is None else found["whole_ms"] <= target
        summary[name] = found
    return summary


def measure(env: dict[str, str], calls: int, children: int) -> list[dict[str, dict[str, float]]]:
    """Each child's medians per case (see MEASURES)."""
    compile_app()
    with dynamodb_server() as endpoint:
        with seeding(endpoint):
            from app import app

            events = json.dumps(_events(app))
        child_env = child_environment(env, endpoint)
        return [_child(events, child_env, calls) for _ in range(children)]


def _child(events: str, env: dict[str, str], calls: int) -> dict[str, dict[str, float]]:
    out = _python(["-c", _CHILD, str(calls), str(WARM_UP_CALLS)], env, events)
    return json.loads(out.splitlines()[-1])  # after the requests' own log lines


def run_in_subprocess(env: dict[str, str], calls: int, children: int) -> dict[str, Any]:
    """`python -m bench.lambda_like` in a process of its own (its DynamoDB server and tenants
    must not meet the bench's in-process mock); what it wrote."""
    _python(["-m", "bench.lambda_like", str(calls), str(children)], env)
    return json.loads(RESULTS.read_text())


def _python(args: list[str], env: dict[str, str], stdin: str | None = None) -> str:
    """What a Python child printed; its error output in the exception when it fails."""
    done = subprocess.run(
        [sys.executable, *args],
        cwd=REPO_ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"python {' '.join(args[:2])[:60]} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def lines(found: dict[str, Any]) -> str:
    """The summary as the bench prints it: per case, the app, the HTTP exchange, the whole."""
    rows = [
        f"Lambda-like CPU (bench/lambda_like.py: the app alone in {found['children']} fresh "
        f"processes, DynamoDB over loopback; median of the children's medians, ms)",
        f"{'case':<26} {'app':>6} {'http':>6} {'whole':>6} {'bar':>4}  app by child",
    ]
    for name, case in found["cases"].items():
        rows.append(
            f"{name:<26} {case['app_ms']:>6.2f} {case['http_exchange_ms']:>6.2f} "
            f"{case['whole_ms']:>6.2f} {case['target_ms'] or 0:>4g}  "
            + ", ".join(f"{value:.2f}" for value in case["app_children_ms"])
        )
    return "\n".join(rows)


def _verdict(holds: bool | None) -> str:
    return "-" if holds is None else ("OK" if holds else "OVER")


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
        print(
            f"{name:<26} app {found['app_ms']:>6.2f} ms + HTTP exchange "
            f"{found['http_exchange_ms']:>5.2f} = whole {found['whole_ms']:>6.2f} "
            f"(bar {found['target_ms']:g}: app {_verdict(found['app_holds'])}, "
            f"whole {_verdict(found['whole_holds'])}; app by child: "
            f"{', '.join(f'{v:.2f}' for v in found['app_children_ms'])})"
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
