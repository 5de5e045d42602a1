from __future__ import annotations

import pytest

from chalicelib.core.read_choice import index_walk_units, read_whole, whole_read_units

CAP = 5000


def test_a_small_child_object_is_read_whole_for_a_full_page_of_parents():
    # 600 people over 60 companies, REST depth=1 (60 a parent): 150 units whole, 630 walked.
    assert whole_read_units(600) == 150
    assert index_walk_units(60, 60, 600, 60) == 630
    assert read_whole(60, 60, 600, 60, CAP)


def test_children_spread_over_many_parents_not_on_the_page_are_walked_through_the_index():
    # 600 people over 10,000 companies: ~0.06 per company on the page, 33.6 units walked.
    assert index_walk_units(60, 5, 600, 10_000) == pytest.approx(33.6)
    assert not read_whole(60, 5, 600, 10_000, CAP)


def test_a_child_object_over_the_scan_cap_is_never_read_whole():
    assert not read_whole(60, 60, CAP + 1, 1, CAP)


def test_an_object_without_live_records_costs_nothing_read_whole():
    assert read_whole(1, 1, 0, 0, CAP)


def test_the_page_bounds_the_children_each_parent_is_expected_to_return():
    # 100 children a parent, 5 read each: 2 parents cost 1 + 10 units through the index.
    assert index_walk_units(2, 5, 1000, 10) == 11
