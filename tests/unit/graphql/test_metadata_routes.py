"""POST /metadata is registered as a POST route (cold start: tests/unit/test_import_budget.py)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_the_metadata_route_is_a_post_that_lets_every_content_type_reach_the_graphql_answer():
    from app import app

    route = app.routes["/metadata"]["POST"]
    # Not Chalice's REST-shaped 415: http.serve_graphql answers a non-JSON body with a 400.
    assert route.content_types == ["*/*"]
