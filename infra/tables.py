"""Both DynamoDB tables, built from the table definitions the code itself uses.

Nothing about a key, an index or the stream is restated here: everything comes from
`chalicelib/storage/tables.py`, so adding a GSI there adds it to the deployed table too.
"""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from chalicelib.storage.tables import TableDef
from infra.settings import StageSettings

_ATTRIBUTE_TYPES = {
    "S": dynamodb.AttributeType.STRING,
    "N": dynamodb.AttributeType.NUMBER,
    "B": dynamodb.AttributeType.BINARY,
}


def _attribute(table: TableDef, name: str | None) -> dynamodb.Attribute | None:
    if name is None:
        return None
    attribute_type = table.attribute_types.get(name, "S")
    return dynamodb.Attribute(name=name, type=_ATTRIBUTE_TYPES[attribute_type])


def build_table(
    scope: Construct, construct_id: str, table: TableDef, settings: StageSettings
) -> dynamodb.Table:
    """An on-demand, encrypted, point-in-time-recoverable table for one definition.

    The name is left to CloudFormation (`crm-<stage>-<id>-<suffix>`): a retained production
    table then never blocks re-creating the stack, and the Lambdas and the admin CLI get the name
    from the environment / the stack outputs anyway.
    """
    production = settings.is_production
    result = dynamodb.Table(
        scope,
        construct_id,
        partition_key=_attribute(table, table.hash_key),  # type: ignore[arg-type]
        sort_key=_attribute(table, table.range_key),
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        # An AWS managed KMS key (aws/dynamodb): encryption visible and auditable in the account.
        encryption=dynamodb.TableEncryption.AWS_MANAGED,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
        stream=(
            dynamodb.StreamViewType[table.stream_view_type] if table.stream_view_type else None
        ),
        # Optional in the definition: tables.py gained it after this module was written.
        time_to_live_attribute=getattr(table, "ttl_attribute", None),
        deletion_protection=production,
        # Production data outlives its stack; a development stage is torn down whole.
        removal_policy=RemovalPolicy.RETAIN if production else RemovalPolicy.DESTROY,
    )
    for index in table.gsis:
        result.add_global_secondary_index(
            index_name=index.name,
            partition_key=_attribute(table, index.hash_key),  # type: ignore[arg-type]
            sort_key=_attribute(table, index.range_key),
            projection_type=dynamodb.ProjectionType[index.projection],
            # Only an INCLUDE projection names attributes (the changes index: `chop`).
            non_key_attributes=list(index.non_key_attributes) or None,
        )
    return result
