"""The botocore hooks of the shared DynamoDB client: capacity asked for and split into read and
write units, tables named by role, throttled attempts counted, one record per call."""

from __future__ import annotations

import pytest

from chalicelib import request_state
from chalicelib.observability import dynamodb_calls
from chalicelib.settings import SETTINGS
from chalicelib.storage import retry
from chalicelib.storage.connection import call, shared_connection

MAIN, KEYS = SETTINGS.main_table, SETTINGS.keys_table


def test_a_read_s_units_are_read_units_and_a_write_s_write_units():
    assert dynamodb_calls.consumed_units(
        "GetItem", {"ConsumedCapacity": {"TableName": MAIN, "CapacityUnits": 0.5}}
    ) == ("main", 0.5, 0.0)
    assert dynamodb_calls.consumed_units(
        "PutItem", {"ConsumedCapacity": {"TableName": KEYS, "CapacityUnits": 1.0}}
    ) == ("keys", 0.0, 1.0)


def test_split_units_reported_by_dynamodb_are_kept_as_they_are():
    # A transaction that read (condition checks) and wrote: DynamoDB may report both parts.
    parsed = {
        "ConsumedCapacity": [
            {
                "TableName": MAIN,
                "CapacityUnits": 6.0,
                "ReadCapacityUnits": 2.0,
                "WriteCapacityUnits": 4.0,
            }
        ]
    }
    assert dynamodb_calls.consumed_units("TransactWriteItems", parsed) == ("main", 2.0, 4.0)


def test_a_batch_across_both_tables_sums_them_under_no_single_table():
    parsed = {
        "ConsumedCapacity": [
            {"TableName": MAIN, "CapacityUnits": 1.5},
            {"TableName": KEYS, "CapacityUnits": 0.5},
        ]
    }
    assert dynamodb_calls.consumed_units("BatchGetItem", parsed) == (None, 2.0, 0.0)


def test_an_answer_without_capacity_takes_its_table_from_the_request():
    assert dynamodb_calls.consumed_units("TransactWriteItems", {"ConsumedCapacity": []}) == (
        None,
        0.0,
        0.0,
    )
    request = {"TransactItems": [{"Put": {"TableName": MAIN}}, {"Update": {"TableName": MAIN}}]}
    assert dynamodb_calls.requested_table(request) == "main"
    assert dynamodb_calls.requested_table({"RequestItems": {MAIN: {}, KEYS: {}}}) is None
    assert dynamodb_calls.requested_table({"TableName": "someone-else"}) == "someone-else"


@pytest.mark.parametrize(
    ("parsed", "throttled"),
    [
        ({"Error": {"Code": "ProvisionedThroughputExceededException"}}, True),
        ({"Error": {"Code": "ThrottlingException"}}, True),
        ({"Error": {"Code": "RequestLimitExceeded"}}, True),
        (
            {
                "Error": {"Code": "TransactionCanceledException"},
                "CancellationReasons": [{"Code": "None"}, {"Code": "ThrottlingError"}],
            },
            True,
        ),
        (
            {
                "Error": {"Code": "TransactionCanceledException"},
                "CancellationReasons": [{"Code": "ConditionalCheckFailed"}],
            },
            False,
        ),
        ({"Error": {"Code": "ValidationException"}}, False),
        ({"Item": {}}, False),
    ],
)
def test_only_dynamodb_s_throttling_answers_count_as_throttles(parsed, throttled):
    assert dynamodb_calls.is_throttled(parsed) is throttled


def test_every_call_of_the_shared_client_asks_for_capacity_even_when_the_caller_did_not(aws, meter):
    sent = []
    meter.interceptors.append(lambda operation, params: sent.append(params) and None)
    client = shared_connection().client
    client.get_item(TableName=MAIN, Key={"pk": {"S": "x"}, "sk": {"S": "y"}})
    assert sent[-1]["ReturnConsumedCapacity"] == "TOTAL"
    # A caller's own choice is left alone.
    client.get_item(
        TableName=MAIN, Key={"pk": {"S": "x"}, "sk": {"S": "y"}}, ReturnConsumedCapacity="INDEXES"
    )
    assert sent[-1]["ReturnConsumedCapacity"] == "INDEXES"


def test_each_call_is_recorded_once_with_its_units_and_time(aws):
    with request_state.request_scope() as state:
        call("GetItem", {"TableName": MAIN, "Key": {"pk": {"S": "x"}, "sk": {"S": "y"}}})
        call("Query", {
            "TableName": MAIN,
            "KeyConditionExpression": "pk = :p",
            "ExpressionAttributeValues": {":p": {"S": "x"}},
        })  # fmt: skip
    assert [(c.operation, c.table) for c in state.dynamodb_calls] == [
        ("GetItem", "main"),
        ("Query", "main"),
    ]
    # moto's placeholders: 0.5 for a GetItem, 1.0 for a Query (docs: bench/capacity.py).
    assert [c.read_units for c in state.dynamodb_calls] == [0.5, 1.0]
    assert all(c.write_units == 0 and c.ms > 0 and not c.throttled for c in state.dynamodb_calls)


def test_outside_a_request_nothing_is_recorded(aws):
    call("GetItem", {"TableName": MAIN, "Key": {"pk": {"S": "x"}, "sk": {"S": "y"}}})
    assert request_state.current() is None


def test_throttled_attempts_are_recorded_and_the_retried_call_too(aws, meter, monkeypatch):
    monkeypatch.setattr(retry, "POLICY", retry.RetryPolicy(attempts=5, seconds=5, base=0.001))
    answers = iter([True, True, False])

    def throttle_twice(operation, params):
        if operation == "GetItem" and next(answers):
            return _throttled_answer()
        return None

    meter.interceptors.append(throttle_twice)
    with request_state.request_scope() as state:
        call("GetItem", {"TableName": MAIN, "Key": {"pk": {"S": "x"}, "sk": {"S": "y"}}})
    assert [c.throttled for c in state.dynamodb_calls] == [True, True, False]
    assert state.dynamodb_calls[-1].read_units == 0.5


def _throttled_answer():
    from botocore.awsrequest import AWSResponse

    class _Raw:
        def stream(self, *_, **__):
            yield b""

    http = AWSResponse("https://dynamodb", 400, {}, _Raw())
    parsed = {
        "Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"},
        "ResponseMetadata": {"HTTPStatusCode": 400},
    }
    return http, parsed
