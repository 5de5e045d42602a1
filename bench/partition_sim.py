"""`python -m bench.partition_sim`: per-partition write load of the key design, simulated.

A check of docs/scaling.md's arithmetic, not a model of DynamoDB's internals. What it assumes
(from DynamoDB's documentation of partitions and adaptive capacity):

- a partition accepts at most 1,000 write units a second; one item never more than that;
- a partition kept hot for `split_after` seconds in a row is split in two at the middle of the
  keys it received in the last second (split for heat), unless all of them were one item;
- a throttled write is not retried by the simulation: `accepted` is what the keys let through.

Each key family of one object of one workspace is simulated on its own at the rate a steady
stream of creates sends it (bench's measured units: a person is ~2 KB, so its transactional Put
is 4 units, a uniqueness guard 2, the live-record counter 2, a GSI entry 1). Sort keys are drawn
as the code draws them: record ids and unique values are random (UUID v4, user text), createdAt,
updatedAt and the default position grow with time, the counter is one item. The object's create
rate is then the smallest family rate divided by the family's writes per create.
"""

from __future__ import annotations

import bisect
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

PARTITION_WRITE_UNITS = 1000
KeyDraw = Callable[[random.Random, int, int, int], float]  # (rng, second, i, n) -> sort key


def random_key(rng: random.Random, second: int, i: int, n: int) -> float:
    return rng.random()


def growing_key(rng: random.Random, second: int, i: int, n: int) -> float:
    return second + i / max(n, 1)  # createdAt, updatedAt, position: always past every key so far


def one_item(rng: random.Random, second: int, i: int, n: int) -> float:
    return 0.5  # the live-record counter


@dataclass
class KeySpace:
    """One partition key's items, as partitions that split for heat."""

    split_after: int = 5
    heat: float = 0.5  # of a partition's limit, sustained, before it splits
    bounds: list[float] = field(default_factory=lambda: [float("-inf")])  # each one's low key
    hot_for: list[int] = field(default_factory=lambda: [0])

    def second(self, keys: list[float], units: float) -> int:
        """Writes of `units` each at `keys` this second; returns how many were accepted."""
        by_partition: list[list[float]] = [[] for _ in self.bounds]
        for key in keys:
            by_partition[bisect.bisect_right(self.bounds, key) - 1].append(key)
        accepted, splits = 0, []
        for index, received in enumerate(by_partition):
            accepted += min(len(received), int(PARTITION_WRITE_UNITS // units))
            hot = len(received) * units > self.heat * PARTITION_WRITE_UNITS
            self.hot_for[index] = self.hot_for[index] + 1 if hot else 0
            if self.hot_for[index] >= self.split_after and len(set(received)) > 1:
                splits.append(sorted(received)[len(received) // 2])
                self.hot_for[index] = 0
        for low in splits:
            at = bisect.bisect_right(self.bounds, low)
            self.bounds.insert(at, low)
            self.hot_for.insert(at, 0)
        return accepted


@dataclass(frozen=True)
class Family:
    name: str
    draw: KeyDraw
    units: float  # write units of one write
    per_create: float  # writes of this family per record created


# One person created per call (POST /rest/people): what each transaction writes, by key family.
PERSON_CREATE = (
    Family("record partition (id = UUID v4)", random_key, 4, 1),
    Family("unique guard (email)", random_key, 2, 1),
    Family("live-record counter (one item)", one_item, 2, 1),
    Family("GSI createdAt / updatedAt / position", growing_key, 1, 1),
    Family("GSI name, email, companyId", random_key, 1, 1),
)
# The same people created 60 per call (POST /rest/batch/people): two transactions, each adding
# to the counter once, so the counter takes 2 writes per 60 records.
PERSON_BATCH = tuple(
    Family(f.name, f.draw, f.units, 2 / 60) if f.draw is one_item else f for f in PERSON_CREATE
)


def sustained(family: Family, rate: int, seconds: int, seed: int = 13) -> float:
    """Accepted writes a second over the last quarter of the run."""
    rng, space = random.Random(seed), KeySpace()
    demand = round(rate * family.per_create)
    accepted = []
    for second in range(seconds):
        keys = [family.draw(rng, second, i, demand) for i in range(demand)]
        accepted.append(space.second(keys, family.units))
    tail = accepted[-max(1, seconds // 4) :]
    return sum(tail) / len(tail)


def report(
    families: tuple[Family, ...],
    title: str,
    rates: tuple[int, ...] = (200, 500, 1000, 2000, 4000),
    seconds: int = 60,
) -> str:
    lines = [f"{title}: records/s offered -> accepted writes/s per family ({seconds} s each)"]
    lines.append(f"{'family':<40}" + "".join(f"{rate:>8}" for rate in rates))
    limits = {rate: float(rate) for rate in rates}
    for family in families:
        row = []
        for rate in rates:
            got = sustained(family, rate, seconds)
            sent = max(1, round(rate * family.per_create))
            limits[rate] = min(limits[rate], got * rate / sent)
            row.append(f"{got:>8.0f}")
        lines.append(f"{family.name:<40}" + "".join(row))
    lines.append(f"{'=> records/s the object sustains':<40}" + "".join(
        f"{limits[rate]:>8.0f}" for rate in rates
    ))  # fmt: skip
    return "\n".join(lines)


def counter_conflicts(rate: float, hold_seconds: float = 0.010) -> float:
    """Share of transactions refused (TransactionConflict) on one item that every transaction
    touches, if each holds it for `hold_seconds`: a one-server loss system (Erlang B)."""
    load = rate * hold_seconds
    return load / (1 + load)


def main() -> int:
    print(report(PERSON_CREATE, "one record per call"))
    print(report(PERSON_BATCH, "60 records per call"))
    for rate in (10, 50, 100, 300):
        print(f"counter item, {rate:>3} creates/s: {counter_conflicts(rate):.0%} of first tries "
              "conflict (10 ms hold, assumed)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
