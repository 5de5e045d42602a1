"""GraphQL fuzzing in-process: documents built from the workspace's introspected schema (ours
with fragments, aliases, directives and variables; hypothesis-graphql's plain and negative ones)
and malformed request bodies never get a 5xx or an INTERNAL_SERVER_ERROR, and afterwards the
workspace still answers."""

from __future__ import annotations

import functools
import json
from typing import Any

import hypothesis_graphql
from hypothesis import given
from hypothesis import strategies as st
from hypothesis_graphql import nodes

from tests.fuzz import strategies as fz
from tests.fuzz.budget import fuzz_settings
from tests.fuzz.graphql_documents import documents
from tests.fuzz.properties import assert_graphql_answer, assert_workspace_still_answers
from tests.fuzz.world import FuzzWorld


def seeded_ids(world: FuzzWorld) -> list[str]:
    return [record for ids in world.seeds.values() for record in ids] + world.foreign_ids[:2]


def payload(query: str, variables: Any, operation: str | None) -> str:
    body: dict[str, Any] = {"query": query}
    if variables is not None:
        body["variables"] = variables
    if operation is not None:
        body["operationName"] = operation
    return json.dumps(body)


def test_generated_documents_never_fail_on_the_server(world: FuzzWorld):
    schema, ids = world.schema, seeded_ids(world)

    @fuzz_settings(200)
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        query, variables, operation = data.draw(documents(schema, ids), "request")
        assert_graphql_answer(world.send("POST", "/graphql", payload(query, variables, operation)))

    run()
    assert_workspace_still_answers(world)


def custom_scalars(ids: list[str]) -> dict[str, st.SearchStrategy[Any]]:
    """Literals of our scalars for hypothesis-graphql (it knows only the built-in ones)."""
    return {
        "UUID": st.one_of(st.sampled_from(ids), fz.uuids()).map(nodes.String),
        "DateTime": fz.dates().map(nodes.String),
        "Date": st.dates().map(str).map(nodes.String),
        "BigFloat": st.integers(-(10**12), 10**12).map(nodes.Int),
        "Position": st.floats(-1e6, 1e6).map(nodes.Float),
        "RawJSON": fz.texts(10).map(nodes.String),
    }


def test_hypothesis_graphql_documents_never_fail_on_the_server(world: FuzzWorld):
    schema, scalars = world.schema, custom_scalars(seeded_ids(world))
    negative = hypothesis_graphql.Mode.NEGATIVE
    requests = st.one_of(
        hypothesis_graphql.queries(schema, custom_scalars=scalars),
        hypothesis_graphql.queries(schema, custom_scalars=scalars),
        hypothesis_graphql.mutations(schema, custom_scalars=scalars),
        hypothesis_graphql.queries(schema, custom_scalars=scalars, mode=negative),
        hypothesis_graphql.mutations(schema, custom_scalars=scalars, mode=negative),
    )

    @fuzz_settings(120)
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        query = data.draw(requests, "query")
        assert_graphql_answer(world.send("POST", "/graphql", payload(query, None, None)))

    run()
    assert_workspace_still_answers(world)


@functools.cache
def malformed_payloads() -> st.SearchStrategy[str | bytes]:
    """Bodies that are not a well-formed GraphQL request: wrong kinds, damage, noise."""
    value = fz.json_values(4)
    fields = st.fixed_dictionaries(
        {},
        optional={
            "query": st.one_of(value, st.sampled_from(["{ __typename }", "", "{", "query"])),
            "variables": value,
            "operationName": value,
            "extensions": value,
        },
    )
    well_formed = st.just(json.dumps({"query": "{ companies { totalCount } }"}))
    return st.one_of(
        fields.map(json.dumps),
        fields.map(json.dumps),
        value.map(json.dumps),
        fz.damaged(well_formed),
        fz.nested_json(),
        st.binary(max_size=40),
        st.sampled_from(["", "null", "NaN", '{"query": "{ __typename }"} trailing']),
    )


def test_malformed_request_bodies_never_fail_on_the_server(world: FuzzWorld):
    @fuzz_settings(80)
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        body = data.draw(malformed_payloads(), "body")
        assert_graphql_answer(world.send("POST", "/graphql", body))

    run()
    assert_workspace_still_answers(world)
