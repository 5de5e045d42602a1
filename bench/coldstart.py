"""Cold-start cost: how long `import app` takes in a fresh interpreter, like a new Lambda."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


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


def import_time_ms(env: dict[str, str], runs: int = 7) -> float:
    """Median wall time of `import app` minus that of an empty interpreter, in ms."""
    empty, full = [], []
    for _ in range(runs):
        # Interleaved so that a noisy moment affects both series alike.
        empty.append(_run_seconds("pass", env))
        full.append(_run_seconds("import app", env))
    return round((statistics.median(full) - statistics.median(empty)) * 1000, 1)


def heaviest_imports(env: dict[str, str], top: int = 8) -> list[tuple[str, float]]:
    """Self import time summed by root package (ms), from one `-X importtime` run."""
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
