"""The synthesized dev stack: tables from the code's definitions, IAM, API stage, stream, lint."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import re
import zipfile
from pathlib import Path

import pytest
from aws_cdk import App, Stack
from aws_cdk.assertions import Template

from chalicelib.rest.errors import error_body
from chalicelib.storage.tables import KEYS_TABLE, MAIN_TABLE, IndexDef
from infra import permissions
from infra.settings import API_GATEWAY_TIMEOUT_SECONDS, settings_for
from infra.stack import (
    API_FUNCTION,
    DELIVERY_EVENT,
    DELIVERY_FUNCTION,
    FUNCTIONS,
    REST_API,
    STREAM_EVENT,
    STREAM_FUNCTION,
)
from infra.tables import build_table
from tests.infra.template_checks import (
    as_list,
    assert_table_matches,
    iam_statements,
    reference,
    role_grants,
)

ROOT = Path(__file__).resolve().parents[2]
DEV = settings_for("dev")


def main_table_id(synthesized) -> str:
    return synthesized.logical_id("MainTable", "AWS::DynamoDB::Table")


def keys_table_id(synthesized) -> str:
    return synthesized.logical_id("KeysTable", "AWS::DynamoDB::Table")


def delivery_queue_id(synthesized) -> str:
    return synthesized.logical_id("DeliveryQueue", "AWS::SQS::Queue")


def with_extra_gsi(table):
    extra = IndexDef(name="byEmail", hash_key="email")
    return dataclasses.replace(table, gsis=(*table.gsis, extra))


def tables_only_template(outdir, settings, main=MAIN_TABLE, keys=KEYS_TABLE) -> dict:
    """The tables alone in a bare stack: quick to synthesize (no Chalice packaging)."""
    stack = Stack(App(outdir=str(outdir)), "tables")
    build_table(stack, "MainTable", main, settings)
    build_table(stack, "KeysTable", keys, settings)
    return Template.from_stack(stack).to_json()


def table_by_prefix(template: dict, prefix: str) -> dict:
    (table,) = [r for name, r in template["Resources"].items() if name.startswith(prefix)]
    return table


# -- tables ------------------------------------------------------------------------------------


def test_the_main_table_matches_the_code_table_definition(synthesized):
    assert_table_matches(synthesized.resource(main_table_id(synthesized)), MAIN_TABLE)


def test_the_keys_table_matches_the_code_table_definition_with_its_indexes(synthesized):
    table = synthesized.resource(keys_table_id(synthesized))
    assert_table_matches(table, KEYS_TABLE)
    assert {index["IndexName"] for index in table["Properties"]["GlobalSecondaryIndexes"]} == {
        index.name for index in KEYS_TABLE.gsis
    }


@pytest.mark.parametrize("definition", [MAIN_TABLE, KEYS_TABLE], ids=["main", "keys"])
def test_a_gsi_added_to_the_definition_but_not_to_the_stack_fails_the_table_check(
    synthesized, definition
):
    # The synthesized stack was built from the original definition; the code now has one more
    # index. The check must see the stack as out of date.
    table_id = (main_table_id if definition is MAIN_TABLE else keys_table_id)(synthesized)
    with pytest.raises(AssertionError, match="byEmail"):
        assert_table_matches(synthesized.resource(table_id), with_extra_gsi(definition))


def test_a_stack_built_from_a_changed_definition_carries_the_new_index(tmp_path):
    changed_main, changed_keys = with_extra_gsi(MAIN_TABLE), with_extra_gsi(KEYS_TABLE)
    template = tables_only_template(tmp_path, DEV, changed_main, changed_keys)
    assert_table_matches(table_by_prefix(template, "MainTable"), changed_main)
    assert_table_matches(table_by_prefix(template, "KeysTable"), changed_keys)
    with pytest.raises(AssertionError):
        assert_table_matches(table_by_prefix(template, "KeysTable"), KEYS_TABLE)


def test_both_tables_are_on_demand_encrypted_and_point_in_time_recoverable(synthesized):
    for table_id in (main_table_id(synthesized), keys_table_id(synthesized)):
        properties = synthesized.resource(table_id)["Properties"]
        assert properties["BillingMode"] == "PAY_PER_REQUEST"
        recovery = properties["PointInTimeRecoverySpecification"]
        assert recovery == {"PointInTimeRecoveryEnabled": True}
        assert properties["SSESpecification"] == {"SSEEnabled": True}


def test_only_the_main_table_has_a_stream_with_new_and_old_images(synthesized):
    main = synthesized.resource(main_table_id(synthesized))["Properties"]
    keys = synthesized.resource(keys_table_id(synthesized))["Properties"]
    assert main["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert "StreamSpecification" not in keys


def test_a_development_stage_deletes_its_tables_with_the_stack(synthesized):
    for table_id in (main_table_id(synthesized), keys_table_id(synthesized)):
        table = synthesized.resource(table_id)
        assert table["DeletionPolicy"] == "Delete"
        assert table["Properties"]["DeletionProtectionEnabled"] is False


def test_the_production_stage_retains_and_protects_its_tables(tmp_path):
    template = tables_only_template(tmp_path, settings_for("prod"))
    for prefix in ("MainTable", "KeysTable"):
        table = table_by_prefix(template, prefix)
        assert table["DeletionPolicy"] == "Retain"
        assert table["UpdateReplacePolicy"] == "Retain"
        assert table["Properties"]["DeletionProtectionEnabled"] is True


# -- IAM ---------------------------------------------------------------------------------------


def test_no_iam_statement_uses_a_wildcard_action_or_a_wildcard_resource(synthesized):
    statements = iam_statements(synthesized.template)
    assert statements
    for statement in statements:
        actions, resources = as_list(statement["Action"]), as_list(statement["Resource"])
        assert all(action != "*" and not action.endswith(":*") for action in actions), statement
        if set(actions) <= set(permissions.XRAY_ACTIONS):
            continue  # X-Ray's segment uploads have no resource-level permissions at all
        assert all(reference(resource) != "*" for resource in resources), statement


def role_id(synthesized, function_id: str) -> str:
    role = synthesized.resource(function_id)["Properties"]["Role"]
    return role["Fn::GetAtt"][0]


def role_of(synthesized, function_id: str) -> dict:
    return synthesized.resource(role_id(synthesized, function_id))


def test_the_api_role_allows_exactly_the_documented_dynamodb_actions_on_both_tables(synthesized):
    main, keys = f"{main_table_id(synthesized)}.Arn", f"{keys_table_id(synthesized)}.Arn"
    expected = {(action, main) for action in permissions.MAIN_TABLE_ACCESS.actions}
    expected |= {(action, keys) for action in permissions.KEYS_TABLE_ACCESS.actions}
    # Managing keys looks one up by id and lists a workspace's.
    expected |= {("dynamodb:Query", f"{keys}/index/{index}") for index in ("byId", "byWorkspace")}
    # Lists query every index of the main table (none, or the definition's index slots).
    expected |= {("dynamodb:Query", f"{main}/index/{index.name}") for index in MAIN_TABLE.gsis}
    expected |= {(action, "ApiFunctionLogs.Arn") for action in permissions.LOG_ACTIONS}
    # A replay of a webhook delivery enqueues it again.
    expected |= {("sqs:SendMessage", f"{delivery_queue_id(synthesized)}.Arn")}
    # Active tracing: the segments of the function's invocations.
    expected |= {(action, "*") for action in permissions.XRAY_ACTIONS}
    assert role_grants(role_of(synthesized, API_FUNCTION)) == expected
    # Transactions are authorised per contained action; "TransactWriteItems" is no IAM action.
    assert {"dynamodb:PutItem", "dynamodb:ConditionCheckItem"} <= set(
        permissions.MAIN_TABLE_ACCESS.actions
    )


def test_the_stream_role_reads_the_stream_runs_metadata_jobs_on_the_main_table_and_nothing_else(
    synthesized,
):
    main = main_table_id(synthesized)
    stream = f"{main}.StreamArn"
    queue = synthesized.logical_id("StreamDeadLetters", "AWS::SQS::Queue")
    expected = {(action, stream) for action in permissions.STREAM_READ_ACTIONS}
    expected |= {(action, f"{main}.Arn") for action in permissions.MAIN_TABLE_ACCESS.actions}
    expected |= {("sqs:SendMessage", f"{queue}.Arn")}
    expected |= {(action, "StreamFunctionLogs.Arn") for action in permissions.LOG_ACTIONS}
    # New webhook deliveries go to the delivery queue.
    expected |= {("sqs:SendMessage", f"{delivery_queue_id(synthesized)}.Arn")}
    expected |= {(action, "*") for action in permissions.XRAY_ACTIONS}  # active tracing
    assert role_grants(role_of(synthesized, STREAM_FUNCTION)) == expected


def test_the_delivery_role_consumes_the_queue_and_records_attempts_and_nothing_else(
    synthesized,
):
    main, queue = f"{main_table_id(synthesized)}.Arn", f"{delivery_queue_id(synthesized)}.Arn"
    expected = {
        ("sqs:ReceiveMessage", queue),
        ("sqs:DeleteMessage", queue),
        ("sqs:GetQueueAttributes", queue),
        ("sqs:SendMessage", queue),  # a failed attempt goes back with the next delay
        ("dynamodb:GetItem", main),
        ("dynamodb:PutItem", main),
        ("dynamodb:UpdateItem", main),
    }
    expected |= {(action, "DeliveryFunctionLogs.Arn") for action in permissions.LOG_ACTIONS}
    assert role_grants(role_of(synthesized, DELIVERY_FUNCTION)) == expected


def test_each_function_runs_with_its_own_role_assumable_only_by_lambda(synthesized):
    roles = {role_id(synthesized, name) for name in FUNCTIONS}
    assert len(roles) == 3
    for role in map(synthesized.resource, roles):
        (statement,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        assert statement["Principal"] == {"Service": "lambda.amazonaws.com"}
        assert "ManagedPolicyArns" not in role["Properties"]


# -- API Gateway -------------------------------------------------------------------------------


def api_properties(synthesized) -> dict:
    return synthesized.resource(REST_API)["Properties"]


def test_the_stage_throttles_every_method_with_the_configured_rate_and_burst(synthesized):
    (method,) = api_properties(synthesized)["MethodSettings"]
    assert (method["ResourcePath"], method["HttpMethod"]) == ("/*", "*")
    assert method["ThrottlingRateLimit"] == DEV.throttle_rate_limit
    assert method["ThrottlingBurstLimit"] == DEV.throttle_burst_limit


def test_the_api_has_a_regional_endpoint_and_writes_json_access_logs(synthesized):
    properties = api_properties(synthesized)
    assert properties["EndpointConfiguration"] == "REGIONAL"
    assert properties["StageName"] == "api"
    access = properties["AccessLogSetting"]
    assert reference(access["DestinationArn"]) == "ApiAccessLogs.Arn"
    assert json.loads(access["Format"])["requestId"] == "$context.requestId"
    assert synthesized.resource("ApiAccessLogs")["Properties"]["RetentionInDays"] == (
        DEV.log_retention_days
    )


def render(template: str, **context: str) -> dict:
    """What API Gateway sends: the response template with its $context variables filled in."""
    for name, value in sorted(context.items(), key=lambda item: -len(item[0])):
        template = template.replace(f"$context.{name}", value)
    assert "$context" not in template, template
    return json.loads(template)


def gateway_response(synthesized, response_type: str) -> dict:
    return api_properties(synthesized)["GatewayResponses"][response_type]


def test_an_unknown_route_answers_404_in_the_twenty_error_shape(synthesized):
    response = gateway_response(synthesized, "MISSING_AUTHENTICATION_TOKEN")
    assert response["StatusCode"] == "404"
    assert response["ResponseParameters"]["Headers"]["Content-Type"] == "'application/json'"
    body = render(
        response["ResponseTemplates"]["application/json"], httpMethod="GET", path="/api/rest/nope"
    )
    assert body == error_body(404, ["Cannot GET /api/rest/nope"], "ROUTE_NOT_FOUND")


@pytest.mark.parametrize(
    ("response_type", "status", "code"),
    [("THROTTLED", 429, "THROTTLED"), ("REQUEST_TOO_LARGE", 413, "PAYLOAD_TOO_LARGE")],
)
def test_gateway_refusals_answer_in_the_twenty_error_shape(
    synthesized, response_type, status, code
):
    response = gateway_response(synthesized, response_type)
    assert response["StatusCode"] == str(status)
    body = render(
        response["ResponseTemplates"]["application/json"],
        **{"error.messageString": '"Too Many Requests"'},
    )
    assert body == error_body(status, ["Too Many Requests"], code)


# -- Lambda functions --------------------------------------------------------------------------


def function(synthesized, logical_id: str) -> dict:
    return synthesized.resource(logical_id)["Properties"]


def tags() -> dict:
    return {
        "Tags": [
            {"Key": "project", "Value": "twenty-serverless-crm"},
            {"Key": "stage", "Value": "dev"},
        ]
    }


def test_functions_use_arm64_with_memory_timeouts_and_log_retention_from_the_settings(
    synthesized,
):
    api, stream = function(synthesized, API_FUNCTION), function(synthesized, STREAM_FUNCTION)
    delivery = function(synthesized, DELIVERY_FUNCTION)
    for properties in (api, stream, delivery):
        assert properties["Architectures"] == ["arm64"]
        assert properties["MemorySize"] == DEV.memory_mb
        assert properties["Runtime"] == "python3.11"
    assert api["Timeout"] == DEV.api_timeout_seconds <= API_GATEWAY_TIMEOUT_SECONDS
    assert stream["Timeout"] == DEV.stream_timeout_seconds
    assert delivery["Timeout"] == DEV.delivery_timeout_seconds
    for properties, log_group in (
        (api, "ApiFunctionLogs"),
        (stream, "StreamFunctionLogs"),
        (delivery, "DeliveryFunctionLogs"),
    ):
        # Each function logs to the stack's group (with a retention), named by CloudFormation.
        assert properties["LoggingConfig"] == {"LogGroup": {"Ref": log_group}}
        group = synthesized.resource(log_group)
        assert group["Properties"] == {"RetentionInDays": DEV.log_retention_days, **tags()}
        assert group["DeletionPolicy"] == "Delete"


def test_functions_get_the_table_names_and_the_body_limit_in_variables_the_code_reads(
    synthesized,
):
    source = (ROOT / "chalicelib" / "settings.py").read_text()
    read_by_code = set(re.findall(r'"(CRM_[A-Z0-9_]+)"', source))
    assert {"CRM_MAIN_TABLE", "CRM_KEYS_TABLE", "CRM_MAX_BODY_BYTES"} <= read_by_code
    for logical_id in FUNCTIONS:
        variables = function(synthesized, logical_id)["Environment"]["Variables"]
        # No typo, nothing stale: every variable set here is one the code reads.
        assert set(variables) <= read_by_code, set(variables) - read_by_code
        assert variables["CRM_MAIN_TABLE"] == {"Ref": main_table_id(synthesized)}
        assert variables["CRM_KEYS_TABLE"] == {"Ref": keys_table_id(synthesized)}
        assert int(variables["CRM_MAX_BODY_BYTES"]) == DEV.max_body_bytes
        # Every function may enqueue: the stream (new deliveries), the API (replays), the
        # delivery function (retries).
        assert variables["CRM_WEBHOOK_QUEUE_URL"] == {"Ref": delivery_queue_id(synthesized)}


def test_no_deployed_function_allows_loopback_webhook_targets(synthesized):
    assert "CRM_WEBHOOK_ALLOW_LOOPBACK" in (ROOT / "chalicelib" / "settings.py").read_text()
    for logical_id in FUNCTIONS:
        variables = function(synthesized, logical_id)["Environment"]["Variables"]
        assert "CRM_WEBHOOK_ALLOW_LOOPBACK" not in variables
    with pytest.raises(ValueError, match="local stack only"):
        settings_for("dev", {"CRM_WEBHOOK_ALLOW_LOOPBACK": "1"})


def test_the_delivery_queue_is_encrypted_tls_only_outlasts_its_consumer_and_has_a_dlq(
    synthesized,
):
    queue_id = delivery_queue_id(synthesized)
    dead_letters = synthesized.logical_id("DeliveryDeadLetters", "AWS::SQS::Queue")
    properties = synthesized.resource(queue_id)["Properties"]
    assert properties["SqsManagedSseEnabled"] is True
    assert properties["VisibilityTimeout"] >= 6 * DEV.delivery_timeout_seconds
    redrive = properties["RedrivePolicy"]
    assert reference(redrive["deadLetterTargetArn"]) == f"{dead_letters}.Arn"
    assert redrive["maxReceiveCount"] == DEV.delivery_max_receive_count
    assert synthesized.resource(dead_letters)["Properties"]["SqsManagedSseEnabled"] is True
    for queue in (queue_id, dead_letters):
        (policy,) = [
            p["Properties"]["PolicyDocument"]
            for p in synthesized.resources("AWS::SQS::QueuePolicy").values()
            if [reference(q) for q in p["Properties"]["Queues"]] == [queue]
        ]
        (statement,) = policy["Statement"]
        assert statement["Effect"] == "Deny"
        assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_the_delivery_queue_feeds_the_delivery_handler_in_batches_with_partial_failures(
    synthesized,
):
    events = function(synthesized, DELIVERY_FUNCTION)["Events"]
    assert list(events) == [DELIVERY_EVENT]
    assert events[DELIVERY_EVENT]["Type"] == "SQS"
    properties = events[DELIVERY_EVENT]["Properties"]
    assert reference(properties["Queue"]) == f"{delivery_queue_id(synthesized)}.Arn"
    assert properties["BatchSize"] == DEV.delivery_batch_size
    assert properties["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    # A retry backlog never takes the account's whole Lambda concurrency from the API.
    assert properties["ScalingConfig"] == {"MaximumConcurrency": DEV.delivery_max_concurrency}
    assert function(synthesized, DELIVERY_FUNCTION)["Handler"] == "app.on_webhook_delivery"


def test_the_stream_feeds_the_stream_handler_with_retries_bisection_and_a_dead_letter_queue(
    synthesized,
):
    events = function(synthesized, STREAM_FUNCTION)["Events"]
    assert list(events) == [STREAM_EVENT]
    source = events[STREAM_EVENT]
    assert source["Type"] == "DynamoDB"
    properties = source["Properties"]
    queue = synthesized.logical_id("StreamDeadLetters", "AWS::SQS::Queue")
    assert reference(properties["Stream"]) == f"{main_table_id(synthesized)}.StreamArn"
    assert properties["BatchSize"] == DEV.stream_batch_size
    assert properties["MaximumRetryAttempts"] == DEV.stream_max_retry_attempts
    assert properties["MaximumRecordAgeInSeconds"] == DEV.stream_max_record_age_seconds
    assert properties["BisectBatchOnFunctionError"] is True
    assert properties["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    on_failure = properties["DestinationConfig"]["OnFailure"]
    assert on_failure["Type"] == "SQS"
    assert reference(on_failure["Destination"]) == f"{queue}.Arn"
    assert "Events" not in function(synthesized, API_FUNCTION)


def test_outputs_name_the_api_url_the_tables_and_the_region(synthesized):
    outputs = synthesized.template["Outputs"]
    assert outputs["ApiUrl"]["Value"]["Fn::Sub"].endswith("/api/")
    assert outputs["MainTableName"]["Value"] == {"Ref": main_table_id(synthesized)}
    assert outputs["KeysTableName"]["Value"] == {"Ref": keys_table_id(synthesized)}
    assert outputs["Region"]["Value"] == {"Ref": "AWS::Region"}
    assert outputs["ApiLogGroupName"]["Value"] == {"Ref": "ApiFunctionLogs"}
    assert outputs["DeliveryQueueUrl"]["Value"] == {"Ref": delivery_queue_id(synthesized)}
    assert outputs["DeliveryLogGroupName"]["Value"] == {"Ref": "DeliveryFunctionLogs"}


# -- lint and package --------------------------------------------------------------------------


def test_cfn_lint_finds_no_error_in_the_synthesized_template(synthesized):
    from cfnlint.api import lint

    matches = lint(json.dumps(synthesized.template), regions=["us-east-1", "eu-west-1"])
    errors = [match for match in matches if match.rule.id.startswith("E")]
    assert not errors, "\n".join(str(match) for match in errors)


def lambda_zip(synthesized) -> Path:
    key = function(synthesized, API_FUNCTION)["CodeUri"]["Key"]
    assert function(synthesized, STREAM_FUNCTION)["CodeUri"]["Key"] == key
    assert function(synthesized, DELIVERY_FUNCTION)["CodeUri"]["Key"] == key
    return synthesized.outdir / f"asset.{key}"


def test_the_lambda_zip_holds_only_runtime_code_and_runtime_dependencies(synthesized):
    with zipfile.ZipFile(lambda_zip(synthesized)) as archive:
        names = archive.namelist()
        unpacked = sum(info.file_size for info in archive.infolist())
    top_level = {name.split("/")[0] for name in names}
    assert {"app.py", "chalicelib", "chalice", "pynamodb", "botocore"} <= top_level
    # The docs page's and playground's assets ship with the code (rest/docs_assets.py).
    assert "chalicelib/static/swagger-ui-dist-5.36.0/swagger-ui-bundle.js" in names
    # Nothing from the repository but the app, and no SDK layers the code does not import.
    for unwanted in (
        "tests",
        "infra",
        "bench",
        "docs",
        "run_local.py",
        "boto3",
        "s3transfer",
        "moto",
        "aws_cdk",
        "pytest",
    ):
        assert unwanted not in top_level, unwanted
    # Lambda's limits: 50 MB zipped for a direct upload, 250 MB unpacked.
    assert lambda_zip(synthesized).stat().st_size < 50 * 1000 * 1000
    assert unpacked < 250 * 1000 * 1000


def test_the_lambda_zip_carries_orjson_built_for_the_functions_architecture(synthesized):
    """orjson is the one compiled dependency: Chalice packages the wheel of the stage's
    architecture (arm64 by default), or only warns when it finds none."""
    (architecture,) = function(synthesized, API_FUNCTION)["Architectures"]
    machine = {"arm64": "aarch64", "x86_64": "x86_64"}[architecture]
    with zipfile.ZipFile(lambda_zip(synthesized)) as archive:
        compiled = [name for name in archive.namelist() if name.endswith(".so")]
    assert [name for name in compiled if name.startswith("orjson/")] == [
        f"orjson/orjson.cpython-311-{machine}-linux-gnu.so"
    ]


def test_the_lambda_zip_holds_unchecked_bytecode_of_every_module(synthesized):
    """A cold start loads compiled bytecode instead of compiling what it imports
    (infra/bytecode.py): every module of the zip has a hash-based `.pyc` of the functions'
    Python that is loaded without checking its source."""
    runtime = function(synthesized, API_FUNCTION)["Runtime"]  # e.g. python3.11
    tag = "cpython-" + runtime.removeprefix("python").replace(".", "")
    with zipfile.ZipFile(lambda_zip(synthesized)) as archive:
        names = set(archive.namelist())
        headers = {name: archive.read(name)[:8] for name in names if name.endswith(".pyc")}
    modules = sorted(name for name in names if name.endswith(".py"))
    assert "chalicelib/storage/records.py" in modules and "botocore/client.py" in modules
    for module in modules:
        folder, _, file = module.rpartition("/")
        cached = f"{folder}/__pycache__/{file[:-3]}.{tag}.pyc".lstrip("/")
        assert cached in headers, module
    assert {header[:4] for header in headers.values()} == {importlib.util.MAGIC_NUMBER}
    # PEP 552 flags: hash-based (bit 0), source not checked (bit 1 clear).
    assert {int.from_bytes(header[4:8], "little") for header in headers.values()} == {0b01}


# -- after the SAM transform -------------------------------------------------------------------


def expanded_resources(expanded: dict, resource_type: str) -> list[dict]:
    return [r for r in expanded["Resources"].values() if r["Type"] == resource_type]


def test_the_sam_transform_turns_the_stream_event_into_a_configured_event_source_mapping(
    synthesized, expanded
):
    (mapping,) = [
        mapping
        for mapping in expanded_resources(expanded, "AWS::Lambda::EventSourceMapping")
        if mapping["Properties"]["FunctionName"] == {"Ref": STREAM_FUNCTION}
    ]
    properties = mapping["Properties"]
    assert reference(properties["EventSourceArn"]) == f"{main_table_id(synthesized)}.StreamArn"
    assert properties["BisectBatchOnFunctionError"] is True
    assert properties["MaximumRetryAttempts"] == DEV.stream_max_retry_attempts
    queue = synthesized.logical_id("StreamDeadLetters", "AWS::SQS::Queue")
    assert reference(properties["DestinationConfig"]["OnFailure"]["Destination"]) == f"{queue}.Arn"


def test_the_sam_transform_turns_the_queue_event_into_a_mapping_reporting_item_failures(
    synthesized, expanded
):
    (mapping,) = [
        mapping
        for mapping in expanded_resources(expanded, "AWS::Lambda::EventSourceMapping")
        if mapping["Properties"]["FunctionName"] == {"Ref": DELIVERY_FUNCTION}
    ]
    properties = mapping["Properties"]
    assert reference(properties["EventSourceArn"]) == f"{delivery_queue_id(synthesized)}.Arn"
    assert properties["BatchSize"] == DEV.delivery_batch_size
    assert properties["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert properties["ScalingConfig"] == {"MaximumConcurrency": DEV.delivery_max_concurrency}


def test_the_sam_transform_puts_throttling_and_access_logs_on_the_deployed_stage(expanded):
    (stage,) = expanded_resources(expanded, "AWS::ApiGateway::Stage")
    (method,) = stage["Properties"]["MethodSettings"]
    assert method["ThrottlingRateLimit"] == DEV.throttle_rate_limit
    assert method["ThrottlingBurstLimit"] == DEV.throttle_burst_limit
    assert reference(stage["Properties"]["AccessLogSetting"]["DestinationArn"]) == (
        "ApiAccessLogs.Arn"
    )


def test_the_gateway_responses_ship_inside_the_api_definition_and_so_in_its_deployment(expanded):
    (api,) = expanded_resources(expanded, "AWS::ApiGateway::RestApi")
    responses = api["Properties"]["Body"]["x-amazon-apigateway-gateway-responses"]
    assert responses["MISSING_AUTHENTICATION_TOKEN"]["statusCode"] == "404"
    assert set(responses) == {"MISSING_AUTHENTICATION_TOKEN", "THROTTLED", "REQUEST_TOO_LARGE"}
    assert api["Properties"]["EndpointConfiguration"] == {"Types": ["REGIONAL"]}


def test_the_sam_transform_keeps_each_function_s_own_role_and_log_group(synthesized, expanded):
    functions = {
        name: resource["Properties"]
        for name, resource in expanded["Resources"].items()
        if resource["Type"] == "AWS::Lambda::Function"
    }
    assert set(functions) == set(FUNCTIONS)
    logs = {
        API_FUNCTION: "ApiFunctionLogs",
        STREAM_FUNCTION: "StreamFunctionLogs",
        DELIVERY_FUNCTION: "DeliveryFunctionLogs",
    }
    for name, log_group in logs.items():
        assert functions[name]["Role"] == {"Fn::GetAtt": [role_id(synthesized, name), "Arn"]}
        assert functions[name]["LoggingConfig"] == {"LogGroup": {"Ref": log_group}}


def test_cfn_lint_finds_no_error_in_the_transformed_template(expanded):
    from cfnlint.api import lint

    errors = [m for m in lint(json.dumps(expanded)) if m.rule.id.startswith("E")]
    assert not errors, "\n".join(str(match) for match in errors)
