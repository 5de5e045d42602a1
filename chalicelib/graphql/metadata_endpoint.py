"""POST /metadata: authenticate with the API key, finish earlier changes' work, run the request.

It goes through `http.serve_graphql` like POST /graphql, so parsing, limits, validation, HTTP
statuses and error codes are the same; only `prepare` differs (one schema for everyone).
"""

from __future__ import annotations

from functools import cache

from chalice import Response
from chalice.app import Request

from chalicelib.auth.admission import admit
from chalicelib.graphql.execution import PreparedSchema
from chalicelib.graphql.http import default_limits, serve_graphql
from chalicelib.graphql.metadata_resolvers import MetadataCall
from chalicelib.graphql.metadata_schema import metadata_schema
from chalicelib.idempotency.graphql_guard import GraphQLIdempotency
from chalicelib.metadata.registry import load_model
from chalicelib.wiring import metadata_service

LIMITS = default_limits()


@cache
def prepared_schema() -> PreparedSchema:
    """The metadata schema with its introspection cache (shared by every workspace)."""
    return PreparedSchema(metadata_schema())


def _prepare(
    request: Request, writes: bool, idempotency: GraphQLIdempotency
) -> tuple[PreparedSchema, MetadataCall]:
    # Before anything of the workspace is read or finished: a 'read' key is refused here.
    admission = admit(request, api="metadata", writes=writes, with_model=False)
    # A mutation's Idempotency-Key: a replay is answered here, before anything runs.
    idempotency.claim(admission.principal, writes)
    ctx = admission.ctx
    service = metadata_service()
    # Work an earlier change left (migrations, purges) may change the model: finish it first.
    service.continue_jobs(ctx)
    return prepared_schema(), MetadataCall(ctx, service, load_model(ctx.workspace_id))


def serve(request: Request) -> Response:
    """Answer one metadata GraphQL request; never a traceback."""
    idempotency = GraphQLIdempotency(request)
    return idempotency.serve(
        lambda: serve_graphql(
            request, LIMITS, lambda writes: _prepare(request, writes, idempotency)
        )
    )
