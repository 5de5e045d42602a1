"""The bench's tenant: tables, a workspace, an API key, seeded companies and a test client.

Import only after ``bench.environment.configure()``: chalicelib reads table names at import.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from chalice.test import Client

from chalicelib.auth.api_keys import issue_key
from chalicelib.metadata.provisioning import create_workspace
from chalicelib.metadata.registry import load_model
from chalicelib.storage import keys
from chalicelib.storage.schema import ensure_tables

SEED_BATCH = 60  # the API's batch limit, so seeding takes two requests for 120 companies


@dataclass
class World:
    """Everything the cases share; record ids of the seeded companies in creation order."""

    client: Client
    workspace_id: str
    token: str
    object_ids: dict[str, str]  # plural name -> object metadata id
    company_ids: list[str] = field(default_factory=list)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}

    @property
    def key_hash(self) -> str:
        return keys.api_key_hash(self.token)

    def call(self, method: str, path: str, body: Any = None) -> Any:
        """An API call outside the measured loop; fails loudly on any error status."""
        payload = b"" if body is None else json.dumps(body).encode()
        response = self.client.http.request(method, path, headers=self.headers, body=payload)
        check(response, f"{method} {path}")
        return json.loads(response.body)


def check(response: Any, what: str) -> None:
    if not 200 <= response.status_code < 300:
        raise RuntimeError(f"{what} answered {response.status_code}: {response.body[:500]!r}")


def company_body(index: int) -> dict[str, Any]:
    # Distinct domains: domainName is unique, so every seeded company holds a guard item too.
    return {
        "name": f"Company {index}",
        "domainName": {"primaryLinkUrl": f"https://company-{index}.example.com"},
        "employees": 10 + index,
    }


def new_tenant(app: Any, name: str) -> World:
    """Tables (if missing), a workspace and an API key inside the active moto mock."""
    ensure_tables()
    workspace = create_workspace(name)
    issued = issue_key(workspace.id, f"{name} key")
    model = load_model(workspace.id)
    return World(
        client=Client(app),
        workspace_id=workspace.id,
        token=issued.token,
        object_ids={plural: obj.id for plural, obj in model.by_plural.items()},
    )


def build_world(app: Any, company_count: int) -> World:
    """Create the tables and tenant inside the active moto mock, then seed companies via the API."""
    world = new_tenant(app, "Bench")
    for start in range(0, company_count, SEED_BATCH):
        bodies = [company_body(i) for i in range(start, min(start + SEED_BATCH, company_count))]
        created = world.call("POST", "/rest/batch/companies", bodies)["data"]["createCompanies"]
        world.company_ids += [record["id"] for record in created]
    return world
