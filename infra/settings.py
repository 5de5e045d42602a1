"""Deployment settings per stage: every knob an operator may turn, with its default and limits.

A stage is one copy of the whole stack (`crm-<stage>`). `prod` is the production stage: its
tables are kept when the stack is deleted and cannot be deleted by accident. Any setting can be
overridden at deploy time with CDK context, e.g. `-c throttle_rate_limit=200` (see
docs/deploy.md); values are checked here so a typo fails the synth, not the deployment.

The app's own settings (chalicelib/settings.py) keep their defaults in the code; a context key
named like one of its variables, e.g. `-c CRM_PAGE_MAX=100`, is passed to the Lambdas as is.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from chalicelib.streams import STREAM_BATCH_SIZE

PRODUCTION_STAGES = frozenset({"prod"})

# CloudWatch Logs accepts only these retention periods (days).
LOG_RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)

# API Gateway gives up on an integration after 29 s: a longer Lambda timeout behind it only
# keeps paying for work whose answer nobody receives.
API_GATEWAY_TIMEOUT_SECONDS = 29
# Lambda refuses a synchronous invocation whose event exceeds 6 MiB; the body travels inside that
# event (as a JSON string, with headers and request context around it).
LAMBDA_SYNC_PAYLOAD_BYTES = 6 * 1024 * 1024
# API Gateway refuses bodies above 10 MB itself (REQUEST_TOO_LARGE), before any Lambda runs.
API_GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024

_STAGE_NAME = re.compile(r"^[a-z][a-z0-9-]{0,19}$")

APP_SETTINGS_MODULE = Path(__file__).resolve().parents[1] / "chalicelib" / "settings.py"
# Set by the stack from the resources it creates; an override would point the app elsewhere.
STACK_OWNED_VARIABLES = frozenset({"CRM_MAIN_TABLE", "CRM_KEYS_TABLE", "CRM_WEBHOOK_QUEUE_URL"})
# Never deployed: loopback webhook targets are for the local stack only (a deployed function
# must not POST to 127.0.0.1, its own runtime API among others).
LOCAL_ONLY_VARIABLES = frozenset({"CRM_WEBHOOK_ALLOW_LOOPBACK"})
# SQS redelivers a message whose visibility timeout ran out while its batch was still being
# handled; AWS asks for at least six times the consumer's timeout.
QUEUE_VISIBILITY_FACTOR = 6


def app_variables() -> frozenset[str]:
    """The CRM_* environment variables chalicelib/settings.py reads.

    Read from its source, so infra never imports the app's settings (which would evaluate them
    in the deployer's own environment).
    """
    return frozenset(re.findall(r'"(CRM_[A-Z0-9_]+)"', APP_SETTINGS_MODULE.read_text()))


@dataclass(frozen=True, slots=True)
class StageSettings:
    stage: str
    # Lambda
    memory_mb: int = 1024
    api_timeout_seconds: int = API_GATEWAY_TIMEOUT_SECONDS
    stream_timeout_seconds: int = 60
    # The dependencies run on Graviton (orjson, the one compiled, has an aarch64 wheel): about
    # 20 % cheaper per GB-s.
    architecture: str = "arm64"
    log_retention_days: int = 30
    # API Gateway stage
    throttle_rate_limit: float = 50.0
    throttle_burst_limit: int = 100
    # Below Lambda's 6 MiB event limit with room for headers and JSON escaping, so an oversized
    # body gets the app's own 413 instead of a failed invocation.
    max_body_bytes: int = 5 * 1024 * 1024
    # Stream consumer (the event source mapping on the main table's stream)
    stream_batch_size: int = STREAM_BATCH_SIZE
    stream_max_batching_window_seconds: int = 0
    stream_max_retry_attempts: int = 5
    stream_max_record_age_seconds: int = 3600
    stream_bisect_on_error: bool = True
    # Webhook delivery (the SQS queue and its consumer). A batch's attempts run concurrently,
    # each bounded by CRM_WEBHOOK_TIMEOUT_SECONDS (<= 10 s), so 120 s leaves ample room.
    delivery_timeout_seconds: int = 120
    delivery_batch_size: int = 10
    # Receives of one message before SQS moves it to the delivery dead-letter queue: only a
    # consumer that keeps failing (not a failing target: retries are the app's) gets there.
    delivery_max_receive_count: int = 5
    # Concurrent delivery functions at most (the SQS event source's MaximumConcurrency): a
    # backlog of retries after an outage drains steadily instead of taking the account's Lambda
    # concurrency that the API needs (1,000 by default, shared by every function).
    delivery_max_concurrency: int = 20
    # Overrides of the app's own settings, as (CRM_* variable, value) pairs.
    app_overrides: tuple[tuple[str, str], ...] = ()
    # API Gateway needs an account-wide role to write access logs; a region that already has
    # one (another stack set it) may turn this off.
    manage_api_gateway_account_role: bool = True
    # Alarms (infra/monitoring.py), each over 5-minute periods: the share of API answers that
    # are 5xx (Lambda errors and timeouts included), DynamoDB throttle events on both tables,
    # the age of the oldest stream record not yet handled, messages in either dead-letter queue.
    alarm_server_error_percent: float = 1.0
    alarm_throttle_events: int = 10
    alarm_iterator_age_seconds: int = 300
    alarm_dead_letter_messages: int = 1

    @property
    def is_production(self) -> bool:
        return self.stage in PRODUCTION_STAGES

    @property
    def stack_name(self) -> str:
        return f"crm-{self.stage}"

    @property
    def metrics_namespace(self) -> str:
        """The CloudWatch namespace of the app's metrics (EMF): one per stage, so two stages in
        one account never add up on a dashboard or an alarm."""
        return dict(self.app_overrides).get(
            "CRM_METRICS_NAMESPACE", f"TwentyServerlessCrm/{self.stage}"
        )

    @property
    def delivery_visibility_timeout_seconds(self) -> int:
        return QUEUE_VISIBILITY_FACTOR * self.delivery_timeout_seconds

    def app_environment(self) -> dict[str, str]:
        """The Lambdas' CRM_* variables (the stack adds the table names)."""
        return {
            "CRM_MAX_BODY_BYTES": str(self.max_body_bytes),
            # Twenty's own default; the app's default (for the local stack) is generous.
            "CRM_RATE_LIMIT_PER_MINUTE": "100",
            "CRM_WORKSPACE_RATE_LIMIT_PER_MINUTE": "100",
            "CRM_TRACING": "1",
            # Delta sync holds back changes younger than this: on AWS a write can become visible
            # up to CRM_STORAGE_RETRY_SECONDS (10) plus one attempt's timeouts (3 + 5) after its
            # change stamp, plus index lag (docs/delta-sync.md).
            "CRM_SYNC_SETTLE_SECONDS": "20",
            "CRM_METRICS_NAMESPACE": self.metrics_namespace,
            **dict(self.app_overrides),
        }

    def validate(self) -> StageSettings:
        problems = [message for ok, message in self._checks() if not ok]
        if problems:
            raise ValueError(f"invalid settings for stage '{self.stage}': " + "; ".join(problems))
        return self

    def _checks(self) -> list[tuple[bool, str]]:
        return [
            (
                bool(_STAGE_NAME.match(self.stage)),
                "stage must be lowercase letters, digits and '-', at most 20 characters",
            ),
            (128 <= self.memory_mb <= 10240, "memory_mb must be within 128..10240"),
            (
                1 <= self.api_timeout_seconds <= API_GATEWAY_TIMEOUT_SECONDS,
                f"api_timeout_seconds must be within 1..{API_GATEWAY_TIMEOUT_SECONDS}",
            ),
            (1 <= self.stream_timeout_seconds <= 900, "stream_timeout_seconds must be 1..900"),
            (self.architecture in ("arm64", "x86_64"), "architecture must be arm64 or x86_64"),
            (
                self.log_retention_days in LOG_RETENTION_DAYS,
                f"log_retention_days must be one of {LOG_RETENTION_DAYS}",
            ),
            (self.throttle_rate_limit > 0, "throttle_rate_limit must be positive"),
            (self.throttle_burst_limit > 0, "throttle_burst_limit must be positive"),
            (
                0 < self.max_body_bytes < LAMBDA_SYNC_PAYLOAD_BYTES,
                "max_body_bytes must be below Lambda's 6 MiB event limit",
            ),
            (1 <= self.stream_batch_size <= 10000, "stream_batch_size must be within 1..10000"),
            (
                0 <= self.stream_max_batching_window_seconds <= 300,
                "stream_max_batching_window_seconds must be within 0..300",
            ),
            (
                -1 <= self.stream_max_retry_attempts <= 10000,
                "stream_max_retry_attempts must be within -1..10000",
            ),
            (
                self.stream_max_record_age_seconds == -1
                or 60 <= self.stream_max_record_age_seconds <= 604800,
                "stream_max_record_age_seconds must be -1 or within 60..604800",
            ),
            (
                1 <= self.delivery_timeout_seconds <= 900,
                "delivery_timeout_seconds must be within 1..900",
            ),
            (1 <= self.delivery_batch_size <= 10, "delivery_batch_size must be within 1..10"),
            (
                2 <= self.delivery_max_concurrency <= 1000,
                "delivery_max_concurrency must be within 2..1000",
            ),
            (
                1 <= self.delivery_max_receive_count <= 1000,
                "delivery_max_receive_count must be within 1..1000",
            ),
            (
                0 < self.alarm_server_error_percent <= 100,
                "alarm_server_error_percent must be within 0..100 (exclusive of 0)",
            ),
            (self.alarm_throttle_events >= 1, "alarm_throttle_events must be at least 1"),
            (
                60 <= self.alarm_iterator_age_seconds <= 604800,
                "alarm_iterator_age_seconds must be within 60..604800",
            ),
            (
                self.alarm_dead_letter_messages >= 1,
                "alarm_dead_letter_messages must be at least 1",
            ),
            *self._app_override_checks(),
        ]

    def _app_override_checks(self) -> list[tuple[bool, str]]:
        known = app_variables()
        checks = []
        for name, _ in self.app_overrides:
            checks.append((name in known, f"{name} is not read by chalicelib/settings.py"))
            checks.append((name not in STACK_OWNED_VARIABLES, f"{name} is set by the stack"))
            checks.append((name not in LOCAL_ONLY_VARIABLES, f"{name} is for the local stack only"))
            checks.append((name != "CRM_MAX_BODY_BYTES", "set max_body_bytes instead of " + name))
        return checks


def _coerce(name: str, raw: Any, current: Any) -> Any:
    """CDK context values arrive as strings from the command line; convert to the field's type."""
    if isinstance(current, float) and isinstance(raw, int) and not isinstance(raw, bool):
        return float(raw)
    if not isinstance(raw, str) or isinstance(current, str):
        return raw
    if isinstance(current, bool):
        if raw.lower() in ("true", "1", "yes"):
            return True
        if raw.lower() in ("false", "0", "no"):
            return False
        raise ValueError(f"{name} must be true or false, not '{raw}'")
    try:
        return type(current)(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a {type(current).__name__}, not '{raw}'") from exc


def settings_for(stage: str, overrides: Mapping[str, Any] | None = None) -> StageSettings:
    """The stage's settings: defaults (production gets longer log retention), then overrides.

    Keys of `overrides` that are neither settings nor CRM_* variables are ignored, so the whole
    CDK context (which also holds CDK's own flags) can be passed as is.
    """
    settings = StageSettings(stage=stage)
    if settings.is_production:
        settings = dataclasses.replace(settings, log_retention_days=365)
    known = {f.name for f in fields(StageSettings)} - {"stage", "app_overrides"}
    changes = {
        name: _coerce(name, value, getattr(settings, name))
        for name, value in (overrides or {}).items()
        if name in known
    }
    app_overrides = tuple(
        sorted(
            (name, str(value))
            for name, value in (overrides or {}).items()
            if name.startswith("CRM_")
        )
    )
    return dataclasses.replace(settings, **changes, app_overrides=app_overrides).validate()
