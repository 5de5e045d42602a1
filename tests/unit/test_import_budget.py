"""`import app` is a Lambda's cold start: it loads the routes and what every request needs (Chalice,
pynamodb and botocore, authentication, the workspace model, record reads), nothing else.

Checked by module name in a fresh interpreter rather than by timing, so the test does not
depend on the machine's load: a heavy module imported at the top of a route module, instead of
inside the view that needs it, fails here. `python -m bench.coldstart` measures the time;
`python -X importtime -c "import app"` shows which import brought a module in.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Loaded on first use only. Prefixes: a name matches itself and its submodules.
LAZY = (
    # Third parties the API never needs at import: graphql-core (~120 ms), boto3 (~180 ms),
    # and the local/test tooling.
    "graphql",
    "boto3",
    "moto",
    "werkzeug",
    "pytest",
    # GraphQL schemas and execution (but for the route modules, below).
    "chalicelib.graphql",
    # OpenAPI documents and the docs pages, built for the few requests that ask for them.
    "chalicelib.openapi",
    "chalicelib.rest.docs_pages",
    "chalicelib.rest.docs_assets",
    # The query engine, aggregates, group-by, merge, duplicates, nested relations.
    "chalicelib.core.listing",
    "chalicelib.core.filters",
    "chalicelib.core.index_planner",
    "chalicelib.core.aggregates",
    "chalicelib.core.nested_aggregates",
    "chalicelib.core.group_by",
    "chalicelib.core.merge",
    "chalicelib.core.many_commands",
    "chalicelib.core.duplicates",
    "chalicelib.core.children",
    "chalicelib.core.child_pages",
    # Delta sync, partial batches, workspace transfer: their own routes or the CLI load them.
    "chalicelib.core.changes",
    "chalicelib.storage.changes",
    "chalicelib.core.partial_batch",
    "chalicelib.core.importing",
    "chalicelib.transfer",
    # The write path (input coercion, transactions): reads, the most common requests, skip it.
    "chalicelib.core.coercion",
    "chalicelib.storage.executor",
    # Metadata commands (they bring validation and the query engine).
    "chalicelib.metadata.service",
    "chalicelib.metadata.changes",
    "chalicelib.metadata.jobs",
    "chalicelib.metadata.validation",
    # Key management, webhook management and delivery (the SQS consumer imports its own).
    "chalicelib.auth.key_management",
    "chalicelib.webhooks.management",
    "chalicelib.webhooks.delivery",
    "chalicelib.observability.delivery_metrics",
    "chalicelib.webhooks.sender",
    "chalicelib.webhooks.ssrf",
    "chalicelib.webhooks.dispatch",
    "chalicelib.webhooks.model",
    "chalicelib.storage.webhooks",
    "chalicelib.storage.webhook_deliveries",
    # Provisioning and administration, never an API request's business.
    "chalicelib.admin",
    "chalicelib.metadata.provisioning",
)
# Route modules inside those packages: they are what `import app` is for.
ROUTE_MODULES = (
    "chalicelib.graphql",
    "chalicelib.graphql.routes",
    "chalicelib.graphql.metadata_routes",
)

# Registered at import, or API Gateway and Lambda would not know them.
ROUTES = (
    "/graphql",
    "/metadata",
    "/rest/{plural}",
    "/rest/{plural}/{record_id}",
    "/rest/{plural}/groupBy",
    "/rest/{plural}/merge",
    "/rest/metadata/objects",
    "/rest/metadata/apiKeys",
    "/rest/metadata/webhooks",
    "/rest/open-api/core",
    "/rest/open-api/metadata",
    "/graphql/schema.graphql",
    "/metadata/schema.graphql",
    "/docs",
    "/playground",
)
HANDLERS = ("on_main_table_change", "on_webhook_delivery")

_SCRIPT = """
import gc, json, sys
import app
print(json.dumps({
    "collector": {"enabled": gc.isenabled(), "frozen": gc.get_freeze_count()},
    "modules": sorted(sys.modules),
    "import_order": list(sys.modules),
    "routes": sorted(app.app.routes),
    "handlers": sorted(source.name for source in app.app.event_sources),
}))
"""


def _import_app() -> dict[str, list[str]]:
    result = subprocess.run(
        [sys.executable, "-c", _SCRIPT], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def _is_lazy(module: str) -> bool:
    if module in ROUTE_MODULES:
        return False
    return any(module == prefix or module.startswith(prefix + ".") for prefix in LAZY)


def test_importing_the_app_registers_every_route_and_loads_no_module_it_can_defer():
    loaded = _import_app()
    early = [module for module in loaded["modules"] if _is_lazy(module)]
    assert early == [], (
        "imported by `import app` although no request needs them before its view runs "
        "(import them inside the view; `python -X importtime -c 'import app'` shows who "
        f"imports them): {early}"
    )
    assert set(ROUTE_MODULES) <= set(loaded["modules"])
    assert set(ROUTES) <= set(loaded["routes"])
    assert set(HANDLERS) <= set(loaded["handlers"])


def test_the_lazy_list_names_modules_that_exist():
    # A renamed module would otherwise leave its entry checking nothing.
    import importlib.util

    missing = [name for name in LAZY if importlib.util.find_spec(name) is None]
    assert missing == []


def test_importing_the_app_leaves_the_collector_running_with_the_imports_frozen():
    # app.py pauses the collector for its imports; a container left without it would never
    # reclaim the cycles its requests make.
    collector = _import_app()["collector"]
    assert collector["enabled"] is True
    # What the import built (modules, classes, the routes) sits out of the collector's passes.
    assert collector["frozen"] > 20_000


def test_importing_the_app_loads_the_heavy_third_parties_first_urllib3_before_botocore():
    # app.py's reason: imported from deep inside chalicelib's chain, urllib3's pattern
    # compilation crosses the interpreter's frame-stack chunks thousands of times (CPython 3.11).
    order = _import_app()["import_order"]
    first_own = min(order.index(name) for name in order if name.startswith("chalicelib"))
    assert order.index("urllib3") < order.index("botocore") < first_own
    assert order.index("pynamodb.models") < first_own
