"""Workspace export and import rates: `python -m bench.transfer --records 100000`.

Against the local stack's DynamoDB in this process (moto with local_stack/emulator.py, the
embedded DynamoDB of `make run`): a workspace of companies (1 in 10) and people (each with a
unique email and a company) is seeded through the API's batch create, exported to a gzip file,
and imported into a new workspace. Reported per phase: records per second and DynamoDB
requests per 1,000 records (by operation). The rates measure this process and moto, not
DynamoDB's latency; the request counts are what a deployed stage would be sent.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
import time
import uuid
from collections import Counter
from typing import Any

from bench.environment import configure

configure()

from chalicelib.storage.metering import install as install_meter  # noqa: E402

METER = install_meter()


def _seed(workspace_id: str, records: int) -> None:
    """`records` records through the REST batch create path (60 a call)."""
    from chalicelib.context import Principal, RequestContext, utc_now_iso
    from chalicelib.core.commands import CreateRecords
    from chalicelib.metadata.registry import load_model
    from chalicelib.wiring import record_service

    model = load_model(workspace_id)
    service = record_service()
    ctx = RequestContext(Principal(workspace_id, "bench", "Bench"), utc_now_iso())
    companies = max(records // 10, 1)
    company_ids = [str(uuid.uuid4()) for _ in range(companies)]
    inputs: list[tuple[str, dict[str, Any]]] = [
        (
            "company",
            {"id": cid, "name": f"Company {n}", "domainName": {"primaryLinkUrl": f"c{n}.test"}},
        )
        for n, cid in enumerate(company_ids)
    ]
    inputs += [
        (
            "person",
            {
                "name": {"firstName": f"P{n}", "lastName": "Bench"},
                "emails": {"primaryEmail": f"p{n}@bench.test"},
                "city": "Paris",
                "companyId": company_ids[n % companies],
            },
        )
        for n in range(records - companies)
    ]
    for start in range(0, len(inputs), 60):
        chunk = inputs[start : start + 60]
        obj = model.by_singular[chunk[0][0]]
        same = [body for name, body in chunk if name == chunk[0][0]]
        rest = [body for name, body in chunk if name != chunk[0][0]]
        service.create(ctx, CreateRecords(obj, tuple(same)))
        if rest:
            service.create(ctx, CreateRecords(model.by_singular["person"], tuple(rest)))


def _measure(label: str, records: int, run: Any) -> dict[str, Any]:
    METER.reset()
    started = time.perf_counter()
    result = run()
    seconds = time.perf_counter() - started
    operations = Counter(METER.operations)
    per_thousand = {op: round(1000 * n / records, 1) for op, n in sorted(operations.items())}
    return {
        "phase": label,
        "records": records,
        "seconds": round(seconds, 2),
        "recordsPerSecond": round(records / seconds, 1),
        "requestsPer1000Records": round(1000 * sum(operations.values()) / records, 1),
        "byOperation": per_thousand,
        "result": result,
    }


def run(records: int, progress: bool) -> list[dict[str, Any]]:
    from moto import mock_aws

    from chalicelib.metadata.provisioning import create_workspace
    from chalicelib.storage.schema import ensure_tables
    from chalicelib.transfer.export import export_workspace
    from chalicelib.transfer.workspace_import import Target, import_file
    from local_stack import emulator

    emulator.install()
    stream = sys.stderr if progress else io.StringIO()
    with mock_aws(), tempfile.TemporaryDirectory() as folder:
        ensure_tables()
        source = create_workspace("Bench source").id
        path = os.path.join(folder, "bench.jsonl.gz")
        phases = [
            _measure("seed (API batch create)", records, lambda: _seed(source, records)),
            _measure(
                "export",
                records,
                lambda: export_workspace(source, path, progress_stream=stream)["records"],
            ),
        ]
        size = os.path.getsize(path)

        def imported() -> dict[str, Any]:
            result = import_file(path, Target(name="Bench copy"), progress_stream=stream)
            return {k: result[k] for k in ("records", "imported", "skipped", "linked")}

        phases.append(_measure("import (new workspace)", records, imported))
        phases[1]["fileBytes"] = size
    return phases


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.transfer")
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--progress", action="store_true", help="show the progress on stderr")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.records, args.progress), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
