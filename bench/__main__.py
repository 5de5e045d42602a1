"""`python -m bench`: DynamoDB requests per operation and API overhead over raw boto3.

Flow: fake AWS settings -> meter installed -> one moto mock holding tables, a workspace, a key
and 120 companies -> each case warmed up then measured, API and baseline interleaved ->
`bench/results.json` and a table. `--profile "list 60"` prints a cProfile of one case's API
calls instead of writing results.
"""

from __future__ import annotations

import argparse
import sys

from bench.environment import configure

# Before anything imports chalicelib (table names are read at import) or creates a client.
SUBPROCESS_ENV = configure()

from chalicelib.storage.metering import install  # noqa: E402

METER = install()

from moto import mock_aws  # noqa: E402

from bench import emulator  # noqa: E402

emulator.install()  # before the first request: see bench/emulator.py for why

from bench import report  # noqa: E402
from bench.baseline import RawDynamo  # noqa: E402
from bench.cases import Case, build_cases  # noqa: E402
from bench.coldstart import heaviest_imports, import_time_ms  # noqa: E402
from bench.runner import CaseResult, profile_case, run_case  # noqa: E402
from bench.world import build_world  # noqa: E402

COMPANIES = 120  # two full pages of 60, so "list 60" reads a full page and has a next one


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--iterations", type=int, default=40, help="measured calls per case")
    parser.add_argument("--only", action="append", help="run only this case (repeatable)")
    parser.add_argument("--profile", metavar="CASE", help="cProfile one case's API calls")
    parser.add_argument("--skip-import", action="store_true", help="skip the cold-start timing")
    return parser.parse_args(argv)


def _selected(cases: list[Case], names: list[str] | None) -> list[Case]:
    known = {case.name for case in cases}
    unknown = set(names or ()) - known
    if unknown:
        raise SystemExit(f"unknown case(s) {sorted(unknown)}; known: {sorted(known)}")
    return [case for case in cases if not names or case.name in names]


def _measure(args: argparse.Namespace) -> list[CaseResult] | None:
    from app import app  # here: after the meter is installed and inside the mock

    with mock_aws():
        world = build_world(app, COMPANIES)
        raw = RawDynamo(world.workspace_id, world.key_hash)
        cases = build_cases(world, raw, args.iterations)
        if args.profile:
            [case] = _selected(cases, [args.profile])
            print(profile_case(case, case.iterations))
            return None
        results = []
        for case in _selected(cases, args.only):
            results.append(run_case(case, METER))
            print(f"  measured {case.name!r}", file=sys.stderr, flush=True)
        return results


def main(argv: list[str]) -> int:
    args = _parse(argv)
    results = _measure(args)
    if results is None:
        return 0
    import_ms, heaviest = None, []
    if not args.skip_import:
        import_ms = import_time_ms(SUBPROCESS_ENV)
        heaviest = heaviest_imports(SUBPROCESS_ENV)
    path = report.write_results(results, import_ms, heaviest)
    print(report.table(results))
    print(report.import_lines(import_ms, heaviest))
    print(f"written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
