"""Depth, field-count and root-field limits, checked on the document alone."""

from __future__ import annotations

from graphql import parse

from chalicelib.graphql.limits import QueryLimits, check_limits

LIMITS = QueryLimits(max_depth=5, max_fields=50, max_root_fields=3, max_tokens=1000)


def problems(query, limits=LIMITS):
    return [error.message for error in check_limits(parse(query), limits)]


def test_connection_plumbing_does_not_count_towards_depth():
    query = "{ companies { edges { node { people { edges { node { name { firstName } } } } } } } }"
    assert problems(query) == []


def test_too_deep_a_query_is_refused_with_its_depth():
    query = "{ a { b { c { d { e { f } } } } } }"
    assert problems(query) == ["The operation has depth 6; the maximum is 5"]


def test_depth_follows_fragments():
    query = "query Q { a { ...F } } fragment F on A { b { c { d { e { f } } } } }"
    assert problems(query) == ["Operation 'Q' has depth 6; the maximum is 5"]


def test_too_many_root_fields_are_refused():
    assert problems("{ a b c d }") == ["The operation has 4 root fields; the maximum is 3"]


def test_fields_are_counted_where_fragments_are_spread():
    spread = " ".join(f"x{i}: a {{ ...F }}" for i in range(3))
    query = "{ " + spread + " } fragment F on A { " + " ".join(f"f{i}" for i in range(20)) + " }"
    assert problems(query) == ["The operation selects 51 fields; the maximum is 50"]


def test_introspection_fields_are_left_to_graphql_cores_own_rule():
    query = "{ __schema { types { fields { type { ofType { ofType { ofType { name } } } } } } } }"
    assert problems(query) == []


def test_fragment_cycles_end_at_the_depth_limit_instead_of_hanging():
    # graphql-core's NoFragmentCyclesRule names the cycle itself during validation.
    assert problems("{ a { ...F } } fragment F on A { b { ...F } }") == [
        "The operation has depth 6; the maximum is 5"
    ]
