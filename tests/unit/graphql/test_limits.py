"""The abuse limits, checked on the text and the parsed document alone, in linear time."""

from __future__ import annotations

import time

import pytest
from graphql import get_introspection_query, parse

from chalicelib.graphql.limits import QueryLimits, check_limits, check_size, measure

LIMITS = QueryLimits(max_depth=5, max_fields=50, max_root_fields=3, max_tokens=1000)
TWENTY = QueryLimits(max_depth=5, max_fields=2000, max_root_fields=20, max_tokens=15_000)


def problems(query, limits=LIMITS):
    return [error.message for error in check_limits(parse(query), limits)]


def doubling_fragments(levels):
    """`{ ...F0 }`, each fragment spreading the next one twice: 2^levels fields once expanded."""
    lines = ["{ ...F0 }"]
    lines += [f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)]
    lines.append(f"fragment F{levels} on Query {{ __typename }}")
    return "\n".join(lines)


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


def test_root_fields_are_counted_through_fragments_and_inline_fragments():
    query = "{ a ... on Query { b } ...F } fragment F on Query { c d }"
    assert problems(query) == ["The operation has 4 root fields; the maximum is 3"]


def test_fields_are_counted_where_fragments_are_spread():
    spread = " ".join(f"x{i}: a {{ ...F }}" for i in range(3))
    query = "{ " + spread + " } fragment F on A { " + " ".join(f"f{i}" for i in range(20)) + " }"
    assert problems(query) == ["The operation selects 63 fields; the maximum is 50"]


def test_each_operation_is_measured_on_its_own():
    fields = " ".join(f"f{i}" for i in range(30))
    query = f"query A {{ a {{ {fields} }} }} query B {{ b {{ {fields} }} }}"
    assert problems(query) == []


def test_the_31_level_fragment_document_is_refused_without_expanding_it():
    started = time.perf_counter()
    found = problems(doubling_fragments(31), TWENTY)
    elapsed = time.perf_counter() - started
    assert found == [
        f"The operation has {2**31} root fields; the maximum is 20",
        f"The operation selects {2**31} fields; the maximum is 2000",
    ]
    assert elapsed < 0.05


def test_counts_saturate_instead_of_growing_with_the_exponent():
    found = problems(doubling_fragments(60), QueryLimits(5, 2000, 20, 15_000, max_fragments=100))
    assert found[1] == f"The operation selects at least {10**12} fields; the maximum is 2000"


@pytest.mark.parametrize("levels", [10, 31, 90])
def test_every_selection_is_measured_exactly_once(levels):
    cost = measure(parse(doubling_fragments(levels)), TWENTY.transparent_fields)
    # One spread in the operation, two in each doubling fragment, one field in the last one.
    assert cost.visited == 1 + 2 * levels + 1


def test_measuring_time_grows_linearly_with_the_document():
    """Doubling the document at most triples the time; an exponential walk would square it.
    The time is this thread's CPU time, the best of runs interleaved between both sizes, so the
    other work of a busy machine neither adds to it nor favours one size."""
    documents = {levels: parse(doubling_fragments(levels)) for levels in (400, 800)}
    best = dict.fromkeys(documents, float("inf"))
    for _ in range(9):
        for levels, document in documents.items():
            started = time.thread_time()
            measure(document, TWENTY.transparent_fields)
            best[levels] = min(best[levels], time.thread_time() - started)
    assert best[800] < 3 * best[400], best


def test_a_long_chain_of_fragments_needs_no_recursion():
    chain = ["{ ...F0 }"] + [f"fragment F{i} on Query {{ ...F{i + 1} }}" for i in range(3000)]
    chain.append("fragment F3000 on Query { __typename }")
    limits = QueryLimits(5, 2000, 20, 100_000, max_fragments=5000)
    assert problems("\n".join(chain), limits) == []


def test_introspection_fields_are_counted_like_any_other():
    query = "{ __schema { types { " + "name " * 2099 + "} } }"
    assert problems(query, TWENTY) == ["The operation selects 2101 fields; the maximum is 2000"]


def test_introspection_root_fields_are_counted():
    query = "{ " + " ".join(f"s{i}: __schema {{ description }}" for i in range(21)) + " }"
    assert problems(query, TWENTY) == ["The operation has 21 root fields; the maximum is 20"]


def test_introspection_nesting_is_left_to_graphql_cores_own_depth_rule():
    query = "{ __schema { types { fields { type { ofType { ofType { ofType { name } } } } } } } }"
    assert problems(query) == []


def test_graphiqls_introspection_query_passes_the_default_limits():
    query = get_introspection_query(
        descriptions=True,
        specified_by_url=True,
        directive_is_repeatable=True,
        schema_description=True,
        input_value_deprecation=True,
    )
    assert problems(query, TWENTY) == []


def test_aliases_are_limited_and_counted_where_fragments_are_spread():
    query = (
        "{ a { ...F ...F } } fragment F on A { " + " ".join(f"x{i}: b" for i in range(16)) + " }"
    )
    assert problems(query, TWENTY) == ["The operation uses 32 aliases; the maximum is 30"]


def test_directives_are_limited():
    query = "{ a { " + " ".join(f"b{i}: b @include(if: true)" for i in range(3)) + " } }"
    limits = QueryLimits(5, 50, 3, 1000, max_directives=2)
    assert problems(query, limits) == ["The operation uses 3 directives; the maximum is 2"]


def test_directives_on_fragments_and_operations_count():
    query = "query Q @a { x @b ...F @c } fragment F on Query @d { y @e }"
    assert problems(query, QueryLimits(5, 50, 3, 1000, max_directives=4)) == [
        "Operation 'Q' uses 5 directives; the maximum is 4"
    ]


def test_too_many_fragment_definitions_are_refused():
    fragments = " ".join(f"fragment F{i} on Query {{ a }}" for i in range(4))
    limits = QueryLimits(5, 50, 3, 1000, max_fragments=3)
    assert problems("{ a } " + fragments, limits) == [
        "The document defines 4 fragments; the maximum is 3"
    ]


def test_nesting_counts_every_level_even_the_plumbing():
    query = "{" + " edges { node {" * 16 + " id" + " } }" * 16 + " }"
    assert problems(query, TWENTY) == [
        "The operation nests fields 33 levels deep; the maximum is 30"
    ]


def test_a_fragment_cycle_is_refused_before_validation():
    # graphql-core's NoFragmentCyclesRule would name it too, but only after authentication.
    assert problems("{ a { ...F } } fragment F on A { b { ...G } } fragment G on B { ...F }") == [
        "Cannot spread fragment 'F' within itself."
    ]


def test_unknown_fragments_count_as_nothing_and_are_left_to_validation():
    assert problems("{ a { ...Missing } }") == []


def test_a_query_text_over_the_length_limit_is_refused_before_parsing():
    limits = QueryLimits(5, 50, 3, 1000, max_query_chars=10)
    assert check_size("{ a }", limits) is None
    refusal = check_size("{ abcdefgh }", limits)
    assert refusal is not None
    assert refusal.message.startswith("The query has 12 characters; the maximum is 10")
