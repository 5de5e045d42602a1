"""Run a case: warm up, then interleave timed API and baseline calls and meter the API's."""

from __future__ import annotations

import cProfile
import gc
import io
import json
import pstats
import statistics
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bench.baseline import lean_wire
from bench.cases import Call, Case
from bench.emulator import CLOCK
from bench.pricing import cost_per_million
from bench.probe import CallRecorder
from bench.world import check
from chalicelib.storage.metering import DynamoMeter


@dataclass
class CaseResult:
    name: str
    iterations: int
    dynamodb_requests: float
    operations: dict[str, float]
    items_read: float
    items_returned: float
    api_ms_median: float
    # The baseline fields are None for a case measured without a baseline.
    baseline_ms_median: float | None
    overhead_ratio: float | None
    baseline_dynamodb_requests: float | None
    # The same medians without the time spent inside moto (emulated network and server).
    api_client_ms_median: float
    baseline_client_ms_median: float | None
    client_overhead_ratio: float | None
    items_read_per_returned: float | None
    items_read_by_operation: dict[str, float]
    http_status: int
    # CPU time of the process (every thread) during the call, less the CPU spent inside moto:
    # what the API layer itself costs in CPU, as on a Lambda where DynamoDB runs elsewhere.
    api_cpu_ms_median: float | None = None
    baseline_cpu_ms_median: float | None = None  # raw boto3, botocore's parser
    cpu_ratio: float | None = None
    # The same raw calls with the response body read by `json.loads` (no botocore parser):
    # what the wire work physically needs.
    lean_baseline_cpu_ms_median: float | None = None
    lean_cpu_ratio: float | None = None
    # From one more, untimed call watched by the probe (bench/probe.py); None without a probe.
    # Capacity units are what DynamoDB would bill, computed from the items' sizes.
    read_units: float | None = None
    write_units: float | None = None  # the table's items (transactions count twice)
    index_write_units: float | None = None  # the GSIs' entries
    capacity_source: str | None = None
    moto_reported_units: float | None = None  # moto's placeholders, for comparison only
    sequential_round_trips: int | None = None
    probe_requests: int | None = None
    cost_per_million_usd: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class _Tally:
    """What the API calls of one case cost, summed over the measured iterations."""

    operations: Counter[str] = field(default_factory=Counter)
    items_read: int = 0
    items_read_by_operation: Counter[str] = field(default_factory=Counter)
    statuses: set[int] = field(default_factory=set)
    items_returned: int = 0
    api_seconds: list[float] = field(default_factory=list)
    api_client_seconds: list[float] = field(default_factory=list)
    baseline_seconds: list[float] = field(default_factory=list)
    baseline_client_seconds: list[float] = field(default_factory=list)
    baseline_requests: int = 0
    api_cpu_seconds: list[float] = field(default_factory=list)
    baseline_cpu_seconds: list[float] = field(default_factory=list)
    lean_baseline_cpu_seconds: list[float] = field(default_factory=list)


def count_returned(body: bytes) -> int:
    """Records in a Twenty-shaped answer: `data` holds one record, a list of them, or (GraphQL)
    a connection whose edges are the records."""
    data = json.loads(body).get("data") or {}
    return sum(_records_in(value) for value in data.values())


def _records_in(value: Any) -> int:
    if isinstance(value, list):
        return len(value)
    if isinstance(value, dict) and isinstance(value.get("edges"), list):
        return len(value["edges"])
    return 1


class MotoCpu:
    """CPU seconds spent inside moto, by every thread, through the emulator clock's hooks.

    moto runs in-process, in the calling thread (a fan-out's pool threads included): each
    entry and exit reads that thread's own CPU clock, so concurrent calls are counted once each
    and nothing else running meanwhile is. Subtracted from the process's CPU time of a call,
    it leaves the API layer's own CPU, as on a Lambda where DynamoDB runs elsewhere.
    """

    def __init__(self) -> None:
        self.seconds = 0.0
        self._lock = threading.Lock()
        self._entered = threading.local()

    def enter(self) -> None:
        self._entered.at = time.thread_time()

    def leave(self) -> None:
        spent = time.thread_time() - self._entered.at
        with self._lock:
            self.seconds += spent

    def install(self) -> None:
        CLOCK.on_enter, CLOCK.on_exit = self.enter, self.leave


MOTO_CPU = MotoCpu()


@dataclass(frozen=True)
class _Timing:
    wall: float  # seconds
    client: float  # wall seconds outside moto
    cpu: float  # CPU seconds of the process outside moto


def _timed(call: Call) -> tuple[Any, _Timing]:
    """Result, and its wall, client-side and CPU times (see MotoCpu)."""
    emulated, moto_cpu = CLOCK.seconds, MOTO_CPU.seconds
    cpu_start = time.process_time()
    start = time.perf_counter()
    result = call()
    wall = time.perf_counter() - start
    cpu = time.process_time() - cpu_start - (MOTO_CPU.seconds - moto_cpu)
    return result, _Timing(wall, wall - (CLOCK.seconds - emulated), cpu)


def _check(case: Case, response: Any) -> None:
    if case.expect_status is None:
        check(response, f"{case.name} (API)")
        return
    missing = [text for text in case.expect_text if text.encode() not in response.body]
    if response.status_code != case.expect_status or missing:
        raise RuntimeError(
            f"{case.name} (API) answered {response.status_code} (expected {case.expect_status}"
            f" containing {list(case.expect_text)}): {response.body[:500]!r}"
        )


def _run_api(case: Case, i: int, meter: DynamoMeter, tally: _Tally) -> None:
    call = case.api(i)
    ops_before, read_before = Counter(meter.operations), meter.items_read
    by_operation_before = Counter(meter.items_by_operation)
    response, timing = _timed(call)
    tally.operations += meter.operations - ops_before
    tally.items_read += meter.items_read - read_before
    tally.items_read_by_operation += meter.items_by_operation - by_operation_before
    tally.statuses.add(response.status_code)
    _check(case, response)
    tally.items_returned += count_returned(response.body)
    tally.api_seconds.append(timing.wall)
    tally.api_client_seconds.append(timing.client)
    tally.api_cpu_seconds.append(timing.cpu)


def _run_baseline(case: Case, i: int, meter: DynamoMeter, tally: _Tally) -> None:
    if case.baseline is None:
        return
    call = case.baseline(i)
    before = meter.requests
    _, timing = _timed(call)
    tally.baseline_requests += meter.requests - before
    tally.baseline_seconds.append(timing.wall)
    tally.baseline_client_seconds.append(timing.client)
    tally.baseline_cpu_seconds.append(timing.cpu)
    # The same work once more, on the client that reads answers with `json.loads`.
    with lean_wire():
        call = case.baseline(i)
        _, timing = _timed(call)
    tally.lean_baseline_cpu_seconds.append(timing.cpu)


def _settle_heap() -> None:
    # moto keeps every table, item and stream record in this process: hundreds of thousands of
    # objects a Lambda would not hold. Freezing them keeps full collections, which would scan
    # them all inside some timed call, at the cost they have for the app's own objects.
    gc.collect()
    gc.freeze()


def run_case(case: Case, meter: DynamoMeter, recorder: CallRecorder | None = None) -> CaseResult:
    if case.before is not None:
        case.before()
    MOTO_CPU.install()
    # Warm-up: caches filled and code paths loaded, as in a warm Lambda container.
    _run_api(case, -1, meter, _Tally())
    _run_baseline(case, -1, meter, _Tally())
    _settle_heap()
    tally = _Tally()
    for i in range(case.iterations):
        # Alternate which side goes first so neither always runs on a freshly-warmed cache.
        if i % 2:
            _run_baseline(case, i, meter, tally)
            _run_api(case, i, meter, tally)
        else:
            _run_api(case, i, meter, tally)
            _run_baseline(case, i, meter, tally)
    result = _summarise(case, tally)
    if recorder is not None:
        _probe(case, recorder, result)
    return result


COMPUTED = "computed from item sizes (moto reports placeholders)"


def _probe(case: Case, recorder: CallRecorder, result: CaseResult) -> None:
    """Capacity units, round trips and cost of one more call of the case, after the timed ones."""
    response, found = recorder.probe(case.api(case.iterations))
    _check(case, response)
    units = found.units
    result.read_units = round(units.read, 2)
    result.write_units = round(units.write, 2)
    result.index_write_units = round(units.index_write, 2)
    result.capacity_source = COMPUTED
    result.moto_reported_units = round(found.reported_units, 2)
    result.sequential_round_trips = found.round_trips
    result.probe_requests = found.requests
    cost = cost_per_million(
        units.read, units.write + units.index_write, result.api_client_ms_median, found.round_trips
    )
    result.cost_per_million_usd = cost.to_json()


def _ms(seconds: list[float]) -> float | None:
    return statistics.median(seconds) * 1000 if seconds else None


def _rounded(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    return None if numerator is None or not denominator else round(numerator / denominator, 3)


def _summarise(case: Case, tally: _Tally) -> CaseResult:
    n = case.iterations
    api_ms, baseline_ms = _ms(tally.api_seconds), _ms(tally.baseline_seconds)
    api_client_ms = _ms(tally.api_client_seconds)
    baseline_client_ms = _ms(tally.baseline_client_seconds)
    api_cpu_ms, baseline_cpu_ms = _ms(tally.api_cpu_seconds), _ms(tally.baseline_cpu_seconds)
    lean_cpu_ms = _ms(tally.lean_baseline_cpu_seconds)
    assert api_ms is not None and api_client_ms is not None
    measured = case.baseline is not None
    return CaseResult(
        name=case.name,
        iterations=n,
        dynamodb_requests=round(sum(tally.operations.values()) / n, 2),
        operations={op: round(count / n, 2) for op, count in sorted(tally.operations.items())},
        items_read=round(tally.items_read / n, 2),
        items_returned=round(tally.items_returned / n, 2),
        api_ms_median=round(api_ms, 3),
        baseline_ms_median=_rounded(baseline_ms),
        overhead_ratio=_ratio(api_ms, baseline_ms),
        baseline_dynamodb_requests=round(tally.baseline_requests / n, 2) if measured else None,
        api_client_ms_median=round(api_client_ms, 3),
        baseline_client_ms_median=_rounded(baseline_client_ms),
        client_overhead_ratio=_ratio(api_client_ms, baseline_client_ms),
        api_cpu_ms_median=_rounded(api_cpu_ms),
        baseline_cpu_ms_median=_rounded(baseline_cpu_ms),
        cpu_ratio=_ratio(api_cpu_ms, baseline_cpu_ms),
        lean_baseline_cpu_ms_median=_rounded(lean_cpu_ms),
        lean_cpu_ratio=_ratio(api_cpu_ms, lean_cpu_ms),
        items_read_per_returned=_ratio(tally.items_read, tally.items_returned),
        items_read_by_operation={
            op: round(count / n, 2) for op, count in sorted(tally.items_read_by_operation.items())
        },
        http_status=min(tally.statuses),  # one status, unless a 2xx case mixes 200 and 201
    )


def profile_case(case: Case, iterations: int, top: int = 40) -> str:
    """cProfile of one case's API calls after a warm-up, with the time inside moto left out.

    Pausing the profiler inside a call truncates the cumulative totals of the frames that
    enclose a DynamoDB request (the view, the router); self times (the second table) are exact.
    """
    if case.before is not None:
        case.before()
    case.api(-1)()
    _settle_heap()
    # Timed by the thread's CPU clock, not the wall clock: other processes on a busy machine
    # would otherwise be charged to whichever function was running when they got the CPU.
    profiler = cProfile.Profile(time.thread_time)
    # The emulated server is not the API's cost; pausing keeps it out of every total.
    CLOCK.on_enter, CLOCK.on_exit = profiler.disable, profiler.enable
    try:
        for i in range(iterations):
            call = case.api(i)
            profiler.enable()
            call()
            profiler.disable()
    finally:
        MOTO_CPU.install()  # the runner's hooks again, if another case is measured after
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()
