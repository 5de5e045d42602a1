"""The two OpenAPI 3.1 documents: REST core (per workspace model) and REST metadata.

Without a valid key both are the base document (info, servers, security and the document's own
path), as Twenty answers.
"""

from __future__ import annotations

from typing import Any, Literal

from chalicelib.metadata.model import WorkspaceModel
from chalicelib.openapi import core_paths, envelopes, records, webhook_events
from chalicelib.openapi.error_responses import error_response_components
from chalicelib.openapi.parameters import core_parameters

Kind = Literal["core", "metadata"]
OPENAPI_VERSION = "3.1.0"
API_VERSION = "v0.1"

_DESCRIPTIONS = {
    "core": "The records of this workspace's own data model: one path per object, named "
    "after it, standard and custom objects alike.",
    "metadata": "The workspace's data model (objects and fields), its API keys and its webhooks.",
}


def server_url(base_url: str, kind: Kind) -> str:
    """`<base>/rest` (core) or `<base>/rest/metadata` (metadata)."""
    return f"{base_url}/rest" if kind == "core" else f"{base_url}/rest/metadata"


def base_document(kind: Kind, base_url: str) -> dict[str, Any]:
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": f"Twenty-compatible CRM API: REST {kind}",
            "description": _DESCRIPTIONS[kind]
            + " Authenticate with `Authorization: Bearer <API key>`.",
            "version": API_VERSION,
        },
        "servers": [{"url": server_url(base_url, kind)}],
        "security": [{"bearerAuth": []}],
        "tags": [{"name": "General"}],
        "paths": {f"/open-api/{kind}": _self_path(kind, base_url)},
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An API key of the workspace: `Authorization: Bearer <key>`",
                }
            },
            "schemas": {},
            "responses": error_response_components(),
        },
    }


def _self_path(kind: Kind, base_url: str) -> dict[str, Any]:
    """The route serving this very document (one level above the metadata server URL)."""
    return {
        "get": {
            "tags": ["General"],
            "summary": "Get this OpenAPI document",
            "operationId": f"get{kind.capitalize()}OpenApiDocument",
            "description": "With a valid key: the document of the key's workspace; without "
            "one: the base document, without the workspace's routes",
            "servers": [{"url": f"{base_url}/rest"}],
            "security": [{}, {"bearerAuth": []}],
            "responses": {
                "200": envelopes.json_content(
                    {
                        "type": "object",
                        "properties": {
                            "openapi": {"type": "string"},
                            "info": {"type": "object"},
                            "servers": {"type": "array", "items": {"type": "object"}},
                            "paths": {"type": "object"},
                        },
                        "required": ["openapi", "info", "servers", "paths"],
                    },
                    "The OpenAPI document",
                ),
                "503": {"$ref": "#/components/responses/503"},
            },
        }
    }


def core_document(model: WorkspaceModel, base_url: str) -> dict[str, Any]:
    """The REST core document of `model`: its active objects, sorted by plural name."""
    document = base_document("core", base_url)
    objects = sorted(model.by_plural.values(), key=lambda obj: obj.name_plural)
    for obj in objects:
        document["paths"].update(core_paths.object_paths(obj))
    document["tags"] += [
        {"name": obj.name_plural, "description": obj.description or obj.label_plural}
        for obj in objects
    ]
    document["webhooks"] = webhook_events.webhooks_section(objects)
    components = document["components"]
    components["schemas"].update(records.component_schemas(model))
    components["schemas"][envelopes.PAGE_INFO] = envelopes.page_info_schema()
    components["parameters"] = core_parameters()
    return document


def metadata_document(base_url: str) -> dict[str, Any]:
    """The REST metadata document: the same for every workspace."""
    from chalicelib.openapi import metadata_paths

    document = base_document("metadata", base_url)
    document["paths"].update(metadata_paths.paths())
    document["tags"] += metadata_paths.tags()
    components = document["components"]
    components["schemas"].update(metadata_paths.schemas())
    components["parameters"] = metadata_paths.parameters()
    return document
