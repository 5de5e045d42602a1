"""`GET /rest/open-api/core` and `GET /rest/open-api/metadata`: the OpenAPI 3.1 documents.

Public routes, as in Twenty: with a valid key (whose scope reaches that API) the workspace's
document, without one (or with a bad one) the base document, which lists no workspace route.
Registered before the records blueprint, so `open-api` is never read as an object's name.
"""

from __future__ import annotations

from chalice import Blueprint, Response
from chalice.app import Request

from chalicelib.auth.admission import admit
from chalicelib.auth.scopes import Api
from chalicelib.context import Principal
from chalicelib.core import budget
from chalicelib.errors import AuthenticationError, CrmError, ForbiddenError
from chalicelib.rest.base_url import request_base_url
from chalicelib.rest.errors import error_response, unexpected_error_response

open_api = Blueprint(__name__)


@open_api.route("/open-api/core", methods=["GET"])
def core_document() -> Response:
    return _serve(open_api.current_request, "core")


@open_api.route("/open-api/metadata", methods=["GET"])
def metadata_document() -> Response:
    return _serve(open_api.current_request, "metadata")


def _serve(request: Request, api: Api) -> Response:
    try:
        text = _document_text(request, api)
        budget.require_sendable(text, "the workspace's model is too large for one document")
        return Response(body=text, status_code=200, headers={"Content-Type": "application/json"})
    except CrmError as exc:
        return error_response(exc)
    except Exception:  # noqa: BLE001 - the API never leaks a traceback
        return unexpected_error_response()


def _document_text(request: Request, api: Api) -> str:
    # Imported on first use: the documents' modules stay out of every other request's start.
    from chalicelib.metadata.registry import load_model
    from chalicelib.openapi import cache, documents

    base_url = request_base_url(request)
    principal = _optional_principal(request, api)
    if principal is not None and api == "core":
        try:
            model = load_model(principal.workspace_id)
        except AuthenticationError:  # the key's workspace is gone
            model = None
        if model is not None:
            key = ("core", model.workspace_id, model.version, base_url)
            return cache.document_text(key, lambda: documents.core_document(model, base_url))
    if principal is not None and api == "metadata":
        key = ("metadata", base_url)
        return cache.document_text(key, lambda: documents.metadata_document(base_url))
    return cache.document_text(
        ("base", api, base_url), lambda: documents.base_document(api, base_url)
    )


def _optional_principal(request: Request, api: Api) -> Principal | None:
    """The caller if its key is valid and its scope reaches `api`; None otherwise. An admitted
    caller is charged to its rate limits like any API request (over them: 429)."""
    if not request.headers.get("authorization"):
        return None
    try:
        return admit(request, api=api, writes=False, with_model=False).principal
    except (AuthenticationError, ForbiddenError):
        return None
