"""Tracing, the dashboard and the alarms of a stage (infra/monitoring.py), in the template."""

from __future__ import annotations

import json
import re

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Template

from chalicelib.observability import delivery_metrics, request_log
from chalicelib.storage.tables import KEYS_TABLE, MAIN_TABLE
from infra import permissions
from infra.monitoring import Monitored, Monitoring
from infra.settings import settings_for
from infra.stack import API_FUNCTION, DELIVERY_FUNCTION, STREAM_FUNCTION, TRACED_FUNCTIONS
from infra.tables import build_table
from tests.infra.template_checks import role_grants

DEV = settings_for("dev")


def alarms(template: dict) -> dict[str, dict]:
    """Alarm properties by the alarm's construct id (ServerErrorRate, Throttles, ...)."""
    found = {}
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] == "AWS::CloudWatch::Alarm":
            name = re.sub(r"^Monitoring|[0-9A-F]{8}$", "", logical_id)
            found[name] = resource["Properties"]
    return found


def metric_stats(alarm: dict) -> list[dict]:
    return [query["MetricStat"] for query in alarm["Metrics"] if "MetricStat" in query]


def dashboard_text(template: dict) -> str:
    """The dashboard body with references written as <Ref> (it is a Fn::Join of parts)."""
    (dashboard,) = [
        r for r in template["Resources"].values() if r["Type"] == "AWS::CloudWatch::Dashboard"
    ]
    body = dashboard["Properties"]["DashboardBody"]
    parts = body["Fn::Join"][1] if isinstance(body, dict) else [body]
    return "".join(p if isinstance(p, str) else f"<{json.dumps(p)}>" for p in parts)


def monitoring_only(settings) -> dict:
    """The monitoring construct alone in a bare stack: quick (no Chalice packaging)."""
    stack = Stack(App(), "monitoring")
    tables = (
        build_table(stack, "MainTable", MAIN_TABLE, settings),
        build_table(stack, "KeysTable", KEYS_TABLE, settings),
    )
    queues = (sqs.Queue(stack, "StreamDlq"), sqs.Queue(stack, "DeliveryDlq"))
    Monitoring(
        stack,
        "Monitoring",
        settings,
        Monitored("api-fn", "stream-fn", "delivery-fn", tables, queues),
    )
    return Template.from_stack(stack).to_json()


# -- tracing -----------------------------------------------------------------------------------


def test_the_api_and_stream_functions_trace_actively_and_may_send_segments(synthesized):
    assert set(TRACED_FUNCTIONS) == {API_FUNCTION, STREAM_FUNCTION}
    for logical_id in TRACED_FUNCTIONS:
        function = synthesized.resource(logical_id)["Properties"]
        assert function["Tracing"] == "Active"
        assert function["Environment"]["Variables"]["CRM_TRACING"] == "1"
        role = synthesized.resource(function["Role"]["Fn::GetAtt"][0])
        assert {(action, "*") for action in permissions.XRAY_ACTIONS} <= role_grants(role)
    delivery = synthesized.resource(DELIVERY_FUNCTION)["Properties"]
    assert delivery.get("Tracing") != "Active"


def test_every_function_writes_its_metrics_to_the_stage_namespace(synthesized):
    assert DEV.metrics_namespace == "TwentyServerlessCrm/dev"
    assert settings_for("prod").metrics_namespace != DEV.metrics_namespace
    for logical_id in (API_FUNCTION, STREAM_FUNCTION, DELIVERY_FUNCTION):
        variables = synthesized.resource(logical_id)["Properties"]["Environment"]["Variables"]
        assert variables["CRM_METRICS_NAMESPACE"] == DEV.metrics_namespace


# -- alarms ------------------------------------------------------------------------------------


def test_the_stage_has_the_four_alarms_each_notifying_the_alarm_topic(synthesized):
    found = alarms(synthesized.template)
    assert set(found) == {"ServerErrorRate", "Throttles", "StreamIteratorAge", "DeadLetters"}
    topic = synthesized.logical_id("MonitoringAlarmTopic", "AWS::SNS::Topic")
    for alarm in found.values():
        assert alarm["AlarmActions"] == [{"Ref": topic}]
        assert alarm["OKActions"] == [{"Ref": topic}]
        # No traffic is not an incident.
        assert alarm["TreatMissingData"] == "notBreaching"
    assert synthesized.template["Outputs"]["AlarmTopicArn"]["Value"] == {"Ref": topic}


def test_the_5xx_alarm_divides_server_errors_and_lambda_failures_by_all_answers(synthesized):
    alarm = alarms(synthesized.template)["ServerErrorRate"]
    assert alarm["Threshold"] == DEV.alarm_server_error_percent
    assert alarm["ComparisonOperator"] == "GreaterThanThreshold"
    (expression,) = [q["Expression"] for q in alarm["Metrics"] if "Expression" in q]
    assert "100 * (FILL(serverErrors, 0) + FILL(crashes, 0))" in expression
    by_id = {q["Id"]: q["MetricStat"]["Metric"] for q in alarm["Metrics"] if "MetricStat" in q}
    for app_metric in ("requests", "serverErrors"):
        assert by_id[app_metric]["Namespace"] == DEV.metrics_namespace
        assert by_id[app_metric]["MetricName"] == app_metric
        assert by_id[app_metric]["Dimensions"] == [{"Name": "service", "Value": "api"}]
    assert by_id["crashes"]["Namespace"] == "AWS/Lambda"
    assert by_id["crashes"]["Dimensions"] == [
        {"Name": "FunctionName", "Value": {"Ref": API_FUNCTION}}
    ]


def test_the_throttle_alarm_counts_read_and_write_throttles_of_both_tables(synthesized):
    alarm = alarms(synthesized.template)["Throttles"]
    assert alarm["Threshold"] == DEV.alarm_throttle_events
    watched = {
        (stat["Metric"]["MetricName"], stat["Metric"]["Dimensions"][0]["Value"]["Ref"])
        for stat in metric_stats(alarm)
    }
    main = synthesized.logical_id("MainTable", "AWS::DynamoDB::Table")
    keys = synthesized.logical_id("KeysTable", "AWS::DynamoDB::Table")
    assert watched == {
        (name, table)
        for name in ("ReadThrottleEvents", "WriteThrottleEvents")
        for table in (main, keys)
    }


def test_the_iterator_age_alarm_watches_the_stream_function_in_milliseconds(synthesized):
    alarm = alarms(synthesized.template)["StreamIteratorAge"]
    assert alarm["Namespace"] == "AWS/Lambda"
    assert alarm["MetricName"] == "IteratorAge"
    assert alarm["Statistic"] == "Maximum"
    assert alarm["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": STREAM_FUNCTION}}]
    assert alarm["Threshold"] == DEV.alarm_iterator_age_seconds * 1000


def test_the_dead_letter_alarm_fires_on_the_first_message_in_either_dlq(synthesized):
    alarm = alarms(synthesized.template)["DeadLetters"]
    assert alarm["Threshold"] == DEV.alarm_dead_letter_messages == 1
    assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    queues = {
        stat["Metric"]["Dimensions"][0]["Value"]["Fn::GetAtt"][0]
        for stat in metric_stats(alarm)
        if stat["Metric"]["MetricName"] == "ApproximateNumberOfMessagesVisible"
    }
    assert queues == {
        synthesized.logical_id("StreamDeadLetters", "AWS::SQS::Queue"),
        synthesized.logical_id("DeliveryDeadLetters", "AWS::SQS::Queue"),
    }


def test_alarm_thresholds_come_from_the_stage_settings():
    settings = settings_for(
        "dev",
        {
            "alarm_server_error_percent": "5",
            "alarm_throttle_events": "50",
            "alarm_iterator_age_seconds": "900",
            "alarm_dead_letter_messages": "3",
        },
    )
    found = alarms(monitoring_only(settings))
    assert found["ServerErrorRate"]["Threshold"] == 5
    assert found["Throttles"]["Threshold"] == 50
    assert found["StreamIteratorAge"]["Threshold"] == 900_000
    assert found["DeadLetters"]["Threshold"] == 3


@pytest.mark.parametrize(
    "override",
    [
        {"alarm_server_error_percent": 0},
        {"alarm_server_error_percent": 101},
        {"alarm_throttle_events": 0},
        {"alarm_iterator_age_seconds": 10},
        {"alarm_dead_letter_messages": 0},
    ],
)
def test_an_alarm_threshold_outside_its_limits_fails_the_synth(override):
    with pytest.raises(ValueError):
        settings_for("dev", override)


# -- dashboard ---------------------------------------------------------------------------------


def test_the_dashboard_shows_requests_errors_latency_capacity_throttles_and_queues(synthesized):
    text = dashboard_text(synthesized.template)
    for title in (
        "Requests by API",
        "Errors",
        "Errors by code",
        "Latency (ms)",
        "Consumed capacity",
        "Throttles",
        "Stream iterator age",
        "Dead-letter queue depth",
        "Webhook deliveries",
    ):
        assert f'"title":"{title}' in text, title
    assert '"latencyMs","service","api",{"label":"p50","stat":"p50"}' in text
    assert '"latencyMs","service","api",{"label":"p99","stat":"p99"}' in text
    assert '"IteratorAge","FunctionName","<{"Ref": "OnMainTableChange"}>"' in text
    assert text.count("ApproximateNumberOfMessagesVisible") == 2
    dashboard_id = synthesized.logical_id("MonitoringDashboard", "AWS::CloudWatch::Dashboard")
    dashboard = synthesized.resource(dashboard_id)["Properties"]
    assert dashboard["DashboardName"] == f"{DEV.stack_name}-overview"
    assert synthesized.template["Outputs"]["DashboardName"]["Value"] == {"Ref": dashboard_id}


def test_every_app_metric_on_the_dashboard_is_one_the_code_writes(synthesized):
    text = dashboard_text(synthesized.template)
    namespace = re.escape(DEV.metrics_namespace)
    shown = set(re.findall(rf'\["{namespace}","(\w+)"', text))
    shown |= set(re.findall(r'MetricName=\\"(\w+)\\"', text))
    written = set(request_log.METRIC_KEYS) | {"errors"}
    written |= {metric["Name"] for metric in delivery_metrics.DELIVERY_METRICS["Metrics"]}
    assert shown, text[:500]
    assert shown <= written, shown - written
    # What the dashboard promises: requests, both error kinds, latency, capacity, throttles,
    # deliveries and their failures.
    assert {
        "requests",
        "clientErrors",
        "serverErrors",
        "errors",
        "latencyMs",
        "readCapacityUnits",
        "writeCapacityUnits",
        "throttles",
        "deliveries",
        "deliveryFailures",
    } <= shown
