"""`python -m bench.local_stack`: the real local stack (`make run`) with 0, 10,000 and 100,000
records stored.

The worlds are built fast, in this process: moto with the emulator installed (what run_local.py
serves), the demo workspace and its key created as run_local.py creates them, then companies
created in batches of 60 through the app's own write path (`local_stack/seeding.py`:
`RecordService.create`, so every record, uniqueness guard, index key and counter is what the API
writes), saved by the local stack's persistence into a data folder and compacted, a copy of the
folder kept per size. The first save of each size is timed too, with the longest time it held
the emulator's lock (what a request could have waited for).

Then, for each size, run_local.py is started on a copy of its folder, and over real HTTP
(loopback, urllib, no proxy): the start-up time (process start to /healthz answering, the
banner's load time), a get-by-id's latency, a 60-company batch's latency, and the SIGTERM stop
(final save included). Results: `bench/local_stack_results.json` and a table.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.environment import configure

# Before chalicelib is imported: table names, fake credentials, no endpoint override.
SUBPROCESS_ENV = configure()

ROOT = Path(__file__).resolve().parents[1]
RESULTS_PATH = Path(__file__).resolve().parent / "local_stack_results.json"
KEY = "crm_dev_bench_local_stack"
SIZES = (0, 10_000, 100_000)
READY_TIMEOUT = 600.0
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


# --- building the worlds (in-process) ----------------------------------------------------------


def build_worlds(root: Path, sizes: list[int]) -> dict[int, dict[str, Any]]:
    """A data folder per size under `root` (world-<size>); returns how each was built."""
    from moto import mock_aws
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    from chalicelib.auth.api_keys import issue_key
    from chalicelib.metadata.provisioning import create_workspace
    from chalicelib.settings import SETTINGS
    from chalicelib.storage.schema import ensure_tables
    from local_stack import emulator
    from local_stack.datadir import DataDir
    from local_stack.persistence import Persistence
    from local_stack.seeding import seed_records
    from run_local import DEMO_WORKSPACE_ID

    emulator.install()
    built: dict[int, dict[str, Any]] = {}
    with mock_aws():
        data = DataDir(root / "building")
        data.open()
        data.reset()
        kept = Persistence(dynamodb_backends[DEFAULT_ACCOUNT_ID][SETTINGS.region], data)
        kept.load()
        ensure_tables()
        workspace = create_workspace("Demo workspace", workspace_id=DEMO_WORKSPACE_ID)
        issue_key(workspace.id, "Local development key", token=KEY)
        stored = 0
        for size in sorted(sizes):
            started = time.perf_counter()
            seed_records(
                workspace.id,
                "companies",
                size - stored,
                first=stored,
                progress=_progress(stored, size),
            )
            seeded = time.perf_counter() - started
            stored = size
            saved = kept.save()
            compact_started = time.perf_counter()
            items = data.compact()
            built[size] = {
                "records": size,
                "items": items,
                "seed_seconds": round(seeded, 1),
                "first_save_seconds": round(saved.seconds, 2),
                "first_save_items": saved.items,
                "first_save_longest_lock_ms": round(saved.longest_hold * 1000, 1),
                "compact_seconds": round(time.perf_counter() - compact_started, 2),
                "snapshot_mb": round((data.path / "snapshot.jsonl.gz").stat().st_size / 1e6, 1),
            }
            print(f"world {size:>7,}: {built[size]}", flush=True)
            shutil.copytree(
                data.path, root / f"world-{size}", ignore=shutil.ignore_patterns(".lock")
            )
        kept.close()
    return built


def _progress(start: int, end: int) -> Callable[[int], None]:
    step = max(10_000, (end - start) // 10)

    def report(written: int) -> None:
        if written % step < 60:
            print(f"  seeded {start + written:,} / {end:,}", flush=True)

    return report


# --- the stack over HTTP -----------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _http(method: str, url: str, body: Any = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url,
        data=data,
        method=method,
        headers={"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"},
    )
    try:
        with _OPENER.open(request, timeout=120) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read() or b"null")


def _timed(method: str, url: str, body: Any = None, expect: int = 200) -> float:
    started = time.perf_counter()
    status, answer = _http(method, url, body)
    elapsed = time.perf_counter() - started
    if status != expect:
        raise RuntimeError(f"{method} {url} answered {status}: {str(answer)[:300]}")
    return elapsed * 1000


def _summary(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    return {
        "n": len(ordered),
        "median_ms": round(statistics.median(ordered), 1),
        "p90_ms": round(ordered[math.ceil(0.9 * len(ordered)) - 1], 1),  # nearest rank
        "max_ms": round(ordered[-1], 1),
    }


class RunningStack:
    def __init__(self, folder: Path, log: Path) -> None:
        self.port, dynamodb_port = _free_port(), _free_port()
        self.api = f"http://127.0.0.1:{self.port}"
        self.log = log
        env = {
            **SUBPROCESS_ENV,
            "PORT": str(self.port),
            "DYNAMODB_PORT": str(dynamodb_port),
            "CRM_DATA_DIR": str(folder),
            "CRM_DEV_API_KEY": KEY,
            "PYTHONUNBUFFERED": "1",
        }
        env.pop("FRESH", None)
        started = time.perf_counter()
        with log.open("wb") as sink:
            self.process = subprocess.Popen(
                [sys.executable, "run_local.py"],
                cwd=ROOT,
                env=env,
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.startup_seconds = self._wait_ready(started)
        found = re.search(
            r"Data: ([\d,]+) items loaded .* in ([\d.]+) s \(([\d.]+) s CPU\)", log.read_text()
        )
        self.loaded_items = int(found.group(1).replace(",", "")) if found else None
        self.load_seconds = float(found.group(2)) if found else None
        self.load_cpu_seconds = float(found.group(3)) if found else None

    def _wait_ready(self, started: float) -> float:
        while time.perf_counter() - started < READY_TIMEOUT:
            if self.process.poll() is not None:
                raise RuntimeError(f"run_local.py exited:\n{self.log.read_text()}")
            try:
                if _http("GET", f"{self.api}/healthz")[0] == 200:
                    return time.perf_counter() - started
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"run_local.py not ready in {READY_TIMEOUT}s:\n{self.log.read_text()}")

    def peak_memory_mb(self) -> float | None:
        """The stack's peak resident memory (Linux /proc; None elsewhere)."""
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return None
        found = re.search(r"VmHWM:\s+(\d+) kB", status)
        return round(int(found.group(1)) / 1024) if found else None

    def stop(self) -> float:
        started = time.perf_counter()
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=120)
        return time.perf_counter() - started

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def _company(index: int) -> dict[str, Any]:
    return {
        "name": f"Bench batch {index:07d}",
        "domainName": {"primaryLinkUrl": f"https://bench-batch-{index}.example.com"},
        "employees": index % 500,
    }


def measure(world: Path, size: int, work: Path, batches: int, gets: int) -> dict[str, Any]:
    folder = work / f"run-{size}"
    shutil.copytree(world, folder)
    stack = RunningStack(folder, work / f"run-{size}.log")
    try:
        status, page = _http("GET", f"{stack.api}/rest/companies?limit=60")
        ids = [company["id"] for company in page["data"]["companies"]] if status == 200 else []
        if not ids:  # the empty world: a few companies to read
            _timed(
                "POST",
                f"{stack.api}/rest/batch/companies",
                [_company(10_000_000 + n) for n in range(10)],
                expect=201,
            )
            ids = [
                c["id"] for c in _http("GET", f"{stack.api}/rest/companies")[1]["data"]["companies"]
            ]
        # One untimed call of each: the API imports its handlers on first use.
        _timed("GET", f"{stack.api}/rest/companies/{ids[0]}")
        get_ms = [
            _timed("GET", f"{stack.api}/rest/companies/{ids[n % len(ids)]}") for n in range(gets)
        ]
        first = 20_000_000 + size
        batch_ms = [
            _timed(
                "POST",
                f"{stack.api}/rest/batch/companies",
                [_company(first + b * 60 + n) for n in range(60)],
                expect=201,
            )
            for b in range(batches + 1)
        ][1:]
        return {
            "records": size,
            "startup_seconds": round(stack.startup_seconds, 2),
            "loaded_items": stack.loaded_items,
            "load_seconds": stack.load_seconds,
            "load_cpu_seconds": stack.load_cpu_seconds,
            "get_by_id": _summary(get_ms),
            "batch_60": _summary(batch_ms),
            "peak_memory_mb": stack.peak_memory_mb(),
            "sigterm_stop_seconds": round(stack.stop(), 2),
        }
    except Exception:
        print(
            f"run_local.py output ({size:,} records):",
            *stack.log.read_text().splitlines()[-40:],
            sep="\n",
            file=sys.stderr,
        )
        raise
    finally:
        stack.kill()


def _table(runs: list[dict[str, Any]]) -> str:
    lines = [
        f"{'records':>8} {'items':>8} {'start s':>8} {'load s':>7} {'get med/p90 ms':>15} "
        f"{'batch60 med/p90 ms':>19} {'stop s':>7}"
    ]
    for run in runs:
        get, batch = run["get_by_id"], run["batch_60"]
        lines.append(
            f"{run['records']:>8,} {run['loaded_items'] or 0:>8,} {run['startup_seconds']:>8.2f} "
            f"{run['load_seconds'] or 0:>7.1f} {get['median_ms']:>7.1f}/{get['p90_ms']:<7.1f} "
            f"{batch['median_ms']:>9.1f}/{batch['p90_ms']:<9.1f} "
            f"{run['sigterm_stop_seconds']:>7.2f}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.local_stack", description=__doc__)
    parser.add_argument(
        "--sizes",
        default=",".join(map(str, SIZES)),
        help="records stored per world, comma-separated",
    )
    parser.add_argument("--batches", type=int, default=10, help="timed 60-record batches")
    parser.add_argument("--gets", type=int, default=50, help="timed gets by id")
    parser.add_argument("--worlds", type=Path, help="keep (or reuse) the built worlds here")
    args = parser.parse_args(argv)
    sizes = sorted({int(size) for size in args.sizes.split(",")})
    work = Path(tempfile.mkdtemp(prefix="bench-local-stack-"))
    worlds = args.worlds or work / "worlds"
    try:
        built_path = worlds / "built.json"
        if all((worlds / f"world-{size}").is_dir() for size in sizes) and built_path.exists():
            built = json.loads(built_path.read_text())
        else:
            built = build_worlds(worlds, sizes)
            built_path.write_text(json.dumps(built, indent=2) + "\n")
        runs = [
            measure(worlds / f"world-{size}", size, work, args.batches, args.gets) for size in sizes
        ]
        RESULTS_PATH.write_text(json.dumps({"built": built, "runs": runs}, indent=2) + "\n")
        print(_table(runs))
        print(f"results: {RESULTS_PATH}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
