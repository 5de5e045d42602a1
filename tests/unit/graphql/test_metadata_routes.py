"""POST /metadata is registered as a JSON POST route (its cold-start test: test_graphql_cold_start)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_the_metadata_route_is_a_post_of_json():
    from app import app

    route = app.routes["/metadata"]["POST"]
    assert route.content_types == ["application/json"]
