"""Commands on many records at once (GraphQL's `...Many` mutations, duplicates, nested lists).

Separate from `commands.py` so that a cold start, which needs only the single-record commands
of REST, does not define these classes too; the GraphQL adapter loads them on first use.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chalicelib.metadata.model import ObjectDef, WorkspaceModel

if TYPE_CHECKING:
    from chalicelib.core.filters import Filter, SortKey


@dataclass(frozen=True, slots=True)
class Selection:
    """The records a many-record command acts on: those with the given ids, or those matching a
    raw filter (None matches every record in the command's scope)."""

    filter: Filter | None = None
    ids: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class UpdateRecords:
    object: ObjectDef
    selection: Selection
    changes: Any


@dataclass(frozen=True, slots=True)
class RemoveRecords:
    """Soft delete (live records only) or destroy (live and soft-deleted) many records."""

    object: ObjectDef
    selection: Selection
    soft: bool
    model: WorkspaceModel | None = None


@dataclass(frozen=True, slots=True)
class RestoreRecords:
    object: ObjectDef
    selection: Selection


@dataclass(frozen=True, slots=True)
class FindDuplicates:
    """Existing records that look like each given record (by id) or each input record."""

    object: ObjectDef
    ids: tuple[str, ...] = ()
    inputs: tuple[Any, ...] = ()
    # depth 1 embeds the relations of the duplicates found (REST), as a list's depth does.
    depth: int = 0
    model: WorkspaceModel | None = None
    # Aggregate fields of each entry's connection, over all its matches (GraphQL selects them).
    aggregates: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ListChildren:
    """One ONE_TO_MANY relation field of many parents, each parent paged on its own."""

    model: WorkspaceModel
    object: ObjectDef
    field_name: str
    parent_ids: tuple[str, ...]
    limit: int
    after: str | None = None
    before: str | None = None
    filter: Filter | None = None
    order_by: tuple[SortKey, ...] = ()
    offset: int = 0
    # The output keys the caller shows (GraphQL's selection), None for all (REST).
    columns: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class AggregateChildren:
    """Aggregates of one ONE_TO_MANY relation field of many parents, each parent on its own,
    over all the children matching a raw filter (core/nested_aggregates.py)."""

    model: WorkspaceModel
    object: ObjectDef
    field_name: str
    parent_ids: tuple[str, ...]
    aggregates: tuple[str, ...]
    filter: Filter | None = None


@dataclass(frozen=True, slots=True)
class MergeRecords:
    """Merge 2 to 9 records into the one at `conflict_priority_index` (core/merge.py); a dry
    run answers the would-be survivor and writes nothing."""

    object: ObjectDef
    ids: tuple[str, ...]
    conflict_priority_index: int
    # Relations pointing at the merged records move to the survivor: the model names them.
    model: WorkspaceModel
    dry_run: bool = False
    depth: int = 0
