"""Sibling groups load a relation once for all their nodes, a failed load included."""

from __future__ import annotations

import pytest

from chalicelib.graphql.loading import Siblings, nodes_of


def test_a_relation_is_loaded_once_for_every_node_of_the_group():
    group = Siblings()
    nodes = nodes_of([{"id": str(i)} for i in range(3)], group)
    calls = []

    def batch(members):
        calls.append(len(members))
        return {node["id"]: int(node["id"]) * 2 for node in members}

    assert [group.load(("k",), batch)[node["id"]] for node in nodes] == [0, 2, 4]
    assert calls == [3]


def test_a_failed_load_is_raised_to_every_node_without_loading_again():
    group = Siblings()
    nodes_of([{"id": "a"}, {"id": "b"}], group)
    calls = []

    def batch(members):
        calls.append(len(members))
        raise ValueError("too many children")

    for _ in range(2):
        with pytest.raises(ValueError, match="too many children"):
            group.load(("k",), batch)
    assert calls == [2]
