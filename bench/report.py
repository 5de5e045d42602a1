"""Results file and the table printed at the end of a run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.runner import CaseResult

RESULTS_PATH = Path(__file__).resolve().parent / "results.json"


def write_results(
    results: list[CaseResult], import_ms: float | None, heaviest: list[tuple[str, float]]
) -> Path:
    payload: dict[str, Any] = {
        "cases": [result.to_json() for result in results],
        "import_time_ms": import_ms,
        "heaviest_imports_ms": dict(heaviest),
    }
    RESULTS_PATH.write_text(json.dumps(payload, indent=2) + "\n")
    return RESULTS_PATH


def _operations(result: CaseResult) -> str:
    return " ".join(f"{op}={count:g}" for op, count in result.operations.items())


def table(results: list[CaseResult]) -> str:
    header = (
        f"{'case':<16} {'n':>3} {'reqs':>5} {'raw':>4} {'read':>6} {'ret':>5} "
        f"{'api ms':>8} {'raw ms':>8} {'ratio':>6} {'api cl':>7} {'raw cl':>7} {'cl ratio':>8}"
        "  operations"
    )
    lines = [header, "-" * len(header)]
    for r in results:
        lines.append(
            f"{r.name:<16} {r.iterations:>3} {r.dynamodb_requests:>5g} "
            f"{r.baseline_dynamodb_requests:>4g} {r.items_read:>6g} {r.items_returned:>5g} "
            f"{r.api_ms_median:>8.2f} {r.baseline_ms_median:>8.2f} {r.overhead_ratio:>6.2f} "
            f"{r.api_client_ms_median:>7.2f} {r.baseline_client_ms_median:>7.2f} "
            f"{r.client_overhead_ratio:>8.2f}  {_operations(r)}"
        )
    lines.append(
        "reqs/read/ret: DynamoDB requests, items read and records returned per API call; raw: the\n"
        "baseline's requests. ms are medians of in-process wall time; 'cl' excludes the time\n"
        "spent inside moto (emulated DynamoDB), i.e. the client-side work of each side."
    )
    return "\n".join(lines)


def import_lines(import_ms: float | None, heaviest: list[tuple[str, float]]) -> str:
    if import_ms is None:
        return "import time: skipped"
    heavy = ", ".join(f"{name} {ms:.0f}" for name, ms in heaviest)
    return f"import app (cold start): {import_ms:.0f} ms median\nheaviest imports (ms): {heavy}"
