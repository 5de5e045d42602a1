"""Record commands and queries: what an adapter asks the core to do, as plain values."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from chalicelib.metadata.model import ObjectDef, WorkspaceModel

if TYPE_CHECKING:  # the filter model loads with the query engine, on a list's first use
    from chalicelib.core.filters import Filter, SortKey


@dataclass(frozen=True, slots=True)
class CreateRecords:
    object: ObjectDef
    inputs: tuple[Any, ...]
    upsert: bool = False


@dataclass(frozen=True, slots=True)
class UpdateRecord:
    object: ObjectDef
    record_id: str
    changes: Any


@dataclass(frozen=True, slots=True)
class RemoveRecord:
    """Soft delete (sets deletedAt) or destroy (removes the item for good)."""

    object: ObjectDef
    record_id: str
    soft: bool
    # A destroy applies the onDelete of relations pointing at the record (core/referential.py),
    # which the whole model tells.
    model: WorkspaceModel | None = None


@dataclass(frozen=True, slots=True)
class RestoreRecord:
    object: ObjectDef
    record_id: str


@dataclass(frozen=True, slots=True)
class GetRecord:
    object: ObjectDef
    record_id: str
    # depth 1 embeds relations; the model resolves their target objects.
    depth: int = 0
    model: WorkspaceModel | None = None


@dataclass(frozen=True, slots=True)
class ListRecords:
    object: ObjectDef
    limit: int
    after: str | None = None
    before: str | None = None
    # Raw (unvalidated) filter and sort as parsed by an adapter; the core validates them.
    filter: Filter | None = None
    order_by: tuple[SortKey, ...] = ()
    depth: int = 0
    model: WorkspaceModel | None = None
    # Matching records skipped before the page, in the direction of paging (core/offsets.py).
    offset: int = 0
    # The output keys the caller shows (GraphQL's selection), None for all (REST).
    columns: frozenset[str] | None = None
    # Whether the caller shows the total (GraphQL: `totalCount` selected). Not shown, a plain
    # page does not read its object's counter, and the page's total is 0.
    count: bool = True


@dataclass(frozen=True, slots=True)
class Page:
    records: list[dict[str, Any]]
    total_count: int
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None
    # Aggregate fields computed along with the page when asked (a duplicate search's entries).
    aggregates: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(
        cls, records: list[dict[str, Any]], total: int, has_next: bool, has_previous: bool
    ) -> Page:
        """A page whose cursors are the ids of its first and last records."""
        return cls(
            records=records,
            total_count=total,
            has_next_page=has_next,
            has_previous_page=has_previous,
            start_cursor=records[0]["id"] if records else None,
            end_cursor=records[-1]["id"] if records else None,
        )


@dataclass(frozen=True, slots=True)
class RecordOutcome:
    """A written or read record as clients see it, plus whether a create was an upsert-update."""

    record: dict[str, Any]
    created: bool = True
