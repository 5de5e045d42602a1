"""The lean wire path (storage/wire.py): botocore's signature, botocore's parse, botocore's events.

The signer is compared with botocore's own SigV4 signer on the same request and clock (moto never
checks signatures, so nothing else here would notice a wrong one); the parser with botocore's
JSON parser on the same answers; the sender against moto with the app's own client.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from botocore import auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError
from botocore.parsers import JSONParser

from chalicelib.settings import SETTINGS
from chalicelib.storage import keys, wire
from chalicelib.storage.connection import shared_connection

NOW = datetime.datetime(2026, 12, 7, 10, 30, 5, tzinfo=datetime.UTC)
BODY = b'{"TableName": "crm-main", "Key": {"pk": {"S": "W#1"}, "sk": {"S": "R#2"}}}'


def _botocore_authorization(url: str, credentials: Credentials, monkeypatch) -> dict[str, str]:
    monkeypatch.setattr(auth, "get_current_datetime", lambda: NOW.replace(tzinfo=None))
    request = AWSRequest(
        method="POST",
        url=url,
        data=BODY,
        headers={
            "X-Amz-Target": "DynamoDB_20120810.GetItem",
            "Content-Type": "application/x-amz-json-1.0",
            "User-Agent": "Botocore/1.0",
        },
    )
    auth.SigV4Auth(credentials, "dynamodb", "eu-west-1").add_auth(request)
    return dict(request.headers.items())


@pytest.mark.parametrize("token", [None, "session-token"])
@pytest.mark.parametrize(
    "url", ["https://dynamodb.eu-west-1.amazonaws.com/", "http://127.0.0.1:8001/"]
)
def test_the_signature_is_the_one_botocores_signer_computes(monkeypatch, token, url):
    credentials = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG", token)
    expected = _botocore_authorization(url, credentials, monkeypatch)
    headers = {
        "X-Amz-Target": "DynamoDB_20120810.GetItem",
        "Content-Type": "application/x-amz-json-1.0",
        "User-Agent": "Botocore/1.0",
    }
    signer = wire.SigV4("eu-west-1", wire._canonical_host(url))
    signer.sign(headers, BODY, "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG", token, "20261207T103005Z")
    assert headers["Authorization"] == expected["Authorization"]
    assert headers["X-Amz-Date"] == expected["X-Amz-Date"]
    assert headers.get("X-Amz-Security-Token") == expected.get("X-Amz-Security-Token")


def test_the_signing_key_is_derived_again_for_a_new_day_or_secret():
    signer = wire.SigV4("us-east-1", "dynamodb.us-east-1.amazonaws.com")
    first = signer._signing_key("secret", "20261207")
    assert signer._signing_key("secret", "20261207") is first
    assert signer._signing_key("secret", "20261208") != first
    assert signer._signing_key("other", "20261208") != first


def _answer(body: dict[str, Any] | bytes, status: int = 200) -> dict[str, Any]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"x-amzn-RequestId": "REQ1", "Content-Type": "application/x-amz-json-1.0"}
    return {"headers": headers, "status_code": status, "body": raw, "context": {}}


def _output(operation: str) -> Any:
    return shared_connection().client.meta.service_model.operation_model(operation).output_shape


QUERY_ANSWER = {
    "Items": [
        {
            "pk": {"S": "W#1"},
            "sk": {"S": "R#2"},
            "d": {"S": '{"name": "B", "tags": ["BS"]}'},
            "v": {"N": "3"},
            "m": {"M": {"l": {"L": [{"BOOL": True}, {"NULL": True}, {"SS": ["a", "b"]}]}}},
            "n": {"NS": ["1", "2.5"]},
        }
    ],
    "Count": 1,
    "ScannedCount": 2,
    "LastEvaluatedKey": {"pk": {"S": "W#1"}, "sk": {"S": "R#2"}},
    "ConsumedCapacity": {"TableName": "crm-main", "CapacityUnits": 0.5},
}


@pytest.mark.parametrize(
    ("operation", "body"),
    [
        ("Query", QUERY_ANSWER),
        ("GetItem", {"Item": QUERY_ANSWER["Items"][0]}),
        ("GetItem", {}),
        ("BatchGetItem", {"Responses": {"crm-main": QUERY_ANSWER["Items"]}, "UnprocessedKeys": {}}),
    ],
)
def test_an_item_answer_is_decoded_as_botocores_parser_decodes_it(operation, body):
    shape = _output(operation)
    lean = wire.LeanJSONParser().parse(_answer(body), shape)
    assert lean == JSONParser().parse(_answer(body), shape)


def test_an_answer_holding_a_binary_value_keeps_botocores_parse():
    body = {"Item": {"pk": {"S": "W#1"}, "body": {"B": "aGVsbG8="}}}
    parsed = wire.LeanJSONParser().parse(_answer(body), _output("GetItem"))
    assert parsed["Item"]["body"]["B"] == b"hello"


@pytest.mark.parametrize(
    "body",
    [
        b'{"Item": {"pk": {"S": "W#1"}, "b": {"BS": ["aGVsbG8="]}}}',
        b'{"Item":{"pk":{"S":"W#1"},"b":{"B":"aGVsbG8="}}}',
        b'{"Item": {"pk": {"S": "W#1"}, "b": {"B" : "aGVsbG8="}}}',
    ],
)
def test_a_binary_value_is_found_however_the_answer_is_spaced(body):
    assert not wire.decodes_directly(200, "GetItemOutput", body)
    parsed = wire.LeanJSONParser().parse(_answer(body), _output("GetItem"))
    assert parsed == JSONParser().parse(_answer(body), _output("GetItem"))
    value = parsed["Item"]["b"]
    assert (value["B"] if "B" in value else value["BS"][0]) == b"hello"


def test_b_inside_a_string_or_as_a_value_is_not_taken_for_a_binary():
    body = json.dumps({"Item": {"d": {"S": '{"B": "x", "BS": ["B"]}'}, "t": {"S": "B"}}})
    assert wire.decodes_directly(200, "GetItemOutput", body.encode())


def test_a_map_key_named_b_sends_the_answer_to_botocores_parse_which_reads_it_right():
    body = {"Item": {"m": {"M": {"B": {"S": "x"}, "BS": {"N": "1"}}}}}
    assert not wire.decodes_directly(200, "GetItemOutput", json.dumps(body).encode())
    parsed = wire.LeanJSONParser().parse(_answer(body), _output("GetItem"))
    assert parsed["Item"] == body["Item"]


@pytest.mark.parametrize(
    "params",
    [
        {"TableName": "crm-main", "Key": {"pk": {"S": "W#ü€😀"}}, "Limit": 61, "X": [True, None]},
        # What orjson refuses: json.dumps writes it, as the wire always did.
        {"TableName": "crm-main", "Key": {"pk": {"S": "lone \ud800"}}},
        {"TableName": "crm-main", "Limit": 2**70},
        {"TableName": "crm-main", "Keys": {1: "not a string key"}},
    ],
)
def test_a_request_body_is_json_that_reads_back_as_the_parameters(params):
    body = wire.encode_request(params)
    assert isinstance(body, bytes)
    assert json.loads(body) == json.loads(json.dumps(params))


def test_an_error_answer_keeps_botocores_parse():
    body = {"__type": "com.amazonaws.dynamodb.v20120810#ThrottlingException", "message": "slow"}
    parsed = wire.LeanJSONParser().parse(_answer(body, 400), _output("Query"))
    assert parsed["Error"] == {"Code": "ThrottlingException", "Message": "slow"}


# -- the sender, against moto with the app's client ---------------------------------------------


def _query(pk: str) -> dict[str, Any]:
    return {
        "TableName": SETTINGS.main_table,
        "KeyConditionExpression": "pk = :pk",
        "ExpressionAttributeValues": {":pk": {"S": pk}},
        "ConsistentRead": True,
    }


def test_a_lean_query_returns_what_the_table_holds(tenant):
    pk = keys.workspace_key(tenant.workspace_id).pk
    lean = wire.call("Query", _query(pk))
    regular = shared_connection().client.query(**_query(pk))
    assert lean["Items"] == regular["Items"] and lean["Count"] == regular["Count"] >= 1


def test_a_lean_call_fires_botocores_events_and_is_metered_once(tenant, meter):
    events = shared_connection().client.meta.events
    seen: list[str] = []
    sent: list[dict[str, Any]] = []

    def ask(params: dict[str, Any], **_: Any) -> None:
        seen.append("provide-client-params")
        params["ReturnConsumedCapacity"] = "TOTAL"

    def before_send(request: Any, **_: Any) -> None:
        sent.append(json.loads(request.body))

    def after_call(parsed: dict[str, Any], **_: Any) -> None:
        seen.append("after-call")

    handlers = [
        ("provide-client-params.dynamodb.Query", ask),
        ("before-send.dynamodb.Query", before_send),
        ("after-call.dynamodb.Query", after_call),
    ]
    for event, handler in handlers:
        events.register_first(event, handler)
    try:
        meter.reset()
        answer = wire.call("Query", _query(keys.workspace_key(tenant.workspace_id).pk))
    finally:
        for event, handler in handlers:
            events.unregister(event, handler)
    assert seen == ["provide-client-params", "after-call"]
    assert sent[0]["ReturnConsumedCapacity"] == "TOTAL"
    assert "ConsumedCapacity" in answer
    assert meter.operations == {"Query": 1}
    assert meter.items_read == answer["ScannedCount"]


def test_a_call_answered_by_a_before_call_handler_is_not_sent(tenant, meter):
    sent: list[Any] = []
    events = shared_connection().client.meta.events
    events.register_first("before-send.dynamodb.GetItem", lambda request, **_: sent.append(1))

    class _Http:
        status_code = 200

    meter.interceptors.append(lambda operation, params: (_Http(), {"Item": {"x": {"S": "y"}}}))
    request = {"TableName": SETTINGS.main_table, "Key": {"pk": {"S": "a"}, "sk": {"S": "b"}}}
    try:
        assert wire.call("GetItem", request)["Item"] == {"x": {"S": "y"}}
    finally:
        meter.interceptors.clear()
    assert sent == []


def test_dynamodbs_refusal_is_raised_as_botocore_raises_it(aws):
    with pytest.raises(ClientError) as refused:
        wire.call("Query", {**_query("x"), "TableName": "no-such-table"})
    client = shared_connection().client
    assert isinstance(refused.value, client.exceptions.ResourceNotFoundException)
    assert refused.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_a_failed_condition_carries_the_item_as_botocore_returns_it(aws):
    key = {"pk": {"S": "wire-test"}, "sk": {"S": "item"}}
    table = SETTINGS.main_table
    shared_connection().client.put_item(TableName=table, Item={**key, "n": {"N": "7"}})
    update = {
        "TableName": table,
        "Key": key,
        "UpdateExpression": "SET n = :n",
        "ConditionExpression": "attribute_not_exists(pk)",
        "ExpressionAttributeValues": {":n": {"N": "8"}},
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
    }
    with pytest.raises(ClientError) as lean:
        wire.send("UpdateItem", dict(update))
    with pytest.raises(ClientError) as botocore_raised:
        shared_connection().client.update_item(**update)
    assert type(lean.value) is type(botocore_raised.value)
    assert lean.value.response["Item"] == botocore_raised.value.response["Item"]
    assert lean.value.response["Item"]["n"] == {"N": "7"}
