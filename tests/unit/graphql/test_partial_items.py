"""The executor of every GraphQL request nulls a refused batch item alone, beside its located
error, while every other error still propagates as the spec says."""

from __future__ import annotations

from typing import Any

from graphql import build_schema, execute_sync, parse

from chalicelib.core.partial_batch import ItemError
from chalicelib.errors import RelationTargetNotFoundError, UniqueViolationError
from chalicelib.graphql.errors import format_error
from chalicelib.graphql.partial_items import PartialItemsExecutor, RefusedItem

SCHEMA = build_schema(
    """
    type Thing { name: String! }
    type Mutation { createThings: [Thing!]!, broken: [Thing!]!, other: String }
    type Query { ok: String }
    """
)


def run(document: str, root: dict[str, Any]) -> tuple[Any, list[dict[str, Any]]]:
    result = execute_sync(
        SCHEMA, parse(document), root_value=root, executor_class=PartialItemsExecutor
    )
    return result.data, [format_error(error) for error in result.errors or []]


def test_a_refused_item_is_null_in_place_with_an_error_at_its_index():
    taken = UniqueViolationError("Duplicate value for unique field 'email'", claim=("email", "a"))
    missing = RelationTargetNotFoundError("Invalid value for field 'companyId': no record")
    root = {
        "createThings": [
            {"name": "a"},
            RefusedItem(ItemError(1, taken, "email")),
            {"name": "c"},
            RefusedItem(ItemError(3, missing)),
        ],
        "other": "still here",
    }
    data, errors = run("mutation { made: createThings { name } other }", root)
    assert data == {"made": [{"name": "a"}, None, {"name": "c"}, None], "other": "still here"}
    assert [e["path"] for e in errors] == [["made", 1], ["made", 3]]
    assert errors[0]["message"] == "Duplicate value for unique field 'email'"
    assert errors[0]["extensions"] == {
        "code": "CONFLICT",
        "subCode": "DUPLICATE_ENTRY",
        "index": 1,
        "field": "email",
    }
    assert errors[1]["extensions"] == {
        "code": "BAD_USER_INPUT",
        "subCode": "RELATION_TARGET_NOT_FOUND",
        "index": 3,
    }


def test_any_other_error_in_a_non_null_list_still_nulls_up_to_a_nullable_parent():
    root = {"broken": [{"name": "a"}, ValueError("boom")], "other": "x"}
    data, errors = run("mutation { broken { name } other }", root)
    assert data is None
    assert [e["path"] for e in errors] == [["broken", 1]]
