"""REST `GET /rest/{plural}/groupBy` end to end over moto: Twenty's parameters and envelope,
bad input, the scan cap, workspace isolation and its DynamoDB cost."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from tests.support import RestClient, make_tenant

OPPORTUNITIES = [
    {"name": "a", "stage": "NEW", "amount": {"amountMicros": 1_000_000, "currencyCode": "EUR"}},
    {"name": "b", "stage": "NEW", "amount": {"amountMicros": 3_000_000, "currencyCode": "EUR"}},
    {"name": "c", "stage": "MEETING"},
    {"name": "d", "stage": "MEETING", "amount": {"amountMicros": 5_000_000, "currencyCode": "USD"}},
    {"name": "e", "stage": "CUSTOMER"},
]


def group_by_path(plural: str = "opportunities", **params: object) -> str:
    encoded = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
    return f"/rest/{plural}/groupBy?{urlencode(encoded)}"


@pytest.fixture
def opportunities(rest):
    status, body = rest.post("/rest/batch/opportunities", OPPORTUNITIES)
    assert status == 201
    return body["data"]["createOpportunities"]


def test_groups_come_in_twentys_envelope_with_the_requested_aggregates(rest, opportunities):
    path = group_by_path(
        group_by=[{"stage": True}],
        aggregate=["sumAmountAmountMicros", "countEmptyAmount"],
        order_by=[{"stage": "AscNullsFirst"}],
    )
    status, body = rest.get(path)
    assert status == 200, body
    assert body == {
        "data": {
            "opportunitiesGroupBy": [
                {
                    "groupByDimensionValues": ["NEW"],
                    "totalCount": 2,
                    "sumAmountAmountMicros": 4_000_000,
                    "countEmptyAmount": 0,
                },
                {
                    "groupByDimensionValues": ["MEETING"],
                    "totalCount": 2,
                    "sumAmountAmountMicros": 5_000_000,
                    "countEmptyAmount": 1,
                },
                {
                    "groupByDimensionValues": ["CUSTOMER"],
                    "totalCount": 1,
                    "sumAmountAmountMicros": None,
                    "countEmptyAmount": 1,
                },
            ]
        }
    }


def test_filter_limit_order_by_aggregate_and_records_sample(rest, opportunities):
    path = group_by_path(
        group_by=[{"amount": {"currencyCode": True}}],
        order_by=[{"aggregate": {"totalCount": "DescNullsLast"}}],
        filter="stage[neq]:CUSTOMER",
        limit="2",
        include_records_sample="true",
        order_by_for_records=[{"name": "DescNullsLast"}],
    )
    status, body = rest.get(path)
    assert status == 200, body
    groups = body["data"]["opportunitiesGroupBy"]
    # empty currency codes ('' for c) form the null group; EUR has 2, USD 1: limit 2 keeps EUR
    # and then the tie between null and USD goes to the first dimension order (nulls first).
    assert [g["groupByDimensionValues"] for g in groups] == [["EUR"], [None]]
    assert [r["name"] for r in groups[0]["records"]] == ["b", "a"]
    assert groups[1]["records"][0]["stage"] == "MEETING"


def test_date_granularities_name_the_period(rest, opportunities):
    status, body = rest.get(group_by_path(group_by=[{"createdAt": {"granularity": "YEAR"}}]))
    assert status == 200, body
    [group] = body["data"]["opportunitiesGroupBy"]
    assert group["groupByDimensionValues"][0].endswith("-01-01") and group["totalCount"] == 5


def test_soft_deleted_records_are_left_out_unless_the_filter_asks(rest, opportunities):
    assert rest.delete(f"/rest/opportunities/{opportunities[0]['id']}?soft_delete=true")[0] == 200
    _, live = rest.get(group_by_path(group_by=[{"stage": True}], filter="stage[eq]:NEW"))
    assert live["data"]["opportunitiesGroupBy"][0]["totalCount"] == 1
    _, gone = rest.get(group_by_path(group_by=[{"stage": True}], filter="deletedAt[is]:NOT_NULL"))
    assert gone["data"]["opportunitiesGroupBy"] == [
        {"groupByDimensionValues": ["NEW"], "totalCount": 1}
    ]


@pytest.mark.parametrize(
    "params, fragment",
    [
        ({}, "group_by"),
        ({"group_by": "not json"}, "group_by"),
        ({"group_by": [{"nope": True}]}, "nope"),
        ({"group_by": [{"stage": True}], "aggregate": ["sumName"]}, "sumName"),
        ({"group_by": [{"stage": True}], "aggregate": "countEmptyName"}, "aggregate"),
        ({"group_by": [{"stage": True}], "order_by": [{"name": "AscNullsFirst"}]}, "dimension"),
        ({"group_by": [{"stage": True}], "limit": "0"}, "limit"),
        ({"group_by": [{"company": True}]}, "companyId"),
    ],
)
def test_bad_input_is_a_400_in_twentys_error_shape(rest, opportunities, params, fragment):
    status, body = rest.get(group_by_path(**params))
    assert status == 400, body
    assert set(body) == {"statusCode", "error", "messages", "code"}
    assert fragment in body["messages"][0]


def test_the_route_does_not_shadow_records_nor_the_reverse(rest, opportunities):
    record = opportunities[0]
    assert rest.get(f"/rest/opportunities/{record['id']}")[0] == 200
    status, body = rest.get("/rest/opportunities/groupBy")
    assert status == 400 and "group_by" in body["messages"][0]
    assert rest.get(group_by_path("nopes", group_by=[{"name": True}]))[0] == 400


def test_past_the_scan_cap_the_answer_is_the_lists_400(rest, opportunities, monkeypatch):
    from chalicelib.core.records import RecordService
    from chalicelib.rest import group_by_routes
    from chalicelib.storage.records import DynamoRecordStore

    small = RecordService(DynamoRecordStore(), batch_max=60, scan_cap=3)
    monkeypatch.setattr(group_by_routes, "record_service", lambda: small)
    status, body = rest.get(group_by_path(group_by=[{"stage": True}]))
    assert status == 400 and body["code"] == "QUERY_NEEDS_INDEX"


def test_another_workspace_sees_only_its_own_groups(client, rest, opportunities):
    other = RestClient(client.http, make_tenant("Globex"))
    assert other.post("/rest/opportunities", {"name": "z", "stage": "PROPOSAL"})[0] == 201
    _, mine = rest.get(group_by_path(group_by=[{"stage": True}]))
    _, theirs = other.get(group_by_path(group_by=[{"stage": True}]))
    assert {g["groupByDimensionValues"][0] for g in mine["data"]["opportunitiesGroupBy"]} == {
        "NEW",
        "MEETING",
        "CUSTOMER",
    }
    assert theirs["data"]["opportunitiesGroupBy"] == [
        {"groupByDimensionValues": ["PROPOSAL"], "totalCount": 1}
    ]


def test_a_group_by_reads_the_records_once_whatever_the_aggregates(
    rest, opportunities, meter, limiter_off
):
    path = group_by_path(
        group_by=[{"stage": True}, {"amount": {"currencyCode": True}}],
        aggregate=[
            "sumAmountAmountMicros",
            "countUniqueValuesName",
            "minCreatedAt",
            "maxCreatedAt",
        ],
    )
    assert rest.get(path)[0] == 200  # warm
    meter.reset()
    assert rest.get(path)[0] == 200
    # admission (key and metadata version, one BatchGetItem) + one Query of the partition
    assert meter.operations == {"BatchGetItem": 1, "Query": 1}, meter.operations
    assert meter.items_read <= len(OPPORTUNITIES) + 2
