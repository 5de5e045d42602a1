"""Blueprint for POST /metadata and its SDL; graphql-core loads on the first request, not at
import."""

from __future__ import annotations

from chalice import Blueprint, Response

metadata_graphql_routes = Blueprint(__name__)


# Every Content-Type gets in: Chalice would refuse others with a REST-shaped 415, and
# http.serve_graphql answers them with a GraphQL-shaped 400 instead.
@metadata_graphql_routes.route("/metadata", methods=["GET", "POST"], content_types=["*/*"])
def metadata_graphql() -> Response:
    """The GraphQL Metadata API."""
    # Imported here: graphql-core costs ~120 ms of a Lambda cold start, and containers that
    # only serve REST never pay it.
    from chalicelib.graphql.metadata_endpoint import serve

    return serve(metadata_graphql_routes.current_request)


@metadata_graphql_routes.route("/metadata/schema.graphql", methods=["GET"])
def metadata_graphql_sdl() -> Response:
    """The SDL of the metadata schema (text/plain), behind a key of the metadata scope."""
    from chalicelib.graphql.sdl import serve_metadata_sdl

    return serve_metadata_sdl(metadata_graphql_routes.current_request)
