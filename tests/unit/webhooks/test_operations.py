"""Webhook operation patterns: which events a webhook receives, and which patterns are valid."""

from __future__ import annotations

import pytest

from chalicelib.errors import InvalidRequestBodyError
from chalicelib.metadata.model import WorkspaceModel
from chalicelib.webhooks.model import ACTIONS
from chalicelib.webhooks.operations import MAX_OPERATIONS, matches, validate_operations
from tests.builders import make_object

MODEL = WorkspaceModel(
    workspace_id="ws",
    version=1,
    objects=(
        make_object("company", "companies", []),
        make_object("person", "people", []),
        make_object("rocket", "rockets", [], is_custom=True, is_active=False),
    ),
)


@pytest.mark.parametrize(
    ("operations", "event", "expected"),
    [
        (("company.created",), "company.created", True),
        (("company.created",), "company.updated", False),
        (("company.created",), "person.created", False),
        (("*.updated",), "person.updated", True),
        (("*.updated",), "person.deleted", False),
        (("person.*",), "person.destroyed", True),
        (("person.*",), "company.destroyed", False),
        (("*.*",), "rocket.restored", True),
        (("company.created", "*.deleted"), "person.deleted", True),
        ((), "person.created", False),
        # Exact and case-sensitive, as in Twenty: no prefix or case-folded matches.
        (("Company.created",), "company.created", False),
        (("company.create",), "company.created", False),
    ],
)
def test_an_event_matches_its_exact_name_or_a_wildcard_pattern(operations, event, expected):
    assert matches(operations, event) is expected


def test_valid_patterns_are_kept_in_order_without_duplicates():
    raw = ["person.*", "*.*", "company.created", "*.destroyed", "person.*", "rocket.upserted"]
    assert validate_operations(MODEL, raw) == (
        "person.*",
        "*.*",
        "company.created",
        "*.destroyed",
        "rocket.upserted",
    )


def test_every_action_of_twenty_is_accepted():
    raw = [f"company.{action}" for action in ACTIONS]
    assert validate_operations(MODEL, raw) == tuple(raw)


def test_an_inactive_object_can_be_subscribed_to():
    assert validate_operations(MODEL, ["rocket.created"]) == ("rocket.created",)


def refused(raw: object) -> list[str]:
    with pytest.raises(InvalidRequestBodyError) as caught:
        validate_operations(MODEL, raw)
    assert caught.value.code == "INVALID_REQUEST_BODY"
    return caught.value.messages


def test_an_unknown_object_or_action_is_refused_naming_every_bad_pattern():
    messages = refused(["invoice.created", "company.exploded", "*.*", "person.Created"])
    assert len(messages) == 3
    assert "unknown object 'invoice'" in messages[0]
    assert "unknown action 'exploded'" in messages[1]
    assert "unknown action 'Created'" in messages[2]


@pytest.mark.parametrize(
    "pattern", ["company", "company.", ".created", "*", "company.created.x", "", "a.b.c"]
)
def test_a_pattern_without_exactly_one_object_and_one_action_is_refused(pattern):
    assert "<object>.<action>" in refused([pattern])[0]


@pytest.mark.parametrize("raw", ["*.*", None, {"op": "*.*"}, ["*.*", 3], [None]])
def test_operations_must_be_a_list_of_strings(raw):
    assert refused(raw) == ["operations must be a list of strings"]


def test_an_empty_list_is_refused():
    assert "at least one pattern" in refused([])[0]


def test_the_number_of_patterns_is_bounded():
    assert "at most" in refused(["*.*"] * (MAX_OPERATIONS + 1))[0]
