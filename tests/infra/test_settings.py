"""Stage settings: defaults, production differences, overrides from CDK context, limits."""

from __future__ import annotations

import pytest

from infra.settings import LAMBDA_SYNC_PAYLOAD_BYTES, settings_for


def test_a_development_stage_is_not_production_and_is_named_crm_dash_stage():
    settings = settings_for("dev")
    assert not settings.is_production
    assert settings.stack_name == "crm-dev"


def test_the_production_stage_keeps_logs_longer():
    assert settings_for("prod").is_production
    assert settings_for("prod").log_retention_days > settings_for("dev").log_retention_days


def test_context_strings_from_the_command_line_become_typed_settings():
    settings = settings_for(
        "dev",
        {
            "throttle_rate_limit": "200",
            "throttle_burst_limit": "400",
            "stream_bisect_on_error": "false",
            "architecture": "x86_64",
        },
    )
    assert settings.throttle_rate_limit == 200.0
    assert settings.throttle_burst_limit == 400
    assert settings.stream_bisect_on_error is False
    assert settings.architecture == "x86_64"


def test_context_keys_that_are_not_settings_are_ignored():
    cdk_flags = {"@aws-cdk/core:newStyleStackSynthesis": True}
    assert settings_for("dev", cdk_flags) == settings_for("dev")


@pytest.mark.parametrize(
    "override",
    [
        {"api_timeout_seconds": 30},  # API Gateway stops waiting after 29 s
        {"max_body_bytes": LAMBDA_SYNC_PAYLOAD_BYTES},  # the app's 413 must come first
        {"log_retention_days": 10},  # not a period CloudWatch Logs offers
        {"architecture": "arm"},
        {"throttle_burst_limit": "many"},
        {"stream_bisect_on_error": "maybe"},
        {"delivery_timeout_seconds": 901},  # Lambda's 15 minutes
        {"delivery_batch_size": 11},  # SQS without a batching window: at most 10
        {"delivery_max_receive_count": 0},
        {"delivery_max_concurrency": 1},  # SQS event sources take 2..1000
    ],
)
def test_a_setting_outside_its_limits_fails_before_anything_is_deployed(override):
    with pytest.raises(ValueError):
        settings_for("dev", override)


def test_a_stage_name_that_cannot_name_aws_resources_is_refused():
    with pytest.raises(ValueError, match="stage"):
        settings_for("Prod_1")


_STAGE_DEFAULTS = {
    "CRM_MAX_BODY_BYTES": str(5 * 1024 * 1024),
    "CRM_RATE_LIMIT_PER_MINUTE": "100",
    "CRM_WORKSPACE_RATE_LIMIT_PER_MINUTE": "100",
    "CRM_TRACING": "1",
    "CRM_SYNC_SETTLE_SECONDS": "20",
    # One metrics namespace per stage (the dashboard and alarms read the same one).
    "CRM_METRICS_NAMESPACE": "TwentyServerlessCrm/dev",
}


def test_the_app_environment_carries_the_body_limit_and_app_setting_overrides_as_strings():
    environment = settings_for("dev", {"CRM_PAGE_MAX": 100}).app_environment()
    assert environment == {**_STAGE_DEFAULTS, "CRM_PAGE_MAX": "100"}


def test_deployed_stages_get_twentys_rate_limit_and_tracing_unless_overridden():
    assert settings_for("dev").app_environment() == _STAGE_DEFAULTS
    overridden = settings_for("dev", {"CRM_RATE_LIMIT_PER_MINUTE": 500}).app_environment()
    assert overridden["CRM_RATE_LIMIT_PER_MINUTE"] == "500"


@pytest.mark.parametrize(
    "name", ["CRM_PAGEMAX", "CRM_MAIN_TABLE", "CRM_MAX_BODY_BYTES", "CRM_WEBHOOK_QUEUE_URL"]
)
def test_an_app_variable_the_code_does_not_read_or_the_stack_owns_cannot_be_overridden(name):
    with pytest.raises(ValueError, match=name):
        settings_for("dev", {name: "1"})


def test_loopback_webhook_targets_cannot_be_allowed_in_a_deployed_stage():
    with pytest.raises(ValueError, match="CRM_WEBHOOK_ALLOW_LOOPBACK is for the local stack only"):
        settings_for("dev", {"CRM_WEBHOOK_ALLOW_LOOPBACK": "1"})


def test_the_delivery_queue_hides_a_message_six_times_as_long_as_its_consumer_may_run():
    settings = settings_for("dev", {"delivery_timeout_seconds": "200"})
    assert settings.delivery_visibility_timeout_seconds == 1200
