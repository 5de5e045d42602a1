"""RecordExecutor answers exactly as graphql-core's own executor, data and errors alike."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import (
    GraphQLArgument,
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
from chalicelib.graphql.fast_execution import RecordExecutor

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
    },
)

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

QUERY_TYPE = GraphQLObjectType(
    "Query",
    {
        "companies": GraphQLField(
            GraphQLList(COMPANY),
            {"only": GraphQLArgument(GraphQLInt)},
            resolve=lambda _root, _info, only=None: RECORDS if only is None else [RECORDS[only]],
        )
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
