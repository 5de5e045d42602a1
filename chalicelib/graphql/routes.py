"""Blueprint for POST /graphql and its SDL; graphql-core loads on the first request, not at
import."""

from __future__ import annotations

from chalice import Blueprint, Response

graphql_routes = Blueprint(__name__)


# Every Content-Type gets in: Chalice would refuse others with a REST-shaped 415, and
# http.serve_graphql answers them with a GraphQL-shaped 400 instead.
@graphql_routes.route("/graphql", methods=["GET", "POST"], content_types=["*/*"])
def core_graphql() -> Response:
    # Imported here: graphql-core costs ~120 ms of a 300 ms Lambda cold start, and containers
    # that only serve REST never pay it.
    from chalicelib.graphql.core_endpoint import serve

    return serve(graphql_routes.current_request)


@graphql_routes.route("/graphql/schema.graphql", methods=["GET"])
def core_graphql_sdl() -> Response:
    """The SDL of the key's workspace core schema (text/plain)."""
    from chalicelib.graphql.sdl import serve_core_sdl

    return serve_core_sdl(graphql_routes.current_request)
