"""Cold-start cost: how long `import app` takes in a fresh interpreter, like a new Lambda, and
what the first request after it costs on top.

`python -m bench.coldstart [runs]` prints both medians and the import time by package. Run it on
its own (not inside `python -m bench`): it starts a DynamoDB server of its own. Both load
compiled bytecode, as a deployed function does (`compile_app`).
"""

from __future__ import annotations

import compileall
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.dynamodb_server import child_environment, dynamodb_server, lambda_event, seeding

REPO_ROOT = Path(__file__).resolve().parent.parent

# The child a first request is timed in: `import app`, then one invocation of the app as
# Lambda makes it (the event built beforehand). No test client: chalice.test would import
# botocore, urllib3 and more before the clock starts, hiding what the first request loads.
# CPU time is reported next to wall time: on a loaded machine it is the steadier of the two.
_FIRST_REQUEST_CHILD = """
import json, sys, time
event = json.loads(sys.stdin.read())
wall, cpu = time.perf_counter(), time.process_time()
import app
imported = time.perf_counter(), time.process_time()
response = app.app(event, None)
answered = time.perf_counter(), time.process_time()
assert response["statusCode"] == 200, response
print(json.dumps({
    "import_ms": (imported[0] - wall) * 1000,
    "import_cpu_ms": (imported[1] - cpu) * 1000,
    "first_request_ms": (answered[0] - imported[0]) * 1000,
    "first_request_cpu_ms": (answered[1] - imported[1]) * 1000,
}))
"""


def compile_app() -> None:
    """The app's own modules compiled to bytecode before anything is timed, as the Lambda zip
    ships them (infra/bytecode.py; its dependencies come compiled by pip here). Without it, on
    a machine that sets PYTHONDONTWRITEBYTECODE (these do), every fresh interpreter timed here
    would compile chalicelib from source, which no deployed cold start does. These `.pyc` are
    the timestamp-checked kind Python writes itself: a later edit of a source is still seen."""
    compileall.compile_dir(REPO_ROOT / "chalicelib", quiet=2, workers=1)
    compileall.compile_file(REPO_ROOT / "app.py", quiet=2)


def _run_seconds(code: str, env: dict[str, str], *flags: str) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, *flags, "-c", code],
        cwd=REPO_ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


# Fresh interpreters timed for the cold-start bar (and as many empty ones, interleaved).
IMPORT_RUNS = 15


def import_time_ms(env: dict[str, str], runs: int = IMPORT_RUNS) -> float:
    """Median wall time of `import app` minus that of an empty interpreter, in ms."""
    compile_app()
    empty, full = [], []
    for _ in range(runs):
        # Interleaved so that a noisy moment affects both series alike.
        empty.append(_run_seconds("pass", env))
        full.append(_run_seconds("import app", env))
    return round((statistics.median(full) - statistics.median(empty)) * 1000, 1)


def heaviest_imports(env: dict[str, str], top: int = 8) -> list[tuple[str, float]]:
    """Self import time summed by root package (ms), from one `-X importtime` run."""
    compile_app()
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import app"],
        cwd=REPO_ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    totals: dict[str, float] = {}
    for line in result.stderr.splitlines():
        # "import time:  self [us] | cumulative | imported package"
        parts = line.removeprefix("import time:").split("|")
        if len(parts) != 3 or not parts[0].strip().isdigit():
            continue
        # Self times never overlap, so summing them attributes the whole import exactly.
        root = parts[2].strip().split(".")[0]
        totals[root] = totals.get(root, 0.0) + int(parts[0]) / 1000
    return sorted(totals.items(), key=lambda kv: kv[1], reverse=True)[:top]


def _get_one_record_event() -> dict[str, Any]:
    """Tables, a workspace, its key and one company; the Lambda event of `GET` on that company."""
    from app import app
    from bench.world import new_tenant

    world = new_tenant(app, "Cold start")
    created = world.call("POST", "/rest/companies", {"name": "Cold start"})
    company_id = created["data"]["createCompany"]["id"]
    return lambda_event(app, "GET", f"/rest/companies/{company_id}", world.headers)


def first_request_ms(env: dict[str, str], runs: int = 7) -> dict[str, float]:
    """Medians over fresh interpreters, measured inside each: `import app`, then the first
    request after it (a REST GET of one record; DynamoDB over loopback), wall and CPU ms."""
    compile_app()
    with dynamodb_server() as endpoint:
        with seeding(endpoint):
            event = json.dumps(_get_one_record_event())
        child_env = child_environment(env, endpoint)
        samples = [
            json.loads(
                subprocess.run(
                    [sys.executable, "-c", _FIRST_REQUEST_CHILD],
                    cwd=REPO_ROOT,
                    env=child_env,
                    input=event,
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout.splitlines()[-1]  # after the request's own log line
            )
            for _ in range(runs)
        ]
    return {
        name: round(statistics.median(sample[name] for sample in samples), 1) for name in samples[0]
    }


def main(argv: list[str]) -> int:
    from bench.environment import configure

    env = configure()
    runs = int(argv[0]) if argv else 9
    print(
        f"import app (fresh interpreter minus `python -c pass`, median of {runs}): "
        f"{import_time_ms(env, runs)} ms"
    )
    print(f"in the child that serves a first request (median of {runs}, ms):")
    for name, value in first_request_ms(env, runs).items():
        print(f"  {name}: {value}")
    heavy = ", ".join(f"{name} {ms:.0f}" for name, ms in heaviest_imports(env, 12))
    print(f"self import time by package (ms, one -X importtime run): {heavy}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
