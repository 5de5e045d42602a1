"""Who is asking and when: built by the adapters, read by the core."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime


def utc_now_iso() -> str:
    """Current time in Twenty's timestamp form: ISO 8601, UTC, milliseconds, `Z`."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


# API-key scopes (beyond Twenty): what a key may reach. auth/scopes.py enforces them.
SCOPE_FULL = "full"
SCOPE_READ = "read"  # core reads only: REST GET and GraphQL queries on /graphql
SCOPE_METADATA = "metadata"  # the metadata APIs only (REST /rest/metadata/..., POST /metadata)
SCOPES = (SCOPE_FULL, SCOPE_READ, SCOPE_METADATA)


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller: an API key of exactly one workspace."""

    workspace_id: str
    key_id: str
    key_name: str
    scope: str = SCOPE_FULL


@dataclass(frozen=True, slots=True)
class RequestContext:
    principal: Principal
    now: str

    @property
    def workspace_id(self) -> str:
        return self.principal.workspace_id

    def actor(self) -> dict[str, object]:
        """The ACTOR value for createdBy/updatedBy: source API, named after the key."""
        return {
            "source": "API",
            "name": self.principal.key_name,
            "workspaceMemberId": None,
            "context": {},
        }
