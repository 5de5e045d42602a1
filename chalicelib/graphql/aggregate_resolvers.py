"""Resolvers of the aggregate fields of connections and of `<plural>GroupBy`.

Aggregates are computed only when selected: the selection set of the connection field (its
fragments included) names them, and one core call computes all of them in one read
(`RecordService.aggregate`); on a nested one-to-many connection, one call for every parent of
the page (`RecordService.aggregate_children`); on `...Duplicates` connections, with the search.
A groupBy reads its records once (`RecordService.group_by`); its groups' edges are filled only
when `edges` is selected (at most 10 records a group, Twenty's RECORDS_PER_GROUP_LIMIT),
as nodes of one sibling group so relations load once for all.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLResolveInfo,
    InlineFragmentNode,
    SelectionSetNode,
)

from chalicelib.core.aggregates import TOTAL_COUNT, AggregateRecords, available_aggregates
from chalicelib.core.cursors import encode_cursor, sort_binding
from chalicelib.core.group_by import DEFAULT_GROUP_LIMIT, RECORDS_PER_GROUP, Group, GroupRecords
from chalicelib.core.many_commands import AggregateChildren
from chalicelib.errors import InvalidQueryParamError
from chalicelib.graphql.arguments import to_filter, to_order
from chalicelib.graphql.loading import RecordNode, Siblings, nodes_of
from chalicelib.metadata.model import FieldDef, ObjectDef

Resolver = Callable[..., Any]


def selected_names(info: GraphQLResolveInfo) -> list[str]:
    """The field names selected directly under the resolved field (through fragments too)."""
    names: list[str] = []
    for node in info.field_nodes:
        _collect(node.selection_set, info, names, set())
    return names


def _collect(
    selection_set: SelectionSetNode | None,
    info: GraphQLResolveInfo,
    names: list[str],
    seen: set[str],
) -> None:
    for selection in selection_set.selections if selection_set else ():
        if isinstance(selection, FieldNode):
            names.append(selection.name.value)
        elif isinstance(selection, InlineFragmentNode):
            _collect(selection.selection_set, info, names, seen)
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
            seen.add(selection.name.value)
            fragment = info.fragments.get(selection.name.value)
            _collect(fragment.selection_set if fragment else None, info, names, seen)


def _aggregates_of(info: GraphQLResolveInfo, available: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(
        dict.fromkeys(n for n in selected_names(info) if n in available and n != TOTAL_COUNT)
    )


def with_aggregates(resolve: Resolver, obj: ObjectDef) -> Resolver:
    """A findMany resolver whose connection also carries its selected aggregate fields."""
    available = available_aggregates(obj)

    def resolve_with_aggregates(root: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
        connection = resolve(root, info, **args)
        names = _aggregates_of(info, available)
        if names:
            call = info.context
            query = AggregateRecords(obj, names, to_filter(args.get("filter")))
            connection.update(call.service.aggregate(call.ctx, query))
        return connection

    return resolve_with_aggregates


def with_nested_aggregates(resolve: Resolver, obj: ObjectDef, field: FieldDef) -> Resolver:
    """A ONE_TO_MANY field's resolver whose connection also carries its selected aggregates:
    over all of each parent's children matching the field's filter, computed for the parent's
    whole sibling group by one core call (core/nested_aggregates.py), only when selected."""
    target_id = field.relation.target_object_id  # type: ignore[union-attr]

    def load(info: GraphQLResolveInfo, nodes: list[RecordNode], args: Any) -> dict[str, Any]:
        call = info.context
        target = call.model.by_id.get(target_id)
        names = _aggregates_of(info, available_aggregates(target)) if target else ()
        if not names:
            return {}  # none selected: no call at all
        parents = tuple(node["id"] for node in nodes)
        raw_filter = to_filter(args.get("filter"))
        query = AggregateChildren(call.model, obj, field.name, parents, names, raw_filter)
        return call.service.aggregate_children(call.ctx, query)

    def resolve_with_aggregates(node: RecordNode, info: GraphQLResolveInfo, **args: Any) -> Any:
        connection = resolve(node, info, **args)
        # The field nodes (an alias, its selection and arguments) are shared by every parent
        # of the group: the first parent to resolve computes the aggregates of all of them.
        key = ("o2m-aggregates", field.name, *(str(id(n)) for n in info.field_nodes))
        loaded = node.group.load(key, lambda nodes: load(info, nodes, args))
        return {**connection, **loaded[node["id"]]} if loaded else connection

    return resolve_with_aggregates


def duplicate_aggregate_names(info: GraphQLResolveInfo, obj: ObjectDef) -> tuple[str, ...]:
    """The aggregate fields selected on each `...Duplicates` connection."""
    return _aggregates_of(info, available_aggregates(obj))


def group_by_resolver(obj: ObjectDef) -> Resolver:
    """`<plural>GroupBy(groupBy, filter, orderBy, orderByForRecords, viewId, limit,
    offsetForRecords)`: a list of group connections."""
    available = available_aggregates(obj)

    def resolve(_root: Any, info: GraphQLResolveInfo, **args: Any) -> list[dict[str, Any]]:
        call = info.context
        if args.get("viewId") is not None:
            raise InvalidQueryParamError("viewId is not supported: this server keeps no views")
        with_edges = "edges" in selected_names(info)
        limit = args.get("limit")
        order = to_order(args.get("orderByForRecords"))
        query = GroupRecords(
            obj,
            args["groupBy"],
            filter=to_filter(args.get("filter")),
            order_by=args.get("orderBy"),
            aggregates=_aggregates_of(info, available),
            limit=DEFAULT_GROUP_LIMIT if limit is None else min(limit, call.page_max),
            records_per_group=RECORDS_PER_GROUP if with_edges else 0,
            order_by_for_records=order,
            records_offset=args.get("offsetForRecords") or 0,
        )
        groups = call.service.group_by(call.ctx, query)
        tag = sort_binding(call.ctx.workspace_id, obj.id, order)
        siblings = Siblings()
        shown_before = query.records_offset
        return [_group_connection(group, siblings, tag, shown_before) for group in groups]

    return resolve


def _group_connection(group: Group, siblings: Siblings, tag: str, offset: int) -> dict[str, Any]:
    nodes = nodes_of(group.records, siblings)
    edges = [{"node": node, "cursor": encode_cursor(tag, node["id"])} for node in nodes]
    return {
        "groupByDimensionValues": group.dimension_values,
        **group.aggregates,
        "edges": edges,
        "pageInfo": {
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
            "hasNextPage": group.total > offset + len(edges),
            "hasPreviousPage": offset > 0 and group.total > 0,
        },
    }
