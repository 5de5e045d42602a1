"""One metric line per webhook delivery attempt: delivered, retried, abandoned; never the
receiver's URL, the payload or the signing secret."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from chalicelib.observability import delivery_metrics
from chalicelib.webhooks import delivery, queue, sender
from tests.functional.test_webhook_delivery import (
    BASE,
    SECRET,
    add_delivery,
    add_webhook,
    failing,
    ref_of,
    run_queue,
)
from tests.unit.webhooks.receiver import Receiver
from tests.webhook_support import queue_sink


@pytest.fixture
def queued(aws, monkeypatch):
    """The delivery test's settings (2 retries, loopback allowed) and its in-memory queue."""
    for module in (delivery, sender, queue):
        changed = replace(
            module.SETTINGS,
            webhook_retry_base_seconds=BASE,
            webhook_max_retries=2,
            webhook_allow_loopback=True,
            webhook_queue_url="",
        )
        monkeypatch.setattr(module, "SETTINGS", changed)
    with queue_sink() as installed:
        yield installed


def delivery_lines(capsys) -> list[dict]:
    out = capsys.readouterr().out
    lines = [json.loads(text) for text in out.splitlines() if text.startswith("{")]
    return [line for line in lines if line.get("service") == "webhooks"]


def test_each_attempt_writes_a_metric_line_and_the_last_failure_is_abandoned(
    tenant, queued, capsys
):
    with Receiver(failing(99)) as receiver:
        hook = add_webhook(tenant.workspace_id, receiver.url() + "?token=receiver-secret")
        stored = add_delivery(hook)
        capsys.readouterr()
        delivery.attempt(ref_of(stored))
        run_queue(queued)
        printed = capsys.readouterr().out
    lines = [json.loads(t) for t in printed.splitlines() if t.startswith("{")]
    attempts = [line for line in lines if line.get("service") == "webhooks"]
    assert [line["outcome"] for line in attempts] == ["RETRY", "RETRY", "FAILED"]
    assert [line["attempt"] for line in attempts] == [1, 2, 3]
    assert [line["deliveriesAbandoned"] for line in attempts] == [0, 0, 1]
    for line in attempts:
        assert (line["deliveries"], line["deliveryFailures"], line["receiverStatus"]) == (1, 1, 500)
        assert (line["workspaceId"], line["webhookId"], line["deliveryId"]) == (
            tenant.workspace_id,
            hook.id,
            stored.id,
        )
        (directive,) = line["_aws"]["CloudWatchMetrics"]
        assert directive["Dimensions"] == [["service"]]
        for metric in directive["Metrics"]:
            assert isinstance(line[metric["Name"]], int)
    assert "receiver-secret" not in printed and SECRET not in printed
    assert stored.body not in printed and stored.record_id not in printed


def test_a_delivered_attempt_counts_as_a_delivery_without_failure(tenant, queued, capsys):
    with Receiver(failing(0)) as receiver:
        hook = add_webhook(tenant.workspace_id, receiver.url())
        stored = add_delivery(hook)
        capsys.readouterr()
        delivery.attempt(ref_of(stored))
    (line,) = delivery_lines(capsys)
    assert line["outcome"] == "DELIVERED" and line["level"] == "INFO"
    assert (line["deliveries"], line["deliveryFailures"], line["deliveriesAbandoned"]) == (1, 0, 0)
    assert line["receiverStatus"] == 204
    assert line["_aws"]["CloudWatchMetrics"] == [delivery_metrics.DELIVERY_METRICS]
