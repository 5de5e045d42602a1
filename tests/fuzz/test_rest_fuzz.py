"""REST fuzzing in-process: random and grammar-shaped query parameters and bodies never get a
5xx, every 4xx is in Twenty's error shape, and the workspace answers afterwards.

Strategies are built before each fuzz loop (they depend on the world's seeded ids and cursors)
and only drawn from inside it.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz import strategies as fz
from tests.fuzz.budget import fuzz_settings
from tests.fuzz.properties import assert_rest_answer, assert_workspace_still_answers
from tests.fuzz.world import FuzzWorld, query_string, url_quote

objects = st.sampled_from(fz.FUZZED_OBJECTS)
upserts = fz.weighted((6, st.just("")), (6, st.just("?upsert=true")), (1, st.just("?upsert=x")))
update_methods = fz.weighted((6, st.just("PATCH")), (1, st.just("PUT")))
optional_depths = st.one_of(st.none(), fz.depths())


def own_ids(world: FuzzWorld) -> tuple[str, ...]:
    return tuple(record for ids in world.seeds.values() for record in ids)


def record_ids(world: FuzzWorld) -> st.SearchStrategy[str]:
    """Ids of this workspace, of another one, random UUIDs and things that are no UUID."""
    own = own_ids(world)
    return fz.weighted(
        (4, st.sampled_from(own)),
        (1, st.sampled_from(world.foreign_ids or own)),
        (1, fz.uuids()),
        (1, fz.uuids().map(str.upper)),
        (1, fz.texts(40).filter(lambda text: "/" not in text)),
    )


def bodies(world: FuzzWorld) -> dict[str, st.SearchStrategy[bytes | str]]:
    companies = tuple(world.seeds["companies"])
    return {
        plural: fz.raw_bodies(fz.record_bodies(plural, companies)) for plural in fz.FUZZED_OBJECTS
    }


def test_filters_never_fail_on_the_server(world: FuzzWorld):
    filters = {
        plural: fz.filters(plural, tuple(world.seeds.get(plural, []) + world.foreign_ids[:2]))
        for plural in fz.FUZZED_OBJECTS
    }

    @fuzz_settings(150)
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        plural = data.draw(objects, "object")
        text = data.draw(filters[plural], "filter")
        assert_rest_answer(world.rest("GET", f"/rest/{plural}" + query_string(filter=text)))

    run()
    assert_workspace_still_answers(world)


def test_order_by_limit_depth_and_cursors_never_fail_on_the_server(world: FuzzWorld):
    params_of = {
        plural: fz.ListParams(
            plural, own_ids(world), tuple(world.cursors), tuple(world.foreign_ids)
        ).strategy()
        for plural in fz.FUZZED_OBJECTS
    }

    @fuzz_settings(150)
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        plural = data.draw(objects, "object")
        params = data.draw(params_of[plural], "params")
        assert_rest_answer(world.rest("GET", f"/rest/{plural}" + query_string(**params)))

    run()
    assert_workspace_still_answers(world)


def test_reading_one_record_never_fails_on_the_server(world: FuzzWorld):
    ids = record_ids(world)

    @fuzz_settings(40)
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        plural = data.draw(objects, "object")
        record = url_quote(data.draw(ids, "id"))
        depth = data.draw(optional_depths, "depth")
        suffix = "" if depth is None else query_string(depth=depth)
        assert_rest_answer(world.rest("GET", f"/rest/{plural}/{record}{suffix}"))

    run()
    assert_workspace_still_answers(world)


def test_creating_records_from_random_bodies_never_fails_on_the_server(world: FuzzWorld):
    body_of = bodies(world)

    @fuzz_settings(80)
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        plural = data.draw(objects, "object")
        body = data.draw(body_of[plural], "body")
        upsert = data.draw(upserts, "upsert")
        assert_rest_answer(world.rest("POST", f"/rest/{plural}{upsert}", body))

    run()
    assert_workspace_still_answers(world)


def test_batch_creates_from_random_bodies_never_fail_on_the_server(world: FuzzWorld):
    companies = tuple(world.seeds["companies"])
    batches = {
        plural: fz.raw_bodies(st.lists(fz.record_bodies(plural, companies), max_size=4))
        for plural in fz.FUZZED_OBJECTS
    }

    @fuzz_settings(40)
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        plural = data.draw(objects, "object")
        body = data.draw(batches[plural], "body")
        upsert = data.draw(upserts, "upsert")
        assert_rest_answer(world.rest("POST", f"/rest/batch/{plural}{upsert}", body))

    run()
    assert_workspace_still_answers(world)


def test_updating_records_from_random_bodies_never_fails_on_the_server(world: FuzzWorld):
    body_of = bodies(world)
    any_id = record_ids(world)
    target = {
        plural: fz.weighted((4, st.sampled_from(ids)), (1, any_id))
        for plural, ids in world.seeds.items()
    }
    seeded_objects = st.sampled_from(sorted(world.seeds))

    @fuzz_settings(60)
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        plural = data.draw(seeded_objects, "object")
        record = url_quote(data.draw(target[plural], "id"))
        body = data.draw(body_of[plural], "body")
        method = data.draw(update_methods, "method")
        assert_rest_answer(world.rest(method, f"/rest/{plural}/{record}", body))

    run()
    assert_workspace_still_answers(world)
