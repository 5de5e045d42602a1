"""`import app` is the Lambda cold start: graphql-core must load on the first /graphql call."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_importing_the_app_does_not_import_graphql_core():
    script = (
        "import sys, app; "
        "loaded = [m for m in sys.modules if m == 'graphql' or m.startswith('graphql.') "
        "or m.startswith('chalicelib.graphql.core_') or m.startswith('chalicelib.graphql.exec')]; "
        "print(loaded)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
