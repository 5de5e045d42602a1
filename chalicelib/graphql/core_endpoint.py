"""POST /graphql: authenticate with the API key, load the workspace's schema, run the request."""

from __future__ import annotations

from chalice import Response
from chalice.app import Request

from chalicelib.auth.api_keys import authenticate
from chalicelib.auth.scopes import require_scope
from chalicelib.context import RequestContext, utc_now_iso
from chalicelib.graphql.execution import PreparedSchema
from chalicelib.graphql.http import default_limits, serve_graphql
from chalicelib.graphql.resolvers import CoreCall
from chalicelib.graphql.schema_cache import core_schema
from chalicelib.metadata.registry import load_model
from chalicelib.settings import SETTINGS
from chalicelib.wiring import record_service

LIMITS = default_limits()


def _prepare(request: Request, writes: bool) -> tuple[PreparedSchema, CoreCall]:
    """Same Bearer API key as REST; the schema of the workspace's current metadata version."""
    now = utc_now_iso()
    principal = authenticate(request.headers.get("authorization"), now=now)
    # Before the model is read: a 'read' key's mutation or a 'metadata' key reads nothing.
    require_scope(principal, "core", writes=writes)
    model = load_model(principal.workspace_id)
    ctx = RequestContext(principal=principal, now=now)
    call = CoreCall(ctx, model, record_service(), SETTINGS.page_default, SETTINGS.page_max)
    return core_schema(model), call


def serve(request: Request) -> Response:
    """Answer one core GraphQL request; never a traceback."""
    return serve_graphql(request, LIMITS, lambda writes: _prepare(request, writes))
