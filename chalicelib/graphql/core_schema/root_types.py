"""Query and Mutation: the operations of reference 5.1-5.2 for every active object."""

from __future__ import annotations

from graphql import (
    GraphQLArgument,
    GraphQLBoolean,
    GraphQLField,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLString,
)

from chalicelib.graphql import scalars
from chalicelib.graphql.core_schema.group_by_types import group_by_args, group_by_connection
from chalicelib.graphql.core_schema.input_types import CREATE, UPDATE, filter_input, write_input
from chalicelib.graphql.core_schema.naming import operation_name, type_name
from chalicelib.graphql.core_schema.object_types import RecordTypes, connection_args
from chalicelib.graphql.core_schema.resolving import VERBS, Resolvers
from chalicelib.graphql.core_schema.type_store import TypeStore
from chalicelib.metadata.model import ObjectDef

# Beyond Twenty: per-item results of a batch create (graphql/partial_items.py).
PARTIAL_ARGUMENT = GraphQLArgument(
    GraphQLBoolean,
    default_value=False,
    description=(
        "Beyond Twenty. false (default): all records are written or none. true: every valid "
        "record is written and the list holds, in input order, the record or null for each "
        "refused input; each refusal adds an error with path [field, index] and extensions "
        "`index`, `code`, `subCode` (and `field` when it names one)."
    ),
)


def _nn(of: object) -> GraphQLNonNull:
    return GraphQLNonNull(of)  # type: ignore[arg-type]


def _nn_list(of: object) -> GraphQLNonNull:
    return _nn(GraphQLList(_nn(of)))


def query_fields(
    store: TypeStore, types: RecordTypes, resolvers: Resolvers, obj: ObjectDef
) -> dict[str, GraphQLField]:
    """`companies`, `company(filter)`, `companyDuplicates(ids, data)`, `companiesGroupBy`."""
    connection = types.connection(obj)
    return {
        operation_name("findMany", obj, many=True): GraphQLField(
            _nn(connection),
            connection_args(store, obj),
            resolve=resolvers.root("findMany", obj, many=True),
        ),
        operation_name("findOne", obj, many=False): GraphQLField(
            types.record(obj),
            {"filter": GraphQLArgument(_nn(filter_input(store, obj)))},
            resolve=resolvers.root("findOne", obj, many=False),
        ),
        operation_name("findDuplicates", obj, many=True): GraphQLField(
            _nn_list(connection),
            {
                "ids": GraphQLArgument(GraphQLList(_nn(scalars.UUID))),
                "data": GraphQLArgument(GraphQLList(_nn(write_input(store, obj, CREATE)))),
            },
            resolve=resolvers.root("findDuplicates", obj, many=True),
        ),
        # Twenty's groupBy: a list of group connections (core_schema/group_by_types.py).
        f"{obj.name_plural}GroupBy": GraphQLField(
            _nn_list(group_by_connection(store, obj, connection)),
            group_by_args(store, obj),
            resolve=resolvers.root("groupBy", obj, many=True),
        ),
        # Delta sync (beyond Twenty): the changes after a sync token, as GET /rest/changes/...
        f"{obj.name_plural}Changes": GraphQLField(
            _nn(_changes_page(store, types, obj)),
            {
                "since": GraphQLArgument(
                    GraphQLString, description="A nextSyncToken; none: a full first sync."
                ),
                "first": GraphQLArgument(GraphQLInt, description="Changes per page."),
            },
            resolve=resolvers.root("changes", obj, many=True),
        ),
    }


def _changes_page(store: TypeStore, types: RecordTypes, obj: ObjectDef) -> GraphQLObjectType:
    """`XChanges {changes: [XChange!]!, nextSyncToken, hasMore}`; `XChange {operation, id,
    record}` with `operation` created, updated, deleted, restored or destroyed (record null)."""
    change_name, page_name = type_name(obj, "Change"), type_name(obj, "Changes")
    change = store.get(
        change_name,
        lambda: GraphQLObjectType(
            change_name,
            lambda: {
                "operation": GraphQLField(_nn(GraphQLString)),
                "id": GraphQLField(_nn(scalars.UUID)),
                "record": GraphQLField(types.record(obj)),
            },
        ),
    )
    return store.get(
        page_name,
        lambda: GraphQLObjectType(
            page_name,
            lambda: {
                "changes": GraphQLField(_nn_list(change)),
                "nextSyncToken": GraphQLField(_nn(GraphQLString)),
                "hasMore": GraphQLField(_nn(GraphQLBoolean)),
            },
        ),
    )


def mutation_fields(
    store: TypeStore, types: RecordTypes, resolvers: Resolvers, obj: ObjectDef
) -> dict[str, GraphQLField]:
    """create/update/delete/destroy/restore, one (by id) and many (by filter), per object."""
    record = types.record(obj)
    create, update = write_input(store, obj, CREATE), write_input(store, obj, UPDATE)
    by_filter = {"filter": GraphQLArgument(_nn(filter_input(store, obj)))}
    by_id = {"id": GraphQLArgument(_nn(scalars.UUID))}
    upsert = GraphQLArgument(GraphQLBoolean)
    args: dict[tuple[str, bool], dict[str, GraphQLArgument]] = {
        ("create", False): {"data": GraphQLArgument(_nn(create)), "upsert": upsert},
        ("create", True): {
            "data": GraphQLArgument(_nn_list(create)),
            "upsert": upsert,
            "partial": PARTIAL_ARGUMENT,
        },
        ("update", False): {**by_id, "data": GraphQLArgument(_nn(update))},
        ("update", True): {"data": GraphQLArgument(_nn(update)), **by_filter},
    }
    fields = {}
    for verb in VERBS:
        for many in (False, True):
            fields[operation_name(verb, obj, many=many)] = GraphQLField(
                _nn_list(record) if many else record,
                args.get((verb, many), by_filter if many else by_id),
                resolve=resolvers.root(verb, obj, many=many),
            )
    # Twenty's mergeMany: merge<Plural>(ids, conflictPriorityIndex, dryRun) -> the survivor.
    fields[operation_name("merge", obj, many=True)] = GraphQLField(
        record,
        {
            "ids": GraphQLArgument(_nn_list(scalars.UUID)),
            "conflictPriorityIndex": GraphQLArgument(_nn(GraphQLInt)),
            "dryRun": GraphQLArgument(GraphQLBoolean),
        },
        resolve=resolvers.root("merge", obj, many=True),
    )
    return fields


def root_types(
    store: TypeStore, types: RecordTypes, resolvers: Resolvers, objects: list[ObjectDef]
) -> tuple[GraphQLObjectType, GraphQLObjectType]:
    """The Query and Mutation types over `objects`."""
    queries: dict[str, GraphQLField] = {}
    mutations: dict[str, GraphQLField] = {}
    for obj in objects:
        queries.update(query_fields(store, types, resolvers, obj))
        mutations.update(mutation_fields(store, types, resolvers, obj))
    return GraphQLObjectType("Query", queries), GraphQLObjectType("Mutation", mutations)
