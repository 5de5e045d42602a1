"""CloudWatch Embedded Metric Format: the `_aws` block that turns keys of a log line into metrics.

CloudWatch Logs reads a log event that is a JSON object with an `_aws` member as metric data:
each directive names a namespace, the dimension sets, and which root keys are metrics (their
values) and dimensions (their values too). No PutMetricData call and no extra latency: the
metrics travel in the line the request writes anyway.

Dimensions stay low-cardinality: every distinct combination of dimension values is a separate
custom metric, billed monthly. So `service` and `api` (a handful of values) and `errorCode`
(the stable codes of chalicelib/errors.py and GraphQL's), never a workspace, key or record id
(one metric per tenant, unbounded), nor a GraphQL operation name (chosen by clients). Those
stay in the line itself, for CloudWatch Logs Insights.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

COUNT, MILLISECONDS, NONE = "Count", "Milliseconds", "None"


def directive(
    namespace: str, dimensions: Sequence[Sequence[str]], metrics: Sequence[tuple[str, str]]
) -> dict[str, Any]:
    """One CloudWatchMetrics entry: `metrics` = (root key, unit) pairs."""
    return {
        "Namespace": namespace,
        "Dimensions": [list(dimension_set) for dimension_set in dimensions],
        "Metrics": [{"Name": name, "Unit": unit} for name, unit in metrics],
    }


def block(timestamp_ms: int, directives: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The `_aws` member of a line."""
    return {"Timestamp": timestamp_ms, "CloudWatchMetrics": list(directives)}
