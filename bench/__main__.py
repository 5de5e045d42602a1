"""`python -m bench`: DynamoDB requests per operation and API overhead over raw boto3.

Flow: fake AWS settings -> meters installed -> one moto mock holding tables, a workspace, a key
and 120 companies -> the five quick cases, each warmed up then measured, API and baseline
interleaved -> a second workspace seeded through the API with 10,000 companies and 600 people
-> the query-engine cases (bench/bigcases.py, API only); after each case's timed calls, one
more call watched by the probe (bench/probe.py: capacity units from item sizes, sequential round
trips, cost per million at bench/pricing.py's prices) -> with the full set, the three CPU-bar
cases again in processes holding the app alone (bench/lambda_like.py, run first as a
subprocess) -> `bench/results.json` and the tables.
`--skip-big` runs the quick cases only. `--profile "list 60"` prints a cProfile of one case's
API calls instead of writing results.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from typing import Any

from bench.environment import configure

# Before anything imports chalicelib (table names are read at import) or creates a client.
SUBPROCESS_ENV = configure()

from chalicelib.storage.metering import install  # noqa: E402

METER = install()

from bench.probe import CallRecorder  # noqa: E402

# Watches one extra, untimed call per case: capacity units and sequential round trips.
RECORDER = CallRecorder().install()

from moto import mock_aws  # noqa: E402

from bench import emulator  # noqa: E402

emulator.install()  # before the first request: see bench/emulator.py for why

from bench import bigworld, report  # noqa: E402
from bench.aggregate_cases import build_aggregate_cases  # noqa: E402
from bench.bigcases import BIG_CASE_NAMES, build_big_cases, criteria  # noqa: E402
from bench.cases import Case, build_cases  # noqa: E402
from bench.changes_cases import build_changes_cases  # noqa: E402
from bench.coldstart import heaviest_imports, import_time_ms  # noqa: E402
from bench.cpu_cases import build_cpu_cases  # noqa: E402
from bench.graphql_cases import RawGraphQL, build_graphql_cases, schema_build_ms  # noqa: E402
from bench.idempotency_cases import build_idempotency_cases  # noqa: E402
from bench.lambda_like import lines as lambda_like_lines  # noqa: E402
from bench.lambda_like import run_in_subprocess  # noqa: E402
from bench.machine_speed import reference_loop_us  # noqa: E402
from bench.merge_cases import build_merge_cases  # noqa: E402
from bench.partial_batch_cases import build_partial_batch_cases  # noqa: E402
from bench.rate_limit_cases import build_rate_limit_cases  # noqa: E402
from bench.runner import CaseResult, profile_case, run_case  # noqa: E402
from bench.world import build_world  # noqa: E402

COMPANIES = 120  # two full pages of 60, so "list 60" reads a full page and has a next one
LAMBDA_LIKE_CALLS, LAMBDA_LIKE_CHILDREN = 40, 4


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--iterations", type=int, default=40, help="measured calls per case")
    parser.add_argument(
        "--big-iterations",
        type=int,
        default=10,
        help="measured calls per 10,000-record case (a third of it, at least 3, for scans)",
    )
    parser.add_argument("--skip-big", action="store_true", help="run the five quick cases only")
    parser.add_argument("--only", action="append", help="run only this case (repeatable)")
    parser.add_argument("--profile", metavar="CASE", help="cProfile one case's API calls")
    parser.add_argument("--skip-import", action="store_true", help="skip the cold-start timing")
    parser.add_argument(
        "--skip-lambda-like",
        action="store_true",
        help="skip the CPU bars' cases in processes of their own (bench/lambda_like.py)",
    )
    parser.add_argument(
        "--skip-probe", action="store_true", help="no capacity units, round trips or costs"
    )
    return parser.parse_args(argv)


def _wanted(known: list[str], args: argparse.Namespace) -> list[str]:
    """Names of the cases to run, in run order."""
    names = [args.profile] if args.profile else args.only
    unknown = set(names or ()) - set(known)
    if unknown:
        raise SystemExit(f"unknown case(s) {sorted(unknown)}; known: {known}")
    wanted = [name for name in known if not names or name in names]
    if args.skip_big:
        wanted = [name for name in wanted if name not in BIG_CASE_NAMES]
    return wanted


def _run(cases: list[Case], wanted: list[str], args: argparse.Namespace) -> list[CaseResult]:
    results = []
    for case in cases:
        if case.name not in wanted:
            continue
        if case.name in report.CPU_TARGETS_MS and not args.profile:
            case = replace(case, iterations=max(case.iterations, report.CPU_BAR_CALLS))
        if args.profile:
            print(profile_case(case, case.iterations))
            continue
        results.append(run_case(case, METER, None if args.skip_probe else RECORDER))
        print(f"  measured {case.name!r}", file=sys.stderr, flush=True)
    return results


def _measure(args: argparse.Namespace) -> tuple[list[CaseResult], dict[str, Any]]:
    from app import app  # here: after the meters are installed and inside the mock

    with mock_aws():
        world = build_world(app, COMPANIES)
        raw = RawGraphQL(world.workspace_id, world.key_hash, index_paths(world.workspace_id))
        cases = build_cases(world, raw, args.iterations)
        # The limiter's twins read the same page as "list 60": before the merges, which
        # soft-delete companies (a short page would make the twins Query twice).
        cases += build_rate_limit_cases(world, args.iterations)
        cases += build_graphql_cases(world, raw, args.iterations)
        cases += build_cpu_cases(world, raw, args.iterations)
        cases += build_merge_cases(world, args.iterations)
        cases += build_aggregate_cases(world, args.iterations)
        # Beyond Twenty (issue 14): each addition's cost per request.
        cases += build_idempotency_cases(world, args.iterations)
        cases += build_partial_batch_cases(world, args.iterations)
        cases += build_changes_cases(world, args.iterations)
        wanted = _wanted([case.name for case in cases] + list(BIG_CASE_NAMES), args)
        # The quick cases first: the big tenant makes every moto Query slower.
        results = _run(cases, wanted, args)
        datasets: dict[str, Any] = {"quick": {"companies": COMPANIES}}
        datasets["graphql_schema_build_ms"] = schema_build_ms()
        if any(name in BIG_CASE_NAMES for name in wanted):
            big = bigworld.build_big_world(app)
            results += _run(build_big_cases(big, args.big_iterations), wanted, args)
            datasets["big"] = {
                "companies": bigworld.COMPANIES,
                "companies_added_by_past_cap_case": big.extra_companies,
                "people": bigworld.LINKED * bigworld.PEOPLE_PER_LINKED,
                "companies_with_people": bigworld.LINKED,
                "seeded_via": "POST /rest/batch/{companies,people}, 60 records per call",
                "seed_seconds": round(big.seconds_to_seed, 1),
            }
        return results, datasets


def index_paths(workspace_id: str) -> dict[str, list[tuple[int, tuple[str, ...], bool]]]:
    """Each object's indexed paths, read once from the model (outside any timed call)."""
    from chalicelib.core.query_validation import resolve_path
    from chalicelib.metadata.model import FieldType
    from chalicelib.metadata.registry import load_model

    paths = {}
    for obj in load_model(workspace_id).objects:
        entries = []
        for spec in obj.indexes:
            target = resolve_path(obj, tuple(spec.path.split(".")))
            entries.append((spec.slot, target.path, target.type is FieldType.TEXT))
        paths[obj.id] = entries
    return paths


def main(argv: list[str]) -> int:
    args = _parse(argv)
    speed_before = reference_loop_us()
    # The cold start first: timed on the machine as it is, not after minutes of the bench's own
    # load, which leaves this machine slower (the reference loop: ~1.25x at a run's end).
    import_ms, heaviest = None, []
    if not args.skip_import and not args.profile:
        import_ms = import_time_ms(SUBPROCESS_ENV)
        heaviest = heaviest_imports(SUBPROCESS_ENV)
    # The CPU bars' cases again in processes holding the app alone (a minute), with the full set.
    lambda_like = None
    if not (args.skip_lambda_like or args.profile or args.only or args.skip_big):
        lambda_like = run_in_subprocess(SUBPROCESS_ENV, LAMBDA_LIKE_CALLS, LAMBDA_LIKE_CHILDREN)
    results, datasets = _measure(args)
    if args.profile:
        return 0
    datasets["lambda_like"] = lambda_like
    datasets["machine_reference_loop_us"] = {"start": speed_before, "end": reference_loop_us()}
    found = criteria(results) + report.round_trip_criteria(results)
    found += report.cpu_criteria(results) + report.lambda_like_criteria(lambda_like)
    found += report.import_criteria(import_ms)
    path = report.write_results(results, import_ms, heaviest, datasets, found)
    print(report.table(results))
    print(report.capacity_table(results))
    print(report.cpu_table(results))
    if lambda_like is not None:
        print(lambda_like_lines(lambda_like))
    print(report.reads_lines(results))
    if found:
        print(report.criteria_lines(found))
    print(report.import_lines(import_ms, heaviest))
    print(f"graphql schema build (ms, median): {datasets.get('graphql_schema_build_ms')}")
    speed = datasets["machine_reference_loop_us"]
    print(
        f"machine speed (bench/machine_speed.py, µs per reference loop, lower is faster): "
        f"{speed['start']} at the start, {speed['end']} at the end"
    )
    print(f"written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
