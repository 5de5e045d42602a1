"""What the core needs from storage, as Protocols; storage/ implements them, tests may fake them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from chalicelib.core.plan import Plan


@dataclass(frozen=True, slots=True)
class StoredRecord:
    id: str
    body: dict[str, Any]
    version: int
    deleted_at: str | None = None


@dataclass(frozen=True, slots=True)
class RecordPage:
    """Records in the order asked for, and whether more matched beyond the last one."""

    records: list[StoredRecord]
    has_more: bool


class RecordStore(Protocol):
    def get(self, workspace_id: str, object_id: str, record_id: str) -> StoredRecord | None: ...

    def get_many(
        self, workspace_id: str, object_id: str, record_ids: list[str]
    ) -> dict[str, StoredRecord]: ...

    def page(
        self,
        workspace_id: str,
        object_id: str,
        *,
        after: str | None,
        before: str | None,
        limit: int,
    ) -> RecordPage: ...

    def count_live(self, workspace_id: str, object_id: str) -> int: ...

    def unique_owners(
        self, workspace_id: str, object_id: str, claims: list[tuple[str, str]]
    ) -> dict[tuple[str, str], str]: ...

    def execute(self, workspace_id: str, plan: Plan) -> None: ...
