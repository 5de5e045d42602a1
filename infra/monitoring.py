"""The stage's CloudWatch dashboard and alarms, over the app's own metrics and AWS's.

The app writes its metrics in its log lines (Embedded Metric Format, chalicelib/observability/):
per request `requests`, `clientErrors`, `serverErrors`, `latencyMs`, `readCapacityUnits`,
`writeCapacityUnits`, `throttles` (dimension `service`=api, and per `api`), `errors` per
`errorCode`; per webhook delivery attempt `deliveries`, `deliveryFailures`,
`deliveriesAbandoned`, `deliveryMs` (`service`=webhooks); all in the stage's namespace
(`StageSettings.metrics_namespace`). AWS adds what the app cannot see from inside: Lambda errors
and timeouts (no line is written), the stream's iterator age, the dead-letter queues' depth and
DynamoDB's own throttle events.

Every alarm notifies one SNS topic (output `AlarmTopicArn`): subscribe an e-mail address or a
chat integration to it. Missing data never alarms (a stage without traffic is healthy).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.settings import StageSettings

PERIOD = Duration.minutes(5)
ABOVE = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD
AT_LEAST = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD
API_SERVICE = {"service": "api"}
WEBHOOK_SERVICE = {"service": "webhooks"}


@dataclass(frozen=True)
class Monitored:
    """What the stack hands over: function names (Refs) and the resources to watch."""

    api_function: str
    stream_function: str
    delivery_function: str
    tables: Sequence[dynamodb.Table]
    dead_letter_queues: Sequence[sqs.Queue]


def _app_metric(
    settings: StageSettings,
    name: str,
    statistic: str = "Sum",
    service: dict[str, str] = API_SERVICE,
) -> cloudwatch.Metric:
    return cloudwatch.Metric(
        namespace=settings.metrics_namespace,
        metric_name=name,
        dimensions_map=service,
        statistic=statistic,
        period=PERIOD,
    )


def _lambda_metric(function_name: str, name: str, statistic: str) -> cloudwatch.Metric:
    return cloudwatch.Metric(
        namespace="AWS/Lambda",
        metric_name=name,
        dimensions_map={"FunctionName": function_name},
        statistic=statistic,
        period=PERIOD,
    )


def _table_metric(table: dynamodb.Table, name: str) -> cloudwatch.Metric:
    return cloudwatch.Metric(
        namespace="AWS/DynamoDB",
        metric_name=name,
        dimensions_map={"TableName": table.table_name},
        statistic="Sum",
        period=PERIOD,
    )


def server_error_rate(settings: StageSettings, api_function: str) -> cloudwatch.MathExpression:
    """Percent of API answers that are 5xx: the app's 5xx lines plus Lambda errors (crashes and
    timeouts write no line; API Gateway answers them 502/504), over both."""
    answered = "FILL(requests, 0) + FILL(crashes, 0)"
    failed = "FILL(serverErrors, 0) + FILL(crashes, 0)"
    return cloudwatch.MathExpression(
        expression=f"IF({answered} > 0, 100 * ({failed}) / ({answered}), 0)",
        using_metrics={
            "requests": _app_metric(settings, "requests"),
            "serverErrors": _app_metric(settings, "serverErrors"),
            "crashes": _lambda_metric(api_function, "Errors", "Sum"),
        },
        label="5xx answers (%)",
        period=PERIOD,
    )


def throttle_events(tables: Sequence[dynamodb.Table]) -> cloudwatch.MathExpression:
    """DynamoDB's read and write throttle events on every table (all functions' calls)."""
    metrics: dict[str, cloudwatch.IMetric] = {}
    for number, table in enumerate(tables):
        metrics[f"read{number}"] = _table_metric(table, "ReadThrottleEvents")
        metrics[f"write{number}"] = _table_metric(table, "WriteThrottleEvents")
    return cloudwatch.MathExpression(
        expression=" + ".join(f"FILL({name}, 0)" for name in metrics),
        using_metrics=metrics,
        label="DynamoDB throttle events",
        period=PERIOD,
    )


def _search(
    settings: StageSettings, dimensions: str, metric: str, label: str
) -> cloudwatch.IMetric:
    # One line per value of the last dimension (per API, per error code), whatever values exist.
    return cloudwatch.MathExpression(
        expression=(
            f'SEARCH(\'{{"{settings.metrics_namespace}",{dimensions}}} '
            f"MetricName=\"{metric}\"', 'Sum', 300)"
        ),
        label=label,
        period=PERIOD,
    )


class Monitoring(Construct):
    """The dashboard `<stack>-overview`, the four alarms and their SNS topic."""

    def __init__(
        self, scope: Construct, construct_id: str, settings: StageSettings, watched: Monitored
    ) -> None:
        super().__init__(scope, construct_id)
        self.topic = sns.Topic(self, "AlarmTopic", display_name=f"{settings.stack_name} alarms")
        iterator_age = _lambda_metric(watched.stream_function, "IteratorAge", "Maximum")
        dead_letters = [
            queue.metric_approximate_number_of_messages_visible(period=PERIOD, statistic="Maximum")
            for queue in watched.dead_letter_queues
        ]
        self.alarms = {
            "ServerErrorRate": self._alarm(
                "ServerErrorRate",
                server_error_rate(settings, watched.api_function),
                settings.alarm_server_error_percent,
                "More than the configured share of API answers were 5xx (or Lambda failed).",
            ),
            "Throttles": self._alarm(
                "Throttles",
                throttle_events(watched.tables),
                settings.alarm_throttle_events,
                "DynamoDB throttled requests of this stage (the app retries, then answers 503).",
                comparison=AT_LEAST,
            ),
            "StreamIteratorAge": self._alarm(
                "StreamIteratorAge",
                iterator_age,
                settings.alarm_iterator_age_seconds * 1000,
                "The stream consumer is behind: webhooks and metadata jobs are delayed.",
            ),
            "DeadLetters": self._alarm(
                "DeadLetters",
                cloudwatch.MathExpression(
                    expression=" + ".join(f"FILL(dlq{n}, 0)" for n in range(len(dead_letters))),
                    using_metrics={f"dlq{n}": metric for n, metric in enumerate(dead_letters)},
                    label="messages in the dead-letter queues",
                    period=PERIOD,
                ),
                settings.alarm_dead_letter_messages,
                "A stream batch or a webhook delivery message was given up: inspect the DLQs.",
                comparison=AT_LEAST,
            ),
        }
        self.dashboard = cloudwatch.Dashboard(
            self,
            "Dashboard",
            dashboard_name=f"{settings.stack_name}-overview",
            widgets=self._widgets(settings, watched, iterator_age, dead_letters),
        )

    def _alarm(
        self,
        construct_id: str,
        metric: cloudwatch.IMetric,
        threshold: float,
        description: str,
        comparison: cloudwatch.ComparisonOperator = ABOVE,
    ) -> cloudwatch.Alarm:
        alarm = cloudwatch.Alarm(
            self,
            construct_id,
            metric=metric,
            threshold=threshold,
            evaluation_periods=1,
            comparison_operator=comparison,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description=description,
        )
        alarm.add_alarm_action(actions.SnsAction(self.topic))
        alarm.add_ok_action(actions.SnsAction(self.topic))
        return alarm

    def _widgets(
        self,
        settings: StageSettings,
        watched: Monitored,
        iterator_age: cloudwatch.IMetric,
        dead_letters: list[cloudwatch.Metric],
    ) -> list[list[cloudwatch.IWidget]]:
        def graph(
            title: str, left: Sequence[cloudwatch.IMetric], **kw: object
        ) -> cloudwatch.GraphWidget:
            return cloudwatch.GraphWidget(title=title, left=list(left), width=8, height=6, **kw)  # type: ignore[arg-type]

        app = _app_metric
        latency = [
            app(settings, "latencyMs", "p50").with_(label="p50"),
            app(settings, "latencyMs", "p99").with_(label="p99"),
        ]
        capacity = [
            app(settings, "readCapacityUnits").with_(label="read units (API requests)"),
            app(settings, "writeCapacityUnits").with_(label="write units (API requests)"),
        ]
        for table in watched.tables:
            capacity += [
                _table_metric(table, "ConsumedReadCapacityUnits"),
                _table_metric(table, "ConsumedWriteCapacityUnits"),
            ]
        deliveries: list[cloudwatch.IMetric] = [
            app(settings, name, service=WEBHOOK_SERVICE)
            for name in ("deliveries", "deliveryFailures", "deliveriesAbandoned")
        ]
        # The function failing itself (not a receiver): its messages come back, then the DLQ.
        deliveries.append(
            _lambda_metric(watched.delivery_function, "Errors", "Sum").with_(
                label="delivery function errors"
            )
        )
        return [
            [
                graph(
                    "Requests by API",
                    [_search(settings, "service,api", "requests", "")],
                ),
                graph(
                    "Errors",
                    [
                        app(settings, "clientErrors").with_(label="4xx"),
                        app(settings, "serverErrors").with_(label="5xx"),
                        _lambda_metric(watched.api_function, "Errors", "Sum").with_(
                            label="Lambda errors and timeouts"
                        ),
                    ],
                    right=[server_error_rate(settings, watched.api_function)],
                ),
                graph("Errors by code", [_search(settings, "service,errorCode", "errors", "")]),
            ],
            [
                graph("Latency (ms)", latency),
                graph("Consumed capacity (units per 5 minutes)", capacity),
                graph(
                    "Throttles",
                    [
                        app(settings, "throttles").with_(label="throttled API calls (retried)"),
                        throttle_events(watched.tables),
                    ],
                ),
            ],
            [
                graph("Stream iterator age (ms)", [iterator_age]),
                graph(
                    "Dead-letter queue depth",
                    [m.with_(label=f"queue {n + 1}") for n, m in enumerate(dead_letters)],
                ),
                graph("Webhook deliveries", deliveries),
            ],
        ]
