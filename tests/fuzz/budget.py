"""Hypothesis settings of the fuzz suite: reproducible, bounded, and scalable on demand.

`make test` runs each fuzzer with a fixed number of examples from a fixed seed (derandomize), so
CI is reproducible and the whole suite stays around a minute on two cores. To fuzz longer and
with fresh examples, scale the counts, lift pytest-timeout's 300 s per test, and keep the blob
Hypothesis prints with a failure (`@reproduce_failure(...)` replays it):

    CRM_FUZZ_SCALE=20 .venv/bin/python -m pytest -n 0 --timeout=0 tests/fuzz
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings

SCALE = float(os.environ.get("CRM_FUZZ_SCALE", "1"))


def fuzz_settings(examples: int) -> settings:
    return settings(
        max_examples=max(1, int(examples * SCALE)),
        deadline=None,
        derandomize=SCALE == 1,
        database=None,
        # No explain phase: it reruns every failing example many times to point at lines.
        phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink),
        suppress_health_check=list(HealthCheck),
        print_blob=SCALE != 1,
    )
