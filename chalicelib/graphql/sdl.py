"""GET /graphql/schema.graphql and GET /metadata/schema.graphql: the schema language (SDL) of the
two GraphQL endpoints, as served to the caller's key, for code generators and people to read.

Behind the key with the endpoint's read scope: the core SDL names the workspace's own objects
and fields (its model is not public), and a key that may not query an endpoint may not read its
schema either. Errors keep the GraphQL shape (`errors[].extensions.code`) but with the HTTP
status REST gives them: a tool fetching a document must not take an error for the schema.
"""

from __future__ import annotations

import json
import logging
import weakref

from chalice import Response
from chalice.app import Request
from graphql import GraphQLSchema, print_schema

from chalicelib.auth.admission import admit
from chalicelib.auth.scopes import Api
from chalicelib.context import Principal
from chalicelib.errors import CrmError
from chalicelib.graphql.errors import (
    INTERNAL_MESSAGE,
    INTERNAL_SERVER_ERROR,
    code_for,
    error_entry,
)
from chalicelib.graphql.metadata_endpoint import prepared_schema
from chalicelib.graphql.schema_cache import core_schema
from chalicelib.metadata.registry import load_model
from chalicelib.rest.errors import status_for

logger = logging.getLogger(__name__)

SDL_CONTENT_TYPE = "text/plain; charset=utf-8"

# Printing a Twenty-sized schema takes tens of milliseconds: the text lives as long as its schema
# stays in the schema caches (a metadata change builds a new schema, hence a new text).
_printed: weakref.WeakKeyDictionary[GraphQLSchema, str] = weakref.WeakKeyDictionary()


def sdl_of(schema: GraphQLSchema) -> str:
    """The schema's SDL, printed once per schema object."""
    text = _printed.get(schema)
    if text is None:
        text = _printed[schema] = print_schema(schema)
    return text


def _principal(request: Request, api: Api) -> Principal:
    return admit(request, api=api, writes=False, with_model=False).principal


def _core_sdl(request: Request) -> str:
    principal = _principal(request, "core")
    return sdl_of(core_schema(load_model(principal.workspace_id)).schema)


def _metadata_sdl(request: Request) -> str:
    _principal(request, "metadata")  # one schema for every workspace, still behind the key
    return sdl_of(prepared_schema().schema)


def _answer(request: Request, api: Api) -> Response:
    try:
        text = _core_sdl(request) if api == "core" else _metadata_sdl(request)
    except CrmError as exc:
        response = _error(status_for(exc), "; ".join(exc.messages), code_for(exc), exc.code)
        if exc.retry_after is not None:  # e.g. the seconds left in a rate-limit window
            response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except Exception:  # noqa: BLE001 - the API never leaks a traceback
        logger.exception("unhandled error in %s", request.path)
        return _error(500, INTERNAL_MESSAGE, INTERNAL_SERVER_ERROR, None)
    return Response(body=text, status_code=200, headers={"Content-Type": SDL_CONTENT_TYPE})


def _error(status: int, message: str, code: str, sub_code: str | None) -> Response:
    extra = {"subCode": sub_code} if sub_code else {}
    body = {"errors": [error_entry(message, code, **extra)]}
    headers = {"Content-Type": "application/json"}
    if status in (429, 503):
        headers["Retry-After"] = "1"
    return Response(
        body=json.dumps(body, separators=(",", ":")), status_code=status, headers=headers
    )


def serve_core_sdl(request: Request) -> Response:
    """The SDL of POST /graphql for the key's workspace (core API, read scope)."""
    return _answer(request, "core")


def serve_metadata_sdl(request: Request) -> Response:
    """The SDL of POST /metadata (metadata API scope)."""
    return _answer(request, "metadata")
