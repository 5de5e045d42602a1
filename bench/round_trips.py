"""Sequential round trips: the DynamoDB calls on a request's critical path.

Each call is a span (start, end) of wall time. Calls that overlap were in flight together and
cost one network wait; a call that starts after another ended waited for it. The round trips of
a request are therefore the longest chain of spans each starting after the previous one ended,
i.e. the largest set of pairwise disjoint spans, which picking the earliest-ending span that
fits, again and again, finds exactly.

In-process, moto answers in microseconds and Python's GIL lets one thread run at a time, so two
calls issued together could look sequential. The probe (bench/probe.py) therefore holds every
call for a fixed emulated network latency, during which the other threads run: calls issued
together then overlap as they would over a network.
"""

from __future__ import annotations

from collections.abc import Iterable

Span = tuple[float, float]


def sequential_round_trips(spans: Iterable[Span]) -> int:
    chain, last_end = 0, float("-inf")
    for start, end in sorted(spans, key=lambda span: span[1]):
        if start >= last_end:
            chain += 1
            last_end = end
    return chain
