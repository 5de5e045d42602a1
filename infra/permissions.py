"""Least-privilege IAM for the three Lambdas, written out because Chalice cannot infer it.

Chalice's policy generator only sees boto3 client calls, and the code talks to DynamoDB through
pynamodb and botocore. So the actions below are the ones `docs/data-model.md` lists, per table
and per index, and tests/infra checks both directions: the REST routes and the admin flows make
no call these statements do not allow, and the statements allow nothing beyond this list.

Webhooks add one SQS queue of delivery references: the API (a replay) and the stream consumer
(new deliveries) send to it, the delivery function consumes it and sends retries back to it.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs

from chalicelib.storage.tables import KEYS_TABLE, MAIN_TABLE, TableDef


@dataclass(frozen=True, slots=True)
class TableAccess:
    """What the API function may do on one table: on the table, on every index, on named ones."""

    table: TableDef
    actions: tuple[str, ...]
    every_index_actions: tuple[str, ...] = ()
    index_actions: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def __post_init__(self) -> None:
        known = {index.name for index in self.table.gsis}
        unknown = [name for name, _ in self.index_actions if name not in known]
        if unknown:
            raise ValueError(f"no such index in the table definition: {unknown}")

    def index_grants(self) -> dict[str, tuple[str, ...]]:
        """Index name -> allowed actions, for the indexes the definition has today."""
        grants = {index.name: self.every_index_actions for index in self.table.gsis}
        for name, actions in self.index_actions:
            grants[name] = tuple(dict.fromkeys(grants.get(name, ()) + actions))
        return {name: actions for name, actions in grants.items() if actions}


# TransactWriteItems has no IAM action of its own: each Put / Update / Delete / ConditionCheck
# inside a transaction is authorised as PutItem / UpdateItem / DeleteItem / ConditionCheckItem.
MAIN_TABLE_ACCESS = TableAccess(
    table=MAIN_TABLE,
    actions=(
        "dynamodb:GetItem",  # auth (workspace version), records, counters
        "dynamodb:Query",  # the metadata of a workspace, list pages
        "dynamodb:BatchGetItem",  # upsert matching, relation targets
        "dynamodb:BatchWriteItem",  # workspace seeding (chunks of 25)
        "dynamodb:PutItem",  # transactions: records, uniqueness guards
        "dynamodb:UpdateItem",  # transactions: live-record counters
        "dynamodb:DeleteItem",  # transactions: destroy, released guards
        "dynamodb:ConditionCheckItem",  # transactions: relation targets exist
    ),
    # Every index of the main table serves record lists (filters and sorts on indexed fields),
    # so an index added to the definition is queryable by the API without another change here.
    every_index_actions=("dynamodb:Query",),
)
KEYS_TABLE_ACCESS = TableAccess(
    table=KEYS_TABLE,
    actions=(
        "dynamodb:GetItem",  # the presented key, by hash (tokens naming no workspace)
        "dynamodb:BatchGetItem",  # every request: the key with the workspace (auth/admission.py)
        "dynamodb:PutItem",  # issuing a key (never overwrites: attribute_not_exists)
        "dynamodb:UpdateItem",  # revoking a key (SET revokedAt), renaming it; rate windows
        "dynamodb:DeleteItem",  # a new token: its transaction deletes the old token's item
    ),
    index_actions=(
        ("byId", ("dynamodb:Query",)),  # managing a key looks it up by id
        ("byWorkspace", ("dynamodb:Query",)),  # listing a workspace's keys
    ),
)

# What Lambda's event source mapping needs to read a stream on the function's behalf. All four
# are scoped to the one stream ARN (ListStreams included, as the Lambda console's own DynamoDB
# trigger template does), so the role can read no other table's stream.
STREAM_READ_ACTIONS = (
    "dynamodb:DescribeStream",
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
    "dynamodb:ListStreams",
)
LOG_ACTIONS = ("logs:CreateLogStream", "logs:PutLogEvents")
# Active tracing: the X-Ray daemon beside the function sends segments with the function's role.
# X-Ray has no resource-level permissions for these two actions, so their resource is "*".
XRAY_ACTIONS = ("xray:PutTraceSegments", "xray:PutTelemetryRecords")

# Enqueueing a delivery (SendMessageBatch is authorised as SendMessage).
QUEUE_SEND_ACTIONS = ("sqs:SendMessage",)
# What Lambda's SQS event source mapping does with the function's role: receive a batch, delete
# the messages the function handled, read the queue's attributes. The handler reports failed
# messages (ReportBatchItemFailures) instead of changing their visibility.
QUEUE_CONSUME_ACTIONS = ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes")
# The delivery function on the main table: the delivery and its webhook (GetItem), the attempt
# recorded (PutItem, conditional on the entry existing), the webhook's failure count and
# status (UpdateItem). Nothing else: it never queries, deletes or writes records.
DELIVERY_TABLE_ACTIONS = ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem")


def _log_statement(log_group: logs.CfnLogGroup) -> iam.PolicyStatement:
    # The stack creates the log group (with its retention), so the function needs no
    # logs:CreateLogGroup; the group's ARN attribute already ends in ":*" (its streams).
    return iam.PolicyStatement(actions=list(LOG_ACTIONS), resources=[log_group.attr_arn])


def xray_statement() -> iam.PolicyStatement:
    """What a function with active tracing needs (the API and stream functions)."""
    return iam.PolicyStatement(actions=list(XRAY_ACTIONS), resources=["*"])


def _send_statement(queue: sqs.Queue) -> iam.PolicyStatement:
    return iam.PolicyStatement(actions=list(QUEUE_SEND_ACTIONS), resources=[queue.queue_arn])


def api_statements(
    main_table: dynamodb.Table,
    keys_table: dynamodb.Table,
    log_group: logs.CfnLogGroup,
    delivery_queue: sqs.Queue,
) -> list[iam.PolicyStatement]:
    """The API function's statements: its log group, each table and index it uses, and the
    delivery queue (a replay enqueues the delivery again)."""
    statements = [_log_statement(log_group), _send_statement(delivery_queue)]
    for access, table in ((MAIN_TABLE_ACCESS, main_table), (KEYS_TABLE_ACCESS, keys_table)):
        statements.append(
            iam.PolicyStatement(actions=list(access.actions), resources=[table.table_arn])
        )
        # One statement per set of actions, naming each index it covers.
        indexes_by_actions: dict[tuple[str, ...], list[str]] = {}
        for index_name, actions in access.index_grants().items():
            indexes_by_actions.setdefault(actions, []).append(index_name)
        for actions, names in indexes_by_actions.items():
            resources = [f"{table.table_arn}/index/{name}" for name in names]
            statements.append(iam.PolicyStatement(actions=list(actions), resources=resources))
    return statements


def stream_statements(
    main_table: dynamodb.Table,
    log_group: logs.CfnLogGroup,
    dead_letters: sqs.Queue,
    delivery_queue: sqs.Queue,
) -> list[iam.PolicyStatement]:
    """The stream consumer's statements: read the main table's stream, report failed batches,
    continue metadata jobs (migrating and purging records) on the main table itself, read
    webhooks and write delivery-log entries there, and enqueue the new deliveries."""
    return [
        _log_statement(log_group),
        _send_statement(delivery_queue),
        iam.PolicyStatement(
            actions=list(MAIN_TABLE_ACCESS.actions), resources=[main_table.table_arn]
        ),
        iam.PolicyStatement(
            actions=list(STREAM_READ_ACTIONS),
            resources=[main_table.table_stream_arn],  # type: ignore[list-item]
        ),
        # The event source mapping sends a failed batch's description (shard, sequence numbers)
        # to the on-failure destination with the function's own role.
        iam.PolicyStatement(actions=["sqs:SendMessage"], resources=[dead_letters.queue_arn]),
    ]


def delivery_statements(
    main_table: dynamodb.Table, log_group: logs.CfnLogGroup, delivery_queue: sqs.Queue
) -> list[iam.PolicyStatement]:
    """The delivery function's statements: consume the delivery queue and send retries to it,
    read deliveries and webhooks and record attempts on the main table. Its outbound HTTPS
    needs no grant: a Lambda outside a VPC reaches the internet directly."""
    return [
        _log_statement(log_group),
        iam.PolicyStatement(
            actions=list(QUEUE_CONSUME_ACTIONS + QUEUE_SEND_ACTIONS),
            resources=[delivery_queue.queue_arn],
        ),
        iam.PolicyStatement(actions=list(DELIVERY_TABLE_ACTIONS), resources=[main_table.table_arn]),
    ]
