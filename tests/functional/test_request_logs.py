"""The structured log line of every request, read from what real requests print (Chalice's test
client, moto as DynamoDB): who asked what, the answer, its DynamoDB calls and consumed capacity,
the EMF metrics it carries, and nothing secret."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib.observability import request_log
from tests.functional.graphql_support import GraphQLClient


@pytest.fixture
def lines(capsys):
    """`lines()`: the JSON lines printed since the last call (the request lines among them)."""

    def read() -> list[dict[str, Any]]:
        out = capsys.readouterr().out
        return [json.loads(text) for text in out.splitlines() if text.startswith("{")]

    read()
    return read


def request_lines(printed: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [line for line in printed if line.get("service") == "api"]


def only_line(lines) -> dict[str, Any]:
    (line,) = request_lines(lines())
    return line


def assert_valid_emf(line: dict[str, Any]) -> None:
    """CloudWatch's rules: each directive's metrics and dimensions are keys of the line, metric
    values are numbers, dimension values strings."""
    block = line["_aws"]
    assert isinstance(block["Timestamp"], int)
    assert block["CloudWatchMetrics"]
    for directive in block["CloudWatchMetrics"]:
        assert directive["Namespace"]
        for dimension_set in directive["Dimensions"]:
            for key in dimension_set:
                assert isinstance(line[key], str), key
        for metric in directive["Metrics"]:
            value = line[metric["Name"]]
            assert isinstance(value, int | float) and not isinstance(value, bool), metric
            assert metric["Unit"] in ("Count", "Milliseconds", "None")


def test_a_read_by_id_logs_one_line_with_caller_route_status_latency_and_capacity(
    rest, tenant, lines, meter
):
    _, created = rest.post("/rest/companies", {"name": "Acme"})
    company_id = created["data"]["createCompany"]["id"]
    lines()
    meter.reset()

    status, _ = rest.get(f"/rest/companies/{company_id}")

    line = only_line(lines)
    assert status == 200
    assert line["level"] == "INFO"
    assert line["requestId"]
    assert (line["workspaceId"], line["keyId"]) == (tenant.workspace_id, tenant.key_id)
    assert (line["api"], line["route"], line["method"]) == (
        "rest",
        "/rest/{plural}/{record_id}",
        "GET",
    )
    assert line["status"] == 200 and "errorCode" not in line
    assert 0 < line["latencyMs"] < 10_000
    operations = {entry["operation"] for entry in line["dynamodb"]}
    assert operations & {"GetItem", "BatchGetItem"}
    # moto reports read units for reads (0.5 per GetItem, 1 per BatchGetItem key and table).
    assert line["readCapacityUnits"] > 0
    assert line["readCapacityUnits"] == pytest.approx(
        sum(entry["readUnits"] for entry in line["dynamodb"])
    )
    assert line["dynamodbCalls"] == sum(entry["calls"] for entry in line["dynamodb"])
    # Every call botocore made for the request (pynamodb's models included) is in the line.
    assert line["dynamodbCalls"] == meter.requests
    assert company_id not in json.dumps(line)  # the route pattern, not the path
    assert_valid_emf(line)


def test_a_write_lists_its_transaction_and_the_units_dynamodb_reported(rest, lines, meter):
    meter.reset()
    status, _ = rest.post("/rest/companies", {"name": "Acme"})
    line = only_line(lines)
    assert status == 201
    assert line["dynamodbCalls"] == meter.requests
    writes = [entry for entry in line["dynamodb"] if entry["operation"] == "TransactWriteItems"]
    assert writes == [
        # moto answers TransactWriteItems with an empty ConsumedCapacity list: 0 units here,
        # DynamoDB's own figure on AWS. The table comes from the request then.
        {"operation": "TransactWriteItems", "table": "main", "calls": 1, "readUnits": 0.0,
         "writeUnits": 0.0},
    ]  # fmt: skip


def test_a_write_whose_answer_reports_capacity_has_write_units(rest, lines, aws):
    # A direct UpdateItem (moto reports 0.5 units for it) inside a request's scope: the unit
    # split follows the operation (a write's units are write units).
    from chalicelib import request_state
    from chalicelib.settings import SETTINGS
    from chalicelib.storage.connection import call

    with request_state.request_scope() as state:
        call(
            "UpdateItem",
            {
                "TableName": SETTINGS.main_table,
                "Key": {"pk": {"S": "probe"}, "sk": {"S": "probe"}},
                "UpdateExpression": "SET n = :one",
                "ExpressionAttributeValues": {":one": {"N": "1"}},
            },
        )
    (recorded,) = state.dynamodb_calls
    assert (recorded.operation, recorded.table) == ("UpdateItem", "main")
    assert recorded.write_units > 0 and recorded.read_units == 0
    assert recorded.ms > 0


def test_an_error_answer_logs_its_code_at_warning_and_counts_it_in_the_error_metric(rest, lines):
    status, body = rest.get("/rest/companies/00000000-0000-4000-8000-000000000000")
    line = only_line(lines)
    assert status == 404
    assert line["level"] == "WARNING"
    assert line["errorCode"] == body["code"]
    assert (line["clientErrors"], line["serverErrors"], line["errors"]) == (1, 0, 1)
    directives = line["_aws"]["CloudWatchMetrics"]
    assert [d["Dimensions"] for d in directives] == [
        [["service"], ["service", "api"]],
        [["service", "errorCode"]],
    ]
    assert_valid_emf(line)


def test_an_unauthenticated_request_names_no_caller(client, lines):
    response = client.http.get("/rest/companies", headers={"Authorization": "Bearer nope"})
    line = only_line(lines)
    assert response.status_code == 401
    assert "workspaceId" not in line and "keyId" not in line
    assert line["errorCode"] == json.loads(response.body)["code"]


def test_a_graphql_request_logs_its_operation_name_and_its_error_code(client, tenant, lines):
    graphql = GraphQLClient(client.http, tenant)
    graphql("query FirstCompanies { companies(first: 1) { edges { node { id } } } }")
    line = only_line(lines)
    assert (line["api"], line["route"], line["operation"]) == (
        "graphql",
        "/graphql",
        "FirstCompanies",
    )
    assert line["status"] == 200 and "errorCode" not in line

    # operationName chooses among several operations; an unknown field is a validation error.
    graphql("query A { companies { totalCount } } query B { nope }", operation_name="B")
    line = only_line(lines)
    assert line["operation"] == "B"
    assert line["errorCode"] == "GRAPHQL_VALIDATION_FAILED"
    assert line["errors"] == 1
    assert_valid_emf(line)


def test_graphql_errors_inside_a_200_answer_are_counted_by_their_extension_code(
    client, tenant, lines
):
    graphql = GraphQLClient(client.http, tenant)
    status, body = graphql(
        'query { company(filter: {id: {eq: "00000000-0000-4000-8000-000000000000"}}) { id } }'
    )
    line = only_line(lines)
    assert status == 200
    if body.get("errors"):
        assert line["errorCode"] == body["errors"][0]["extensions"]["code"]
    else:  # Twenty answers a missing record with null: then nothing is an error
        assert "errorCode" not in line


def test_the_metadata_apis_are_logged_as_metadata(client, tenant, rest, lines):
    rest.get("/rest/metadata/objects")
    assert only_line(lines)["api"] == "metadata"
    client.http.post(
        "/metadata",
        headers=tenant.headers,
        body=json.dumps({"query": "query Objects { objects(paging: {first: 1}) { totalCount } }"}),
    )
    line = only_line(lines)
    assert (line["api"], line["operation"]) == ("metadata", "Objects")


def test_nested_reads_in_worker_threads_are_counted_in_the_request_line(
    client, tenant, rest, lines, meter
):
    """GraphQL's one-to-many loads run in a thread pool (core/child_pages.py): their Queries
    belong to the request that started them, so the line counts every call botocore made."""
    _, created = rest.post("/rest/batch/companies", [{"name": n} for n in ("A", "B", "C")])
    people = [
        {"name": {"firstName": first}, "companyId": company["id"]}
        for company in created["data"]["createCompanies"]
        for first in ("x", "y")
    ]
    rest.post("/rest/batch/people", people)
    lines()
    meter.reset()
    GraphQLClient(client.http, tenant).data(
        "query { companies { edges { node { id people(first: 5) { edges { node { id } } } } } } }"
    )
    line = only_line(lines)
    by_operation = {e["operation"]: 0 for e in line["dynamodb"]}
    for entry in line["dynamodb"]:
        by_operation[entry["operation"]] += entry["calls"]
    assert by_operation == dict(meter.operations)
    assert line["dynamodbCalls"] == meter.requests


def test_calls_made_by_pool_threads_of_a_request_are_recorded_in_its_state():
    from chalicelib import request_state
    from chalicelib.core.child_pages import together

    def call(number: int) -> int:
        request_state.record_dynamodb_call("Query", "main", read_units=0.5)
        return number

    with request_state.request_scope() as state:
        assert together([lambda n=n: call(n) for n in range(20)]) == list(range(20))
    assert len(state.dynamodb_calls) == 20
    assert request_state.current() is None


def test_no_token_authorization_header_or_record_value_is_ever_printed(
    client, tenant, rest, capsys
):
    secret_value = "Zebra-Quartz-Secret-Value-4711"
    capsys.readouterr()
    _, created = rest.post(
        "/rest/people", {"name": {"firstName": secret_value}, "city": secret_value}
    )
    person_id = created["data"]["createPerson"]["id"]
    rest.get(f"/rest/people?filter=city[eq]:{secret_value}")
    rest.patch(f"/rest/people/{person_id}", {"jobTitle": secret_value})
    GraphQLClient(client.http, tenant)(
        "query Find($c: String) { people(filter: {city: {eq: $c}}) { edges { node { id } } } }",
        {"c": secret_value},
    )
    rest.post("/rest/metadata/webhooks", {"targetUrl": f"https://example.com/{secret_value}"})
    client.http.get("/rest/people", headers={"Authorization": f"Bearer {tenant.token}x"})
    out = capsys.readouterr()
    printed = out.out + out.err
    assert (
        len(request_lines([json.loads(t) for t in out.out.splitlines() if t.startswith("{")])) == 6
    )
    assert tenant.token not in printed
    assert tenant.token[:16] not in printed
    assert "Bearer" not in printed and "uthorization" not in printed
    assert secret_value not in printed


def test_a_line_below_the_log_level_keeps_only_its_metrics(rest, lines, monkeypatch):
    monkeypatch.setattr(request_log.output, "THRESHOLD", 40)  # CRM_LOG_LEVEL=ERROR
    rest.get("/rest/companies")
    line = only_line(lines)
    assert set(line) == {"_aws", "service", "api", *request_log.METRIC_KEYS}
    assert_valid_emf(line)


def test_a_sampled_request_lists_each_dynamodb_call_with_its_time(rest, lines, monkeypatch):
    from dataclasses import replace

    monkeypatch.setattr(
        request_log, "SETTINGS", replace(request_log.SETTINGS, log_debug_sample_rate=1.0)
    )
    rest.get("/rest/companies")
    line = only_line(lines)
    assert line["sampled"] is True
    assert len(line["dynamodbEach"]) == line["dynamodbCalls"]
    for operation, _table, read_units, write_units, ms in line["dynamodbEach"]:
        assert operation and read_units >= 0 and write_units >= 0 and ms >= 0
