"""Resolvers: GraphQL arguments to the core commands and queries REST uses, results to nodes.

No business rule lives here: validation, limits, upsert, soft delete and relation loading are
the core's. This module only translates arguments, batches relation loads per sibling group
(`loading.py`) and shapes connections with opaque cursors.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLResolveInfo

from chalicelib.context import RequestContext
from chalicelib.core.commands import (
    CreateRecords,
    GetRecord,
    ListRecords,
    Page,
    RestoreRecord,
    UpdateRecord,
)
from chalicelib.core.cursors import encode_cursor
from chalicelib.core.many_commands import (
    FindDuplicates,
    ListChildren,
    MergeRecords,
    RemoveRecords,
    RestoreRecords,
    Selection,
    UpdateRecords,
)
from chalicelib.core.partial_batch import PartialResult
from chalicelib.core.records import RecordService
from chalicelib.errors import RecordNotFoundError
from chalicelib.graphql.aggregate_resolvers import (
    duplicate_aggregate_names,
    group_by_resolver,
    with_aggregates,
    with_nested_aggregates,
)
from chalicelib.graphql.arguments import PageArgs, page_args, to_filter
from chalicelib.graphql.fast_execution import repeatable
from chalicelib.graphql.loading import RecordNode, Siblings, nodes_of
from chalicelib.graphql.selections import node_columns, selects_cursors, selects_total
from chalicelib.metadata.model import FieldDef, ObjectDef, RelationType, WorkspaceModel

Args = Mapping[str, Any]

_QUERY_HANDLERS = {
    "findOne": "_find_one",
}


@dataclass(frozen=True, slots=True)
class CoreCall:
    """`info.context` of a core GraphQL request."""

    ctx: RequestContext
    model: WorkspaceModel
    service: RecordService
    page_default: int
    page_max: int


def connection(
    page: Page, nodes: list[RecordNode], paging: PageArgs, *, cursors: bool = True
) -> dict[str, Any]:
    """A `XConnection` value: edges with cursors of this list, pageInfo, totalCount. Without
    `cursors` (none selected, graphql/selections.py) the edges carry their nodes only."""
    has_next, has_previous = page.has_next_page, page.has_previous_page
    if paging.reverse:
        nodes = nodes[::-1]
        has_next, has_previous = has_previous, has_next
    if cursors:
        edges = [
            {"node": node, "cursor": encode_cursor(paging.cursor_tag, node["id"])} for node in nodes
        ]
    else:
        edges = [{"node": node} for node in nodes]
    return {
        "edges": edges,
        "pageInfo": {
            "startCursor": edges[0]["cursor"] if edges and cursors else None,
            "endCursor": edges[-1]["cursor"] if edges and cursors else None,
            "hasNextPage": has_next,
            "hasPreviousPage": has_previous,
        },
        "totalCount": page.total_count,
    }


def _node(record: dict[str, Any]) -> RecordNode:
    return nodes_of([record])[0]


def _partial_items(result: PartialResult) -> list[Any]:
    """One entry per input: the record's node, or the refusal the executor turns into a null
    item and its error (graphql/partial_items.py)."""
    from chalicelib.graphql.partial_items import RefusedItem

    written = iter(nodes_of(o.record for o in result.outcomes if o is not None))
    refused = {item.index: RefusedItem(item) for item in result.errors}
    return [next(written) if o is not None else refused[i] for i, o in enumerate(result.outcomes)]


def _is_id_lookup(filter: Args) -> str | None:
    """The id of `{id: {eq: X}}`, which is served by one GetItem."""
    if set(filter) == {"id"} and isinstance(filter["id"], Mapping) and set(filter["id"]) == {"eq"}:
        return filter["id"]["eq"]
    return None


class CoreResolvers:
    """The resolvers of the core schema (implements core_schema.resolving.Resolvers)."""

    def root(self, verb: str, obj: ObjectDef, *, many: bool) -> Callable[..., Any]:
        if verb == "groupBy":
            return group_by_resolver(obj)
        if verb == "changes":  # delta sync, beyond Twenty
            from chalicelib.graphql.changes_resolvers import changes_resolver

            return changes_resolver(obj)
        if verb == "findDuplicates":  # each entry's connection carries its selected aggregates
            return lambda _root, info, **args: self._find_duplicates(
                obj, info.context, args, duplicate_aggregate_names(info, obj)
            )
        if verb == "findMany":
            # A list's connection carries the aggregate fields its selection names.
            return with_aggregates(
                lambda _root, info, **args: self._find_many(obj, info.context, args, info), obj
            )
        name = _QUERY_HANDLERS.get(verb) or f"_{verb}_{'many' if many else 'one'}"
        handler = getattr(self, name)

        def resolve(_root: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
            return handler(obj, info.context, args)

        return resolve

    def relation(self, obj: ObjectDef, field: FieldDef) -> Callable[..., Any]:
        # Both load once for the record's whole sibling group: asking again costs nothing.
        assert field.relation is not None
        if field.relation.type is RelationType.MANY_TO_ONE:
            return repeatable(_many_to_one(field))
        return repeatable(with_nested_aggregates(_one_to_many(obj, field), obj, field))

    # -- queries

    def _find_many(
        self, obj: ObjectDef, call: CoreCall, args: Args, info: GraphQLResolveInfo
    ) -> dict[str, Any]:
        paging = page_args(args, call.ctx.workspace_id, obj.id, call.page_default, call.page_max)
        columns = node_columns(info, obj)
        # Not selected, the total is not read (a plain page then makes one Query and no more).
        query = ListRecords(
            obj, paging.limit, **_window(paging, args), columns=columns, count=selects_total(info)
        )
        page = call.service.list(call.ctx, query)
        return connection(page, nodes_of(page.records), paging, cursors=selects_cursors(info))

    def _find_one(self, obj: ObjectDef, call: CoreCall, args: Args) -> RecordNode:
        record_id = _is_id_lookup(args["filter"])
        if record_id is not None:
            return _node(call.service.get(call.ctx, GetRecord(obj, record_id)).record)
        page = call.service.list(call.ctx, ListRecords(obj, 1, filter=to_filter(args["filter"])))
        if not page.records:
            raise RecordNotFoundError()
        return _node(page.records[0])

    def _find_duplicates(
        self, obj: ObjectDef, call: CoreCall, args: Args, aggregates: tuple[str, ...] = ()
    ) -> list[Any]:
        ids, data = tuple(args.get("ids") or ()), tuple(args.get("data") or ())
        query = FindDuplicates(obj, ids, data, aggregates=aggregates)
        pages = call.service.find_duplicates(call.ctx, query)
        paging = page_args({}, call.ctx.workspace_id, obj.id, call.page_default, call.page_max)
        group = Siblings()
        return [
            {**connection(page, nodes_of(page.records, group), paging), **page.aggregates}
            for page in pages
        ]

    # -- mutations

    def _create_one(self, obj: ObjectDef, call: CoreCall, args: Args) -> RecordNode:
        return self._create_many(obj, call, {**args, "data": [args["data"]]})[0]

    def _create_many(self, obj: ObjectDef, call: CoreCall, args: Args) -> list[Any]:
        command = CreateRecords(obj, tuple(args["data"]), upsert=bool(args.get("upsert")))
        if args.get("partial"):
            return _partial_items(call.service.create_partial(call.ctx, command))
        return nodes_of(outcome.record for outcome in call.service.create(call.ctx, command))

    def _update_one(self, obj: ObjectDef, call: CoreCall, args: Args) -> RecordNode:
        outcome = call.service.update(call.ctx, UpdateRecord(obj, args["id"], args["data"]))
        return _node(outcome.record)

    def _update_many(self, obj: ObjectDef, call: CoreCall, args: Args) -> list[RecordNode]:
        command = UpdateRecords(obj, _by_filter(args), args["data"])
        return nodes_of(o.record for o in call.service.update_many(call.ctx, command))

    def _delete_one(self, obj: ObjectDef, call: CoreCall, args: Args) -> RecordNode:
        return self._remove(obj, call, Selection(ids=(args["id"],)), soft=True)[0]

    def _delete_many(self, obj: ObjectDef, call: CoreCall, args: Args) -> list[RecordNode]:
        return self._remove(obj, call, _by_filter(args), soft=True)

    def _destroy_one(self, obj: ObjectDef, call: CoreCall, args: Args) -> RecordNode:
        return self._remove(obj, call, Selection(ids=(args["id"],)), soft=False)[0]

    def _destroy_many(self, obj: ObjectDef, call: CoreCall, args: Args) -> list[RecordNode]:
        return self._remove(obj, call, _by_filter(args), soft=False)

    def _restore_one(self, obj: ObjectDef, call: CoreCall, args: Args) -> RecordNode:
        return _node(call.service.restore(call.ctx, RestoreRecord(obj, args["id"])).record)

    def _restore_many(self, obj: ObjectDef, call: CoreCall, args: Args) -> list[RecordNode]:
        outcomes = call.service.restore_many(call.ctx, RestoreRecords(obj, _by_filter(args)))
        return nodes_of(outcome.record for outcome in outcomes)

    def _merge_many(self, obj: ObjectDef, call: CoreCall, args: Args) -> RecordNode:
        command = MergeRecords(
            obj,
            tuple(record_id.lower() for record_id in args["ids"]),
            args["conflictPriorityIndex"],
            call.model,
            dry_run=bool(args.get("dryRun")),
        )
        return _node(call.service.merge(call.ctx, command).record)

    def _remove(
        self, obj: ObjectDef, call: CoreCall, selection: Selection, *, soft: bool
    ) -> list[RecordNode]:
        outcomes = call.service.remove_many(
            call.ctx, RemoveRecords(obj, selection, soft=soft, model=call.model)
        )
        return nodes_of(outcome.record for outcome in outcomes)


def _window(paging: PageArgs, args: Args) -> dict[str, Any]:
    """The cursor, filter and sort arguments of a list or nested connection query."""
    return {
        "after": paging.after,
        "before": paging.before,
        "filter": to_filter(args.get("filter")),
        "order_by": paging.order_by,
        "offset": args.get("offset") or 0,
    }


def _by_filter(args: Args) -> Selection:
    return Selection(filter=to_filter(args.get("filter")))


def _many_to_one(field: FieldDef) -> Callable[..., Any]:
    column, target = field.join_column or "", field.relation.target_object_id  # type: ignore[union-attr]

    def load(call: CoreCall, nodes: list[RecordNode]) -> dict[str, RecordNode]:
        refs = [(target, node[column]) for node in nodes if node.get(column)]
        found = call.service.get_targets(call.ctx, call.model, refs)
        group = Siblings()
        return {record_id: RecordNode(record, group) for (_, record_id), record in found.items()}

    def resolve(node: RecordNode, info: GraphQLResolveInfo) -> RecordNode | None:
        if not node.get(column):
            return None
        loaded = node.group.load(("m2o", field.name), lambda nodes: load(info.context, nodes))
        return loaded.get(node[column])

    return resolve


def _one_to_many(obj: ObjectDef, field: FieldDef) -> Callable[..., Any]:
    target_id = field.relation.target_object_id  # type: ignore[union-attr]

    def load(call: CoreCall, nodes: list[RecordNode], args: Args, reads: _Reads) -> dict[str, Any]:
        paging = page_args(args, call.ctx.workspace_id, target_id, call.page_default, call.page_max)
        parents = tuple(node["id"] for node in nodes)
        window = _window(paging, args)
        query = ListChildren(
            call.model, obj, field.name, parents, paging.limit, **window, columns=reads.columns
        )
        pages = call.service.list_children(call.ctx, query)
        group = Siblings()
        return {
            parent: connection(page, nodes_of(page.records, group), paging, cursors=reads.cursors)
            for parent, page in pages.items()
        }

    def reads_of(info: GraphQLResolveInfo) -> _Reads:
        target = info.context.model.by_id.get(target_id)
        columns = None if target is None else node_columns(info, target)
        return _Reads(selects_cursors(info), columns)

    def prepared(info: GraphQLResolveInfo, args: Args) -> tuple[_Reads, tuple[str, ...]]:
        reads = reads_of(info)
        # Aliases with the same arguments share one load when they read the same.
        return reads, ("o2m", field.name, json.dumps(args, sort_keys=True, default=str), reads.key)

    def resolve(node: RecordNode, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
        # What the selection reads and the key of its load, worked out once per sibling group
        # and selection (its arguments are the same for every node of the group; the document
        # outlives the group: the ids of its nodes are not reused meanwhile).
        selection = ("o2m-reads", *(str(id(n)) for n in info.field_nodes))
        reads, key = node.group.load(selection, lambda _nodes: prepared(info, args))
        loaded = node.group.load(key, lambda nodes: load(info.context, nodes, args, reads))
        return loaded[node["id"]]

    return resolve


@dataclass(frozen=True, slots=True)
class _Reads:
    """What a nested connection's selection reads (graphql/selections.py)."""

    cursors: bool
    columns: frozenset[str] | None  # None: every column

    @property
    def key(self) -> str:
        shown = "*" if self.columns is None else ",".join(sorted(self.columns))
        return f"{self.cursors}:{shown}"
