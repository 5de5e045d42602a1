"""REST `GET /rest/{plural}/groupBy`: Twenty's group-by endpoint on the core's one groupBy.

Parameters as Twenty's REST parsers read them: `group_by` (required, a JSON array such as
`[{"stage": true}, {"createdAt": {"granularity": "MONTH"}}]`), `aggregate` (a JSON array of
aggregate names, e.g. `["countNotEmptyId", "sumAmountAmountMicros"]`), `order_by` (a JSON array:
`[{"aggregate": {"totalCount": "DescNullsLast"}}, {"stage": "AscNullsFirst"}]`), `filter`
(the usual filter grammar), `limit` (groups; default 50, clamped to the page maximum),
`include_records_sample` (true: up to 10 records per group, ordered by `order_by_for_records`).

Registered before the records blueprint's `/{plural}/{record_id}`; the literal `groupBy`
segment wins over the capture in API Gateway and in chalice's local router alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalice import Blueprint, Response

from chalicelib.errors import InvalidQueryParamError
from chalicelib.json_input import decode_json
from chalicelib.rest import parsing
from chalicelib.rest.endpoint import RestCall, authenticated, json_response
from chalicelib.settings import SETTINGS
from chalicelib.wiring import record_service

group_by = Blueprint(__name__)
endpoint = authenticated(lambda: group_by.current_request, api="core")

_EXAMPLES = {
    "group_by": '[{"firstField": true}, {"secondField": {"subField": true}}, '
    '{"dateField": {"granularity": "DAY"}}]',
    "aggregate": '["countNotEmptyId", "countEmptyField"]',
    "order_by": '[{"firstField": "AscNullsFirst"}, {"aggregate": {"totalCount": "DescNullsLast"}}]',
    "order_by_for_records": '[{"name": "AscNullsFirst"}]',
}


def _json_param(params: Mapping[str, str], name: str, *, required: bool = False) -> Any:
    raw = params.get(name)
    if raw is None and not required:
        return None
    problem = (
        f"Invalid {name} query parameter - should be a valid JSON array - ex: {_EXAMPLES[name]}"
    )
    if raw is None:
        raise InvalidQueryParamError(problem)
    value = decode_json(raw, what=f"{name} query parameter", error=InvalidQueryParamError)
    if not isinstance(value, list):
        raise InvalidQueryParamError(problem)
    return value


def _aggregate_names(params: Mapping[str, str]) -> tuple[str, ...]:
    names = _json_param(params, "aggregate") or []
    if not all(isinstance(name, str) for name in names):
        raise InvalidQueryParamError(
            f"Invalid aggregate query parameter - should be an array of strings - ex: "
            f"{_EXAMPLES['aggregate']}"
        )
    return tuple(names)


@group_by.route("/{plural}/groupBy", methods=["GET"])
@endpoint
def group_records(call: RestCall, plural: str) -> Response:
    from chalicelib.core.group_by import (
        DEFAULT_GROUP_LIMIT,
        RECORDS_PER_GROUP,
        GroupRecords,
        parse_record_order,
    )

    obj = parsing.resolve_object(call.model, plural)
    params = call.params
    with_records = parsing.boolean_param(params, "include_records_sample")
    query = GroupRecords(
        obj,
        _json_param(params, "group_by", required=True),
        filter=parsing.filter_param(params),
        order_by=_json_param(params, "order_by"),
        aggregates=_aggregate_names(params),
        limit=parsing.limit_param(params, default=DEFAULT_GROUP_LIMIT, maximum=SETTINGS.page_max),
        records_per_group=RECORDS_PER_GROUP if with_records else 0,
        order_by_for_records=parse_record_order(_json_param(params, "order_by_for_records")),
    )
    groups = record_service().group_by(call.ctx, query)
    entries = []
    for group in groups:
        entry: dict[str, Any] = {"groupByDimensionValues": group.dimension_values}
        entry.update(group.aggregates)
        if with_records:
            entry["records"] = group.records
        entries.append(entry)
    return json_response({"data": {f"{obj.name_plural}GroupBy": entries}})
