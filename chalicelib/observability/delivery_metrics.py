"""One metric line per webhook delivery attempt (EMF), from the delivery function.

`deliveries` counts attempts, `deliveryFailures` the attempts that did not get a 2xx, and
`deliveriesAbandoned` the failures after which the delivery is FAILED for good (retries spent).
The line names the delivery, webhook and workspace ids and the receiver's status, never its URL
(which may carry a secret in its query), the payload or the signature.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from chalicelib.observability import emf, output
from chalicelib.settings import SETTINGS

SERVICE = "webhooks"
DELIVERY_METRICS = emf.directive(
    SETTINGS.metrics_namespace,
    [["service"]],
    [
        ("deliveries", emf.COUNT),
        ("deliveryFailures", emf.COUNT),
        ("deliveriesAbandoned", emf.COUNT),
        ("deliveryMs", emf.MILLISECONDS),
    ],
)


def record_attempt(
    *,
    workspace_id: str,
    webhook_id: str,
    delivery_id: str,
    attempt: int,
    status_code: int | None,
    delivered: bool,
    elapsed_ms: int,
    final: bool,
) -> None:
    now = time.time()
    # Written whatever CRM_LOG_LEVEL says: the line is the metric the dashboard counts.
    level = "INFO" if delivered else "WARNING"
    outcome = "DELIVERED" if delivered else "FAILED" if final else "RETRY"
    output.emit(
        {
            "level": level,
            "timestamp": datetime.fromtimestamp(now, UTC).isoformat(timespec="milliseconds")[:-6]
            + "Z",
            "message": f"webhook delivery {delivery_id} attempt {attempt}: {outcome}",
            "service": SERVICE,
            "workspaceId": workspace_id,
            "webhookId": webhook_id,
            "deliveryId": delivery_id,
            "attempt": attempt,
            "receiverStatus": status_code,
            "outcome": outcome,
            "deliveries": 1,
            "deliveryFailures": 0 if delivered else 1,
            "deliveriesAbandoned": 1 if final and not delivered else 0,
            "deliveryMs": elapsed_ms,
            "_aws": emf.block(int(now * 1000), [DELIVERY_METRICS]),
        }
    )
