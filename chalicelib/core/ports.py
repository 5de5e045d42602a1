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
    # A destroyed record's tombstone: invisible to every read, used only to place a cursor.
    destroyed: bool = False

    def shaped(self) -> dict[str, Any]:
        """The stored body with the values kept outside it (id, deletedAt) put back."""
        return {**self.body, "id": self.id, "deletedAt": self.deleted_at}


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

    def scan(
        self, workspace_id: str, object_id: str, *, include_deleted: bool, max_items: int
    ) -> tuple[list[StoredRecord], bool]: ...

    def locate(self, workspace_id: str, object_id: str, record_id: str) -> StoredRecord | None: ...

    def get_across(
        self, workspace_id: str, refs: list[tuple[str, str]]
    ) -> dict[tuple[str, str], StoredRecord]: ...

    def count_live(self, workspace_id: str, object_id: str) -> int: ...

    def count_live_many(self, workspace_id: str, object_ids: list[str]) -> dict[str, int]: ...

    def cursor_neighbourhood(
        self, workspace_id: str, object_id: str, record_id: str, *, forward: bool
    ) -> tuple[bool, bool]: ...

    def index_page(
        self,
        workspace_id: str,
        object_id: str,
        slot: int,
        key_range: tuple[str, tuple[str, ...]],
        *,
        forward: bool,
        start_after: tuple[str, str] | None,
        limit: int,
    ) -> tuple[list[tuple[str, str]], tuple[str, str] | None]: ...

    def index_count(
        self,
        workspace_id: str,
        object_id: str,
        slot: int,
        key_range: tuple[str, tuple[str, ...]],
        *,
        max_items: int,
    ) -> int | None: ...

    def unique_owners(
        self, workspace_id: str, object_id: str, claims: list[tuple[str, str]]
    ) -> dict[tuple[str, str], str]: ...

    def execute(self, workspace_id: str, plan: Plan) -> None: ...
