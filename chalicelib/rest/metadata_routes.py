"""REST Metadata routes: /rest/metadata/objects[/{id}] and /rest/metadata/fields[/{id}]."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.errors import InvalidPathError
from chalicelib.metadata.lookup import find_field, find_object
from chalicelib.metadata.model import WorkspaceModel
from chalicelib.metadata.paging import slice_items
from chalicelib.metadata.presentation import field_view, object_view
from chalicelib.metadata.registry import load_model
from chalicelib.rest import parsing
from chalicelib.rest.endpoint import RestCall, authenticated, json_response
from chalicelib.wiring import metadata_service

metadata = Blueprint(__name__)
endpoint = authenticated(lambda: metadata.current_request, api="metadata")

# Twenty's metadata OpenAPI: limit defaults to, and is capped at, 1000.
_LIMIT = 1000


def _current_model(call: RestCall) -> WorkspaceModel:
    """The model once earlier changes' leftover work is done (it may mark indexes ready)."""
    metadata_service().continue_jobs(call.ctx)
    return load_model(call.ctx.workspace_id)


def _page(call: RestCall, key: str, views: list[dict], ids: list[str]) -> Response:
    params = call.params
    limit = parsing.limit_param(params, default=_LIMIT, maximum=_LIMIT)
    after, before = parsing.cursor_params(params)
    window = slice_items(
        list(zip(ids, views, strict=True)),
        lambda pair: pair[0],
        after=after,
        before=before,
        first=None if before else limit,
        last=limit if before else None,
    )
    shown = [view for _, view in window.items]
    return json_response(
        {
            "data": {key: shown},
            "totalCount": len(views),
            "pageInfo": {
                "hasNextPage": window.has_next,
                "hasPreviousPage": window.has_previous,
                "startCursor": shown[0]["id"] if shown else None,
                "endCursor": shown[-1]["id"] if shown else None,
            },
        }
    )


@metadata.route("/objects", methods=["GET", "POST"])
@endpoint
def objects(call: RestCall) -> Response:
    model = _current_model(call)
    if call.request.method == "POST":
        outcome = metadata_service().create_object(call.ctx, call.body())
        view = object_view(outcome.model, outcome.object)
        return json_response({"data": {"createOneObject": view}}, 201)
    views = [object_view(model, obj) for obj in model.objects]
    return _page(call, "objects", views, [obj.id for obj in model.objects])


@metadata.route("/objects/{object_id}", methods=["GET", "PATCH", "PUT", "DELETE"])
@endpoint
def one_object(call: RestCall, object_id: str) -> Response:
    model = _current_model(call)
    object_id = _id(object_id)
    service, method = metadata_service(), call.request.method
    if method == "GET":
        return json_response(
            {"data": {"object": object_view(model, find_object(model, object_id))}}
        )
    if method == "DELETE":
        deleted, _ = service.delete_object(call.ctx, object_id)
        return json_response({"data": {"deleteOneObject": {"id": deleted.id}}})
    outcome = service.update_object(call.ctx, object_id, call.body())
    return json_response({"data": {"updateOneObject": object_view(outcome.model, outcome.object)}})


@metadata.route("/fields", methods=["GET", "POST"])
@endpoint
def fields(call: RestCall) -> Response:
    model = _current_model(call)
    if call.request.method == "POST":
        outcome = metadata_service().create_field(call.ctx, call.body())
        view = field_view(outcome.model, outcome.field())
        return json_response({"data": {"createOneField": view}}, 201)
    every = [field for obj in model.objects for field in obj.fields]
    views = [field_view(model, field) for field in every]
    return _page(call, "fields", views, [field.id for field in every])


@metadata.route("/fields/{field_id}", methods=["GET", "PATCH", "PUT", "DELETE"])
@endpoint
def one_field(call: RestCall, field_id: str) -> Response:
    model = _current_model(call)
    field_id = _id(field_id)
    service, method = metadata_service(), call.request.method
    if method == "GET":
        _, field = find_field(model, field_id)
        return json_response({"data": {"field": field_view(model, field)}})
    if method == "DELETE":
        deleted, _ = service.delete_field(call.ctx, field_id)
        return json_response({"data": {"deleteOneField": {"id": deleted.id}}})
    outcome = service.update_field(call.ctx, field_id, call.body())
    return json_response({"data": {"updateOneField": field_view(outcome.model, outcome.field())}})


def _id(raw: str) -> str:
    if not parsing.is_uuid(raw):
        raise InvalidPathError(f"'{raw}' is not a valid metadata id (UUID)")
    return raw.lower()
