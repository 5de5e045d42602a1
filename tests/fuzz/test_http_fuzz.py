"""A smaller share of the fuzzing over real sockets against the local stack (run_local.py): the
same properties through the local server's HTTP parsing, its threads and the emulator's
network path, sequentially and in concurrent bursts."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz import strategies as fz
from tests.fuzz.budget import fuzz_settings
from tests.fuzz.graphql_documents import documents
from tests.fuzz.properties import (
    assert_graphql_answer,
    assert_rest_answer,
    assert_workspace_still_answers,
)
from tests.fuzz.world import Answer, FuzzWorld, HttpWorld, query_string

objects = st.sampled_from(fz.FUZZED_OBJECTS)
BURST = 6

# A drawn request: how to send it, and the property its answer must have.
Request = tuple[Callable[[FuzzWorld], Answer], Callable[[Answer], None]]


def requests(world: FuzzWorld) -> st.SearchStrategy[Request]:
    """REST lists with fuzzed parameters, REST writes with fuzzed bodies, GraphQL documents."""
    ids = tuple(record for records in world.seeds.values() for record in records)
    companies = tuple(world.seeds["companies"])
    lists = st.tuples(
        objects,
        st.one_of(
            [fz.ListParams(p, ids, tuple(world.cursors), ()).strategy() for p in fz.FUZZED_OBJECTS]
        ),
    ).map(
        lambda pair: (
            lambda w: w.rest("GET", f"/rest/{pair[0]}" + query_string(**pair[1])),
            assert_rest_answer,
        )
    )
    writes = st.one_of(
        [
            fz.raw_bodies(fz.record_bodies(plural, companies)).map(
                lambda body, plural=plural: (
                    lambda w: w.rest("POST", f"/rest/{plural}", body),
                    assert_rest_answer,
                )
            )
            for plural in fz.FUZZED_OBJECTS
        ]
    )
    graphql = documents(world.schema, ids).map(
        lambda request: (
            lambda w: w.send("POST", "/graphql", _payload(*request)),
            assert_graphql_answer,
        )
    )
    return fz.weighted((2, lists), (1, writes), (2, graphql))


def _payload(query: str, variables: object, operation: str | None) -> str:
    body: dict[str, object] = {"query": query}
    if variables is not None:
        body["variables"] = variables
    if operation is not None:
        body["operationName"] = operation
    return json.dumps(body)


def test_fuzzed_requests_over_http_never_fail_on_the_server(http_world: HttpWorld):
    world = http_world.world
    drawn = requests(world)

    @fuzz_settings(60)
    @given(request=drawn)
    def run(request: Request) -> None:
        send, check = request
        check(send(world))

    run()
    assert_workspace_still_answers(world)
    assert "Traceback" not in http_world.stack.output()


def test_concurrent_bursts_of_fuzzed_requests_never_fail_on_the_server(http_world: HttpWorld):
    world = http_world.world
    bursts = st.lists(requests(world), min_size=BURST, max_size=BURST)

    @fuzz_settings(10)
    @given(burst=bursts)
    def run(burst: list[Request]) -> None:
        with ThreadPoolExecutor(BURST) as pool:
            answers = list(pool.map(lambda request: request[0](world), burst))
        for (_, check), answer in zip(burst, answers, strict=True):
            check(answer)

    run()
    assert_workspace_still_answers(world)
    assert "Traceback" not in http_world.stack.output()
