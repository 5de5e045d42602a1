"""POST /graphql: authenticate with the API key, load the workspace's schema, run the request."""

from __future__ import annotations

from chalice import Response
from chalice.app import Request

from chalicelib.auth.admission import admit
from chalicelib.graphql.execution import PreparedSchema
from chalicelib.graphql.http import default_limits, serve_graphql
from chalicelib.graphql.resolvers import CoreCall
from chalicelib.graphql.schema_cache import core_schema
from chalicelib.idempotency.graphql_guard import GraphQLIdempotency
from chalicelib.settings import SETTINGS
from chalicelib.wiring import record_service

LIMITS = default_limits()


def _prepare(
    request: Request, writes: bool, idempotency: GraphQLIdempotency
) -> tuple[PreparedSchema, CoreCall]:
    """Same Bearer API key as REST; the schema of the workspace's current metadata version."""
    # Scope and rate before the model is read: a 'read' key's mutation reads nothing.
    admission = admit(request, api="core", writes=writes)
    # A mutation's Idempotency-Key: a replay is answered here, before anything runs.
    idempotency.claim(admission.principal, writes)
    ctx, model = admission.ctx, admission.require_model()
    call = CoreCall(ctx, model, record_service(), SETTINGS.page_default, SETTINGS.page_max)
    return core_schema(model), call


def serve(request: Request) -> Response:
    """Answer one core GraphQL request; never a traceback."""
    idempotency = GraphQLIdempotency(request)
    return idempotency.serve(
        lambda: serve_graphql(
            request, LIMITS, lambda writes: _prepare(request, writes, idempotency)
        )
    )
