"""ONE_TO_MANY relations of many parents at once: one read of the target, one page per parent.

GraphQL asks `companies { edges { node { people(first: 5, filter: ...) { ... } } } }`; the
people of every company on the page come from one read of the people (bounded by the scan cap,
else concurrent join-column index Queries as for REST depth=1), then each company's people are
filtered, sorted and paged by the in-memory engine. The requests do not grow with the parents.
"""

from __future__ import annotations

from collections import defaultdict

from chalicelib.core.commands import Page
from chalicelib.core.listing import list_in_memory, prepare, within_budget
from chalicelib.core.many_commands import ListChildren
from chalicelib.core.offsets import skip, widened_limit
from chalicelib.core.ports import RecordStore, StoredRecord
from chalicelib.core.preloaded import PreloadedRecords
from chalicelib.core.query_validation import filter_mentions
from chalicelib.core.relations import inverse_of, read_children
from chalicelib.metadata.model import RelationType

_EMPTY = Page.of([], 0, False, False)


def list_children(
    store: RecordStore, workspace_id: str, query: ListChildren, cap: int
) -> dict[str, Page]:
    """A page of related records for each parent id of `query`."""
    field = query.object.by_name.get(query.field_name)
    relation = field.relation if field is not None else None
    inverse = None
    if field is not None and relation is not None and relation.type is RelationType.ONE_TO_MANY:
        inverse = inverse_of(query.model, field)
    if inverse is None or not query.parent_ids:
        return {parent: _EMPTY for parent in query.parent_ids}
    target, column = inverse
    limit = widened_limit(query.limit, query.offset, cap)
    spec = prepare(target, limit, query.after, query.before, query.filter, query.order_by)
    include_deleted = filter_mentions(spec.filter, "deletedAt")
    stored = read_children(
        store, workspace_id, target, column, list(query.parent_ids), cap,
        include_deleted=include_deleted,
    )  # fmt: skip
    groups: dict[str, list[StoredRecord]] = defaultdict(list)
    for record in stored:
        groups[record.body.get(column) or ""].append(record)
    pages = {}
    for parent in dict.fromkeys(query.parent_ids):
        view = PreloadedRecords(store, groups.get(parent, []))
        window = list_in_memory(view, workspace_id, spec, cap)  # type: ignore[arg-type]
        window = skip(window, query.offset, backward=spec.before is not None)
        # Each parent's page is cut to what the response still carries, parent by parent.
        window = within_budget(window, backward=spec.before is not None)
        pages[parent] = Page.of(window.records, window.total, window.has_next, window.has_previous)
    return pages
