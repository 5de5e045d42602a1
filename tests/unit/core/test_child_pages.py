"""The span estimate of core/child_pages.py: one Query for neighbouring parents, else one each."""

from __future__ import annotations

import uuid

from chalicelib.core.child_pages import _KEYS_PER_READ_UNIT, _SPAN_MAX_KEYS, _span_limit


def ids_at(*fractions: float) -> list[str]:
    """UUIDs at these fractions of the UUID space, sorted."""
    return sorted(str(uuid.UUID(int=int(f * ((1 << 128) - 1)))) for f in fractions)


def test_a_page_of_neighbouring_parents_is_read_as_one_span():
    # 60 parents covering 0.6 % of the id space (a page of 10,000 in id order), 20,000 children.
    parents = ids_at(*(0.5 + i * 0.0001 for i in range(60)))
    assert _span_limit(parents, 6, 20_000) == 60 * _KEYS_PER_READ_UNIT


def test_parents_spread_over_the_id_space_are_walked_alone():
    parents = ids_at(*(i / 60 for i in range(60)))
    assert _span_limit(parents, 6, 20_000) == 0


def test_the_span_limit_grows_with_the_page_and_stops_at_one_answer():
    parents = ids_at(0.5, 0.5000001)
    assert _span_limit(parents, 61, 1000) == 2 * 61
    many = ids_at(*(0.5 + i * 1e-9 for i in range(500)))
    assert _span_limit(many, 61, 1000) == _SPAN_MAX_KEYS


def test_no_span_without_a_counter_for_one_parent_or_for_ids_that_are_not_uuids():
    assert _span_limit(ids_at(0.1, 0.2), 6, None) == 0
    assert _span_limit(ids_at(0.1), 6, 0) == 0
    assert _span_limit(["a-parent", "b-parent"], 6, 0) == 0


def test_an_object_with_no_live_child_is_always_one_span():
    assert _span_limit(ids_at(0.0, 0.999), 6, 0) == 2 * _KEYS_PER_READ_UNIT
