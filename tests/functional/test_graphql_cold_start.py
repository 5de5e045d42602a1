"""`import app` is the Lambda cold start: what only some requests need loads on first use."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Route modules are registered at import; everything behind them waits for its first request.
ROUTE_MODULES = ("chalicelib.graphql.routes", "chalicelib.graphql.metadata_routes")
LAZY_PREFIXES = (
    "graphql.",  # graphql-core: ~120 ms
    "chalicelib.graphql.",  # both schemas and their execution
    "chalicelib.metadata.service",  # metadata commands (they bring the query engine)
    "chalicelib.core.listing",  # the query engine
)


def test_importing_the_app_loads_neither_graphql_nor_the_metadata_commands():
    script = "import sys, app; print('\\n'.join(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    loaded = set(result.stdout.split())
    early = sorted(
        name
        for name in loaded
        if (name == "graphql" or name.startswith(LAZY_PREFIXES)) and name not in ROUTE_MODULES
    )
    assert early == []
    assert set(ROUTE_MODULES) <= loaded  # the routes themselves are registered
