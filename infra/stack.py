"""The whole deployment of one stage: tables, the Chalice app, its IAM, logs, stream and queue.

Chalice's CDK construct runs `chalice package` on the project root during synth and includes
the resulting SAM template; this stack then points that template's placeholders (role, stream
ARN, queue ARN, table names) at the resources it creates, and adds what Chalice has no setting
for.

Webhooks: the stream function stores each delivery and sends its reference to the delivery
queue (SQS, with per-message delays for retries); the delivery function consumes it, POSTs to
the target and sends a failed attempt back with the next delay. A message the function itself
keeps failing on moves to the delivery dead-letter queue. Lambda outside a VPC reaches the
internet directly, so no NAT gateway is needed for the outbound HTTPS.
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import CfnOutput, Duration, RemovalPolicy, Stack, Tags
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from chalice.cdk import Chalice
from constructs import Construct

from chalicelib.storage.tables import KEYS_TABLE, MAIN_TABLE
from infra import gateway, permissions
from infra.bytecode import add_bytecode_to_package
from infra.monitoring import Monitored, Monitoring
from infra.settings import StageSettings
from infra.tables import build_table

PROJECT_ROOT = Path(__file__).resolve().parents[1]

# Logical ids in the SAM template `chalice package` writes: the REST handler and API are fixed
# by Chalice, the stream and queue handlers are named after their functions in app.py.
API_FUNCTION = "APIHandler"
STREAM_FUNCTION = "OnMainTableChange"
DELIVERY_FUNCTION = "OnWebhookDelivery"
REST_API = "RestAPI"
STREAM_EVENT = f"{STREAM_FUNCTION}DynamodbEventSource"
DELIVERY_EVENT = f"{DELIVERY_FUNCTION}SqsEventSource"
FUNCTIONS = (API_FUNCTION, STREAM_FUNCTION, DELIVERY_FUNCTION)
TRACED_FUNCTIONS = (API_FUNCTION, STREAM_FUNCTION)
API_GATEWAY_STAGE = "api"

# Chalice needs some role ARN while packaging; every function's Role is replaced below by a role
# of this stack. Chalice managing roles instead would mean one shared role, or policy files
# with ARNs that only exist after deployment.
PLACEHOLDER_ROLE_ARN = "arn:aws:iam::123456789012:role/replaced-by-the-crm-stack"


class CompiledChalice(Chalice):
    """Chalice's construct, its Lambda zip holding compiled bytecode (infra/bytecode.py).

    The construct offers no hook between packaging and the asset it makes of the zip; its
    `_package_app` (chalice 1.34, pinned) is that moment. A Chalice that renamed it would leave
    the zip without bytecode, which tests/infra/test_stack.py catches."""

    def _package_app(self) -> None:
        super()._package_app()
        add_bytecode_to_package(Path(self._sam_package_dir))


class CrmStack(Stack):
    """One stage: construct id = stage (Chalice names its stage after it), stack `crm-<stage>`."""

    def __init__(
        self, scope: Construct, settings: StageSettings, source_dir: Path = PROJECT_ROOT
    ) -> None:
        super().__init__(
            scope,
            settings.stage,
            stack_name=settings.stack_name,
            description=f"Twenty-compatible CRM API, stage {settings.stage}",
            termination_protection=settings.is_production,
        )
        self.settings = settings
        retain = RemovalPolicy.RETAIN if settings.is_production else RemovalPolicy.DESTROY
        Tags.of(self).add("project", "twenty-serverless-crm")
        Tags.of(self).add("stage", settings.stage)

        self.main_table = build_table(self, "MainTable", MAIN_TABLE, settings)
        self.keys_table = build_table(self, "KeysTable", KEYS_TABLE, settings)

        self.dead_letters = sqs.Queue(
            self,
            "StreamDeadLetters",
            retention_period=Duration.days(14),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            removal_policy=retain,
        )

        self.delivery_dead_letters = sqs.Queue(
            self,
            "DeliveryDeadLetters",
            retention_period=Duration.days(14),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            removal_policy=retain,
        )
        self.delivery_queue = sqs.Queue(
            self,
            "DeliveryQueue",
            # A message becomes visible again only after its batch can no longer be running.
            visibility_timeout=Duration.seconds(settings.delivery_visibility_timeout_seconds),
            retention_period=Duration.days(4),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            dead_letter_queue=sqs.DeadLetterQueue(
                queue=self.delivery_dead_letters,
                max_receive_count=settings.delivery_max_receive_count,
            ),
            removal_policy=retain,
        )

        # Log groups get names from CloudFormation, so a retained production group never blocks
        # re-creating its stack; the functions are pointed at theirs (LoggingConfig).
        self.api_logs = self._log_group("ApiFunctionLogs", retain)
        self.stream_logs = self._log_group("StreamFunctionLogs", retain)
        self.delivery_logs = self._log_group("DeliveryFunctionLogs", retain)
        self.access_logs = self._log_group("ApiAccessLogs", retain)

        api_role = self._role(
            "ApiFunctionRole",
            permissions.api_statements(
                self.main_table, self.keys_table, self.api_logs, self.delivery_queue
            )
            + [permissions.xray_statement()],
        )
        stream_role = self._role(
            "StreamFunctionRole",
            permissions.stream_statements(
                self.main_table, self.stream_logs, self.dead_letters, self.delivery_queue
            )
            + [permissions.xray_statement()],
        )
        delivery_role = self._role(
            "DeliveryFunctionRole",
            permissions.delivery_statements(
                self.main_table, self.delivery_logs, self.delivery_queue
            ),
        )

        self.chalice = CompiledChalice(
            self, "CrmApp", source_dir=str(source_dir), stage_config=self._stage_config()
        )
        self._configure_function(API_FUNCTION, api_role, self.api_logs)
        self._configure_function(STREAM_FUNCTION, stream_role, self.stream_logs)
        self._configure_function(DELIVERY_FUNCTION, delivery_role, self.delivery_logs)
        self._configure_stream()
        self._configure_delivery()
        self._configure_api()
        self._configure_tracing()
        self.monitoring = Monitoring(
            self,
            "Monitoring",
            settings,
            Monitored(
                api_function=self.chalice.get_resource(API_FUNCTION).ref,
                stream_function=self.chalice.get_resource(STREAM_FUNCTION).ref,
                delivery_function=self.chalice.get_resource(DELIVERY_FUNCTION).ref,
                tables=(self.main_table, self.keys_table),
                dead_letter_queues=(self.dead_letters, self.delivery_dead_letters),
            ),
        )
        self._outputs()

    # -- pieces -------------------------------------------------------------------------------

    def _log_group(self, construct_id: str, removal: RemovalPolicy) -> logs.CfnLogGroup:
        group = logs.CfnLogGroup(
            self, construct_id, retention_in_days=self.settings.log_retention_days
        )
        group.apply_removal_policy(removal)
        return group

    def _role(self, construct_id: str, statements: list[iam.PolicyStatement]) -> iam.Role:
        # Inline policies are part of the role itself, so the role is complete before a function
        # (and the stream's event source mapping, which checks the role's access) is created.
        return iam.Role(
            self,
            construct_id,
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            inline_policies={"access": iam.PolicyDocument(statements=statements)},
        )

    def _stage_config(self) -> dict[str, object]:
        settings = self.settings
        return {
            "api_gateway_stage": API_GATEWAY_STAGE,
            "api_gateway_endpoint_type": "REGIONAL",
            "lambda_memory_size": settings.memory_mb,
            "lambda_timeout": settings.api_timeout_seconds,
            "lambda_architecture": settings.architecture,
            "manage_iam_role": False,
            "iam_role_arn": PLACEHOLDER_ROLE_ARN,
            "environment_variables": settings.app_environment(),
        }

    def _configure_function(
        self, logical_id: str, role: iam.Role, log_group: logs.CfnLogGroup
    ) -> None:
        function = self.chalice.get_resource(logical_id)
        function.add_property_override("Role", role.role_arn)
        # The stack's log group (with its retention) instead of /aws/lambda/<name>, which Lambda
        # would create without retention if the role allowed it (it does not).
        function.add_property_override("LoggingConfig", {"LogGroup": log_group.ref})
        self.chalice.add_environment_variable(
            "CRM_MAIN_TABLE", self.main_table.table_name, logical_id
        )
        self.chalice.add_environment_variable(
            "CRM_KEYS_TABLE", self.keys_table.table_name, logical_id
        )
        self.chalice.add_environment_variable(
            "CRM_WEBHOOK_QUEUE_URL", self.delivery_queue.queue_url, logical_id
        )

    def _configure_stream(self) -> None:
        settings = self.settings
        function = self.chalice.get_resource(STREAM_FUNCTION)
        # Not behind API Gateway, so not bound by its 29 s.
        function.add_property_override("Timeout", settings.stream_timeout_seconds)
        source = {
            # app.py registers the handler with a placeholder ARN (and its starting position).
            "Stream": self.main_table.table_stream_arn,
            "BatchSize": settings.stream_batch_size,
            "MaximumBatchingWindowInSeconds": settings.stream_max_batching_window_seconds,
            "MaximumRetryAttempts": settings.stream_max_retry_attempts,
            "MaximumRecordAgeInSeconds": settings.stream_max_record_age_seconds,
            # A poison record is isolated by halving the batch, so it holds back only itself.
            "BisectBatchOnFunctionError": settings.stream_bisect_on_error,
            # The handler answers {"batchItemFailures": [...]}: only failed records are retried.
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "DestinationConfig": {
                "OnFailure": {"Type": "SQS", "Destination": self.dead_letters.queue_arn}
            },
        }
        for name, value in source.items():
            function.add_property_override(f"Events.{STREAM_EVENT}.Properties.{name}", value)

    def _configure_delivery(self) -> None:
        settings = self.settings
        function = self.chalice.get_resource(DELIVERY_FUNCTION)
        function.add_property_override("Timeout", settings.delivery_timeout_seconds)
        source = {
            # app.py registers the handler with a placeholder queue ARN.
            "Queue": self.delivery_queue.queue_arn,
            "BatchSize": settings.delivery_batch_size,
            "ScalingConfig": {"MaximumConcurrency": settings.delivery_max_concurrency},
            # The handler answers {"batchItemFailures": [...]}: only those messages come back.
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
        }
        for name, value in source.items():
            function.add_property_override(f"Events.{DELIVERY_EVENT}.Properties.{name}", value)

    def _configure_tracing(self) -> None:
        # Lambda records each invocation's segment; the app adds its DynamoDB calls as
        # subsegments (chalicelib/observability/xray.py, on with CRM_TRACING). The delivery
        # function's time is the receivers': its log lines and metrics say enough.
        for logical_id in TRACED_FUNCTIONS:
            self.chalice.get_resource(logical_id).add_property_override("Tracing", "Active")

    def _configure_api(self) -> None:
        api = self.chalice.get_resource(REST_API)
        api.add_property_override("MethodSettings", gateway.method_settings(self.settings))
        api.add_property_override(
            "AccessLogSetting",
            {"DestinationArn": self.access_logs.attr_arn, "Format": gateway.access_log_format()},
        )
        api.add_property_override("GatewayResponses", gateway.gateway_responses())
        if self.settings.manage_api_gateway_account_role:
            api.add_resource_dependency(self._api_gateway_account())

    def _api_gateway_account(self) -> apigateway.CfnAccount:
        # API Gateway writes access logs with one role per account and region. It is kept when
        # a stage is destroyed: another stage (or stack) in the region may rely on it.
        role = iam.Role(
            self,
            "ApiGatewayCloudWatchRole",
            assumed_by=iam.ServicePrincipal("apigateway.amazonaws.com"),
            managed_policies=[
                iam.ManagedPolicy.from_aws_managed_policy_name(
                    "service-role/AmazonAPIGatewayPushToCloudWatchLogs"
                )
            ],
        )
        role.apply_removal_policy(RemovalPolicy.RETAIN)
        account = apigateway.CfnAccount(
            self, "ApiGatewayAccount", cloud_watch_role_arn=role.role_arn
        )
        account.apply_removal_policy(RemovalPolicy.RETAIN)
        return account

    def _outputs(self) -> None:
        endpoint = self.chalice.sam_template.get_output("EndpointURL").value
        CfnOutput(self, "ApiUrl", value=endpoint, description="Base URL of the REST API")
        CfnOutput(self, "MainTableName", value=self.main_table.table_name)
        CfnOutput(self, "KeysTableName", value=self.keys_table.table_name)
        CfnOutput(self, "Region", value=self.region)
        CfnOutput(self, "StreamDeadLetterQueueUrl", value=self.dead_letters.queue_url)
        CfnOutput(self, "DeliveryQueueUrl", value=self.delivery_queue.queue_url)
        CfnOutput(self, "DeliveryDeadLetterQueueUrl", value=self.delivery_dead_letters.queue_url)
        CfnOutput(self, "ApiLogGroupName", value=self.api_logs.ref)
        CfnOutput(self, "StreamLogGroupName", value=self.stream_logs.ref)
        CfnOutput(self, "DeliveryLogGroupName", value=self.delivery_logs.ref)
        CfnOutput(self, "AccessLogGroupName", value=self.access_logs.ref)
        CfnOutput(
            self,
            "DashboardName",
            value=self.monitoring.dashboard.dashboard_name,
            description="CloudWatch dashboard of the stage (requests, errors, latency, capacity)",
        )
        CfnOutput(
            self,
            "AlarmTopicArn",
            value=self.monitoring.topic.topic_arn,
            description="SNS topic every alarm notifies: subscribe to it",
        )
