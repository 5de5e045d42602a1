"""POST /metadata is registered without loading graphql-core (Lambda cold start)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_importing_the_app_does_not_import_graphql_core():
    probe = (
        "import sys, app; "
        "loaded = [m for m in sys.modules if m == 'graphql' or m.startswith('graphql.') "
        "or (m.startswith('chalicelib.graphql.metadata_') and not m.endswith('_routes'))]; "
        "assert not loaded, loaded"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_the_metadata_route_is_a_post_of_json():
    from app import app

    route = app.routes["/metadata"]["POST"]
    assert route.content_types == ["application/json"]
