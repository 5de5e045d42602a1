"""REST Core routes for the records of every object of the workspace's model."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.core.commands import (
    CreateRecords,
    GetRecord,
    ListRecords,
    RemoveRecord,
    RestoreRecord,
    UpdateRecord,
)
from chalicelib.errors import InvalidRequestBodyError
from chalicelib.rest import parsing, rendering
from chalicelib.rest.endpoint import RestCall, authenticated, json_response
from chalicelib.settings import SETTINGS
from chalicelib.wiring import record_service

records = Blueprint(__name__)
endpoint = authenticated(lambda: records.current_request, api="core")


def _body(call: RestCall) -> object:
    return parsing.json_body(call.request.raw_body, max_bytes=SETTINGS.max_body_bytes)


@records.route("/{plural}", methods=["GET", "POST"])
@endpoint
def collection(call: RestCall, plural: str) -> Response:
    obj = parsing.resolve_object(call.model, plural)
    if call.request.method == "POST":
        body = _body(call)
        upsert = parsing.boolean_param(call.params, "upsert")
        [outcome] = record_service().create(call.ctx, CreateRecords(obj, (body,), upsert=upsert))
        return json_response(rendering.mutation("create", obj, outcome.record), 201)
    from chalicelib.core.cursors import sort_binding

    params = call.params
    limit = parsing.limit_param(params, default=SETTINGS.page_default, maximum=SETTINGS.page_max)
    order_by = parsing.order_by_param(params)
    tag = sort_binding(call.ctx.workspace_id, obj.id, order_by)
    after, before = parsing.record_cursor_params(params, tag)
    query = ListRecords(
        obj,
        limit,
        after=after,
        before=before,
        filter=parsing.filter_param(params),
        order_by=order_by,
        depth=parsing.depth_param(params),
        model=call.model,
    )
    return json_response(rendering.page(obj, record_service().list(call.ctx, query), tag))


@records.route("/{plural}/{record_id}", methods=["GET", "PATCH", "PUT", "DELETE"])
@endpoint
def member(call: RestCall, plural: str, record_id: str) -> Response:
    obj = parsing.resolve_object(call.model, plural)
    rid = parsing.record_id(record_id)
    service, method = record_service(), call.request.method
    if method == "GET":
        query = GetRecord(obj, rid, depth=parsing.depth_param(call.params), model=call.model)
        return json_response(rendering.one(obj, service.get(call.ctx, query).record))
    if method in ("PATCH", "PUT"):
        outcome = service.update(call.ctx, UpdateRecord(obj, rid, _body(call)))
        return json_response(rendering.mutation("update", obj, outcome.record))
    soft = parsing.boolean_param(call.params, "soft_delete")
    outcome = service.remove(call.ctx, RemoveRecord(obj, rid, soft=soft, model=call.model))
    return json_response(rendering.mutation("delete", obj, outcome.record))


@records.route("/batch/{plural}", methods=["POST"])
@endpoint
def batch(call: RestCall, plural: str) -> Response:
    obj = parsing.resolve_object(call.model, plural)
    body = _body(call)
    if not isinstance(body, list):
        raise InvalidRequestBodyError("Body must be an array")
    upsert = parsing.boolean_param(call.params, "upsert")
    outcomes = record_service().create(call.ctx, CreateRecords(obj, tuple(body), upsert=upsert))
    return json_response(rendering.many_mutation("create", obj, [o.record for o in outcomes]), 201)


@records.route("/restore/{plural}/{record_id}", methods=["PATCH"])
@endpoint
def restore(call: RestCall, plural: str, record_id: str) -> Response:
    obj = parsing.resolve_object(call.model, plural)
    outcome = record_service().restore(call.ctx, RestoreRecord(obj, parsing.record_id(record_id)))
    return json_response(rendering.mutation("restore", obj, outcome.record))
