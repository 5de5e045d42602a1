"""RecordExecutor answers exactly as graphql-core's own executor, data and errors alike."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import (
    GraphQLArgument,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLString,
    execute_sync,
    parse,
)

from chalicelib.graphql import scalars
from chalicelib.graphql.fast_execution import RecordExecutor, repeatable

STAGE = GraphQLEnumType("Stage", {"OPEN": "OPEN", "WON": "WON"})
LINKS = GraphQLObjectType(
    "Links",
    {"primaryLinkUrl": GraphQLField(GraphQLString), "secondaryLinks": GraphQLField(GraphQLString)},
)
COMPANY = GraphQLObjectType(
    "Company",
    lambda: {
        "id": GraphQLField(GraphQLNonNull(scalars.UUID)),
        "name": GraphQLField(GraphQLString),
        "employees": GraphQLField(GraphQLInt),
        "stage": GraphQLField(STAGE),
        "stages": GraphQLField(GraphQLList(GraphQLNonNull(STAGE))),
        "tags": GraphQLField(GraphQLNonNull(GraphQLList(GraphQLString))),
        "createdAt": GraphQLField(scalars.DATE_TIME),
        "extra": GraphQLField(scalars.RAW_JSON),
        "domainName": GraphQLField(LINKS),
        "shout": GraphQLField(GraphQLString, resolve=lambda record, _info: record["name"].upper()),
        "label": GraphQLField(
            GraphQLString,
            {"prefix": GraphQLArgument(GraphQLString)},
            resolve=lambda record, _info, prefix="": prefix + str(record["name"]),
        ),
        "parent": GraphQLField(COMPANY, resolve=lambda record, _info: record.get("parentRecord")),
        # A relation as graphql/resolvers.py makes it: a repeatable resolver of a connection.
        "friends": GraphQLField(
            CONNECTION, {"first": GraphQLArgument(GraphQLInt)}, resolve=repeatable(_friends)
        ),
    },
)

# (path, arguments) of each call of the `friends` resolver
FRIEND_CALLS: list[tuple[list[Any], dict[str, Any]]] = []


def _friends(record: dict[str, Any], info: Any, first: int = 2) -> Any:
    FRIEND_CALLS.append((info.path.as_list(), {"first": first}))
    if record.get("name") == "Boom":
        raise ValueError("no friends")
    if first == 0:
        return page(edge(None))  # a null node: not plain, graphql-core reports it
    return page(*[edge(GOOD, f"f{i}") for i in range(first)])


GOOD = {
    "id": "0b3e6f1e-7a7b-4b8e-9d55-2d8f0c1a6f10",
    "name": "Acme",
    "employees": 120,
    "stage": "OPEN",
    "stages": ["OPEN", "WON"],
    "tags": ["b2b", None],
    "createdAt": "2026-12-07T10:30:00.000Z",
    "extra": {"nested": [1, 2]},
    "domainName": {"primaryLinkUrl": "https://acme.io", "secondaryLinks": None},
}
RECORDS: list[dict[str, Any]] = [
    GOOD,
    {**GOOD, "parentRecord": GOOD, "employees": None, "stage": None, "stages": None},
    {**GOOD, "id": None},  # null in a non-null field
    {**GOOD, "employees": "many"},  # a value the scalar refuses
    {**GOOD, "employees": 2**40},  # out of Int's range
    {**GOOD, "stage": "LOST"},  # not a value of the enum
    {**GOOD, "stages": ["OPEN", None]},  # null item in a list of non-null
    {**GOOD, "stages": ("OPEN",)},  # a tuple: graphql-core's own iterable rules
    {**GOOD, "tags": None},  # null for a non-null list
    {**GOOD, "name": lambda info: "called"},  # a callable value (the default resolver calls it)
    {**GOOD, "domainName": "not an object"},
    {k: v for k, v in GOOD.items() if k != "name"},  # missing key
]

# A connection as the resolvers build it: plain dicts of edges, nodes and pageInfo.
EDGE = GraphQLObjectType(
    "CompanyEdge",
    {
        "node": GraphQLField(GraphQLNonNull(COMPANY)),
        "cursor": GraphQLField(GraphQLNonNull(GraphQLString)),
    },
)
PAGE_INFO = GraphQLObjectType(
    "PageInfo",
    {
        "hasNextPage": GraphQLField(GraphQLNonNull(GraphQLBoolean)),
        "endCursor": GraphQLField(GraphQLString),
    },
)
CONNECTION = GraphQLObjectType(
    "CompanyConnection",
    {
        "edges": GraphQLField(GraphQLNonNull(GraphQLList(GraphQLNonNull(EDGE)))),
        "pageInfo": GraphQLField(GraphQLNonNull(PAGE_INFO)),
        "totalCount": GraphQLField(GraphQLNonNull(GraphQLInt)),
    },
)
CHECKED = GraphQLObjectType(
    "Checked",
    {"name": GraphQLField(GraphQLString)},
    is_type_of=lambda value, _info: "name" in value,
)


def page(*edges: Any, **changes: Any) -> dict[str, Any]:
    return {
        "edges": list(edges),
        "pageInfo": {"hasNextPage": True, "endCursor": "c9"},
        "totalCount": 7,
        **changes,
    }


def edge(record: Any, cursor: Any = "c1") -> dict[str, Any]:
    return {"node": record, "cursor": cursor}


CONNECTIONS: list[Any] = [
    page(edge(GOOD), edge(RECORDS[1], "c2")),
    page(),
    page(edge(GOOD), edge({**GOOD, "id": None})),  # a null deep in non-null types
    page(edge(GOOD), edge({**GOOD, "employees": "many"})),  # a nullable leaf refused
    page(edge({**GOOD, "domainName": "not an object"})),
    page(edge(GOOD), "not an edge"),
    page(edge(GOOD), ValueError("refused")),  # an exception in place of an item
    page(edge(None)),
    page(edge(GOOD, lambda info: "called")),
    page(edge(GOOD), edges=(edge(GOOD),)),  # a tuple: graphql-core's own iterable rules
    page(edge(GOOD), pageInfo=None),
    page(edge(GOOD), totalCount="many"),
    page(edge(GOOD), pageInfo={"endCursor": None}),  # a missing non-null flag
    None,
    "not a connection",
]

QUERY_TYPE = GraphQLObjectType(
    "Query",
    {
        "connections": GraphQLField(
            GraphQLList(CONNECTION),
            {"only": GraphQLArgument(GraphQLInt)},
            resolve=lambda _root, _info, only=None: (
                CONNECTIONS if only is None else [CONNECTIONS[only]]
            ),
        ),
        "checked": GraphQLField(
            GraphQLList(CHECKED), resolve=lambda _root, _info: [{"name": "a"}, {"other": 1}]
        ),
        "companies": GraphQLField(
            GraphQLList(COMPANY),
            {"only": GraphQLArgument(GraphQLInt)},
            resolve=lambda _root, _info, only=None: RECORDS if only is None else [RECORDS[only]],
        ),
    },
)
SCHEMA = GraphQLSchema(QUERY_TYPE)

QUERIES = [
    "{ companies { id name employees stage stages tags createdAt extra } }",
    "{ companies { a: name b: name employees n: employees __typename } }",
    "{ companies { domainName { primaryLinkUrl secondaryLinks __typename } shout } }",
    '{ companies { label(prefix: "x-") label2: label name } }',
    "{ companies { ...F parent { ...F parent { id } } } } fragment F on Company { id name stage }",
    "query($skip: Boolean!) { companies { name @skip(if: $skip) employees @include(if: $skip) } }",
    "{ companies(only: 0) { id name } }",
    "{ connections { totalCount pageInfo { hasNextPage endCursor } "
    "edges { cursor node { id name stage tags domainName { primaryLinkUrl } } } } }",
    "{ connections { __typename edges { __typename node { __typename id } } } }",
    "query($skip: Boolean!) { connections { e: edges { node { ...F } } "
    "edges { cursor @skip(if: $skip) node { employees n: name } } "
    "pageInfo @include(if: $skip) { hasNextPage } } } fragment F on Company { id name }",
    "{ connections { edges { node { ... on Company { id } ...F } } } } "
    "fragment F on Company { stage domainName { secondaryLinks } }",
    '{ connections { edges { node { id shout label(prefix: "x") parent { id } } } } }',
    "{ connections(only: 0) { edges { node { id friends { totalCount "
    "edges { cursor node { id name } } } } } } }",
    "{ connections(only: 0) { edges { node { id f: friends(first: 1) { edges { node { id } } } "
    "friends(first: 0) { totalCount edges { node { id } } } } } } }",
    "{ connections { edges { node { id friends(first: 3) { pageInfo { hasNextPage } "
    "edges { node { name friends(first: 1) { totalCount } } } } } } } }",
    "{ checked { name } }",
    "{ companies { id friends(first: 1) { totalCount } } }",
]


@pytest.mark.parametrize("query", QUERIES)
def test_the_answer_is_graphql_cores_own(query):
    document = parse(query)
    variables = {"skip": True}
    expected = execute_sync(SCHEMA, document, variable_values=variables)
    fast = execute_sync(SCHEMA, document, variable_values=variables, executor_class=RecordExecutor)
    assert fast.data == expected.data
    assert [e.formatted for e in fast.errors or []] == [e.formatted for e in expected.errors or []]


def test_errors_are_reported_once_each_with_their_path():
    result = execute_sync(
        SCHEMA, parse("{ companies { id employees } }"), executor_class=RecordExecutor
    )
    paths = [error.path for error in result.errors or []]
    assert len(paths) == len(set(map(tuple, paths)))  # type: ignore[arg-type]
    assert ["companies", 2, "id"] in paths and ["companies", 3, "employees"] in paths


class CountingExecutor(RecordExecutor):
    executed: list[str] = []

    def execute_field(self, parent_type, source, field_details_list, path, position_context):
        self.executed.append(field_details_list[0].node.name.value)
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )


def test_a_plain_connection_is_completed_without_graphql_cores_field_execution():
    CountingExecutor.executed = []
    query = "{ connections(only: 0) { totalCount edges { cursor node { id domainName { primaryLinkUrl } } } } }"
    result = execute_sync(SCHEMA, parse(query), executor_class=CountingExecutor)
    assert result.errors is None
    assert result.data["connections"][0]["edges"][1]["node"]["id"] == GOOD["id"]
    assert CountingExecutor.executed == ["connections"]  # the root field's resolver only


def _friends_calls(executor_class: Any, query: str) -> tuple[Any, list[Any]]:
    FRIEND_CALLS.clear()
    result = execute_sync(SCHEMA, parse(query), executor_class=executor_class)
    return result, sorted(FRIEND_CALLS, key=repr)


def test_a_relation_resolver_is_given_the_path_and_arguments_graphql_core_gives_it():
    query = (
        "{ connections(only: 0) { edges { node { id friends(first: 2) { "
        "edges { node { id friends(first: 1) { totalCount } } } } } } } }"
    )
    fast, fast_calls = _friends_calls(RecordExecutor, query)
    expected, expected_calls = _friends_calls(None, query)
    assert fast.data == expected.data and fast.errors is None
    # Every call graphql-core makes, each with its path, and no other call.
    assert {repr(call) for call in fast_calls} == {repr(call) for call in expected_calls}
    assert ["connections", 0, "edges", 1, "node", "friends"] in [path for path, _ in fast_calls]


def test_a_failing_relation_is_reported_as_graphql_core_reports_it():
    boom = {**GOOD, "name": "Boom"}
    CONNECTIONS.append(page(edge(GOOD), edge(boom, "c2")))
    try:
        query = f"{{ connections(only: {len(CONNECTIONS) - 1}) {{ edges {{ node {{ id "
        query += "friends { totalCount } } } } }"
        fast = execute_sync(SCHEMA, parse(query), executor_class=RecordExecutor)
        expected = execute_sync(SCHEMA, parse(query))
    finally:
        CONNECTIONS.pop()
    assert fast.data == expected.data
    assert [e.formatted for e in fast.errors or []] == [e.formatted for e in expected.errors or []]
    assert [e.path for e in fast.errors or []] == [
        ["connections", 0, "edges", 1, "node", "friends"]
    ]


def test_relations_inside_a_connection_are_completed_without_graphql_cores_field_execution():
    CountingExecutor.executed = []
    query = (
        "{ connections(only: 0) { edges { node { id friends(first: 2) { totalCount "
        "edges { node { id name } } } } } } }"
    )
    result = execute_sync(SCHEMA, parse(query), executor_class=CountingExecutor)
    assert result.errors is None
    assert len(result.data["connections"][0]["edges"][1]["node"]["friends"]["edges"]) == 2
    assert CountingExecutor.executed == ["connections"]
