"""Webhook items in the main table, against the embedded DynamoDB: every condition holds."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest

from chalicelib.errors import ConflictError, WebhookNotFoundError
from chalicelib.storage import webhooks as store
from chalicelib.webhooks.model import ACTIVE, DISABLED, Webhook

WORKSPACE = "11111111-1111-4111-8111-111111111111"
OTHER_WORKSPACE = "22222222-2222-4222-8222-222222222222"
NOW = "2025-06-01T12:00:00.000Z"


def make_webhook(workspace_id: str = WORKSPACE, **changes: object) -> Webhook:
    webhook = Webhook(
        id=str(uuid.uuid4()),
        workspace_id=workspace_id,
        target_url="https://hooks.example.com/twenty",
        operations=("person.*", "*.created"),
        description=None,
        secret="s3cret",
        status=ACTIVE,
        disabled_reason=None,
        consecutive_failures=0,
        created_at=NOW,
        updated_at=NOW,
    )
    return replace(webhook, **changes)


def test_a_created_webhook_reads_back_equal(aws):
    webhook = make_webhook(description="CRM sync", secret="")
    store.create_webhook(webhook)
    assert store.get_webhook(WORKSPACE, webhook.id) == webhook


def test_a_disabled_webhook_keeps_its_reason(aws):
    webhook = make_webhook(status=DISABLED, disabled_reason="20 failed", consecutive_failures=20)
    store.create_webhook(webhook)
    assert store.get_webhook(WORKSPACE, webhook.id) == webhook


def test_creating_a_taken_id_is_a_conflict_and_keeps_the_first(aws):
    first = make_webhook()
    store.create_webhook(first)
    with pytest.raises(ConflictError):
        store.create_webhook(replace(first, target_url="https://other.example.com/"))
    assert store.get_webhook(WORKSPACE, first.id) == first


def test_the_list_holds_the_workspaces_webhooks_only_in_one_query(aws, meter):
    mine = [make_webhook() for _ in range(3)]
    for webhook in [*mine, make_webhook(OTHER_WORKSPACE)]:
        store.create_webhook(webhook)
    meter.reset()
    listed = store.list_webhooks(WORKSPACE)
    assert sorted(listed, key=lambda w: w.id) == sorted(mine, key=lambda w: w.id)
    assert meter.operations == {"Query": 1}
    assert store.list_webhooks("33333333-3333-4333-8333-333333333333") == []


def test_another_workspaces_id_is_not_found(aws):
    webhook = make_webhook()
    store.create_webhook(webhook)
    assert store.get_webhook(OTHER_WORKSPACE, webhook.id) is None
    assert store.delete_webhook(OTHER_WORKSPACE, webhook.id) is False
    assert store.get_webhook(WORKSPACE, webhook.id) == webhook


def test_replace_overwrites_and_refuses_a_deleted_webhook(aws):
    webhook = make_webhook()
    store.create_webhook(webhook)
    changed = replace(webhook, target_url="https://new.example.com/", updated_at="later")
    store.replace_webhook(changed)
    assert store.get_webhook(WORKSPACE, webhook.id) == changed
    assert store.delete_webhook(WORKSPACE, webhook.id) is True
    with pytest.raises(WebhookNotFoundError):
        store.replace_webhook(changed)
    assert store.get_webhook(WORKSPACE, webhook.id) is None


def test_delete_says_whether_there_was_a_webhook(aws):
    webhook = make_webhook()
    store.create_webhook(webhook)
    assert store.delete_webhook(WORKSPACE, webhook.id) is True
    assert store.delete_webhook(WORKSPACE, webhook.id) is False


def test_failures_are_counted_and_reset(aws):
    webhook = make_webhook()
    store.create_webhook(webhook)
    for expected in (1, 2, 3):
        counted = store.count_failure(WORKSPACE, webhook.id, disable_after=20, reason="r")
        assert counted is not None and counted.consecutive_failures == expected
        assert counted.status == ACTIVE
    store.reset_failures(WORKSPACE, webhook.id)
    assert store.get_webhook(WORKSPACE, webhook.id) == webhook


def test_the_failure_that_reaches_the_limit_disables_the_webhook_with_its_reason(aws):
    webhook = make_webhook(consecutive_failures=18)
    store.create_webhook(webhook)
    before = store.count_failure(WORKSPACE, webhook.id, disable_after=20, reason="why")
    assert (before.status, before.consecutive_failures) == (ACTIVE, 19)
    disabled = store.count_failure(WORKSPACE, webhook.id, disable_after=20, reason="why")
    assert disabled == replace(
        webhook, status=DISABLED, disabled_reason="why", consecutive_failures=20
    )
    assert store.get_webhook(WORKSPACE, webhook.id) == disabled


def test_failures_of_a_disabled_webhook_are_counted_without_changing_its_reason(aws):
    webhook = make_webhook(status=DISABLED, disabled_reason="first", consecutive_failures=20)
    store.create_webhook(webhook)
    after = store.count_failure(WORKSPACE, webhook.id, disable_after=20, reason="second")
    assert after == replace(webhook, consecutive_failures=21)


def test_a_webhook_re_enabled_between_the_count_and_the_disable_stays_enabled(aws):
    stale = make_webhook(consecutive_failures=20)
    fresh = replace(stale, consecutive_failures=0, updated_at="later")
    store.create_webhook(fresh)  # an update reset the count after `stale` was counted
    assert store._disable(stale, disable_after=20, reason="why") == fresh
    assert store.get_webhook(WORKSPACE, stale.id) == fresh


def test_counting_or_resetting_a_deleted_webhook_does_not_bring_it_back(aws):
    gone = make_webhook()
    assert store.count_failure(WORKSPACE, gone.id, disable_after=20, reason="r") is None
    store.reset_failures(WORKSPACE, gone.id)
    assert store.get_webhook(WORKSPACE, gone.id) is None
    assert store.list_webhooks(WORKSPACE) == []
