"""Comparisons between a synthesized CloudFormation template and the code's own definitions."""

from __future__ import annotations

from typing import Any

from chalicelib.storage.tables import TableDef, create_table_request


def _key_schema(schema: list[dict[str, str]]) -> dict[str, str]:
    return {entry["KeyType"]: entry["AttributeName"] for entry in schema}


def table_shape(properties: dict[str, Any]) -> dict[str, Any]:
    """What makes two tables interchangeable for the code: keys, indexes, attributes, stream, TTL.

    It reads both CloudFormation's AWS::DynamoDB::Table properties and a CreateTable request,
    which use the same names for all of these (TTL aside: see `assert_table_matches`).
    """
    stream = properties.get("StreamSpecification") or {}
    ttl = properties.get("TimeToLiveSpecification") or {}
    return {
        "keys": _key_schema(properties["KeySchema"]),
        "attributes": {
            attribute["AttributeName"]: attribute["AttributeType"]
            for attribute in properties.get("AttributeDefinitions", [])
        },
        "indexes": {
            index["IndexName"]: {
                "keys": _key_schema(index["KeySchema"]),
                "projection": index["Projection"]["ProjectionType"],
            }
            for index in properties.get("GlobalSecondaryIndexes", [])
        },
        "local_indexes": [i["IndexName"] for i in properties.get("LocalSecondaryIndexes", [])],
        "stream": stream.get("StreamViewType"),
        "ttl": ttl.get("AttributeName") if ttl.get("Enabled") else None,
    }


def assert_table_matches(template_table: dict[str, Any], table_def: TableDef) -> None:
    """Fail unless a template's table is exactly what the code's definition describes.

    The expected side is the CreateTable request the local stack and the tests create their
    tables with (`create_table_request`), so the deployed, local and test tables are one shape.
    """
    request = create_table_request(table_def, "any-name")
    # CreateTable cannot enable TTL (the local stack calls UpdateTimeToLive after it).
    ttl_attribute = getattr(table_def, "ttl_attribute", None)
    if ttl_attribute:
        request["TimeToLiveSpecification"] = {"AttributeName": ttl_attribute, "Enabled": True}
    expected = table_shape(request)
    actual = table_shape(template_table["Properties"])
    assert actual == expected, f"template table {actual} != definition {expected}"


def reference(value: Any) -> str:
    """A readable name for an IAM Resource value: "MainTable1234.Arn", "X.Arn/index/byId", "*"."""
    if isinstance(value, str):
        return value
    if "Fn::GetAtt" in value:
        logical_id, attribute = value["Fn::GetAtt"]
        return f"{logical_id}.{attribute}"
    if "Ref" in value:
        return value["Ref"]
    if "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return separator.join(reference(part) for part in parts)
    raise AssertionError(f"unexpected IAM resource expression {value}")


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def role_grants(role: dict[str, Any]) -> set[tuple[str, str]]:
    """Every (action, resource) pair an AWS::IAM::Role's inline policies allow."""
    grants: set[tuple[str, str]] = set()
    for policy in role["Properties"].get("Policies", []):
        for statement in policy["PolicyDocument"]["Statement"]:
            assert statement["Effect"] == "Allow", statement
            for action in as_list(statement["Action"]):
                for resource in as_list(statement["Resource"]):
                    grants.add((action, reference(resource)))
    return grants


def iam_statements(template: dict[str, Any]) -> list[dict[str, Any]]:
    """The statements of every identity policy in the template (inline, standalone, managed)."""
    statements: list[dict[str, Any]] = []
    for resource in template["Resources"].values():
        properties = resource.get("Properties", {})
        if resource["Type"] == "AWS::IAM::Role":
            documents = [policy["PolicyDocument"] for policy in properties.get("Policies", [])]
        elif resource["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            documents = [properties["PolicyDocument"]]
        else:
            continue
        for document in documents:
            statements += document["Statement"]
    return statements
