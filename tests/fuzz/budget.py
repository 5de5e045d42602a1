"""Hypothesis settings of the fuzz suite: reproducible, bounded, and scalable on demand.

`make test` runs each fuzzer with a fixed number of examples from a fixed seed (derandomize), so
CI is reproducible and the whole suite stays around a minute on two cores. Set
CRM_FUZZ_SCALE=10 (or more) to fuzz longer locally; the examples then differ from CI's too.
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
        print_blob=False,
    )
