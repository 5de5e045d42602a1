"""`python -m bench.emulator_pages`: what one request costs the embedded DynamoDB as data grows.

In-process, on the emulator `make run` and the tests use (`local_stack.emulator`): companies are
written through the app's own write path (`local_stack/seeding.py`) up to 0, 10,000 and 100,000
records, and at each size the time spent *inside the emulator* (moto's request handler, clocked
by `bench/emulator.py`) is measured for whole API operations: a 60-record page in the default
order, a 60-record page sorted by an indexed field (`name`, a GSI Query + BatchGetItem), a get by
id, and a 60-record batch create. Issue 15's bar: a page of 60 costs the emulator ≤ 5 ms at
100,000 records. Medians of `--runs` calls; results in `bench/emulator_pages_results.json`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.environment import configure

configure()  # before chalicelib is imported: table names, fake credentials

RESULTS_PATH = Path(__file__).resolve().parent / "emulator_pages_results.json"
SIZES = (0, 10_000, 100_000)


def _emulator_ms(call: Callable[[], Any], runs: int) -> dict[str, float]:
    """Median emulator time and median wall time of `call`, in ms (one untimed call first)."""
    from bench.emulator import CLOCK

    call()
    inside, wall = [], []
    for _ in range(runs):
        before, started = CLOCK.seconds, time.perf_counter()
        call()
        wall.append(time.perf_counter() - started)
        inside.append(CLOCK.seconds - before)
    return {
        "emulator_ms": round(statistics.median(inside) * 1000, 2),
        "wall_ms": round(statistics.median(wall) * 1000, 2),
    }


def measure(sizes: list[int], runs: int) -> list[dict[str, Any]]:
    from moto import mock_aws

    from bench import emulator

    emulator.install()
    with mock_aws():
        from chalicelib.context import Principal, RequestContext, utc_now_iso
        from chalicelib.core.commands import CreateRecords, GetRecord, ListRecords
        from chalicelib.core.filters import SortKey
        from chalicelib.metadata.provisioning import create_workspace
        from chalicelib.metadata.registry import load_model
        from chalicelib.storage.schema import ensure_tables
        from chalicelib.wiring import record_service
        from local_stack.seeding import company, seed_records

        ensure_tables()
        workspace = create_workspace("Bench workspace")
        obj = load_model(workspace.id).by_plural["companies"]
        service = record_service()
        principal = Principal(workspace_id=workspace.id, key_id="bench", key_name="Bench")

        def ctx() -> RequestContext:
            return RequestContext(principal=principal, now=utc_now_iso())

        rows, stored, extra = [], 0, 10_000_000
        for size in sorted(sizes):
            seed_records(workspace.id, "companies", size - stored, first=stored)
            stored = size
            # One page of 60 exists at every size, 0 included (created untimed).
            seed_records(workspace.id, "companies", 60, first=extra)
            extra += 60
            some_id = service.list(ctx(), ListRecords(obj, 1)).records[0]["id"]

            def batch() -> None:
                nonlocal extra
                inputs = tuple(company(extra + i) for i in range(60))
                extra += 60
                service.create(ctx(), CreateRecords(obj, inputs))

            row = {
                "records_stored": size,
                "page 60, default order": _emulator_ms(
                    lambda: service.list(ctx(), ListRecords(obj, 60)), runs
                ),
                "page 60, by indexed name": _emulator_ms(
                    lambda: service.list(
                        ctx(), ListRecords(obj, 60, order_by=(SortKey(("name",)),))
                    ),
                    runs,
                ),
                "get by id": _emulator_ms(
                    lambda record_id=some_id: service.get(ctx(), GetRecord(obj, record_id)),
                    runs,
                ),
                "batch create 60": _emulator_ms(batch, max(3, runs // 4)),
            }
            print(json.dumps(row), flush=True)
            rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=list(SIZES))
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    rows = measure(args.sizes, args.runs)
    RESULTS_PATH.write_text(json.dumps(rows, indent=2) + "\n")
    print(f"written to {RESULTS_PATH}")


if __name__ == "__main__":
    main()
