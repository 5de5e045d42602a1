"""REST Core routes for the records of every object of the workspace's model.

Literal segments win over path parameters (API Gateway, and Chalice's local matcher, which
tries routes in sorted order: `/restore/…` and `/{plural}/duplicates` before `/{plural}/{id}`).
"""

from __future__ import annotations

from chalice import Blueprint, Response
from chalice.app import Request

from chalicelib.auth.admission import RecordPrefetch
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


@records.route("/{plural}", methods=["GET", "POST"])
@endpoint
def collection(call: RestCall, plural: str) -> Response:
    obj = parsing.resolve_object(call.model, plural)
    if call.request.method == "POST":
        keep = parsing.fields_param(call.params, obj, depth=0)
        body = call.body()
        upsert = parsing.boolean_param(call.params, "upsert")
        [outcome] = record_service().create(call.ctx, CreateRecords(obj, (body,), upsert=upsert))
        return json_response(rendering.mutation("create", obj, outcome.record, keep), 201)
    params = call.params
    limit = parsing.limit_param(params, default=SETTINGS.page_default, maximum=SETTINGS.page_max)
    order_by = parsing.order_by_param(params)
    after, before = parsing.record_cursor_params(params)
    depth = parsing.depth_param(params)
    keep = parsing.fields_param(params, obj, depth)
    query = ListRecords(
        obj,
        limit,
        after=after,
        before=before,
        filter=parsing.filter_param(params),
        order_by=order_by,
        depth=depth,
        model=call.model,
    )
    return json_response(rendering.page(obj, record_service().list(call.ctx, query), keep))


@records.route("/{plural}", methods=["PATCH", "PUT", "DELETE"])
@endpoint
def collection_by_filter(call: RestCall, plural: str) -> Response:
    """Update many (`PATCH`/`PUT`, body = the values to set), destroy many (`DELETE`) or
    soft-delete many (`DELETE ?soft_delete=true`): the records matching `filter`, at most the
    batch maximum of them (more: 400, nothing changed)."""
    from chalicelib.core.many_commands import RemoveRecords, Selection, UpdateRecords

    obj, params, service = parsing.resolve_object(call.model, plural), call.params, record_service()
    if call.request.method == "DELETE":
        soft = parsing.boolean_param(params, "soft_delete")
        # Twenty refuses a bulk delete or destroy without a filter: every record is never meant.
        chosen = parsing.required_filter_param(params, "delete" if soft else "destroy")
        command = RemoveRecords(obj, Selection(filter=chosen), soft=soft, model=call.model)
        outcomes = service.remove_many(call.ctx, command)
        return json_response(rendering.removed_many(obj, [o.record for o in outcomes]))
    # As in Twenty, an update without a filter acts on every record (within the batch maximum).
    selection = Selection(filter=parsing.filter_param(params))
    keep = parsing.fields_param(params, obj, depth=0)
    outcomes = service.update_many(call.ctx, UpdateRecords(obj, selection, call.body()))
    return json_response(rendering.many_mutation("update", obj, [o.record for o in outcomes], keep))


@records.route("/{plural}/duplicates", methods=["POST"])
@endpoint
def duplicates(call: RestCall, plural: str) -> Response:
    """For each of `ids`, then each record of `data`: the existing records that look like it."""
    from chalicelib.core.many_commands import FindDuplicates

    obj = parsing.resolve_object(call.model, plural)
    depth = parsing.depth_param(call.params)
    ids, inputs = parsing.duplicates_body(call.body())
    query = FindDuplicates(obj, ids, inputs, depth=depth, model=call.model)
    pages = record_service().find_duplicates(call.ctx, query)
    return json_response(rendering.duplicates(obj, pages))


def _read_by_id(request: Request, path: dict[str, str]) -> RecordPrefetch | None:
    """A GET of one record: read it with admission, in the same DynamoDB request as the key."""
    if request.method != "GET" or not parsing.is_uuid(path["record_id"]):
        return None  # an invalid id is refused by the view, with nothing read for it
    return RecordPrefetch(path["plural"], parsing.record_id(path["record_id"]))


@records.route("/{plural}/{record_id}", methods=["GET", "PATCH", "PUT", "DELETE"])
@authenticated(lambda: records.current_request, api="core", prefetch=_read_by_id)
def member(call: RestCall, plural: str, record_id: str) -> Response:
    obj = parsing.resolve_object(call.model, plural)
    rid = parsing.record_id(record_id)
    service, method = record_service(), call.request.method
    if method == "GET":
        depth = parsing.depth_param(call.params)
        keep = parsing.fields_param(call.params, obj, depth)
        query = GetRecord(obj, rid, depth=depth, model=call.model)
        outcome = service.get(call.ctx, query, prefetched=call.prefetched)
        return json_response(rendering.one(obj, outcome.record, keep))
    if method in ("PATCH", "PUT"):
        keep = parsing.fields_param(call.params, obj, depth=0)
        outcome = service.update(call.ctx, UpdateRecord(obj, rid, call.body()))
        return json_response(rendering.mutation("update", obj, outcome.record, keep))
    soft = parsing.boolean_param(call.params, "soft_delete")
    outcome = service.remove(call.ctx, RemoveRecord(obj, rid, soft=soft, model=call.model))
    return json_response(rendering.mutation("delete", obj, outcome.record))


@records.route("/batch/{plural}", methods=["POST"])
@endpoint
def batch(call: RestCall, plural: str) -> Response:
    obj = parsing.resolve_object(call.model, plural)
    keep = parsing.fields_param(call.params, obj, depth=0)
    body = call.body()
    if not isinstance(body, list):
        raise InvalidRequestBodyError("Body must be an array")
    upsert = parsing.boolean_param(call.params, "upsert")
    command = CreateRecords(obj, tuple(body), upsert=upsert)
    if parsing.boolean_param(call.params, "partial"):
        # Beyond Twenty: every valid record written, the others reported by index (207).
        from chalicelib.rest.partial_batches import MULTI_STATUS, partial_batch

        result = record_service().create_partial(call.ctx, command)
        return json_response(partial_batch(obj, result, keep), MULTI_STATUS)
    outcomes = record_service().create(call.ctx, command)
    created = [o.record for o in outcomes]
    return json_response(rendering.many_mutation("create", obj, created, keep), 201)


@records.route("/restore/{plural}", methods=["PATCH"])
@endpoint
def restore_many(call: RestCall, plural: str) -> Response:
    """Restore the soft-deleted records matching `filter` (every one without a filter, as in
    Twenty), at most the batch maximum of them."""
    from chalicelib.core.many_commands import RestoreRecords, Selection

    obj = parsing.resolve_object(call.model, plural)
    keep = parsing.fields_param(call.params, obj, depth=0)
    command = RestoreRecords(obj, Selection(filter=parsing.filter_param(call.params)))
    outcomes = record_service().restore_many(call.ctx, command)
    return json_response(
        rendering.many_mutation("restore", obj, [o.record for o in outcomes], keep)
    )


@records.route("/restore/{plural}/{record_id}", methods=["PATCH"])
@endpoint
def restore(call: RestCall, plural: str, record_id: str) -> Response:
    obj = parsing.resolve_object(call.model, plural)
    keep = parsing.fields_param(call.params, obj, depth=0)
    outcome = record_service().restore(call.ctx, RestoreRecord(obj, parsing.record_id(record_id)))
    return json_response(rendering.mutation("restore", obj, outcome.record, keep))
